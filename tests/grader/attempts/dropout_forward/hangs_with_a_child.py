"""Starts a process in a session of its own, then never returns.

At the time limit, this file's process and its child end with the grading;
so they do when the grader is stopped by a signal (test_cli.py grades it
with a longer limit for that). Their ids go to $ATTEMPT_PIDS once both run.
"""

# args: --timeout 20
# expect: 2 timed out after 20 s while running case 1

import os
import subprocess
import sys
import time
from pathlib import Path


def dropout_forward(seed, x, rate, deterministic):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    if os.environ.get("ATTEMPT_PIDS"):
        ids = Path(os.environ["ATTEMPT_PIDS"])
        ids.with_suffix(".tmp").write_text(f"{os.getpid()} {child.pid}")
        ids.with_suffix(".tmp").replace(ids)
    while True:
        time.sleep(0.5)
