"""Reference solution: inverted dropout written by hand as an NNX module.

Lesson: ``docs/nnx-dropout.md``. The harness passes ``seed`` and
``deterministic`` as floats; ``deterministic`` counts as true when it is at
least 0.5.

>>> x = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])

Deterministic mode, or a rate of 0, returns the input unchanged:

>>> dropout_forward(0.0, x, 0.5, 1.0)
Array([1., 2., 3., 4., 5., 6.], dtype=float32)
>>> dropout_forward(0.0, x, 0.0, 0.0)
Array([1., 2., 3., 4., 5., 6.], dtype=float32)

Otherwise each unit is zeroed or kept and scaled by 1 / (1 - rate):

>>> y = dropout_forward(0.0, x, 0.5, 0.0)
>>> bool(jnp.all((y == 0) | (y == 2 * x)))
True
"""

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate: float, rngs: nnx.Rngs):
        # Plain attributes, not nnx.Param: neither is trained.
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic: bool):
        if deterministic or self.rate <= 0.0:
            return x
        keep_prob = 1.0 - self.rate
        key = self.rngs.dropout()
        mask = jax.random.bernoulli(key, p=keep_prob, shape=x.shape)
        return jnp.where(mask, x / keep_prob, 0.0)


def dropout_forward(seed, x, rate, deterministic):
    model = MyDropout(rate, rngs=nnx.Rngs(int(seed)))
    return model(x, deterministic=bool(deterministic >= 0.5))
