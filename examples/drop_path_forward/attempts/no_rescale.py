"""A hand-written per-example mask that keeps the branch as it is, without
dividing by keep: training sees smaller branches than evaluation."""

# expect: 1 [no-rescale]

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
        mask = jax.random.bernoulli(rngs.dropout(), 1.0 - self.rate, shape)
        return jnp.where(mask, x, 0.0)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
