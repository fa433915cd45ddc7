"""Right: keys kept by the layer, or given at a call, as nnx.Dropout takes
them; here the function gives them when the layer is built."""

# expect: 0 10 of 10 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs=None):
        self.rate, self.rngs = rate, rngs

    def __call__(self, x, deterministic, rngs=None):
        if deterministic or not self.rate > 0.0:
            return x
        rngs = self.rngs if rngs is None else rngs
        keep_prob = 1.0 - self.rate
        mask = jax.random.bernoulli(rngs.dropout(), keep_prob, x.shape)
        return jnp.where(mask, x / keep_prob, jnp.zeros_like(x))


def dropout_forward(seed, x, rate, deterministic):
    return MyDropout(rate, nnx.Rngs(int(seed)))(x, bool(deterministic >= 0.5))
