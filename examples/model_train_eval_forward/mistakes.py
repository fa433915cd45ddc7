"""The known mistakes of model_train_eval_forward, as code, so the grader can
name them; and the check of TrainEvalModel, used as the lesson uses it.

What the contract leaves free gives the reference's outputs, and is no
mistake: ``jax.random.PRNGKey`` or ``jax.random.key``, a dropout key given to
``init`` as well, ``init`` with the flag set to train (dropout keys never
change the parameters). One mistake of the lesson cannot show in one apply
per call, and is not listed: reusing one dropout key for every step (the
problem's function makes no steps; linen-prng-streams' problem grades the
dropout key that follows the wrong seed).
"""

import functools

import jax
import jax.numpy as jnp
from flax import linen as nn

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Check, Pitfall, named

from .solution import TrainEvalModel, model_train_eval_forward

X = jnp.array([1.0, -2.0, 3.0, 0.5, -1.5, 2.0])


def _evaluation_then_two_keys(names):
    """Initialized with one key, in evaluation; applied in evaluation, then in
    training with two dropout keys. Every apply is given a dropout key, so that
    a model whose flag is inverted gives its outputs rather than raising."""
    model = named(names, "TrainEvalModel")()
    variables = model.init(jax.random.key(0), X, train=False)
    return jnp.stack(
        [
            model.apply(variables, X, train=train, rngs={"dropout": jax.random.key(k)})
            for train, k in ((False, 1), (True, 1), (True, 2))
        ]
    )


CHECKS = (
    Check(
        "TrainEvalModel() initialized with jax.random.key(0), applied with "
        "train=False, then train=True with dropout keys 1 and 2",
        _evaluation_then_two_keys,
        "model-differs",
        "Used as the lesson uses it, TrainEvalModel does not give the contract's "
        "outputs: the Dense output in evaluation, a mask per dropout key in training",
        "Define TrainEvalModel at the top level, with no attributes, and "
        "`__call__(self, x, train)`: nn.Dense(features=x.shape[-1]), then "
        "nn.Dropout(rate=0.5, deterministic=not train).",
    ),
)


class _FlagChanged(nn.Module):
    """The reference model, its flag changed by ``change`` before it is used."""

    change: object

    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not self.change(train))(x)


def _flag_changed(change):
    return {"TrainEvalModel": functools.partial(_FlagChanged, change=change)}


def _train_eval_keys(seed, x, train, *, params, dropout):
    """The reference model, initialized and applied with other keys."""
    seed = int(seed)
    drop_key = jax.random.PRNGKey(dropout(seed))
    model = TrainEvalModel()
    variables = model.init(
        {"params": jax.random.PRNGKey(params(seed)), "dropout": drop_key},
        x,
        train=False,
    )
    return model.apply(
        variables, x, train=bool(train >= 0.5), rngs={"dropout": drop_key}
    )


SPEC = flag_spec(
    api="linen",
    flag="train",
    eval_value=0.0,
    eval_output="the Dense layer's output",
    key_advice=(
        'Apply with rngs={"dropout": jax.random.key(seed + 1)}, and initialize '
        "with the params key, jax.random.key(seed)."
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    params_advice=(
        "Initialize the parameters with the contract's key, "
        "jax.random.key(int(seed)), and use nn.Dense(features=x.shape[-1]) "
        "with its default initializers."
    ),
    keep=lambda case: 0.5,
    checks=CHECKS,
    pitfalls=(
        *flag_pitfalls(
            model_train_eval_forward,
            flag="train",
            train_value=1.0,
            eval_value=0.0,
            inverted="nn.Dropout asks 'deterministic?', the model is given "
            "'train?': pass `deterministic=not train`, not `deterministic=train`.",
            noun="dropout",
            mistaken_names=_flag_changed,
        ),
        Pitfall(
            "dropout-key-reuses-seed",
            "The dropout stream reuses the params key",
            "The dropout key is `jax.random.key(seed + 1)`, not the `key(seed)` "
            "that seeds the parameters; pass it to apply as "
            '`rngs={"dropout": ...}`.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s, dropout=lambda s: s
            ),
        ),
        Pitfall(
            "keys-swapped",
            "The params and dropout keys are swapped",
            'Parameters come from `key(seed)` ("params") and masks from '
            '`key(seed + 1)` ("dropout"); yours has them the other way round.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s + 1, dropout=lambda s: s
            ),
        ),
    ),
)
