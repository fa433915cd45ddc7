"""The known mistakes of model_train_eval_forward, as code, so the grader can
name them.

Some mistakes give exactly the reference's outputs, so no grader can see them,
and they are not listed: ``jax.random.key`` instead of ``jax.random.PRNGKey``,
a single key for ``init``, or ``init`` with the flag set to train (dropout keys
never change the parameters).
"""

import jax

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Pitfall

from .solution import TrainEvalModel, model_train_eval_forward


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
        'Apply with rngs={"dropout": jax.random.PRNGKey(seed + 1)}, and initialize '
        'with "params": jax.random.PRNGKey(seed).'
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    params_advice=(
        "Initialize the parameters with the contract's key, "
        "jax.random.PRNGKey(int(seed)), and use nn.Dense(features=x.shape[-1]) "
        "with its default initializers."
    ),
    keep=lambda case: 0.5,
    pitfalls=(
        *flag_pitfalls(
            model_train_eval_forward,
            flag="train",
            train_value=1.0,
            eval_value=0.0,
            inverted="nn.Dropout asks 'deterministic?', the model is given "
            "'train?': pass `deterministic=not train`, not `deterministic=train`.",
            noun="dropout",
        ),
        Pitfall(
            "dropout-key-reuses-seed",
            "The dropout stream reuses the params key",
            "The dropout key is `jax.random.PRNGKey(seed + 1)`, not the "
            "`PRNGKey(seed)` that seeds the parameters; pass it to apply as "
            '`rngs={"dropout": ...}`.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s, dropout=lambda s: s
            ),
        ),
        Pitfall(
            "keys-swapped",
            "The params and dropout keys are swapped",
            'Parameters come from `PRNGKey(seed)` ("params") and masks from '
            '`PRNGKey(seed + 1)` ("dropout"); yours has them the other way round.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s + 1, dropout=lambda s: s
            ),
        ),
    ),
)
