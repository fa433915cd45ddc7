"""Another correct style: a synchronous orbax Checkpointer, and the state
restored into a concrete model that make_model builds, then put in place with
nnx.update. Every variable comes from the checkpoint, key and count included."""

# expect: 0 8 of 8 cases passed

import pathlib
import tempfile

import jax.numpy as jnp
import orbax.checkpoint as ocp
from flax import nnx

checkpointer = ocp.Checkpointer(ocp.StandardCheckpointHandler())


class DenseDropout(nnx.Module):
    def __init__(self, features, rate, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.linear(x))


def save_checkpoint(model, path):
    checkpointer.save(path, nnx.state(model))


def restore_checkpoint(path, make_model):
    model = make_model()
    nnx.update(model, checkpointer.restore(path, nnx.state(model)))
    return model


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
