"""The model is built from nnx.Rngs(int(seed)) and its dropout stream reseeded
by its tag, 'default': the stream gets the key a 'dropout' stream seeded with
dropout_seed gives, and the parameters are those of a 'params' stream seeded
with seed (a stream's keys do not depend on its name). Correct."""

# expect: 0 8 of 8 cases passed

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
    _, state = nnx.split(model)
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, state)


def restore_checkpoint(path, make_model):
    graphdef, abstract_state = nnx.split(nnx.eval_shape(make_model))
    with ocp.StandardCheckpointer() as checkpointer:
        state = checkpointer.restore(path, abstract_state)
    return nnx.merge(graphdef, state)


def resumed_outputs(seed, dropout_seed, x, rate, steps_before, steps_after):
    def make_model():
        model = DenseDropout(x.shape[-1], rate, nnx.Rngs(int(seed)))
        nnx.reseed(model, default=int(dropout_seed))
        return model

    model = make_model()
    for _ in range(int(steps_before)):
        model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save_checkpoint(model, path)
        resumed = restore_checkpoint(path, make_model)
    return jnp.stack([resumed(x) for _ in range(int(steps_after))])
