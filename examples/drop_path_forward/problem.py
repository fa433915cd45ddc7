"""The drop_path_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "stochastic-depth"

CONTRACT = {
    "task": (
        "Return the output of a residual block with stochastic depth,\n"
        "`y = x + DropPath(tanh(x))`: in training its branch `tanh(x)` is dropped per\n"
        "example, never its skip connection `x`. The block's keys come from\n"
        "`nnx.Rngs(dropout=int(seed))`, given at the call.\n"
        "\n"
        "Define `DropPath(rate)`, an `nnx.Module` called as\n"
        "`drop_path(x, deterministic=..., rngs=...)`. In training it keeps each\n"
        "example's whole input, scaled by `1 / (1 - rate)`, with probability\n"
        "`1 - rate`, or sets it all to 0: one draw per example, shared along every\n"
        "other axis, from one key per call of the `dropout` stream of its `rngs`,\n"
        "`jax.random.bernoulli(rngs.dropout(), 1 - rate, (batch, 1, ..., 1))`, as\n"
        "`nnx.Dropout` draws it. In evaluation (`deterministic=True`, `rngs` left out)\n"
        "it returns its input unchanged. The grader calls your `DropPath` too: twice\n"
        "in training with one `nnx.Rngs(params=0, dropout=3)`, in evaluation without\n"
        "`rngs`, and more times in training, to see each example dropped or kept\n"
        "whole."
    ),
    "steps": [
        (
            "Define `DropPath(nnx.Module)`: `__init__(self, rate)` stores the rate;\n"
            "`__call__(self, x, *, deterministic, rngs=None)` returns\n"
            "`nnx.Dropout(self.rate, broadcast_dims=...)(x, deterministic=deterministic,\n"
            "rngs=rngs)`, with every axis of `x` but the first in `broadcast_dims`."
        ),
        "Cast the flag: `deterministic = bool(deterministic >= 0.5)`.",
        (
            "Build `rngs = nnx.Rngs(dropout=int(seed))` and return\n"
            "`x + DropPath(rate)(jnp.tanh(x), deterministic=deterministic, rngs=rngs)`."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "x": "a JAX array, `(batch, features)` or `(batch, tokens, features)`, no zeros.",
        "rate": "a float in [0, 1): the probability of dropping the branch of an example.",
        "deterministic": "a float, `0.0` or `1.0`.",
    },
    "output": "an array of the shape of `x`.",
}

HINTS = [
    [
        "what `broadcast_dims` names",
        (
            "It names the axes that share one draw (they have size 1 in the mask),\n"
            "not the axes that get draws of their own. One draw per example: name every\n"
            "axis but the first, `tuple(range(1, x.ndim))`."
        ),
    ],
    [
        "what is dropped",
        (
            "The branch alone: `x + drop_path(f(x))`. A dropped example skips the block\n"
            "and keeps `x`; dropping `x + f(x)` would zero the example itself."
        ),
    ],
    [
        "by hand",
        (
            "With `broadcast_dims=tuple(range(1, x.ndim))`, `nnx.Dropout` draws\n"
            "`mask = jax.random.bernoulli(rngs.dropout(), 1 - rate, shape)` with\n"
            "`shape = (x.shape[0],) + (1,) * (x.ndim - 1)` and returns\n"
            "`jnp.where(mask, x / (1 - rate), 0.0)`: written so, your layer gives the\n"
            "same numbers."
        ),
    ],
    [
        "evaluation",
        (
            "With `deterministic=True`, return `x` before drawing anything: evaluation\n"
            "calls give no `rngs`, so `rngs` needs a default, `None`."
        ),
    ],
]


def _grid(shape, offset):
    """Inputs with no zeros, so that a dropped branch is told from a kept one."""
    count = 1
    for size in shape:
        count *= size
    values = (jnp.arange(count, dtype=jnp.float32) * 5 + offset) % 9 - 4.25
    return values.reshape(shape)


# Two shapes, (6, 3) and (4, 2, 3) (each new shape costs compilations), several
# seeds and rates, both flag values and a rate of 0. Each training case's seed
# mixes dropped and kept examples, so that one draw for the whole batch cannot
# pass it.
CASES = [
    dict(seed=0.0, x=_grid((6, 3), 0.0), rate=0.5, deterministic=0.0),
    dict(seed=0.0, x=_grid((6, 3), 0.0), rate=0.5, deterministic=1.0),
    dict(seed=1.0, x=_grid((4, 2, 3), 1.0), rate=0.5, deterministic=0.0),
    dict(seed=1.0, x=_grid((4, 2, 3), 1.0), rate=0.5, deterministic=1.0),
    dict(seed=2.0, x=_grid((6, 3), 2.0), rate=0.0, deterministic=0.0),
    dict(seed=4.0, x=_grid((6, 3), 3.0), rate=0.25, deterministic=0.0),
    dict(seed=4.0, x=_grid((4, 2, 3), 4.0), rate=0.3, deterministic=0.0),
    dict(seed=14.0, x=_grid((6, 3), 5.0), rate=0.75, deterministic=0.0),
]
