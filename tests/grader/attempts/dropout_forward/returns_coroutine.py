"""A plain function that returns what an ``async def`` helper gives: a coroutine.

Python warns that the coroutine was never awaited when the grader drops it, in
the grader's own code: that warning is not what this file printed.
"""

# expect: 1 [returned-coroutine]
# expect: 1 define your functions with def, not async def

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference


async def _forward(seed, x, rate, deterministic):
    return reference(seed, x, rate, deterministic)


def dropout_forward(seed, x, rate, deterministic):
    return _forward(seed, x, rate, deterministic)
