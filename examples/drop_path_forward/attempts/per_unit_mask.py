"""nnx.Dropout without broadcast_dims: ordinary dropout on the branch, each
unit of an example kept or dropped on its own."""

# expect: 1 [per-unit-mask]

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.dropout = nnx.Dropout(rate)

    def __call__(self, x, *, deterministic, rngs=None):
        return self.dropout(x, deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
