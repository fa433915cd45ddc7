"""broadcast_dims=(0,), read as "the axis that gets one draw per example": it
is the axis that shares the draw, so every example gets the same mask."""

# expect: 1 [broadcast-dims-batch-axis]

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.dropout = nnx.Dropout(rate, broadcast_dims=(0,))

    def __call__(self, x, *, deterministic, rngs=None):
        return self.dropout(x, deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
