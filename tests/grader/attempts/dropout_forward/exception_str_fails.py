"""The function raises its own exception, whose message cannot be built.

Its __str__ has a wrong format specification, so str() of it raises in turn:
still the attempt's fault, reported with the case, not a fault of the grader.
"""

# expect: 1 9 of 10 cases passed
# expect: 1 raised RateError at line 32
# expect: 1 Invalid format specifier

import jax
import jax.numpy as jnp
from flax import nnx


class RateError(ValueError):
    def __init__(self, rate):
        self.rate = rate

    def __str__(self):
        return f"rate {self.rate:.2%f} is too high"


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate, self.rngs = rate, rngs

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        if self.rate > 0.75:
            raise RateError(self.rate)
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
