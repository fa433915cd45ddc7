"""The model_train_eval_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "linen-train-eval-flag"

CONTRACT = {
    "task": (
        "Write `TrainEvalModel`, a Linen module with no attributes that applies\n"
        "`nn.Dense(features=x.shape[-1])`, then dropout at rate 0.5 in training only,\n"
        "and `model_train_eval_forward`, which initializes it and applies it once, in\n"
        "the mode `train` asks for.\n"
        "\n"
        "- `TrainEvalModel()(x, train)` takes the model's question, `train`, while\n"
        "  `nn.Dropout` asks whether its output is deterministic.\n"
        "- The parameters come from the key of `int(seed)`: `jax.random.key(seed)`,\n"
        "  the current API, or `jax.random.PRNGKey(seed)`, the older one, which holds\n"
        "  the same bits.\n"
        "- A training apply draws its mask from the `dropout` stream, keyed by\n"
        "  `int(seed) + 1`; `train` counts as true when `train >= 0.5`.\n"
        "\n"
        "The grader also builds `TrainEvalModel`, initializes it with one key and\n"
        "applies it as the lesson does: in evaluation it must give the Dense output,\n"
        "and in training one mask per dropout key."
    ),
    "steps": [
        (
            "Define `TrainEvalModel`, a Linen module with no attributes whose\n"
            "`__call__(self, x, train)` applies `nn.Dense(features=x.shape[-1])`, then\n"
            "`nn.Dropout(rate=0.5, deterministic=not train)`."
        ),
        "Cast the flag: `train = bool(train >= 0.5)`.",
        (
            "Cast the seed: `seed = int(seed)`. Initialize with `jax.random.key(seed)`\n"
            "and `train=False`."
        ),
        (
            'Apply with the cast flag and `rngs={"dropout": jax.random.key(seed + 1)}`,\n'
            "and return the result."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer (cast it with `int`).",
        "x": "a 1-D JAX array.",
        "train": "a float, `0.0` or `1.0`.",
    },
    "output": "a 1-D array of the same length as `x`.",
    "remark": (
        "`init` needs the parameters' key alone: in evaluation mode no layer asks for\n"
        "a dropout key. The seed's older form, a `dropout` key given to `init` as\n"
        "well, or `init` in training mode, gives the same parameters: `init` returns\n"
        "only them, which dropout does not touch."
    ),
}

HINTS = [
    [
        "which way round is the flag?",
        "`nn.Dropout` is a no-op when `deterministic=True`. Your model receives `train`.",
    ],
    [
        "which keys go where?",
        (
            "`init` takes the parameters' key (or a dict of keys, one per stream).\n"
            "`apply` takes the variables, the input, the keyword `train=...`, and\n"
            '`rngs={"dropout": ...}`, which only a training apply needs.'
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
