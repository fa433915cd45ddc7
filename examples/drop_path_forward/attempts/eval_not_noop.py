"""A hand-written DropPath that never reads its flag: it drops in evaluation
too, and raises when an evaluation call gives it no rngs."""

# expect: 1 [eval-not-noop]
# expect: 1 [key-drawn-in-eval]

import jax
import jax.numpy as jnp
from flax import nnx


class DropPath(nnx.Module):
    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x, *, deterministic, rngs=None):
        keep = 1.0 - self.rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = jax.random.bernoulli(rngs.dropout(), keep, shape)
        return jnp.where(mask, x / keep, 0.0)


def drop_path_forward(seed, x, rate, deterministic):
    drop_path = DropPath(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + drop_path(jnp.tanh(x), deterministic=flag, rngs=rngs)
