"""A model that holds its dropout keys, differentiated and optimized with
respect to every variable it has: its key count and key too, which are not
numbers a gradient is defined for."""

# expect: 1 [grad-wrt-rng-state]

import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, features, rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs=None):
        return self.out(self.dropout(nnx.relu(self.norm(self.linear(x)))))


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


@nnx.jit
def train_step(model, optimizer, x, y, rngs=None):
    grad_fn = nnx.value_and_grad(loss_fn, argnums=nnx.DiffState(0, nnx.Variable))
    loss, grads = grad_fn(model, x, y)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed), dropout=int(dropout_seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Variable)
    train_model = nnx.view(model, deterministic=False, use_running_average=False)
    eval_model = nnx.view(model, deterministic=True, use_running_average=True)
    losses = [train_step(train_model, optimizer, x, y) for _ in range(int(steps))]
    return jnp.stack([*losses, jnp.mean((eval_model(x) - y) ** 2)])
