"""The keys are saved as they are, then wrapped with jax.random.wrap_key_data
after restoring, as if orbax gave back their raw data: but orbax 0.12 restores
a typed key as a typed key, and wrapping it again raises."""

# expect: 1 [key-already-typed]

import pathlib
import tempfile

import jax
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
    for _, key in nnx.to_flat_state(nnx.state(state, nnx.RngKey)):
        key[...] = jax.random.wrap_key_data(key[...])
    return nnx.merge(graphdef, state)


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
