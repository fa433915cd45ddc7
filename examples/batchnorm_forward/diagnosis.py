"""The checks of batchnorm_forward, on arrays only: training normalizes each
feature over the batch, evaluation uses the running averages instead.

They replace the grader's dropout and noise checks, which do not apply: the
forward pass has no randomness to turn off.
"""

import numpy as np


def _normalized(array):
    """Whether every column has mean 0 and variance 1, as BatchNorm's training
    output has (with its initial scale and bias)."""
    return (
        array.ndim == 2
        and len(array) > 1
        and bool(np.allclose(array.mean(axis=0), 0.0, atol=1e-3))
        and bool(np.allclose(array.var(axis=0), 1.0, atol=1e-2))
    )


def properties(case, settings, add):
    """Name what is wrong with one case whose values differ."""
    if case.facts["training"]:
        if _normalized(case.array):
            return add(
                "params-differ",
                "The output is normalized over the batch, but from another Dense "
                "output than the contract's",
                settings["params_advice"],
            )
        return add(
            "train-uses-running-average",
            "Training does not normalize with the batch's statistics",
            "With train=1.0 each feature must be normalized with the batch's own "
            "mean and variance: `use_running_average=not train`, and the final "
            "apply with train=True.",
        )
    if _normalized(case.array):
        return add(
            "eval-uses-batch-stats",
            "Evaluation normalizes with the batch's own statistics",
            "With train=0.0 BatchNorm must use the running averages: "
            "`use_running_average=not train`, and the final apply with train=False.",
        )
    return add(
        "running-averages-differ",
        "The running averages differ from the contract's",
        'Run int(steps) training applies with mutable=["batch_stats"], feeding '
        "each one's updates back (`variables = {**variables, **updates}`), with "
        "momentum=0.9; and initialize with jax.random.PRNGKey(int(seed)).",
    )
