"""Gets the first case right, then cuts the grader's list of cases down to it.

It walks up the stack, sys._getframe, and shortens every list of cases it
finds: the grader must notice that fewer cases were run than the problem has.
"""

# expect: 1 changed the grading
# expect: 1 1 case of 8

import sys

from lessongrader.problems.dropout_forward.solution import dropout_forward as reference

calls = []


def _cut(value):
    if isinstance(value, list) and value and isinstance(value[0], dict):
        if "seed" in value[0] or "call" in value[0]:
            del value[1:]
    elif isinstance(value, dict):
        for item in list(value.values()):
            if isinstance(item, list):
                _cut(item)


def dropout_forward(seed, x, rate, deterministic):
    calls.append(seed)
    if len(calls) > 1:
        return x
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            _cut(value)
        frame = frame.f_back
    return reference(seed, x, rate, deterministic)
