"""The model is built from nnx.Rngs(int(seed)), as in most examples, and its
dropout stream is then reseeded with dropout_seed. But nnx.reseed matches
streams by tag, and the stream nnx.Dropout forks from a one-seed Rngs is
tagged 'default': the reseed does nothing, silently."""

# expect: 1 [dropout-stream-not-seeded]

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
        nnx.reseed(model, dropout=int(dropout_seed))
        return model

    model = make_model()
    for _ in range(int(steps_before)):
        model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save_checkpoint(model, path)
        resumed = restore_checkpoint(path, make_model)
    return jnp.stack([resumed(x) for _ in range(int(steps_after))])
