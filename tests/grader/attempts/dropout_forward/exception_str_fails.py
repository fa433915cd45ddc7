"""The function raises its own exception, whose message cannot be built.

Its __str__ has a wrong format specification, so str() of it raises in turn:
still the attempt's fault, reported with the case, not a fault of the grader.
"""

# expect: 1 7 of 8 cases passed
# expect: 1 raised RateError at line 28
# expect: 1 Invalid format specifier

import jax
import jax.numpy as jnp
from flax import nnx


class RateError(ValueError):
    def __init__(self, rate):
        self.rate = rate

    def __str__(self):
        return f"rate {self.rate:.2%f} is too high"


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    if rate > 0.75:
        raise RateError(rate)
    keep = 1.0 - rate
    mask = jax.random.bernoulli(nnx.Rngs(int(seed)).dropout(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)
