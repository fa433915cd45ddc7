"""One Bernoulli draw without a shape: a single value for the whole batch, so
every example keeps its branch, or every example loses it."""

# expect: 1 [batch-mask]

import jax
import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        if deterministic or self.rate == 0.0:
            return x
        keep = 1.0 - self.rate
        keep_path = jax.random.bernoulli(rngs.dropout(), keep)
        return jnp.where(keep_path, x / keep, 0.0)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
