"""The checks of dropout_steps_forward, on arrays only: one row per step,
each a dropout of x, with a mask of its own.

The problem has no train/eval flag: a rate of 0 turns the randomness off,
and the reference's output then, x on every row, is ``case.related["no-dropout"]``.
"""

import numpy as np

from lessongrader.compare import values_match
from lessongrader.flags import dropout_scale, near


def properties(case, settings, add):
    """Name what is wrong with one case whose values differ."""
    got, base = case.array, case.related["no-dropout"]
    keep = case.facts["keep"]
    if keep >= 1.0:
        return add(
            "rate-zero",
            "A rate of 0 changes the output",
            "With rate 0 nothing is dropped: every row must be x.",
        )
    if values_match(got, base):
        return add(
            "no-dropout-in-training",
            "No dropout in the training steps",
            "Every row is x unchanged: the step must call "
            "`layer(x, deterministic=False)`.",
        )
    if len(got) > 1 and all(np.array_equal(row, got[0]) for row in got[1:]):
        return add(
            "same-mask-every-step",
            "Every step drops the same units",
            f"Each step must draw a new key. {settings['key_advice']}",
        )
    dropout_like, scale = dropout_scale(got, base)
    if dropout_like and (scale is None or near(scale, 1.0 / keep)):
        return add(
            "different-mask",
            "A valid dropout at every step, but other units are dropped than the "
            "contract's",
            settings["key_advice"],
        )
    return add(
        "values-differ",
        "The rows are not x with units dropped and rescaled",
        "Each element of a row must be 0 or x / (1 - rate); compare each step "
        "with the contract.",
    )
