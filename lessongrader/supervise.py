"""The first process of a grading: it starts the grading process and outlives it.

    python -m lessongrader.supervise ENDED COMMAND...

It is a child subreaper (Linux): a process the attempt starts, even in a
session of its own, whose parent ends (the grading process included, by
``os._exit`` or a crash), is adopted by it instead of init, and stays in its
tree until ``lessongrader.isolation.end_tree`` ends them all. Once COMMAND has
ended, it writes COMMAND's exit status to ENDED and stops itself, to be ended
with the rest. It imports little, to start fast, and sets the flag in itself
only: the caller is left as it was.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


def main(argv):
    ended, *command = argv
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    status = subprocess.call(command)
    with open(ended + ".tmp", "w") as f:
        f.write(str(status))
    os.replace(ended + ".tmp", ended)
    while True:  # if continued, stop again: its end would hand orphans to init
        os.kill(os.getpid(), signal.SIGSTOP)


if __name__ == "__main__":
    main(sys.argv[1:])
