"""The batchnorm_forward problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "batchnorm-train-eval"

CONTRACT = {
    "task": (
        "Write `BatchNormModel`, a Linen module with no attributes that applies\n"
        "`nn.Dense(features=x.shape[-1])`, then batch normalization: in training with\n"
        "the batch's own statistics, moving the running averages with momentum 0.9\n"
        "(Flax's momentum: the weight of the old average), and in evaluation with the\n"
        "running averages. And write `batchnorm_forward`, which trains it for\n"
        "`int(steps)` steps on `x`, then applies it once more.\n"
        "\n"
        "- `BatchNormModel()(x, train)`.\n"
        "- The parameters come from the key of `int(seed)`: `jax.random.key(seed)`,\n"
        "  the current API, or `jax.random.PRNGKey(seed)`, the older one, which holds\n"
        "  the same bits.\n"
        "- Each training step applies the model to `x` in training, and the next one\n"
        "  starts from the statistics it updated. The last apply, in the mode\n"
        "  `train >= 0.5` gives, returns the output alone, an array.\n"
        "\n"
        "The grader also builds `BatchNormModel` and uses it as the lesson does:\n"
        "initialized, trained for two steps on a batch, then evaluated on two of its\n"
        "rows alone, it must give the contract's output."
    ),
    "steps": [
        (
            "Define `BatchNormModel`, a Linen module with no attributes whose\n"
            "`__call__(self, x, train)` applies `nn.Dense(features=x.shape[-1])`, then\n"
            "`nn.BatchNorm(use_running_average=not train, momentum=0.9)`."
        ),
        "Initialize with `jax.random.key(int(seed))` and `train=False`.",
        (
            "Run `int(steps)` training applies on `x`, each with `train=True` and\n"
            '`mutable=["batch_stats"]`, and after each, feed its updates back:\n'
            "`variables = {**variables, **updates}`."
        ),
        (
            "Apply once more on `x`, in the mode `train >= 0.5` gives (in training, with\n"
            '`mutable=["batch_stats"]` again), and return that output alone.'
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "x": "a 2-D JAX array of shape (batch, features).",
        "train": "a float, `0.0` or `1.0`.",
        "steps": "a float holding an integer >= 0.",
    },
    "output": "an array of the shape of `x`.",
    "remark": (
        "`init` in training mode gives the same variables: it never updates the\n"
        "statistics."
    ),
}

HINTS = [
    [
        "which way round is the flag?",
        "`use_running_average` is true in evaluation. Your model receives `train`.",
    ],
    [
        "what a training apply gives back",
        (
            '`out, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])`.\n'
            "`updates` holds only the new `batch_stats`; merge it into `variables` before\n"
            "the next step."
        ),
    ],
    [
        "the last apply",
        (
            'In training it also needs `mutable=["batch_stats"]` (without it, it raises),\n'
            "and it returns a pair: return its first item. In evaluation, leave `mutable`\n"
            "out and return what `apply` returns."
        ),
    ],
]

# Three batch shapes (each new shape costs compilations), several seeds, both
# modes, and up to 4 steps: a mistake in feeding the updates back shows from 2.
CASES = [
    dict(
        seed=0.0,
        x=jnp.array(
            [[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]]
        ),
        train=1.0,
        steps=3.0,
    ),
    dict(
        seed=0.0,
        x=jnp.array(
            [[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]]
        ),
        train=0.0,
        steps=3.0,
    ),
    dict(
        seed=1.0,
        x=jnp.array([[0.5, -1.0], [2.0, 3.0], [-1.5, 0.5], [1.0, 1.0], [3.0, -2.0]]),
        train=0.0,
        steps=1.0,
    ),
    dict(
        seed=2.0,
        x=jnp.array(
            [[1.0, -2.0, 0.5, 3.0], [2.5, 1.0, -1.0, 0.0], [-0.5, 4.0, 2.0, 1.5]]
        ),
        train=0.0,
        steps=0.0,
    ),
    dict(
        seed=3.0,
        x=jnp.array(
            [[3.0, 1.0, -2.0], [-1.0, 2.0, 0.5], [0.5, -0.5, 1.0], [2.0, 4.0, 3.0]]
        ),
        train=1.0,
        steps=0.0,
    ),
    dict(
        seed=5.0,
        x=jnp.array([[1.0, 0.0], [-2.0, 1.5], [0.5, 3.0], [4.0, -1.0], [2.0, 2.0]]),
        train=0.0,
        steps=4.0,
    ),
    dict(
        seed=7.0,
        x=jnp.array(
            [[2.0, -1.0, 0.5, 1.0], [0.0, 3.0, 1.0, -2.0], [1.5, 0.5, -2.0, 0.5]]
        ),
        train=1.0,
        steps=2.0,
    ),
    dict(
        seed=4.0,
        x=jnp.array(
            [[-1.0, 2.0, 0.0], [3.0, 1.0, 2.5], [0.5, -1.5, 1.0], [2.0, 0.0, -3.0]]
        ),
        train=0.0,
        steps=2.0,
    ),
]
