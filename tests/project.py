"""What the tests know of the project, read from the project itself."""

import os
import runpy
from pathlib import Path

from examples import check

ROOT = Path(__file__).resolve().parent.parent
# The built site the tests read: nox -s latest points them at its own build.
HTML = Path(os.environ.get("SITE_HTML", ROOT / "build" / "html")).resolve()
# The Sphinx configuration's values (the base URL, the repository...).
CONF = runpy.run_path(str(ROOT / "conf" / "conf.py"))
# Lesson slug -> the function its problem asks for, from each problem's LESSON.
LESSONS = {problem.lesson: name for name, problem in sorted(check.discover().items())}


def solution_source(function):
    """The part of a reference module a page shows: its code, without the cases."""
    text = (ROOT / "examples" / f"{function}.py").read_text()
    return text[text.index("import jax") :].split("# -- Grading cases")[0]
