"""The dropout_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-dropout"

CONTRACT = {
    "task": (
        "Write `MyDropout`, inverted dropout as an NNX module, and `dropout_forward`,\n"
        "which applies it once.\n"
        "\n"
        "- `MyDropout(rate, rngs)` keeps the rate and the `nnx.Rngs` as plain\n"
        "  attributes (neither is trained).\n"
        "- `layer(x, deterministic)` returns `x` when `deterministic` is true or\n"
        "  `rate <= 0`. Otherwise it keeps each unit with probability `1 - rate`,\n"
        "  where a mask that `jax.random.bernoulli` draws with the shape of `x` is\n"
        "  true, with a new key from the layer's `dropout` stream at every call; it\n"
        "  sets the other units to 0 and divides the kept ones by `1 - rate`.\n"
        "- Keys at the call, the explicit style Flax's randomness guide recommends,\n"
        "  are accepted too: `MyDropout(rate)` and `layer(x, deterministic, rngs)`.\n"
        "  The grader gives your class its keys the way its `__call__` asks: at\n"
        "  the call if it has an `rngs` parameter, else when it is built.\n"
        "- `dropout_forward` builds one layer with keys from `nnx.Rngs(int(seed))`\n"
        "  and returns its output; `deterministic` counts as true when\n"
        "  `deterministic >= 0.5`.\n"
        "\n"
        "The grader also builds `MyDropout` and uses it as the lesson does: two\n"
        "training calls of one layer must drop different units, an evaluation call\n"
        "after them must return `x`, and a layer given\n"
        "`nnx.Rngs(params=1, dropout=2)` must draw its mask from `dropout`."
    ),
    "steps": [
        (
            "Define `MyDropout(nnx.Module)`. `__init__(self, rate, rngs)` stores\n"
            "`self.rate = rate` and `self.rngs = rngs` as plain attributes."
        ),
        (
            "`__call__(self, x, deterministic)`:\n"
            "- if `deterministic` is true or `rate <= 0`, return `x`;\n"
            "- otherwise draw `key = self.rngs.dropout()`, sample\n"
            "  `mask = jax.random.bernoulli(key, p=1 - rate, shape=x.shape)`, and return\n"
            "  `jnp.where(mask, x / (1 - rate), 0.0)`."
        ),
        "Cast the flag: `deterministic = bool(deterministic >= 0.5)`.",
        (
            "Build `nnx.Rngs(int(seed))`, create `layer = MyDropout(rate, rngs)`, and\n"
            "return `layer(x, deterministic=deterministic)`."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "x": "a 1-D JAX array.",
        "rate": "a float in [0, 1).",
        "deterministic": "a float, `0.0` or `1.0`.",
    },
    "output": "an array of the same shape as `x`.",
}

HINTS = [
    [
        "what `p` means",
        (
            "`jax.random.bernoulli(key, p=...)` is `True` with probability `p`. Which units\n"
            "should be `True`?"
        ),
    ],
    [
        "keep the expectation",
        "Divide the kept units by `1 - rate`, so the mean output equals the input.",
    ],
    [
        "one key per call",
        (
            "Draw the key inside `__call__` with `self.rngs.dropout()`, never in\n"
            "`__init__`: a key drawn once gives the same mask at every call."
        ),
    ],
]

# No zeros in x: a dropped unit must be told apart from a kept one.
CASES = [
    dict(
        seed=0.0,
        x=jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=0.0,
        x=jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        rate=0.5,
        deterministic=1.0,
    ),
    dict(
        seed=1.0, x=jnp.array([-1.5, 2.0, 0.25, 3.0, -0.5]), rate=0.8, deterministic=0.0
    ),
    dict(
        seed=1.0, x=jnp.array([-1.5, 2.0, 0.25, 3.0, -0.5]), rate=0.8, deterministic=1.0
    ),
    dict(
        seed=2.0, x=jnp.array([0.5, -1.0, 2.5, -3.0, 1.5]), rate=0.0, deterministic=0.0
    ),
    dict(
        seed=3.0,
        x=jnp.array([2.0, -1.0, 0.5, 4.0, -2.5, 1.0]),
        rate=0.3,
        deterministic=0.0,
    ),
    dict(
        seed=42.0,
        x=jnp.array([1.0, -1.0, 2.0, -2.0, 3.0, -3.0]),
        rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=7.0, x=jnp.array([3.0, 1.0, 2.0, -0.5, 4.5]), rate=0.2, deterministic=0.0
    ),
]
