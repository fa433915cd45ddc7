"""The flag read the wrong way round: "deterministic" taken for "training"."""

# expect: 1 [flag-inverted]

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        dropout = nnx.Dropout(self.rate, broadcast_dims=tuple(range(1, x.ndim)))
        return dropout(x, deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    training = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=not training, rngs=rngs)
