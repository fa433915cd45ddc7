"""No file at all: the "checkpoint" keeps the model itself in a dictionary.
The resumed run continues, but a checkpoint is not the state of its moment:
a model saved twice is restored twice as the model is now."""

# expect: 1 [checkpoint-not-at-its-path]

import pathlib
import tempfile

import jax.numpy as jnp
from flax import nnx

CHECKPOINTS = {}


class DenseDropout(nnx.Module):
    def __init__(self, features, rate, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.linear(x))


def save_checkpoint(model, path):
    CHECKPOINTS[path] = model


def restore_checkpoint(path, make_model):
    return CHECKPOINTS[path]


def resumed_outputs(seed, dropout_seed, x, rate, steps_before, steps_after):
    def make_model():
        rngs = nnx.Rngs(params=int(seed), dropout=int(dropout_seed))
        return DenseDropout(x.shape[-1], rate, rngs)

    model = make_model()
    for _ in range(int(steps_before)):
        model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save_checkpoint(model, path)
        resumed = restore_checkpoint(path, make_model)
    return jnp.stack([resumed(x) for _ in range(int(steps_after))])
