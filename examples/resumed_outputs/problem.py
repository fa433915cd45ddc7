"""The resumed_outputs problem: its contract and hints (the page and the starter
show them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "random-state-checkpoints"

CONTRACT = {
    "task": (
        "Interrupt a dropout run, save it with orbax, and resume it in a new model,\n"
        "so that the resumed calls draw exactly the masks of a run that was never\n"
        "interrupted. Besides the function, define the three names the grader also\n"
        "calls on their own:\n"
        "\n"
        "- `DenseDropout(features, rate, rngs)`: an `nnx.Linear(features, features)`,\n"
        "  then an `nnx.Dropout(rate)`, both built with `rngs`;\n"
        "- `save_checkpoint(model, path)`: writes the model's checkpoint at `path`,\n"
        "  an absolute `pathlib.Path` that does not exist yet;\n"
        "- `restore_checkpoint(path, make_model)`: returns the saved model;\n"
        "  `make_model()` builds one of the same structure, possibly with other\n"
        "  seeds, of which only the structure may be used.\n"
        "\n"
        "`resumed_outputs` seeds the model's `params` stream with `seed` and its\n"
        "`dropout` stream with `dropout_seed`, calls it on `x` `steps_before` times,\n"
        "saves it in a temporary folder (nothing is written outside it), restores it\n"
        "into a new model built alike, and returns the outputs of `steps_after` more\n"
        "calls."
    ),
    "steps": [
        (
            "Define `DenseDropout(nnx.Module)`: `__init__(self, features, rate, rngs)`\n"
            "builds `self.linear = nnx.Linear(features, features, rngs=rngs)` and\n"
            "`self.dropout = nnx.Dropout(rate, rngs=rngs)`; `__call__(self, x)` returns\n"
            "`self.dropout(self.linear(x))`."
        ),
        (
            "`save_checkpoint(model, path)`: split the model,\n"
            "`_, state = nnx.split(model)` (the parameters, and the key and count of\n"
            "each stream), and save `state` with `ocp.StandardCheckpointer()`, used as a\n"
            "context manager so the save has finished when the function returns."
        ),
        (
            "`restore_checkpoint(path, make_model)`: split an abstract model,\n"
            "`graphdef, abstract_state = nnx.split(nnx.eval_shape(make_model))`,\n"
            "restore `state = checkpointer.restore(path, abstract_state)`, and return\n"
            "`nnx.merge(graphdef, state)`."
        ),
        (
            "`resumed_outputs`: `make_model` builds\n"
            "`DenseDropout(x.shape[-1], rate, nnx.Rngs(params=int(seed), dropout=int(dropout_seed)))`.\n"
            "Call `model = make_model()` on `x` `int(steps_before)` times; in a\n"
            '`tempfile.TemporaryDirectory()`, save it at `pathlib.Path(folder) / "checkpoint"`\n'
            "and restore it with `make_model`; return\n"
            "`jnp.stack([resumed(x) for _ in range(int(steps_after))])`."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer: the seed of the `params` stream.",
        "dropout_seed": "a float holding an integer: the seed of the `dropout` stream.",
        "x": "a JAX array; its last axis is the `features` of the model.",
        "rate": "a float in [0, 1): the dropout rate.",
        "steps_before": "a float holding an integer >= 0: the calls before the save.",
        "steps_after": "a float holding an integer >= 1: the calls after the restore.",
    },
    "output": (
        "an array of shape `(steps_after, *x.shape)`: the outputs of the resumed\n"
        "calls, which are those of calls `steps_before + 1` to\n"
        "`steps_before + steps_after` of a model that was never interrupted."
    ),
}

HINTS = [
    [
        "what the masks depend on",
        (
            "Each call of `nnx.Dropout` draws `fold_in(key, count)` from its stream and\n"
            "adds 1 to `count`. Which variables must the checkpoint hold, besides the\n"
            "`nnx.Param`s, for the resumed call to draw the next key?"
        ),
    ],
    [
        "the whole state",
        (
            "`nnx.split(model)` returns the whole state: `Param`, and the dropout\n"
            "stream's `RngKey` and `RngCount`. `nnx.state(model, nnx.Param)` leaves the\n"
            "stream out, and the restored model keeps the key and count it was built\n"
            "with."
        ),
    ],
    [
        "restore into the structure only",
        (
            "`nnx.eval_shape(make_model)` gives the model's structure, with shapes and\n"
            "dtypes in place of arrays; `checkpointer.restore(path, abstract_state)`\n"
            "fills it, keys included (orbax 0.12 restores typed keys as typed keys).\n"
            "Do not reseed afterwards: `nnx.reseed` sets the counter back to 0."
        ),
    ],
]

X_PAIR = jnp.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, -2.0, 1.5]])
X_ROW = jnp.array([0.5, -1.5, 2.0, 1.0, -0.25, 3.0])


def _case(seed, dropout_seed, x, rate, steps_before, steps_after):
    return dict(
        seed=seed,
        dropout_seed=dropout_seed,
        x=x,
        rate=rate,
        steps_before=steps_before,
        steps_after=steps_after,
    )


# Several seeds, rates and split points; steps_before 0 saves a model that has
# drawn nothing yet, where a lost counter cannot show (a case every correct
# and most mistaken runs pass).
CASES = [
    _case(0.0, 1.0, X_PAIR, 0.5, 2.0, 3.0),
    _case(0.0, 1.0, X_PAIR, 0.5, 0.0, 2.0),
    _case(3.0, 7.0, X_PAIR, 0.3, 4.0, 2.0),
    _case(5.0, 5.0, X_ROW, 0.5, 1.0, 3.0),
    _case(2.0, 9.0, X_ROW, 0.25, 3.0, 1.0),
    _case(4.0, 0.0, X_ROW, 0.6, 5.0, 2.0),
]
