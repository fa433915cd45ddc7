"""The train_steps problem: its contract and hints (the page and the starter show
them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "dropout-batchnorm-train-step"

CONTRACT = {
    "task": (
        "Train a small NNX model with dropout and batch normalization for a few\n"
        "steps of gradient descent, the dropout keys given at the call, then\n"
        "evaluate it. Return the loss of each training step, then the loss of the\n"
        "trained model in evaluation.\n"
        "\n"
        "- `Model(features, rngs)`, an `nnx.Module`: `nnx.Linear(features, 4)`,\n"
        "  `nnx.BatchNorm(4, momentum=0.9)`, `nnx.relu`, `nnx.Dropout(0.5)`,\n"
        "  `nnx.Linear(4, 1)`, in that order, the parameters drawn from `rngs`. Its\n"
        "  `__call__(x, rngs=None)` passes `rngs` to the dropout, which holds no\n"
        "  keys of its own; its mode is its layers' (`nnx.view`, `train()`,\n"
        "  `eval()`).\n"
        "- `train_step(model, optimizer, x, y, rngs)`, compiled with `nnx.jit`: the\n"
        "  loss `jnp.mean((model(x, rngs=rngs) - y) ** 2)` and its gradient with\n"
        "  respect to the parameters, `optimizer.update(model, grads)`; returns the\n"
        "  loss.\n"
        "- `train_steps(seed, dropout_seed, x, y, steps)`: the model built with\n"
        "  `nnx.Rngs(params=int(seed))`, optimized by `optax.sgd(0.1)` over its\n"
        "  `nnx.Param` variables; `int(steps)` training steps, step `i` (from 0)\n"
        "  drawing its dropout mask from the key `jax.random.fold_in(key, i)` with\n"
        "  `key = jax.random.key(int(dropout_seed))`, which is what one\n"
        "  `nnx.Rngs(dropout=int(dropout_seed))` passed to every step gives; then\n"
        "  the evaluation loss, the same mean squared error with dropout off and the\n"
        "  running averages in the batch normalization."
    ),
    "steps": [
        (
            "Define `Model`, whose `__init__(self, features, rngs)` builds the four\n"
            "layers (`nnx.Dropout(0.5)` without `rngs`) and whose\n"
            "`__call__(self, x, rngs=None)` applies `self.linear`, `self.norm`,\n"
            "`nnx.relu`, `self.dropout(h, rngs=rngs)` and `self.out`, in turn."
        ),
        (
            "Define `loss_fn(model, x, y, rngs)`, the mean squared error, and\n"
            "`train_step(model, optimizer, x, y, rngs)` with `@nnx.jit`: take\n"
            "`loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)`, call\n"
            "`optimizer.update(model, grads)`, return `loss`."
        ),
        (
            "In `train_steps`, build `model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))`\n"
            "and `nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)`, a training view\n"
            "and an evaluation view with `nnx.view`, and one\n"
            "`rngs = nnx.Rngs(dropout=int(dropout_seed))`."
        ),
        (
            "Call `train_step(train_model, optimizer, x, y, rngs)` `int(steps)` times,\n"
            "keeping each loss; then compute `jnp.mean((eval_model(x) - y) ** 2)`."
        ),
        "Return `jnp.stack` of the losses followed by the evaluation loss.",
    ],
    "inputs": {
        "seed": "a float holding an integer: the seed of the parameters.",
        "dropout_seed": "a float holding an integer: the seed of the dropout keys.",
        "x": "a 2-D JAX array of shape (batch, features).",
        "y": "a 2-D JAX array of shape (batch, 1).",
        "steps": "a float holding an integer >= 1.",
    },
    "output": (
        "an array of shape (steps + 1,): the loss of each training step, then the "
        "evaluation loss."
    ),
}

HINTS = [
    [
        "one stream for every step",
        (
            "Build `nnx.Rngs(dropout=int(dropout_seed))` once, before the loop, and pass\n"
            "the same object to every step: each dropout call draws the next key from\n"
            "it, and `nnx.jit` writes the advanced count back."
        ),
    ],
    [
        "two views, made up front",
        (
            "`nnx.view(model, deterministic=False, use_running_average=False)` trains,\n"
            "`nnx.view(model, deterministic=True, use_running_average=True)` evaluates;\n"
            "both share the model's parameters and running averages."
        ),
    ],
    [
        "what is differentiated",
        (
            "`nnx.value_and_grad(loss_fn)` differentiates its first argument's\n"
            "`nnx.Param` variables, the default: the running averages and the keys are\n"
            "state, not parameters. The optimizer takes `wrt=nnx.Param` to match."
        ),
    ],
]

_X4 = jnp.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]])
_Y4 = jnp.array([[1.0], [0.0], [-1.0], [0.5]])
_X6 = jnp.array(
    [[0.5, -1.0], [2.0, 3.0], [-1.5, 0.5], [1.0, 1.0], [3.0, -2.0], [0.0, 2.5]]
)
_Y6 = jnp.array([[0.5], [2.0], [-1.0], [1.0], [-0.5], [1.5]])

# Two batch shapes (each costs compilations), several seeds, and 1 to 4 steps:
# a key reused at every step shows from the second step, statistics not carried
# in the evaluation loss.
CASES = [
    dict(seed=0.0, dropout_seed=1.0, x=_X4, y=_Y4, steps=3.0),
    dict(seed=0.0, dropout_seed=2.0, x=_X4, y=_Y4, steps=3.0),
    dict(seed=1.0, dropout_seed=1.0, x=_X4, y=_Y4, steps=1.0),
    dict(seed=2.0, dropout_seed=7.0, x=_X6, y=_Y6, steps=4.0),
    dict(seed=3.0, dropout_seed=3.0, x=_X6, y=_Y6, steps=2.0),
    dict(seed=5.0, dropout_seed=0.0, x=_X4 * 0.5, y=-_Y4, steps=4.0),
]
