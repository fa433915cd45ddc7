"""Correct, in another style: nnx.Dropout given the key itself, drawn by the
layer, which draws none in evaluation."""

# expect: 0 12 of 12 cases passed

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        if deterministic:
            return x
        dims = list(range(1, x.ndim))
        return nnx.Dropout(self.rate, broadcast_dims=dims)(
            x, deterministic=False, rngs=rngs.dropout()
        )


def drop_path_forward(seed, x, rate, deterministic):
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + DropPath(rate)(jnp.tanh(x), deterministic=flag, rngs=rngs)
