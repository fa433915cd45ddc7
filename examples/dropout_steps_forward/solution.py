"""Reference solution: hand-written NNX dropout, in a step compiled with nnx.jit.

Lesson: ``docs/nnx-randomness-under-jit.md``. The harness passes ``seed`` and
``steps`` as floats.

>>> import jax.numpy as jnp
>>> from flax import nnx
>>> x = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
>>> y = dropout_steps_forward(0.0, x, 0.5, 3.0)
>>> y.shape
(3, 6)

Each row is one step: every unit is dropped (0) or kept and doubled, and the
steps draw different masks, the same ones as calling the layer without jit:

>>> bool(jnp.all((y == 0) | (y == 2 * x)))
True
>>> len({tuple(row.tolist()) for row in y})
3
>>> layer = MyDropout(0.5, nnx.Rngs(0))
>>> eager = jnp.stack([layer(x, deterministic=False) for _ in range(3)])
>>> bool(jnp.array_equal(y, eager))
True
"""

import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    # The layer of docs/nnx-dropout.md, unchanged.
    def __init__(self, rate: float, rngs: nnx.Rngs):
        self.rate = rate
        self.rngs = rngs

    def __call__(self, x, deterministic: bool):
        if deterministic or self.rate <= 0.0:
            return x
        keep_prob = 1.0 - self.rate
        key = self.rngs.dropout()
        mask = jax.random.bernoulli(key, p=keep_prob, shape=x.shape)
        return jnp.where(mask, x / keep_prob, 0.0)


@nnx.jit  # writes the advanced key counter back into the layer after each call
def train_step(layer, x):
    return layer(x, deterministic=False)


def dropout_steps_forward(seed, x, rate, steps):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return jnp.stack([train_step(layer, x) for _ in range(int(steps))])
