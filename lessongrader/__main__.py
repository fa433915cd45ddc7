"""python -m lessongrader: the grader's command (lessongrader.cli)."""

import os
import sys

from lessongrader.cli import main

try:
    status = main()
    sys.stdout.flush()
except BrokenPipeError:
    # The reader of the output went away (`... | head`): nothing more to say.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    status = 1
sys.exit(status)
