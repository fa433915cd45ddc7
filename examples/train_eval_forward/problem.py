"""The train_eval_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-train-eval-flag"

CONTRACT = {
    "steps": [
        "Cast the flag: `train = bool(train >= 0.5)`.",
        (
            "Define `NoiseLayer(nnx.Module)`. Its `__init__(self, rngs)` saves\n"
            "`self.rngs = rngs`. Its `__call__(self, x, train)`:\n"
            "- if `train`: draws `key = self.rngs.dropout()`, then returns\n"
            "  `x + 0.1 * jax.random.normal(key, x.shape)`;\n"
            "- otherwise returns `x` unchanged."
        ),
        (
            "Build `nnx.Rngs(int(seed))`, create `layer = NoiseLayer(rngs)`, and return\n"
            "`layer(x, train=train)`."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "x": "a 1-D JAX array.",
        "train": "a float, `0.0` or `1.0`.",
    },
    "output": "a 1-D array of the same shape as `x`.",
}

HINTS = [
    [
        "where the key comes from",
        (
            "`__call__` cannot see the local variables of `__init__`. Store the `Rngs`\n"
            "object on `self` and draw from it in `__call__`."
        ),
    ],
    [
        "which stream",
        (
            "`self.rngs.dropout()`. With `nnx.Rngs(int(seed))` there is only a default\n"
            "stream, and `dropout` falls back to it."
        ),
    ],
    [
        "the flag is a float",
        (
            "`0.0` is falsy and `1.0` truthy, but the contract casts with\n"
            '`bool(train >= 0.5)`: `0.3` means "evaluate", although `bool(0.3)` is true.'
        ),
    ],
]

CASES = [
    dict(seed=0.0, x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]), train=1.0),
    dict(seed=0.0, x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]), train=0.0),
    dict(seed=1.0, x=jnp.array([2.0, -0.5, 1.25]), train=1.0),
    dict(seed=2.0, x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]), train=1.0),
    dict(seed=2.0, x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]), train=0.0),
    dict(seed=7.0, x=jnp.array([-1.0, 2.0, -3.0]), train=1.0),
    dict(seed=13.0, x=jnp.array([3.0, -2.0, 1.0]), train=0.0),
]
