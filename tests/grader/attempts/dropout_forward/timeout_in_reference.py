"""A right answer, graded with a time limit too short for the reference itself.

The limit runs out while the grader still computes the reference outputs: the
report must not blame a loop in this file.
"""

# args: --timeout 0.5
# expect: 2 still computing the reference outputs
# expect: 2 This is not a fault of your code

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference


def dropout_forward(seed, x, rate, deterministic):
    return reference(seed, x, rate, deterministic)
