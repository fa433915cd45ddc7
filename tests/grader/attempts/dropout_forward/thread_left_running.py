"""A right answer that leaves a (non-daemon) thread sleeping behind it.

Its results are complete when the function returns: the thread must neither
hold the grading until the time limit nor turn it into a timeout.
"""

# args: --timeout 60
# expect: 0 10 of 10 cases passed

import threading
import time

from lessongrader.problems.dropout_forward.solution import (  # noqa: F401
    MyDropout,
)
from lessongrader.problems.dropout_forward.solution import (
    dropout_forward as reference,
)


def dropout_forward(seed, x, rate, deterministic):
    # A "watchdog" that outlives the call.
    threading.Thread(target=time.sleep, args=(3600,), name="watchdog").start()
    return reference(seed, x, rate, deterministic)
