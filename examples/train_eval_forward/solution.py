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
"""

import jax
from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        # Keep the container: __call__ draws a fresh key on every call.
        self.rngs = rngs

    def __call__(self, x, train: bool):
        if train:
            noise = jax.random.normal(self.rngs.dropout(), x.shape)
            return x + 0.1 * noise
        return x


def train_eval_forward(seed, x, train):
    model = NoiseLayer(rngs=nnx.Rngs(int(seed)))
    return model(x, train=bool(train >= 0.5))
