"""Never drops, and writes over every pipe it finds open, but its own output.

The grader computes the reference in this same process before importing the
file, and sends it on a pipe: by now that pipe must be closed.
"""

# expect: 1 [no-dropout-in-training]
# expect: 1 3 of 8 cases passed

import os
import stat

for fd in range(3, 1024):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"not the reference outputs\n")
    except OSError:
        pass


def dropout_forward(seed, x, rate, deterministic):
    return x
