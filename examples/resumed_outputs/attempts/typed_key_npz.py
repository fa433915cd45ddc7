"""The state is saved with NumPy, as a flat .npz file: the dropout stream's
key is a typed key (dtype key<fry>), which NumPy cannot hold, and the save
raises."""

# expect: 1 [typed-key-to-numpy]

import pathlib
import tempfile

import jax.numpy as jnp
import numpy as np
from flax import nnx


class DenseDropout(nnx.Module):
    def __init__(self, features, rate, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.linear(x))


def save_checkpoint(model, path):
    _, state = nnx.split(model)
    leaves = nnx.to_flat_state(state)
    np.savez(path, **{"/".join(map(str, k)): np.asarray(v[...]) for k, v in leaves})


def restore_checkpoint(path, make_model):
    graphdef, state = nnx.split(make_model())
    saved = np.load(path.with_suffix(".npz"))
    for keys, variable in nnx.to_flat_state(state):
        variable[...] = jnp.asarray(saved["/".join(map(str, keys))])
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
