"""What the tests know of the project, read from the project itself."""

import os
import re
import runpy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sitebuild

from lessongrader import catalog

# The built site the tests read: nox -s latest points them at its own build.
HTML = Path(os.environ.get("SITE_HTML", sitebuild.HTML)).resolve()
# The Sphinx configuration's values (the base URL, the repository...).
CONF = runpy.run_path(str(sitebuild.CONF / "conf.py"))
PROBLEMS = catalog.discover()
# Lesson slug -> the function its problem asks for, from each problem's LESSON.
LESSONS = {problem.lesson: name for name, problem in PROBLEMS.items()}
# What the site's templates and extensions draw alike on every lesson (folds,
# menus, downloads, the grading commands...) is tried in the browser on two
# lessons: one with every kind of section, and the one with the most tab sets.
# What differs from page to page (its tabs, outputs, width, accessibility) is
# tried on every page.
BROWSER_SAMPLE = ["nnx-dropout", "dropout-batchnorm-train-step"]


def solution_source(function):
    """The solution as a page shows it: its code, without the docstring."""
    return PROBLEMS[function].solution_code


@dataclass(frozen=True)
class Expected:
    """What an attempt's ``# expect: STATUS TEXT`` lines ask of its grading: the
    exit status of ``python -m lessongrader``, and texts its report holds; an
    ``# args:`` line adds options."""

    status: int
    texts: tuple[str, ...]
    options: tuple[str, ...] = ()


def expected(path):
    """The Expected of an attempt file, from its comments."""
    text = path.read_bytes().decode(errors="replace")  # some are not UTF-8
    found = re.findall(r"^# expect: (\d) (.+)$", text, re.MULTILINE)
    assert found, f"{path} says nothing of what to expect"
    statuses = {int(status) for status, _ in found}
    assert len(statuses) == 1, f"{path} expects several exit statuses"
    options = re.search(r"^# args: (.+)$", text, re.MULTILINE)
    return Expected(
        status=statuses.pop(),
        texts=tuple(t for _, t in found),
        options=tuple(options.group(1).split()) if options else (),
    )


# The attempts that test the grader itself rather than a lesson (processes left
# behind, closed output, terminal escapes, time limits...), in folders named
# after their problem: the command grades them all (tests/grader).
GRADER_ATTEMPTS = Path(__file__).resolve().parent / "grader" / "attempts"


def grader_attempts():
    """(problem, path) of every attempt under tests/grader/attempts/<problem>/."""
    return [(path.parent.name, path) for path in sorted(GRADER_ATTEMPTS.glob("*/*.py"))]


def plain_attempts(problem):
    """A problem's attempts (examples/<problem>/attempts/, learners' mistakes)
    that run and return: their `# expect:` status is 0 or 1. Each lesson's
    notebook grades them (tests/notebook); the command grades the one its
    lesson shows (tests/grader), and the others, which cannot be graded
    (status 2), are the command's alone."""
    return [path for path in problem.attempts if expected(path).status in (0, 1)]


def shown_attempt(problem):
    """The attempt whose grading the problem's lesson shows ("Check your
    answer"): the file its needs-repository cell grades."""
    page = sitebuild.DOCS / f"{problem.lesson}.md"
    (cell,) = [
        cell
        for cell in sitebuild.read_notebook(page).cells
        if "needs-repository" in cell.metadata.get("tags", [])
    ]
    (path,) = re.findall(r"examples/\w+/attempts/\w+\.py", cell.source)
    return sitebuild.ROOT / path


# Cells a page shows with no code (remove-input) or not at all (remove-cell).
HIDDEN_TAGS = {"remove-cell", "remove-input"}
SOLUTION = re.compile(r"^```\{solution\} (\S+)$", re.MULTILINE)


def copied_in_order(slug):
    """The Python a reader copies from a lesson as it opens, every fold open,
    in order: its code cells (of each tab set, the tab the page continues
    from, conf/_ext/api_tabs.py) and the solution, where the page shows it."""
    from api_tabs import framework  # conf/_ext

    cells = sitebuild.read_notebook(sitebuild.DOCS / f"{slug}.md").cells
    copied = []
    for number, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            copied += [
                solution_source(n).rstrip() for n in SOLUTION.findall(cell.source)
            ]
            continue
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        tab = framework(cell)
        if tab is not None:
            last = number
            while last + 1 < len(cells) and framework(cells[last + 1]):
                last += 1
            if framework(cells[last]) != tab:
                continue  # a tab the page does not open on
        copied.append(cell.source.rstrip("\n"))
    return copied


def published(slug):
    """A lesson's notebook as the built site publishes it, with its outputs."""
    import nbformat

    path = HTML / "_sources" / f"{slug}.ipynb"
    assert path.exists(), f"build the site first (nox -s docs); missing {path}"
    return nbformat.read(path, as_version=4)


def draws_image(output):
    """Whether a cell's output is an image (the plots, SVG on the pages)."""
    return any(kind.startswith("image/") for kind in output.get("data", {}))


def shown_report(slug):
    """The grader's report a lesson shows, as its published notebook holds it
    (a fenced text block: conf/_ext/notebooks.py's report())."""
    (text,) = [
        match.group(2)
        for cell in published(slug).cells
        if cell.cell_type == "markdown"
        for match in [re.fullmatch(r"(`{3,})text\n(Grading .*)\n\1", cell.source, re.S)]
        if match
    ]
    return text


# -- Scratch sites: pages of a test's own, built with the site's configuration --

NOTEBOOK_HEADER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def notebook_page(title, *cells):
    """A MyST text notebook: a title, then one code cell per source."""
    blocks = [f"```{{code-cell}} ipython3\n{cell.strip()}\n```\n" for cell in cells]
    return "\n".join([NOTEBOOK_HEADER, f"# {title}\n", *blocks])


class ScratchSite:
    """A source tree with chosen pages beside the real examples/."""

    def __init__(self, path, link_examples=True):
        self.path = path
        self.src = path / "docs"
        self.src.mkdir()
        if link_examples:
            # What the pages' cells read (the grader's report runs an attempt).
            (path / sitebuild.EXAMPLES.name).symlink_to(sitebuild.EXAMPLES)

    def write(self, pages):
        for name, text in pages.items():
            (self.src / f"{name}.md").write_text(text)
        toctree = "\n".join(name for name in pages if name != "index")
        (self.src / "index.md").write_text(
            f"# Index\n\n```{{toctree}}\n{toctree}\n```\n"
        )

    def build(self, *options):
        """Build the tree with the site's configuration; the finished process."""
        html = self.path / "html"
        return subprocess.run(
            [sys.executable, "-m", "sphinx"]
            + sitebuild.sphinx_options(self.src, html, *options, quiet=True),
            capture_output=True,
            text=True,
            timeout=300,
        )


# The folders under tests/ of the tests this run collected (tests/unit/test_tiers.py).
COLLECTED_TIERS = pytest.StashKey[set]()
