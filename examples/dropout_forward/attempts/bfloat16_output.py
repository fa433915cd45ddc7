"""The mask keeps with probability rate, computed in bfloat16 to save memory.

Its dtype is wrong and so are its values: the report must not call them right,
and the mistake is still named although bfloat16 rounds the values.
"""

# expect: 1 expected dtype float32, got bfloat16
# expect: 1 [p-equals-rate]

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic):
        x = x.astype(jnp.bfloat16)
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.rngs.dropout(), p=self.rate, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0).astype(jnp.bfloat16)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
