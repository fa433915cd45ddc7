"""What the tests know of the project, read from the project itself."""

import os
import runpy
from pathlib import Path

import sitebuild

from examples import check

# The built site the tests read: nox -s latest points them at its own build.
HTML = Path(os.environ.get("SITE_HTML", sitebuild.HTML)).resolve()
# The Sphinx configuration's values (the base URL, the repository...).
CONF = runpy.run_path(str(sitebuild.CONF / "conf.py"))
# Lesson slug -> the function its problem asks for, from each problem's LESSON.
LESSONS = {problem.lesson: name for name, problem in sorted(check.discover().items())}


def solution_source(function):
    """The part of a reference module a page shows: its code, without the cases."""
    text = (sitebuild.EXAMPLES / f"{function}.py").read_text()
    return text[text.index("import jax") :].split("# -- Grading cases")[0]
