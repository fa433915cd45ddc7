"""Gradients and updates over every variable of the model, nnx.Variable, not
only nnx.Param. This model holds no keys (they come at the call), so that is
its parameters and its running averages, whose gradient in training is 0:
plain gradient descent leaves them as the steps set them. Not a mistake the
grader can see."""

# expect: 0 9 of 9 cases passed

import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, features, rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5)
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs=None):
        h = nnx.relu(self.norm(self.linear(x)))
        return self.out(self.dropout(h, rngs=rngs))


def loss_fn(model, x, y, rngs):
    return jnp.mean((model(x, rngs=rngs) - y) ** 2)


@nnx.jit
def train_step(model, optimizer, x, y, rngs):
    grad_fn = nnx.value_and_grad(loss_fn, argnums=nnx.DiffState(0, nnx.Variable))
    loss, grads = grad_fn(model, x, y, rngs)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Variable)
    train_model = nnx.view(model, deterministic=False, use_running_average=False)
    eval_model = nnx.view(model, deterministic=True, use_running_average=True)
    rngs = nnx.Rngs(dropout=int(dropout_seed))
    losses = [train_step(train_model, optimizer, x, y, rngs) for _ in range(int(steps))]
    return jnp.stack([*losses, jnp.mean((eval_model(x) - y) ** 2)])
