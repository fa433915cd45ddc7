"""Shared fixtures: a scratch copy of the site to build one page at a time."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class ScratchSite:
    """A source tree with chosen pages beside the real examples/ and tests/."""

    def __init__(self, path):
        self.path = path
        self.src = path / "docs"
        self.src.mkdir()
        for folder in ("examples", "tests"):  # what the pages' cells read
            (path / folder).symlink_to(ROOT / folder)

    def write(self, pages):
        for name, text in pages.items():
            (self.src / f"{name}.md").write_text(text)
        toctree = "\n".join(name for name in pages if name != "index")
        (self.src / "index.md").write_text(
            f"# Index\n\n```{{toctree}}\n{toctree}\n```\n"
        )

    def build(self, *options):
        """Build the tree with the site's configuration; the finished process."""
        return subprocess.run(
            [sys.executable, "-m", "sphinx", "-c", str(ROOT / "conf"), "-W", "-q"]
            + [*options, "-b", "html", str(self.src), str(self.path / "html")],
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture
def scratch_site(tmp_path):
    return ScratchSite(tmp_path)
