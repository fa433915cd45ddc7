"""The mask drawn with p=rate: each branch kept with probability rate, not
1 - rate (the same draws when rate is 0.5)."""

# expect: 1 [p-equals-rate]

import jax
import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        if deterministic or self.rate == 0.0:
            return x
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = jax.random.bernoulli(rngs.dropout(), self.rate, shape)
        return jnp.where(mask, x / (1.0 - self.rate), 0.0)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
