"""The checks of train_steps, on arrays only: which part of the run first
differs from the contract's, the first step, a later step, or the evaluation
after the steps."""

import numpy as np

from lessongrader.compare import values_match


def properties(case, settings, add):
    """Name what is wrong with one case whose values differ."""
    got, expected = case.array, case.expected
    if got.ndim != 1 or len(got) < 2:
        return None
    training, wanted = got[:-1], expected[:-1]
    if values_match(training, wanted):
        return add(
            "evaluation-differs",
            "The training losses are the contract's, the evaluation loss is not",
            "Evaluate the trained model through nnx.view(model, deterministic=True, "
            "use_running_average=True), without keys: its batch normalization uses "
            "the running averages the steps updated (with momentum=0.9). The "
            "evaluation also sees the last step's update of the parameters "
            "(optax.sgd(0.1) over nnx.Param), which no training loss shows.",
        )
    if not values_match(training[:1], wanted[:1]):
        return add(
            "first-step-differs",
            "The first training loss differs from the contract's",
            "Check the model (the four layers, in order, the parameters from "
            "nnx.Rngs(params=int(seed))), the mean squared error, the training "
            "mode (dropout on, the batch's statistics) and the first dropout key, "
            "fold_in(jax.random.key(int(dropout_seed)), 0).",
        )
    first_wrong = int(np.argmax(~np.isclose(training, wanted, rtol=1e-5, atol=1e-5)))
    return add(
        "later-steps-differ",
        "The first training loss is the contract's, a later one is not",
        f"From step {first_wrong} (from 0) on, check what carries from one step "
        "to the next: the updated parameters (optax.sgd(0.1) over nnx.Param), the "
        "running averages, and a new dropout key at each step, from one "
        "nnx.Rngs(dropout=int(dropout_seed)) passed to every step.",
    )
