"""The layer is always built deterministic, so it never drops anything."""

# expect: 1 [no-dropout-in-training]

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    return MyDropout(rate, nnx.Rngs(int(seed)))(x, deterministic=True)
