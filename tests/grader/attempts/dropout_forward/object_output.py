"""Kept units are multiplied by keep, and the result is an array of Python floats.

Its dtype is wrong and so are its values: the report must not call them right.
"""

# expect: 1 expected dtype float32, got object
# expect: 1 [rescale-multiplied]

import jax
import numpy as np
from flax import nnx


def dropout_forward(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return np.array([float(v) for v in x], dtype=object)
    keep = 1.0 - rate
    mask = jax.random.bernoulli(nnx.Rngs(int(seed)).dropout(), p=keep, shape=x.shape)
    return np.array(
        [float(v) * keep if kept else 0.0 for v, kept in zip(x, mask, strict=True)],
        dtype=object,
    )
