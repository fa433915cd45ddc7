"""The flag is never looked at: units are dropped in evaluation too."""

# expect: 1 [eval-not-noop]

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        if self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    return MyDropout(rate, nnx.Rngs(int(seed)))(x, deterministic=deterministic)
