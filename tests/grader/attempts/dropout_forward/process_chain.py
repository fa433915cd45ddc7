"""A right answer that first starts a chain of 115 processes, each the parent
of the next, in a session of its own.

Every one of them must end with the grading, however deep the chain. Their ids
go to $ATTEMPT_PIDS, when it is set, for the test to check.
"""

# expect: 0 10 of 10 cases passed

import os
import subprocess
import tempfile
import time
from pathlib import Path

from lessongrader.problems.dropout_forward.solution import (  # noqa: F401
    MyDropout,
)
from lessongrader.problems.dropout_forward.solution import (
    dropout_forward as reference,
)

DEPTH = 115
# A link writes its id, starts the next link in the background, and becomes a
# sleep, which stays that link's parent. Arguments: the file, the links left,
# this script.
LINK = (
    'echo $$ >> "$0"; '
    'if [ "$1" -gt 1 ]; then sh -c "$2" "$0" $(($1 - 1)) "$2" & fi; '
    "exec sleep 600"
)
started = []


def _start():
    ids = Path(tempfile.mkdtemp()) / "chain"
    subprocess.Popen(
        ["sh", "-c", LINK, str(ids), str(DEPTH), LINK], start_new_session=True
    )
    while len(started) < DEPTH:
        time.sleep(0.05)
        started[:] = ids.read_text().split() if ids.exists() else []
    if os.environ.get("ATTEMPT_PIDS"):
        Path(os.environ["ATTEMPT_PIDS"]).write_text(" ".join(started))


def dropout_forward(seed, x, rate, deterministic):
    if not started:
        _start()
    return reference(seed, x, rate, deterministic)
