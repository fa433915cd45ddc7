"""The model class has a name of its own: the function's cases pass, but the
grader cannot build the model the contract names to check the helpers alone,
and says which name is missing.

The command's alone: in the lesson's notebook, the lesson's cells have defined
DenseDropout already, and the checks use that one."""

# expect: 1 [missing-name]

import pathlib
import tempfile

import jax.numpy as jnp
import orbax.checkpoint as ocp
from flax import nnx


class DropoutMLP(nnx.Module):
    def __init__(self, features: int, rate: float, rngs: nnx.Rngs):
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
        rngs = nnx.Rngs(params=int(seed), dropout=int(dropout_seed))
        return DropoutMLP(x.shape[-1], rate, rngs)

    model = make_model()
    for _ in range(int(steps_before)):
        model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save_checkpoint(model, path)
        resumed = restore_checkpoint(path, make_model)
    return jnp.stack([resumed(x) for _ in range(int(steps_after))])
