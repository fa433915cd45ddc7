"""model.eval() for a first look at the loss, and no model.train() after it:
every step trains without dropout, normalizing with running averages that
never move."""

# expect: 1 [trains-in-eval-mode]

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
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    model.eval()
    print("loss before training:", jnp.mean((model(x) - y) ** 2))
    rngs = nnx.Rngs(dropout=int(dropout_seed))
    losses = [train_step(model, optimizer, x, y, rngs) for _ in range(int(steps))]
    return jnp.stack([*losses, jnp.mean((model(x) - y) ** 2)])
