"""The known mistakes of dropout_model_forward, as code, so the grader can name
them; and the checks of the lesson's point: two streams, seeded apart.

What the contract leaves free gives the reference's outputs, and is no
mistake: ``jax.random.PRNGKey`` or ``jax.random.key``, a dropout key given to
``init`` as well, ``init`` with the flag set to train (dropout keys never
change the parameters).

Beyond the function's cases, the checks vary one seed at a time, as the
lesson does: ``dropout_seed`` must not change the parameters, and ``seed``
must not change which units are dropped. A dropout key derived from the
params key in any way (the same key, ``split``, ``fold_in``...) fails the
second, whatever its outputs otherwise; and ``DropoutModel`` is initialized
as Flax's dropout guide does, with one ``params`` key, in evaluation.
"""

import functools

import jax
import jax.numpy as jnp
from flax import linen as nn

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Check, Pitfall, named, with_args

from .solution import dropout_model_forward

X = jnp.array([1.0, -2.0, 3.0, 0.5, -1.5, 2.0, -0.5, 4.0])


def _initialized_as_the_guide_does(names):
    """One params key, in evaluation; then applied in evaluation, and in
    training with two dropout keys (each apply given one, so that a model
    whose flag is inverted gives its outputs rather than raising)."""
    model = named(names, "DropoutModel")(drop_rate=0.5)
    variables = model.init({"params": jax.random.key(0)}, X, deterministic=True)
    return jnp.stack(
        [
            model.apply(
                variables, X, deterministic=d, rngs={"dropout": jax.random.key(k)}
            )
            for d, k in ((True, 1), (False, 1), (False, 2))
        ]
    )


def _seed_changed(names):
    """1.0 if the same units are dropped with seed 0 and 5, the same
    dropout_seed; 0.0 if not."""
    forward = named(names, "dropout_model_forward")
    kept = [
        forward(seed=seed, x=X, dropout_seed=1.0, drop_rate=0.5, deterministic=0.0) != 0
        for seed in (0.0, 5.0)
    ]
    return jnp.array([jnp.array_equal(*kept)], jnp.float32)


def _dropout_seed_changed(names):
    """1.0 if the evaluation output is the same with dropout_seed 1 and 9, the
    same seed; 0.0 if not."""
    forward = named(names, "dropout_model_forward")
    outputs = [
        forward(seed=0.0, x=X, dropout_seed=d, drop_rate=0.5, deterministic=1.0)
        for d in (1.0, 9.0)
    ]
    return jnp.array([jnp.array_equal(*outputs)], jnp.float32)


CHECKS = (
    Check(
        "DropoutModel(drop_rate=0.5) initialized with one params key, "
        "jax.random.key(0), applied with deterministic=True, then False with "
        "dropout keys 1 and 2",
        _initialized_as_the_guide_does,
        "model-differs",
        "Used as the lesson uses it, DropoutModel does not give the contract's "
        "outputs: the Dense output when deterministic, a mask per dropout key "
        "otherwise",
        "Define DropoutModel at the top level with one attribute, drop_rate, and "
        "`__call__(self, x, deterministic)`: nn.Dense(features=x.shape[-1]), then "
        "nn.Dropout(rate=self.drop_rate, deterministic=deterministic).",
    ),
    Check(
        "dropout_model_forward with seed=0.0, then 5.0, the same dropout_seed=1.0, "
        "deterministic=0.0: the same units dropped? (1.0: yes)",
        _seed_changed,
        "dropout-key-follows-seed",
        "With `dropout_seed` kept, another `seed` drops other units: your dropout "
        "key depends on the params seed",
        "Each stream has its own seed: key the dropout stream with "
        "`jax.random.key(int(dropout_seed))` alone, not a key derived from `seed` "
        "(the same key, split or folded).",
        independent=True,
    ),
    Check(
        "dropout_model_forward with dropout_seed=1.0, then 9.0, the same seed=0.0, "
        "deterministic=1.0: the same output? (1.0: yes)",
        _dropout_seed_changed,
        "output-follows-dropout-seed",
        "With `seed` kept, another `dropout_seed` changes the evaluation output: "
        "your parameters depend on it, or evaluation drops units",
        "Each stream has its own seed: initialize with "
        "`jax.random.key(int(seed))` alone, since `dropout_seed` feeds only the "
        "masks, and drop nothing when deterministic.",
        independent=True,
    ),
)


class _FlagChanged(nn.Module):
    """The reference model, its flag changed by ``change`` before it is used."""

    drop_rate: float
    change: object = None

    @nn.compact
    def __call__(self, x, deterministic: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        dropout = nn.Dropout(self.drop_rate, deterministic=self.change(deterministic))
        return dropout(x)


def _flag_changed(change):
    return {"DropoutModel": functools.partial(_FlagChanged, change=change)}


_SWAPPED = with_args(
    dropout_model_forward,
    seed=lambda case: case["dropout_seed"],
    dropout_seed=lambda case: case["seed"],
)
_DROPOUT_SEED_IGNORED = with_args(
    dropout_model_forward, dropout_seed=lambda case: case["seed"]
)
_PARAMS_FROM_DROPOUT_SEED = with_args(
    dropout_model_forward, seed=lambda case: case["dropout_seed"]
)

SPEC = flag_spec(
    api="linen",
    flag="deterministic",
    eval_value=1.0,
    eval_output="the Dense layer's output",
    key_advice=(
        'Apply with rngs={"dropout": jax.random.key(int(dropout_seed))}, and '
        'initialize with "params": jax.random.key(int(seed)).'
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    params_advice=(
        "Initialize the parameters with the contract's key, "
        "jax.random.key(int(seed)), and use nn.Dense(features=x.shape[-1]) "
        "with its default initializers."
    ),
    keep=lambda case: 1.0 - case["drop_rate"],
    checks=CHECKS,
    pitfalls=(
        *flag_pitfalls(
            dropout_model_forward,
            flag="deterministic",
            train_value=0.0,
            eval_value=1.0,
            inverted="Pass the cast flag on as it is: "
            "`nn.Dropout(rate=drop_rate, deterministic=deterministic)`; yours is "
            "negated somewhere on the way.",
            noun="dropout",
            mistaken_names=_flag_changed,
        ),
        Pitfall(
            "seeds-swapped",
            "The two seeds are swapped",
            '`seed` feeds "params" and `dropout_seed` feeds "dropout"; yours has '
            "them the other way round.",
            _SWAPPED,
        ),
        Pitfall(
            "dropout-seed-ignored",
            "The dropout stream is seeded with seed, not dropout_seed",
            'Give "dropout" its own key, `jax.random.key(int(dropout_seed))`, '
            "in apply's `rngs=`; one key reused for both streams ties the masks "
            "to the parameters.",
            _DROPOUT_SEED_IGNORED,
        ),
        Pitfall(
            "params-from-dropout-seed",
            "The params stream is seeded with dropout_seed",
            'The parameters come from `jax.random.key(int(seed))` ("params"); '
            "`dropout_seed` is for the masks only.",
            _PARAMS_FROM_DROPOUT_SEED,
        ),
    ),
)
