"""DropPath applied to the block's whole output, x + f(x): a dropped example
loses its signal, not just the block."""

# expect: 1 [drop-sum]

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
    flag = bool(deterministic >= 0.5)
    return drop_path(x + jnp.tanh(x), deterministic=flag, rngs=rngs)
