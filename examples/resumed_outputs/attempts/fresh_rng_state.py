"""The model is split into its parameters and the rest, as Flax's filters
guide shows; only the parameters are saved, and the restored ones are merged
with the rest of a new model: its fresh Rngs, key and count as built."""

# expect: 1 [rng-state-not-restored]

import pathlib
import tempfile

import jax.numpy as jnp
import orbax.checkpoint as ocp
from flax import nnx


class DenseDropout(nnx.Module):
    def __init__(self, features, rate, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.linear(x))


def save_checkpoint(model, path):
    _, params, _ = nnx.split(model, nnx.Param, ...)
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, params)


def restore_checkpoint(path, make_model):
    graphdef, params, rest = nnx.split(make_model(), nnx.Param, ...)
    with ocp.StandardCheckpointer() as checkpointer:
        params = checkpointer.restore(path, params)
    return nnx.merge(graphdef, params, rest)


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
