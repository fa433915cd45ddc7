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


# -- Grading cases ------------------------------------------------------------

LESSON = "nnx-dropout"

CONTRACT = """\
Inverted dropout, written by hand as an NNX module.

Define ``MyDropout(nnx.Module)``: ``__init__(self, rate, rngs)`` stores both as
plain attributes; ``__call__(self, x, deterministic)`` returns ``x`` when
``deterministic`` is true or ``rate <= 0``, and otherwise draws
``key = self.rngs.dropout()``, samples
``mask = jax.random.bernoulli(key, p=1 - rate, shape=x.shape)`` and returns
``jnp.where(mask, x / (1 - rate), 0.0)``.

Cast the flag with ``bool(deterministic >= 0.5)``, build ``nnx.Rngs(int(seed))``,
create ``layer = MyDropout(rate, rngs)``, and return
``layer(x, deterministic=deterministic)``.

Inputs: ``seed``, a float holding an integer; ``x``, a 1-D JAX array; ``rate``,
a float in [0, 1); ``deterministic``, a float, 0.0 or 1.0.
Output: an array of the same shape as ``x``.
"""

# No zeros in x: a dropped unit must be told apart from a kept one.
CASES = [
    dict(
        seed=0.0,
        x=jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=0.0,
        x=jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        rate=0.5,
        deterministic=1.0,
    ),
    dict(
        seed=1.0, x=jnp.array([-1.5, 2.0, 0.25, 3.0, -0.5]), rate=0.8, deterministic=0.0
    ),
    dict(
        seed=1.0, x=jnp.array([-1.5, 2.0, 0.25, 3.0, -0.5]), rate=0.8, deterministic=1.0
    ),
    dict(
        seed=2.0, x=jnp.array([0.5, -1.0, 2.5, -3.0, 1.5]), rate=0.0, deterministic=0.0
    ),
    dict(
        seed=3.0,
        x=jnp.array([2.0, -1.0, 0.5, 4.0, -2.5, 1.0]),
        rate=0.3,
        deterministic=0.0,
    ),
    dict(
        seed=42.0,
        x=jnp.array([1.0, -1.0, 2.0, -2.0, 3.0, -3.0]),
        rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=7.0, x=jnp.array([3.0, 1.0, 2.0, -0.5, 4.5]), rate=0.2, deterministic=0.0
    ),
]
