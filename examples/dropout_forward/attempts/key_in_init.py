"""The key is drawn once, in __init__, and reused at every call.

Each case of the function builds a new layer, whose one key is the contract's
first key: only a second call of the same layer, as the grader makes, drops
the same units again.
"""

# expect: 1 [key-in-init]
# expect: 1 9 of 10 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.key = rngs.dropout()  # drawn once

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.key, p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
