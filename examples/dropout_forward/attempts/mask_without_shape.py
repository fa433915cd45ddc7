"""The mask is drawn without ``shape=``: one draw, broadcast to every unit, so
each call keeps all units or drops them all."""

# expect: 1 [mask-without-shape]

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
        mask = jax.random.bernoulli(self.rngs.dropout(), p=keep)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
