"""A right answer, defined with ``async def``: calling it gives a coroutine.

The report must say so, and show none of the grader's own warnings about
coroutines never awaited.
"""

# expect: 2 Define it with def, not async def.

import jax
import jax.numpy as jnp
from flax import nnx


async def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(nnx.Rngs(int(seed)).dropout(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)
