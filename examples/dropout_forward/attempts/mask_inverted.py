"""Units where the mask is True are dropped instead of kept."""

# expect: 1 [mask-inverted]

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
        return jnp.where(mask, 0.0, x / keep)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
