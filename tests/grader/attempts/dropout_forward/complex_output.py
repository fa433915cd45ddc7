"""Kept units are not rescaled, and the output is complex.

Its dtype is wrong and so are its values: the report must not call them right.
"""

# expect: 1 expected dtype float32, got complex64
# expect: 1 [no-rescale]
# expect: 1 [wrong-dtype]

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        x = x.astype(jnp.complex64)
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
