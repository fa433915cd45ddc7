"""The dropped units are NaN instead of 0.

NaN is a value, not a difference: the report must say where the NaN values
are, and what the contract has there.
"""

# expect: 1 NaN or inf: index 0 is nan (expected 0), index 5 is nan (expected 0)
# expect: 1 [not-finite]
# expect: 1 3 of 10 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(nnx.Rngs(int(seed)).dropout(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, jnp.nan)
