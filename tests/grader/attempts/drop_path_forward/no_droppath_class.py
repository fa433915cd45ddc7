"""The right numbers from the function alone, without the class the contract
names: the grader cannot call DropPath, and says the file defines none.

Graded by the command only: in a lesson's notebook the names an attempt sees
include the lesson's own DropPath (its solution cell defines it), which the
checks then call."""

# expect: 1 [no-droppath]

import jax.numpy as jnp
from flax import nnx


def drop_path_forward(seed, x, rate, deterministic):
    dropout = nnx.Dropout(rate, broadcast_dims=tuple(range(1, x.ndim)))
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    return x + dropout(jnp.tanh(x), deterministic=flag, rngs=rngs)
