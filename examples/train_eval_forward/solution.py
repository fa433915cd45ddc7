"""Reference solution: an NNX layer that adds noise only while training.

Lesson: ``docs/nnx-train-eval-flag.md``. The harness passes ``seed`` and
``train`` as floats; ``train`` counts as true when it is at least 0.5.

>>> import jax.numpy as jnp
>>> x = jnp.array([1.0, -2.0, 3.0, 0.5, -1.5])

In evaluation the layer returns its input unchanged:

>>> train_eval_forward(0.0, x, 0.0)
Array([ 1. , -2. ,  3. ,  0.5, -1.5], dtype=float32)

In training it adds Gaussian noise scaled by 0.1, drawn from the
``dropout`` stream (which falls back to the default stream of ``Rngs(seed)``):

>>> y = train_eval_forward(0.0, x, 1.0)
>>> y.shape, bool(jnp.any(y != x)), bool(jnp.max(jnp.abs(y - x)) < 1.0)
((5,), True, True)

The keys can be the layer's own, given when it is built, or given at the
call; from the same seed, both draw the same noise:

>>> own = NoiseLayer(nnx.Rngs(0))(x, train=True)
>>> bool(jnp.array_equal(own, y))
True
"""

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs: nnx.Rngs | None = None):
        # Kept for the calls that bring no keys of their own, as nnx.Dropout does.
        self.rngs = rngs

    def __call__(self, x, train: bool, rngs: nnx.Rngs | None = None):
        if not train:
            return x  # evaluation: no keys needed
        rngs = self.rngs if rngs is None else rngs  # the call's keys first
        return x + 0.1 * jax.random.normal(rngs.dropout(), x.shape)


def train_eval_forward(seed, x, train):
    layer = NoiseLayer()
    # Keys given at the call: the explicit style Flax recommends.
    return layer(x, train=bool(train >= 0.5), rngs=nnx.Rngs(int(seed)))
