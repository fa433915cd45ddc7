"""Right, in the explicit style Flax's randomness guide recommends: the layer
holds no keys, each training call is given an nnx.Rngs, and the mask comes
from the stream's own bernoulli shorthand and lax.select."""

# expect: 0 10 of 10 cases passed

import jax.numpy as jnp
from flax import nnx
from jax import lax


class MyDropout(nnx.Module):
    def __init__(self, rate: float):
        self.rate = rate

    def __call__(self, x, deterministic: bool, rngs: nnx.Rngs | None = None):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = rngs.dropout.bernoulli(keep, x.shape)
        return lax.select(mask, x / keep, jnp.zeros_like(x))


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate)
    return layer(x, deterministic >= 0.5, rngs=nnx.Rngs(int(seed)))
