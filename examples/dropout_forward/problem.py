"""The dropout_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-dropout"

CONTRACT = {
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
        "Draw the key inside `__call__` with `self.rngs.dropout()`, never in `__init__`.",
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
