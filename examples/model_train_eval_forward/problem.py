"""The model_train_eval_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "linen-train-eval-flag"

CONTRACT = {
    "steps": [
        (
            "Define `TrainEvalModel`, a Linen module with no attributes whose\n"
            "`__call__(self, x, train)` applies `nn.Dense(features=x.shape[-1])`, then\n"
            "`nn.Dropout(rate=0.5, deterministic=not train)`."
        ),
        "Cast the flag: `train = bool(train >= 0.5)`.",
        (
            "Cast the seed: `seed = int(seed)`. Initialize with\n"
            '`{"params": jax.random.PRNGKey(seed), "dropout": jax.random.PRNGKey(seed + 1)}`\n'
            "and `train=False`."
        ),
        (
            'Apply with the cast flag and `rngs={"dropout": jax.random.PRNGKey(seed + 1)}`,\n'
            "and return the result."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer (cast it with `int`).",
        "x": "a 1-D JAX array.",
        "train": "a float, `0.0` or `1.0`.",
    },
    "output": "a 1-D array of the same length as `x`.",
}

HINTS = [
    [
        "which way round is the flag?",
        "`nn.Dropout` is a no-op when `deterministic=True`. Your model receives `train`.",
    ],
    [
        "which keys go where?",
        (
            "`init` takes a dict of keys, one per stream. `apply` takes the variables, the\n"
            'input, the keyword `train=...`, and `rngs={"dropout": ...}` with the same\n'
            "dropout key as `init`."
        ),
    ],
    [
        "the harness passes floats",
        (
            "Convert before using them: `int(seed)` for the keys, `bool(train >= 0.5)` for\n"
            "the flag."
        ),
    ],
]

CASES = [
    dict(seed=0.0, x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]), train=1.0),
    dict(seed=0.0, x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]), train=0.0),
    dict(seed=1.0, x=jnp.array([2.0, -0.5, 1.25]), train=1.0),
    dict(seed=3.0, x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]), train=1.0),
    dict(seed=3.0, x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]), train=0.0),
    dict(seed=10.0, x=jnp.array([-1.0, 2.0, -3.0]), train=1.0),
    dict(seed=5.0, x=jnp.array([3.0, -2.0, 1.0]), train=0.0),
]
