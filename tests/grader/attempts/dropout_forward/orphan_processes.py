"""A right answer that leaves processes behind it, out of the grader's reach.

One child runs in a session of its own; another is a daemon, whose parent exits
at once. Both sleep for ten minutes, holding the grader's output pipe: each
must end with the grading. Their ids go to $ATTEMPT_PIDS, when it is set, for
the test to check.
"""

# expect: 0 10 of 10 cases passed

import os
import subprocess
import sys

from lessongrader.problems.dropout_forward.solution import (  # noqa: F401
    MyDropout,
)
from lessongrader.problems.dropout_forward.solution import (
    dropout_forward as reference,
)

SLEEP = "import time; time.sleep(600)"
# Its output goes to the grader's pipe (the middle process's stderr), not to ours.
DAEMON = (
    "import subprocess, sys; "
    f"child = subprocess.Popen([sys.executable, '-c', {SLEEP!r}], "
    "start_new_session=True, stdout=sys.stderr); print(child.pid)"
)
started = []


def _start():
    child = subprocess.Popen([sys.executable, "-c", SLEEP], start_new_session=True)
    daemon = subprocess.run(
        [sys.executable, "-c", DAEMON], stdout=subprocess.PIPE, text=True, check=True
    )
    started.extend([child.pid, int(daemon.stdout)])
    if os.environ.get("ATTEMPT_PIDS"):
        with open(os.environ["ATTEMPT_PIDS"], "w") as f:
            f.write(" ".join(map(str, started)))


def dropout_forward(seed, x, rate, deterministic):
    if not started:
        _start()
    return reference(seed, x, rate, deterministic)
