"""The dropout_model_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "linen-prng-streams"

CONTRACT = {
    "steps": [
        (
            "Define `DropoutModel(nn.Module)` with one attribute `drop_rate`; its\n"
            "`__call__(self, x, deterministic)` applies `nn.Dense(features=x.shape[-1])`,\n"
            "then `nn.Dropout(rate=self.drop_rate, deterministic=deterministic)`."
        ),
        "Cast the flag: `deterministic = bool(deterministic >= 0.5)`.",
        (
            'Initialize with `{"params": jax.random.PRNGKey(int(seed)), "dropout": jax.random.PRNGKey(int(dropout_seed))}`\n'
            "and `deterministic=False`. (Dropout has no parameters, so the flag given to\n"
            "`init` does not change them, and `init` discards the output, mask and all.)"
        ),
        (
            'Apply with the cast flag and `rngs={"dropout": jax.random.PRNGKey(int(dropout_seed))}`,\n'
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
}

HINTS = [
    [
        "one dict, two names",
        (
            '`init` takes `{"params": ..., "dropout": ...}`; `apply` takes\n'
            '`rngs={"dropout": ...}`.'
        ),
    ],
    [
        "which seed feeds which stream",
        (
            "`seed` is for the parameters, `dropout_seed` is for the masks. The same dropout\n"
            "key goes to `init` and to `apply`."
        ),
    ],
    [
        "floats in, integers and booleans out",
        "`jax.random.PRNGKey(int(seed))`, and `bool(deterministic >= 0.5)`.",
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
