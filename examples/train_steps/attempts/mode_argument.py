"""The model takes its mode as an argument, `train=`, and passes it to its
layers at the call, as Linen code does. Its own loop is right, but an
argument given at the call overrides the views: through the evaluation view
the model still drops units and normalizes with the batch's statistics."""

# expect: 1 [evaluation-view]
# expect: 1 8 of 9 cases passed

import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, features, rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5)
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs=None, train=True):
        h = nnx.relu(self.norm(self.linear(x), use_running_average=not train))
        return self.out(self.dropout(h, deterministic=not train, rngs=rngs))


def loss_fn(model, x, y, rngs):
    return jnp.mean((model(x, rngs=rngs) - y) ** 2)


@nnx.jit
def train_step(model, optimizer, x, y, rngs):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    rngs = nnx.Rngs(dropout=int(dropout_seed))
    losses = [train_step(model, optimizer, x, y, rngs) for _ in range(int(steps))]
    return jnp.stack([*losses, jnp.mean((model(x, train=False) - y) ** 2)])
