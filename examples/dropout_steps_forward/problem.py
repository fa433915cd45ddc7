"""The dropout_steps_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "nnx-randomness-under-jit"

CONTRACT = {
    "task": (
        "Write `train_step`, a training step compiled with `nnx.jit` that applies\n"
        "the hand-written dropout layer of the dropout lesson, and\n"
        "`dropout_steps_forward`, which runs it for several steps.\n"
        "\n"
        "- `MyDropout(rate, rngs)`, as in the dropout lesson, keeps its `nnx.Rngs`:\n"
        "  `layer(x, deterministic)` returns `x` when `deterministic` is true or\n"
        "  `rate <= 0`, and otherwise keeps each unit with probability `1 - rate`,\n"
        "  where a mask that `jax.random.bernoulli` draws with the shape of `x` is\n"
        "  true, with a new key from the layer's `dropout` stream at every call; it\n"
        "  sets the other units to 0 and divides the kept ones by `1 - rate`.\n"
        "- `train_step(layer, x)`, compiled with `nnx.jit`, returns\n"
        "  `layer(x, deterministic=False)`: it takes the layer as an argument, and\n"
        "  each call draws the layer's next key.\n"
        "- `dropout_steps_forward` builds one layer with `nnx.Rngs(int(seed))`, calls\n"
        "  `train_step` on it `int(steps)` times and returns the outputs stacked, one\n"
        "  row per step.\n"
        "\n"
        "The grader also calls your `train_step` as a training loop does: three\n"
        "calls on one layer must drop three different sets of units, and run the\n"
        "step's Python code once, when `nnx.jit` traces it, not at every call."
    ),
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
    "remark": (
        "The keys stay in the layer here, not at the call: the lesson is how\n"
        "`nnx.jit` carries the layer's advanced counter out of each call."
    ),
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
