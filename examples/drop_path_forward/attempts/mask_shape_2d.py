"""A hand-written mask of shape (batch, 1): right for (batch, features), but
it does not broadcast against (batch, tokens, features)."""

# expect: 1 [mask-shape]

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
        mask = jax.random.bernoulli(rngs.dropout(), keep, (x.shape[0], 1))
        return jnp.where(mask, x / keep, 0.0)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
