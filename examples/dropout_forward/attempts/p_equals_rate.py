"""The mask keeps with probability rate, and rate 0 is not short-cut.

With rate 0.5 the two masks agree; with rate 0 this version drops everything,
a second cause the grader names on its own.
"""

# expect: 1 [p-equals-rate]
# expect: 1 [rate-zero]

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        if deterministic:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=self.rate, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
