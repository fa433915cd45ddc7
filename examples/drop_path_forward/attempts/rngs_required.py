"""rngs without a default: right in training, but an evaluation call, which
gives no rngs, raises."""

# expect: 1 [rngs-required]

import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, deterministic, rngs):
        dropout = nnx.Dropout(self.rate, broadcast_dims=tuple(range(1, x.ndim)))
        return dropout(x, deterministic=deterministic, rngs=rngs)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), flag, rngs)
