"""rngs.params() instead of rngs.dropout(): the same key from Rngs(int(seed)).

Both names fall back to the one default stream, so the outputs are the
contract's: not a mistake the grader can see, nor a wrong answer here.
"""

# expect: 0 8 of 8 cases passed

import jax
import jax.numpy as jnp
from flax import nnx


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(nnx.Rngs(int(seed)).params(), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)
