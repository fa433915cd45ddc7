"""Reference solution: a dropout run checkpointed with orbax and resumed in a
new model draws the masks of the run that was never interrupted.

Lesson: ``docs/random-state-checkpoints.md``. The harness passes the seeds and
the step counts as floats.

>>> x = jnp.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, -2.0, 1.5]])
>>> resumed = resumed_outputs(0.0, 1.0, x, 0.5, 2.0, 3.0)
>>> resumed.shape
(3, 2, 4)

The three resumed steps are steps 3 to 5 of the uninterrupted run:

>>> model = DenseDropout(4, 0.5, nnx.Rngs(params=0, dropout=1))
>>> uninterrupted = jnp.stack([model(x) for _ in range(5)])
>>> bool(jnp.array_equal(resumed, uninterrupted[2:]))
True

The restored model takes nothing from the one ``make_model`` builds but its
structure: built with other seeds, it still continues the saved run.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = pathlib.Path(folder) / "checkpoint"
...     save_checkpoint(model, path)
...     other = restore_checkpoint(
...         path, lambda: DenseDropout(4, 0.5, nnx.Rngs(params=7, dropout=8))
...     )
>>> bool(jnp.array_equal(other(x), model(x)))
True
"""

import pathlib
import tempfile

import jax.numpy as jnp
import orbax.checkpoint as ocp
from flax import nnx


class DenseDropout(nnx.Module):
    def __init__(self, features: int, rate: float, rngs: nnx.Rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)  # forks the dropout stream

    def __call__(self, x):
        return self.dropout(self.linear(x))


def save_checkpoint(model, path):
    # The whole state: the parameters, and each stream's key and count.
    _, state = nnx.split(model)
    # The with block waits for the save, which runs in the background.
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, state)


def restore_checkpoint(path, make_model):
    # An abstract model: the structure and the shapes, no arrays, no draws.
    graphdef, abstract_state = nnx.split(nnx.eval_shape(make_model))
    with ocp.StandardCheckpointer() as checkpointer:
        state = checkpointer.restore(path, abstract_state)
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
