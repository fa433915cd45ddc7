"""The known mistakes of dropout_model_forward, as code, so the grader can name
them.

Some mistakes give exactly the reference's outputs, so no grader can see them,
and they are not listed: ``jax.random.key`` instead of ``jax.random.PRNGKey``,
or ``init`` with the flag set to train (dropout keys never change the
parameters).
"""

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Pitfall, with_args

from .solution import dropout_model_forward

SPEC = flag_spec(
    api="linen",
    flag="deterministic",
    eval_value=1.0,
    eval_output="the Dense layer's output",
    key_advice=(
        'Apply with rngs={"dropout": jax.random.PRNGKey(int(dropout_seed))}, and '
        'initialize with "params": jax.random.PRNGKey(int(seed)).'
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    params_advice=(
        "Initialize the parameters with the contract's key, "
        "jax.random.PRNGKey(int(seed)), and use nn.Dense(features=x.shape[-1]) "
        "with its default initializers."
    ),
    keep=lambda case: 1.0 - case["drop_rate"],
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
        ),
        Pitfall(
            "seeds-swapped",
            "The two seeds are swapped",
            '`seed` feeds "params" and `dropout_seed` feeds "dropout"; yours has '
            "them the other way round.",
            with_args(
                dropout_model_forward,
                seed=lambda case: case["dropout_seed"],
                dropout_seed=lambda case: case["seed"],
            ),
        ),
        Pitfall(
            "dropout-seed-ignored",
            "The dropout stream is seeded with seed, not dropout_seed",
            'Give "dropout" its own key, `jax.random.PRNGKey(int(dropout_seed))`, '
            "in init and in apply's `rngs=`; one key reused for both streams "
            "ties the masks to the parameters.",
            with_args(dropout_model_forward, dropout_seed=lambda case: case["seed"]),
        ),
        Pitfall(
            "params-from-dropout-seed",
            "The params stream is seeded with dropout_seed",
            'The parameters come from `jax.random.PRNGKey(int(seed))` ("params"); '
            "`dropout_seed` is for the masks only.",
            with_args(dropout_model_forward, seed=lambda case: case["dropout_seed"]),
        ),
    ),
)
