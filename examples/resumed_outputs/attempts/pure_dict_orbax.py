"""Another correct style, the other idiom of Flax's checkpointing guide: the
state saved as a pure dictionary, restored without a target, and put into an
abstract model's state with nnx.replace_by_pure_dict."""

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
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, nnx.to_pure_dict(nnx.state(model)))


def restore_checkpoint(path, make_model):
    with ocp.StandardCheckpointer() as checkpointer:
        restored = checkpointer.restore(path)
    graphdef, abstract_state = nnx.split(nnx.eval_shape(make_model))
    nnx.replace_by_pure_dict(abstract_state, restored)
    return nnx.merge(graphdef, abstract_state)


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
