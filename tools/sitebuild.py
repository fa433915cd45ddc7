"""Where the project's parts are, and how the site is built.

The one place for the paths, the sphinx-build command line, the execution
cache's set-up, which pages are lessons and how a cell's ``:load:`` is
expanded. The noxfile, the tests and the benchmarks use it; it imports only
the standard library at the top, so nox's own python can read it.

    python tools/sitebuild.py [--build FOLDER] [--docs FOLDER] [SPHINX OPTION ...]

builds the site into FOLDER/html (default build/html) in this process: the
execution cache's database first, then Sphinx. ``--stock`` builds it as stock
MyST-NB would (the benchmark's reference): serially, in cache mode, without
the project's speed-ups; ``--without NAME,...`` leaves out only those named
(SPEEDUPS; the benchmark's A/B).
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


# The lessons' packages: the process the kernels are forked from imports them
# once (conf/_ext/warm_kernels.py; conf.py's prerun_kernel_imports).
KERNEL_IMPORTS = ["jax", "flax.linen", "flax.nnx"]

# The build's speed-ups, each of which can be left out (speedups_off()).
SPEEDUPS = {
    "prerun": "the lessons executed in parallel, longest first, on warm kernels",
    "lazy_social_cards": "matplotlib kept out of Sphinx's process",
    "codeautolink_resolve_cache": "sphinx-codeautolink's resolved names kept",
    "codeautolink_parallel": "sphinx-codeautolink links the pages in parallel",
    "api_objects": "API links read from conf/api_objects.json, not by importing",
    "jax_cache": "compiled XLA programs kept for every kernel and grading",
    "parallel": "Sphinx reads and writes pages in parallel (-j auto)",
}
# Those that are Sphinx extensions of conf/_ext (conf.py leaves them out).
SPEED_EXTENSIONS = [
    "prerun",
    "lazy_social_cards",
    "codeautolink_resolve_cache",
    "codeautolink_parallel",
]
# The speed-ups left out, comma-separated, as --stock and --without set it.
SPEEDUPS_OFF = "LESSONS_WITHOUT"


def names(text):
    """The names of a comma-separated list."""
    return {name for name in text.split(",") if name}


def speedups_off():
    """The names of the speed-ups this build goes without."""
    return names(os.environ.get(SPEEDUPS_OFF, ""))


def sphinx_options(src, out, *extra, jobs="auto", quiet=False):
    """The arguments of sphinx-build for the site: strict, and in parallel."""
    return [
        "-c", str(CONF),
        "-W", "--keep-going",
        "-j", str(jobs),
        *(["-q"] if quiet else []),
        "-b", "html",
        *extra,
        str(src), str(out),
    ]  # fmt: skip


def create_execution_cache(build):
    """Create the jupyter-cache database (its tables) in build/, where MyST-NB
    keeps it, before a parallel build races to create it."""
    import jupyter_cache

    path = Path(build) / ".jupyter_cache"
    if not (path / "global.db").exists():
        jupyter_cache.get_cache(str(path)).db  # noqa: B018 (reading it creates it)


def with_cached_outputs(notebook, cache):
    """The notebook with the outputs the execution cache holds for it (MyST-NB
    writes a page served from the cache without them); as it is if the cache
    holds no run of it."""
    import contextlib

    from jupyter_cache import get_cache

    with contextlib.suppress(KeyError):
        _, notebook = get_cache(str(cache)).merge_match_into_notebook(notebook)
    return notebook


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


def build(argv):
    """Build the site in this process; ``--cache-only`` only sets up the
    execution cache. Options other than these go to Sphinx."""
    parser = argparse.ArgumentParser(prog="tools/sitebuild.py")
    parser.add_argument("--build", type=Path, default=BUILD, help="default build/")
    parser.add_argument("--docs", type=Path, default=DOCS, help="default docs/")
    parser.add_argument("--cache-only", action="store_true")
    parser.add_argument("--stock", action="store_true", help="no speed-ups, serial")
    parser.add_argument("--without", default="", help="speed-ups to leave out")
    args, sphinx = parser.parse_known_args(argv)
    off = set(SPEEDUPS) if args.stock else names(args.without)
    if off - set(SPEEDUPS):
        parser.error(f"--without takes some of {', '.join(SPEEDUPS)}")
    os.environ[SPEEDUPS_OFF] = ",".join(sorted(off))
    os.environ.update({k: v for k, v in ENVIRONMENT.items() if k not in os.environ})
    if "jax_cache" in off:
        for name in ENVIRONMENT:
            if name.startswith("JAX_") and name != "JAX_PLATFORMS":
                os.environ.pop(name, None)
    jobs = 1 if "parallel" in off else "auto"
    cold = not (args.build / ".jupyter_cache" / "global.db").exists()
    create_execution_cache(args.build)
    if args.cache_only:
        return 0
    warm = "prerun_warm_kernels=0" not in [a.replace(" ", "") for a in sphinx]
    if cold and "prerun" not in off and warm:
        # Every lesson will run: the kernels' zygote imports the lessons'
        # packages while Sphinx starts; conf/_ext/prerun.py takes it over.
        sys.path.insert(0, str(CONF / "_ext"))
        import warm_kernels

        warm_kernels.start_early(KERNEL_IMPORTS)
    from sphinx.cmd.build import build_main

    try:
        return build_main(
            sphinx_options(args.docs, args.build / "html", *sphinx, jobs=jobs)
        )
    finally:
        if "warm_kernels" in sys.modules:
            sys.modules["warm_kernels"].stop_early()


def end(code):
    """End this process at once, with status code: Python's own clean-up of
    the modules Sphinx loaded takes half a second, and there is nothing to
    clean but the processes multiprocessing started (sphinx-sitemap's
    manager), which would outlive it holding its output open."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.terminate()
        child.join()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def main(argv):
    end(build(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
