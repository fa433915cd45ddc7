"""A right answer, in float32, from a file that turns on float64 for JAX when
imported.

The reference's outputs are computed before the file is imported: with float64
on, they would come out as other numbers, of another dtype.
"""

# expect: 0 10 of 10 cases passed

import jax
import jax.numpy as jnp
from flax import nnx

jax.config.update("jax_enable_x64", True)


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate, self.rngs = rate, rngs

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        # p in float32: the mask is drawn from the same bits as without float64.
        p = jnp.float32(keep)
        mask = jax.random.bernoulli(self.rngs.dropout(), p=p, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0).astype(jnp.float32)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
