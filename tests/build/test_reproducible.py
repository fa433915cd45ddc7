"""A clean build publishes the same pages and notebooks as the site's build.

The site's build (build/html, or SITE_HTML) is the one the test command has
just made: cold on a fresh clone, incremental on a working copy. A second,
clean build must publish the same bytes. It takes the cells' outputs from a
copy of the site's execution cache, but for the pages whose outputs hold an
image: those it executes again. That every other output is printed
again by a new run is checked where the code runs again anyway: each
published notebook in a new kernel (tests/notebook), and each page's grader
report by the command (tests/grader).
"""

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_cache import get_cache
from project import HTML, draws_image
from sitebuild import ROOT

PUBLISHED = {
    ".html",
    ".ipynb",
    ".png",
    ".svg",
    ".py",
    ".js",
    ".xml",
    ".md",
    ".txt",
    ".whl",
}


def with_images(site):
    """The pages whose published notebook holds an image (its stem): the
    notebook tier does not compare those outputs."""
    return {
        path.stem
        for path in (site / "_sources").glob("*.ipynb")
        if any(
            draws_image(output)
            for cell in json.loads(path.read_text())["cells"]
            for output in cell.get("outputs", [])
        )
    }


def cached_outputs(site, folder, drawn_again):
    """A copy of the site's execution cache in the build folder, without the
    runs of the pages named."""
    copy = folder / ".jupyter_cache"
    shutil.copytree(site.parent / ".jupyter_cache", copy)
    cache = get_cache(str(copy))
    try:
        for record in cache.list_cache_records():
            if Path(record.uri).stem in drawn_again:
                cache.remove_cache(record.pk)
    finally:
        cache.db.dispose()


def clean_build(folder):
    result = subprocess.run(
        [sys.executable, ROOT / "tools" / "sitebuild.py", "--build", folder, "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "html"


def published(site):
    return {
        p.relative_to(site)
        for p in site.rglob("*")
        if p.suffix in PUBLISHED and p.is_file() and ".doctrees" not in p.parts
    }


def differences(first, second):
    """Files published by one build and not the other, or published differently."""
    a, b = published(first), published(second)
    return sorted(
        [f"only in the first build: {p}" for p in a - b]
        + [f"only in the second build: {p}" for p in b - a]
        + [
            f"differs: {p}"
            for p in a & b
            if not filecmp.cmp(first / p, second / p, False)
        ]
    )


def test_differences_are_found_in_either_build(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for site in (first, second):
        (site / "_sources").mkdir(parents=True)
        (site / "index.html").write_text("same")
    (first / "page.html").write_text("one")
    (second / "page.html").write_text("two")
    (second / "_sources" / "extra.ipynb").write_text("{}")
    (first / "only.js").write_text("")
    assert differences(first, second) == [
        "differs: page.html",
        "only in the first build: only.js",
        "only in the second build: _sources/extra.ipynb",
    ]
    assert differences(first, first) == []


def test_a_clean_build_publishes_what_the_site_holds(tmp_path):
    assert (HTML / "index.html").exists(), f"build the site first (nox -s docs): {HTML}"
    cached_outputs(HTML, tmp_path / "clean", with_images(HTML))
    clean = clean_build(tmp_path / "clean")
    assert len(published(clean)) > 20
    assert differences(HTML, clean) == [], (
        "the first build is the site's, the second a clean one; if the pages"
        " changed since the site was built, build it again (nox -s docs)"
    )
