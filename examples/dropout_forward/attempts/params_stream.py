"""The mask is drawn from rngs.params() instead of rngs.dropout() (the lesson's
pitfall "Drawing from the params stream").

With nnx.Rngs(int(seed)) both names fall back to the one default stream, so
the function's cases are the contract's; a layer given
nnx.Rngs(params=1, dropout=2), as the grader builds one, drops other units.
"""

# expect: 1 [params-stream]
# expect: 1 9 of 10 cases passed

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
        mask = jax.random.bernoulli(self.rngs.params(), p=keep, shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
