"""Shared fixtures: a scratch copy of the site to build one page at a time."""

import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import EXAMPLES, sphinx_options

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

    def __init__(self, path):
        self.path = path
        self.src = path / "docs"
        self.src.mkdir()
        # What the pages' cells read (the grader's report runs an attempt).
        (path / EXAMPLES.name).symlink_to(EXAMPLES)

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
            + sphinx_options(self.src, html, *options, jobs=1, quiet=True),
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture
def scratch_site(tmp_path):
    return ScratchSite(tmp_path)


# The folders under tests/ of the tests this run collected (tests/unit/test_tiers.py).
COLLECTED_TIERS = pytest.StashKey[set]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Before any test is deselected (-k, -m, --deselect)."""
    tests = Path(__file__).resolve().parent
    config.stash[COLLECTED_TIERS] = {
        item.path.relative_to(tests).parts[0]
        for item in items
        if item.path.is_relative_to(tests)
    }
