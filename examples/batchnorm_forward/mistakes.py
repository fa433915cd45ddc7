"""The known mistakes of batchnorm_forward, as code, so the grader can name them;
and the check of BatchNormModel, used as the lesson uses it.

Some mistakes give exactly the reference's outputs, so no grader can see them,
and they are not listed: ``init`` with ``train=True`` (init never updates the
statistics), or a last training apply without ``mutable`` replaced by one with
it (the output is the same). ``jax.random.PRNGKey`` for ``jax.random.key`` is
no mistake: the same bits. Compiling an NNX step with ``jax.jit``, a pitfall
of the lesson's NNX half, does not concern this Linen problem.
"""

import functools

import jax
import jax.numpy as jnp
from flax import linen as nn

from lessongrader.mistakes import Check, Pitfall, Spec, named

X = jnp.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]])


def _trained_then_two_rows_alone(names):
    """Initialized, two training steps on X with their updates fed back, then
    an evaluation apply on X's first two rows alone. The evaluation apply may
    update too, so that a model whose flag is inverted gives its output rather
    than raising."""
    model = named(names, "BatchNormModel")()
    variables = model.init(jax.random.key(0), X, train=False)
    for _ in range(2):
        _, updates = model.apply(variables, X, train=True, mutable=["batch_stats"])
        variables = {**variables, **updates}
    out, _ = model.apply(variables, X[:2], train=False, mutable=["batch_stats"])
    return out


CHECKS = (
    Check(
        "BatchNormModel() initialized with jax.random.key(0), 2 training steps on "
        "a batch of 4 rows, then train=False on its first 2 rows alone",
        _trained_then_two_rows_alone,
        "model-differs",
        "Used as the lesson uses it, BatchNormModel does not give the contract's "
        "output: evaluated with the running averages of two training steps",
        "Define BatchNormModel at the top level, with no attributes, and "
        "`__call__(self, x, train)`: nn.Dense(features=x.shape[-1]), then "
        "nn.BatchNorm(use_running_average=not train, momentum=0.9).",
    ),
)


class _BatchNormVariant(nn.Module):
    """The reference model, with its momentum or its flag changed."""

    momentum: float = 0.9
    invert: bool = False
    always_running: bool = False

    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        running = train if self.invert else not train
        running = running or self.always_running
        return nn.BatchNorm(use_running_average=running, momentum=self.momentum)(x)


def _batchnorm_steps(
    seed, x, train, steps, *, model=None, feed_back="each", final=None
):
    """The reference's steps, each replaceable by a mistaken one.

    feed_back: "each" (the contract), "last" (every step starts again from the
    initial variables, and the final apply gets the last step's updates) or
    "never" (the final apply gets the initial variables). final: the final
    apply's mode, when it is not the one the case asks for. The final apply
    is always allowed to update, so that no mistake raises where the attempt
    did not.
    """
    model = model or _BatchNormVariant()
    start = model.init(jax.random.key(int(seed)), x, train=False)
    variables = start
    for _ in range(int(steps)):
        source = variables if feed_back == "each" else start
        _, updates = model.apply(source, x, train=True, mutable=["batch_stats"])
        if feed_back != "never":
            variables = {**start, **updates}
    mode = bool(train >= 0.5) if final is None else final
    out, _ = model.apply(variables, x, train=mode, mutable=["batch_stats"])
    return out


def _model(**options):
    """The names of a solution whose model is the variant with these options."""
    return {"BatchNormModel": functools.partial(_BatchNormVariant, **options)}


SPEC = Spec(
    checks=CHECKS,
    # This problem's diagnosis.py tells training from evaluation.
    facts=lambda case: {"training": bool(case["train"] >= 0.5)},
    settings={
        "params_advice": (
            "Initialize with jax.random.key(int(seed)) and train=False, and "
            "use nn.Dense(features=x.shape[-1]) with its default initializers."
        ),
    },
    shape_advice=(
        "Return an array of the shape of x: nn.Dense(features=x.shape[-1]), then "
        "nn.BatchNorm, on the whole batch."
    ),
    pitfalls=(
        Pitfall(
            "flag-inverted",
            "The train/eval flag is inverted",
            "BatchNorm asks 'use the running averages?', the model is given "
            "'train?': pass `use_running_average=not train`, not "
            "`use_running_average=train`.",
            lambda **case: _batchnorm_steps(
                **case, model=_BatchNormVariant(invert=True)
            ),
            names=_model(invert=True),
        ),
        Pitfall(
            "updates-not-fed-back",
            "Each training step starts again from the initial statistics",
            "Every step must apply the variables the previous step returned: "
            "after `_, updates = model.apply(variables, ...)`, set "
            "`variables = {**variables, **updates}` before the next step.",
            lambda **case: _batchnorm_steps(**case, feed_back="last"),
        ),
        Pitfall(
            "updates-discarded",
            "The updated statistics never reach the final apply",
            '`apply(..., mutable=["batch_stats"])` returns the new statistics '
            "instead of storing them: feed them back with "
            "`variables = {**variables, **updates}` after every step.",
            lambda **case: _batchnorm_steps(**case, feed_back="never"),
        ),
        Pitfall(
            "running-average-always",
            "BatchNorm always uses the running averages",
            "With `use_running_average=True` whatever the mode, the statistics never "
            "move, and training normalizes with them too. Pass "
            "`use_running_average=not train`.",
            lambda **case: _batchnorm_steps(
                **case, model=_BatchNormVariant(always_running=True)
            ),
            names=_model(always_running=True),
        ),
        Pitfall(
            "momentum-default",
            "BatchNorm keeps its default momentum, 0.99",
            "The contract's running averages move with momentum 0.9: "
            "`nn.BatchNorm(use_running_average=not train, momentum=0.9)`.",
            lambda **case: _batchnorm_steps(
                **case, model=_BatchNormVariant(momentum=0.99)
            ),
            names=_model(momentum=0.99),
        ),
        Pitfall(
            "momentum-pytorch",
            "BatchNorm's momentum is written as PyTorch writes it",
            "Flax's momentum is the weight of the old running average (0.9 keeps "
            "nine tenths of it at each step), PyTorch's the weight of the new "
            "batch: PyTorch's 0.1 is Flax's 0.9. The contract's averages move "
            "with `nn.BatchNorm(use_running_average=not train, momentum=0.9)`.",
            lambda **case: _batchnorm_steps(
                **case, model=_BatchNormVariant(momentum=0.1)
            ),
            names=_model(momentum=0.1),
        ),
        Pitfall(
            "eval-uses-batch-stats",
            "Evaluation normalizes with the batch's own statistics",
            "With train=0.0 BatchNorm must use the running averages: apply the "
            "final step with train=False, so that `use_running_average=not train` "
            "is True.",
            lambda **case: _batchnorm_steps(**case, final=True),
        ),
        Pitfall(
            "train-uses-running-average",
            "Training normalizes with the running averages",
            "With train=1.0 BatchNorm must use the batch's own mean and variance: "
            "apply the final step with train=True (and "
            '`mutable=["batch_stats"]`).',
            lambda **case: _batchnorm_steps(**case, final=False),
        ),
    ),
    exception_hints=(
        (
            "batch-stats-immutable",
            r'ModifyScopeVariableError: .*"batch_stats" is immutable',
            "BatchNorm updated its statistics in an apply that does not allow it",
            "A training apply must say which collection it may change: "
            '`model.apply(variables, x, train=True, mutable=["batch_stats"])`, which '
            "returns (output, updates). In evaluation nothing is updated: "
            "`use_running_average=not train`.",
        ),
    ),
)
