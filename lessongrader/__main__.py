"""python -m lessongrader: the grader's command (lessongrader.cli)."""

import sys

from lessongrader.cli import main

sys.exit(main())
