"""The train_eval_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-train-eval-flag"

CONTRACT = {
    "task": (
        "Write `NoiseLayer`, an NNX layer that adds Gaussian noise while training\n"
        "and returns its input unchanged in evaluation, and that takes its keys as\n"
        "`nnx.Dropout` does: from an `nnx.Rngs` given when it is built, or given at\n"
        "the call, the explicit style Flax's randomness guide recommends.\n"
        "\n"
        "- `NoiseLayer(rngs=None)` keeps the `nnx.Rngs` it is given, for the calls\n"
        "  that bring none.\n"
        "- `layer(x, train, rngs=None)` in training returns\n"
        "  `x + 0.1 * jax.random.normal(key, x.shape)`, with a new key at every call\n"
        "  from the `dropout` stream of the call's `rngs` if given, else of the\n"
        "  layer's own; in evaluation it returns `x` and needs no keys.\n"
        "- `train_eval_forward` returns one call of a `NoiseLayer` whose keys come\n"
        "  from `nnx.Rngs(int(seed))`; `train` counts as true when `train >= 0.5`.\n"
        "\n"
        "The grader also builds `NoiseLayer` and uses it as the lesson does: two\n"
        "training calls must add different noise, a layer given\n"
        "`nnx.Rngs(params=1, dropout=2)` must draw from `dropout`, and keys given at\n"
        "a call are the ones that call uses."
    ),
    "steps": [
        "Cast the flag: `train = bool(train >= 0.5)`.",
        (
            "Define `NoiseLayer(nnx.Module)`. Its `__init__(self, rngs=None)` saves\n"
            "`self.rngs = rngs`. Its `__call__(self, x, train, rngs=None)`:\n"
            "- if `train`: takes the call's `rngs` if given, else `self.rngs`, draws\n"
            "  `key = rngs.dropout()`, then returns\n"
            "  `x + 0.1 * jax.random.normal(key, x.shape)`;\n"
            "- otherwise returns `x` unchanged."
        ),
        (
            "Build `layer = NoiseLayer()` and return\n"
            "`layer(x, train=train, rngs=nnx.Rngs(int(seed)))`."
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
            "object on `self` and draw from it in `__call__`, unless the call brings\n"
            "an `Rngs` of its own: `rngs = self.rngs if rngs is None else rngs`."
        ),
    ],
    [
        "which stream",
        (
            "`rngs.dropout()`. With `nnx.Rngs(int(seed))` there is only a default\n"
            "stream, and `dropout` falls back to it; with named streams it does not."
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
