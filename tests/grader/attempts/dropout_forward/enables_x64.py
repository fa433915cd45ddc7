"""A right answer, in float32, from a file that turns on float64 for JAX when
imported.

The reference's outputs are computed before the file is imported: with float64
on, they would come out as other numbers, of another dtype.
"""

# expect: 0 8 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx

jax.config.update("jax_enable_x64", True)


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    # p in float32: the mask is drawn from the same bits as without float64.
    key = nnx.Rngs(int(seed)).dropout()
    mask = jax.random.bernoulli(key, p=jnp.float32(keep), shape=x.shape)
    return jnp.where(mask, x / keep, 0.0).astype(jnp.float32)
