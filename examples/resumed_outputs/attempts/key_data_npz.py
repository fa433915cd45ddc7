"""Another correct style, without orbax: the state saved with NumPy, each
typed key as its raw data (jax.random.key_data), wrapped back into a key
(jax.random.wrap_key_data) after loading."""

# expect: 0 8 of 8 cases passed

import pathlib
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx


class DenseDropout(nnx.Module):
    def __init__(self, features, rate, rngs):
        self.linear = nnx.Linear(features, features, rngs=rngs)
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.linear(x))


def is_key(value):
    return jnp.issubdtype(value.dtype, jax.dtypes.prng_key)


def save_checkpoint(model, path):
    arrays = {}
    for keys, variable in nnx.to_flat_state(nnx.state(model)):
        value = variable[...]
        arrays["/".join(map(str, keys))] = np.asarray(
            jax.random.key_data(value) if is_key(value) else value
        )
    np.savez(path.with_suffix(".npz"), **arrays)


def restore_checkpoint(path, make_model):
    model = make_model()
    saved = np.load(path.with_suffix(".npz"))
    for keys, variable in nnx.to_flat_state(nnx.state(model)):
        value = jnp.asarray(saved["/".join(map(str, keys))])
        if is_key(variable[...]):
            value = jax.random.wrap_key_data(value)
        variable[...] = value
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
