"""Starts a process in a session of its own, then ends its own process.

The process running the file is gone before it reports anything; the child
it left must end with the grading all the same. Their ids go to
$ATTEMPT_PIDS, when it is set, for the test to check.
"""

# expect: 2 ended with status 0 while running case 1
# expect: 2 before reporting any result

import os
import subprocess
import sys
from pathlib import Path


def dropout_forward(seed, x, rate, deterministic):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    if os.environ.get("ATTEMPT_PIDS"):
        Path(os.environ["ATTEMPT_PIDS"]).write_text(f"{child.pid}")
    os._exit(0)
