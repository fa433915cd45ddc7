"""The dropout_steps_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-randomness-under-jit"

CONTRACT = {
    "steps": [
        (
            "Define `MyDropout(nnx.Module)` as in the dropout lesson:\n"
            "`__init__(self, rate, rngs)` stores both as plain attributes;\n"
            "`__call__(self, x, deterministic)` returns `x` when `deterministic` is true or\n"
            "`rate <= 0`, and otherwise draws `key = self.rngs.dropout()`, samples\n"
            "`mask = jax.random.bernoulli(key, p=1 - rate, shape=x.shape)` and returns\n"
            "`jnp.where(mask, x / (1 - rate), 0.0)`."
        ),
        (
            "Define `train_step(layer, x)`, compiled with `nnx.jit`, returning\n"
            "`layer(x, deterministic=False)`."
        ),
        (
            "Build `layer = MyDropout(rate, nnx.Rngs(int(seed)))` once, call\n"
            "`train_step(layer, x)` `int(steps)` times, and return the outputs stacked\n"
            "with `jnp.stack`."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "x": "a 1-D JAX array.",
        "rate": "a float in [0, 1).",
        "steps": "a float holding an integer >= 1.",
    },
    "output": "an array of shape (steps, len(x)), one row per step.",
}

HINTS = [
    [
        "where the counter lives",
        (
            "The key counter is state of the layer, in its `Rngs`. Which of the two `jit`\n"
            "writes a layer's changed state back after the call?"
        ),
    ],
    [
        "what the step receives",
        (
            "Give the step the layer as an argument, `train_step(layer, x)`: not a key, not\n"
            "a seed, and not a layer from the enclosing scope."
        ),
    ],
    [
        "one layer for all steps",
        (
            "Build `MyDropout(rate, nnx.Rngs(int(seed)))` once, before the loop; each call of\n"
            "the step then advances its counter by one."
        ),
    ],
]

# No zeros in x: a dropped unit must be told apart from a kept one. Several
# steps per case, so that a mask repeated at every step shows.
CASES = [
    dict(seed=0.0, x=jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), rate=0.5, steps=3.0),
    dict(seed=1.0, x=jnp.array([-1.5, 2.0, 0.25, 3.0, -0.5]), rate=0.3, steps=4.0),
    dict(seed=2.0, x=jnp.array([0.5, -1.0, 2.5, -3.0, 1.5]), rate=0.0, steps=2.0),
    dict(
        seed=3.0,
        x=jnp.array([2.0, -1.0, 0.5, 4.0, -2.5, 1.0, 3.0, -0.5]),
        rate=0.5,
        steps=1.0,
    ),
    dict(
        seed=13.0, x=jnp.array([1.0, -1.0, 2.0, -2.0, 3.0, -3.0]), rate=0.8, steps=5.0
    ),
    dict(seed=7.0, x=jnp.array([3.0, 1.0, 2.0, -0.5, 4.5]), rate=0.2, steps=3.0),
]
