"""Two clean builds of the site publish the same pages and notebooks."""

import filecmp
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_build(folder):
    cache = folder / ".jupyter_cache"
    # The cache's tables must exist before a parallel build races to make them.
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import jupyter_cache; jupyter_cache.get_cache({str(cache)!r}).db",
        ],
        check=True,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-c",
            str(ROOT / "conf"),
            "-W",
            "-q",
            "-j",
            "2",
        ]
        + ["-b", "html", str(ROOT / "docs"), str(folder / "html")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "html"


def test_two_clean_builds_are_identical(tmp_path):
    first, second = clean_build(tmp_path / "a"), clean_build(tmp_path / "b")
    published = [
        p.relative_to(first)
        for p in first.rglob("*")
        if p.suffix in {".html", ".ipynb", ".png", ".svg", ".py", ".js", ".xml"}
        and ".doctrees" not in p.parts
    ]
    assert len(published) > 20
    different = [
        str(p) for p in published if not filecmp.cmp(first / p, second / p, False)
    ]
    assert not different, different
