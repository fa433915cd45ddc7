"""What the tests know of the project, read from the project itself."""

import os
import runpy
from pathlib import Path

import sitebuild

from lessongrader import catalog

# The built site the tests read: nox -s latest points them at its own build.
HTML = Path(os.environ.get("SITE_HTML", sitebuild.HTML)).resolve()
# The Sphinx configuration's values (the base URL, the repository...).
CONF = runpy.run_path(str(sitebuild.CONF / "conf.py"))
PROBLEMS = catalog.discover()
# Lesson slug -> the function its problem asks for, from each problem's LESSON.
LESSONS = {problem.lesson: name for name, problem in PROBLEMS.items()}


def solution_source(function):
    """The solution as a page shows it: its code, without the docstring."""
    return PROBLEMS[function].solution_code
