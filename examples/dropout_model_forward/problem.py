"""The dropout_model_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "linen-prng-streams"

CONTRACT = {
    "task": (
        "Write `DropoutModel`, a Linen module with one attribute `drop_rate` that\n"
        "applies `nn.Dense(features=x.shape[-1])`, then dropout at `drop_rate` unless\n"
        "`deterministic`, and `dropout_model_forward`, which feeds it from two\n"
        "streams seeded apart.\n"
        "\n"
        "- `DropoutModel(drop_rate=...)(x, deterministic)`.\n"
        "- The `params` stream is keyed by `int(seed)` alone, and the `dropout`\n"
        "  stream, which a training apply draws its mask from, by\n"
        "  `int(dropout_seed)` alone: `jax.random.key`, the current API, or\n"
        "  `jax.random.PRNGKey`, the older one, which holds the same bits.\n"
        "- `deterministic` counts as true when `deterministic >= 0.5`.\n"
        "\n"
        "The grader also checks the streams apart, as the lesson does: with\n"
        "`dropout_seed` changed, the parameters must stay the same, and with `seed`\n"
        "changed, the same units must be dropped. And it builds `DropoutModel`,\n"
        "initialized as Flax's dropout guide does, with one `params` key."
    ),
    "steps": [
        (
            "Define `DropoutModel(nn.Module)` with one attribute `drop_rate`; its\n"
            "`__call__(self, x, deterministic)` applies `nn.Dense(features=x.shape[-1])`,\n"
            "then `nn.Dropout(rate=self.drop_rate, deterministic=deterministic)`."
        ),
        "Cast the flag: `deterministic = bool(deterministic >= 0.5)`.",
        (
            'Initialize with `{"params": jax.random.key(int(seed))}` and\n'
            "`deterministic=True`."
        ),
        (
            'Apply with the cast flag and `rngs={"dropout": jax.random.key(int(dropout_seed))}`,\n'
            "and return the result."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer; seeds the `params` stream.",
        "x": "a 1-D JAX array.",
        "dropout_seed": "a float holding an integer; seeds the `dropout` stream.",
        "drop_rate": "a float in [0, 1].",
        "deterministic": "a float, `0.0` or `1.0`.",
    },
    "output": "a 1-D array of the same length as `x`.",
    "remark": (
        "How `init` is called otherwise changes nothing: the seed's form, with the\n"
        "dropout key too and `deterministic=False`, gives the same parameters, since\n"
        "`init` returns only them and dropout has none."
    ),
}

HINTS = [
    [
        "keys by stream name",
        (
            '`init` takes `{"params": ...}` (a dropout key there too changes nothing);\n'
            '`apply` takes `rngs={"dropout": ...}`.'
        ),
    ],
    [
        "which seed feeds which stream",
        (
            "`seed` is for the parameters, `dropout_seed` is for the masks: neither key\n"
            "is derived from the other."
        ),
    ],
    [
        "floats in, integers and booleans out",
        "`jax.random.key(int(seed))`, and `bool(deterministic >= 0.5)`.",
    ],
]

CASES = [
    dict(
        seed=0.0,
        x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]),
        dropout_seed=1.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=0.0,
        x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]),
        dropout_seed=1.0,
        drop_rate=0.5,
        deterministic=1.0,
    ),
    dict(
        seed=2.0,
        x=jnp.array([2.0, -0.5, 1.25]),
        dropout_seed=7.0,
        drop_rate=0.8,
        deterministic=0.0,
    ),
    dict(
        seed=4.0,
        x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]),
        dropout_seed=11.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=5.0,
        x=jnp.array([3.0, -2.0, 1.0]),
        dropout_seed=0.0,
        drop_rate=0.0,
        deterministic=0.0,
    ),
    dict(
        seed=1.0,
        x=jnp.array([-1.0, 2.0, -3.0, 4.0, 0.25]),
        dropout_seed=4.0,
        drop_rate=0.2,
        deterministic=0.0,
    ),
    dict(
        seed=9.0,
        x=jnp.array([1.5, -2.5, 0.5]),
        dropout_seed=2.0,
        drop_rate=0.8,
        deterministic=1.0,
    ),
    dict(
        seed=3.0,
        x=jnp.array([2.0, 1.0, -1.0, -2.0, 0.5]),
        dropout_seed=3.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
]
