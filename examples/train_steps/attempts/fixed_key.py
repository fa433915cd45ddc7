"""One dropout key, as a Linen apply takes it, given to every step without
folding the step number in: every step drops the same units."""

# expect: 1 [key-not-folded]

import jax
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


def loss_fn(model, x, y, key):
    return jnp.mean((model(x, rngs=key) - y) ** 2)


@nnx.jit
def train_step(model, optimizer, x, y, key):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, key)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    dropout_key = jax.random.key(int(dropout_seed))
    model.train()
    losses = [
        train_step(model, optimizer, x, y, dropout_key) for _ in range(int(steps))
    ]
    model.eval()
    return jnp.stack([*losses, jnp.mean((model(x) - y) ** 2)])
