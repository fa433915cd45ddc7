"""Every command of the project. Build the site: `nox -s docs`. Check it: `nox`."""

import hashlib
import os
import shutil
import tomllib
from pathlib import Path

import nox

# nox puts this file's folder on sys.path.
from tools import sitebuild
from tools.sitebuild import BUILD, DOCS, ENVIRONMENT, EXAMPLES, HTML, LATEST, ROOT

PYTHON = "3.13"
TOOLS = ROOT / "tools"
# The release sets the lessons are checked on, and what held where.
RELEASE_SETS = ROOT / "conf" / "release-sets.toml"
RELEASE_CHECK = ROOT / "conf" / "release-check.json"
RELEASES = BUILD / "releases"

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests"]
# Keep each session's environment between runs (install() still syncs it to
# requirements.txt); recreating it cost 16 s before every build.
nox.options.reuse_venv = "yes"

# Installed packages get compiled bytecode, so each notebook kernel starts fast
# even where PYTHONDONTWRITEBYTECODE is set.
os.environ["UV_COMPILE_BYTECODE"] = "1"
# The build's JAX settings, unless set already (the benchmark gives each of
# its builds a compilation cache of its own).
for name, value in ENVIRONMENT.items():
    os.environ.setdefault(name, value)

PAGES_TO_NOTEBOOKS = """
import pathlib, sys, jupytext, sitebuild
for page in map(pathlib.Path, sys.argv[2:]):
    notebook = sitebuild.read_notebook(page)
    jupytext.write(notebook, pathlib.Path(sys.argv[1]) / (page.stem + ".ipynb"))
"""


# Hashed into a stamp in the environment: while they are unchanged, the
# environment is as install() left it, and installing again is skipped (uv
# takes about a second to find nothing to do).
INSTALL_INPUTS = ["requirements.txt", "pyproject.toml"]
INSTALL_STAMP = ".lessons-installed"


def install_digest():
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    return digest.hexdigest()


def install_stamp(session):
    location = getattr(session.virtualenv, "location", None)
    return Path(location) / INSTALL_STAMP if location else None


def install(session):
    stamp = install_stamp(session)
    digest = install_digest()
    if stamp is not None and stamp.exists() and stamp.read_text() == digest:
        session.log(f"Installed as {', '.join(INSTALL_INPUTS)} say (stamp {stamp})")
        return
    forget_install(session)
    session.install("-r", "requirements.txt")
    install_project(session)
    if stamp is not None:
        stamp.write_text(digest)


def forget_install(session):
    """Before installing anything else into the environment: install() must
    then sync it again."""
    stamp = install_stamp(session)
    if stamp is not None:
        stamp.unlink(missing_ok=True)


def install_project(session):
    """The project itself, lessongrader and the problems, editable: the pages,
    the tests and the grader import it as a learner's notebook does."""
    session.install("--no-deps", "--no-build-isolation", "-e", ".")


def build_docs(session, *extra, build=BUILD):
    """Build the site into build/html (MyST-NB keeps its notebooks and its
    execution cache beside it, in build/)."""
    session.run("python", "tools/sitebuild.py", "--build", str(build), *extra)


def run_lint(session):
    paths = ["noxfile.py", "lessongrader", "conf", "examples", "tests", "tools"]
    paths.append("benchmarks")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    # The workflows: actions pinned to a commit, no credentials left in the
    # checkout, no injectable expressions (zizmor's audits that need no network).
    session.run("zizmor", "--offline", "--quiet", ".github/workflows")
    # The code cells of the pages, as notebooks (ruff understands IPython
    # magics); a cell that loads a file is linted with that file's code.
    cells = BUILD / "lint"
    shutil.rmtree(cells, ignore_errors=True)
    cells.mkdir(parents=True)
    session.run(
        "python", "-c", PAGES_TO_NOTEBOOKS, str(cells), *map(str, sitebuild.lessons()),
        env={"PYTHONPATH": str(TOOLS)},
    )  # fmt: skip
    notebooks = sorted(str(n) for n in cells.glob("*.ipynb"))
    session.run("ruff", "check", *notebooks)
    session.run("ruff", "format", "--check", "--diff", *notebooks)


def run_doctests(session):
    # The reference solutions only: the attempts are wrong on purpose.
    solutions = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("*/solution.py"))
    session.run("pytest", "--import-mode=importlib", "--doctest-modules", *solutions)


@nox.session(python=PYTHON)
def docs(session):
    """Build the site into build/html (unchanged pages are not executed again)."""
    install(session)
    build_docs(session, *session.posargs)
    session.log(f"Open {HTML / 'index.html'}")


@nox.session(python=PYTHON)
def serve(session):
    """Rebuild and reload the browser on every edit: http://127.0.0.1:8000."""
    install(session)
    session.run(
        "sphinx-autobuild", "--watch", "examples", "--watch", "conf",
        "--watch", "lessongrader",
        "--host", "127.0.0.1", *sitebuild.sphinx_options(DOCS, HTML)
    )  # fmt: skip


@nox.session(python=PYTHON)
def doctests(session):
    """Run the doctests of the reference solutions in examples/."""
    install(session)
    run_doctests(session)


@nox.session(python=PYTHON)
def lint(session):
    """Ruff over the code and the code cells of the pages; zizmor, the workflows."""
    install(session)
    run_lint(session)


@nox.session(python=PYTHON)
def tests(session):
    """Lint, doctests, a strict build of the site, then every tier of tests:
    unit, build, grader, notebook, browser."""
    install(session)
    run_lint(session)
    run_doctests(session)
    build_docs(session)
    # On every processor (pytest-xdist); tests that write one report together
    # share a group, and so a worker.
    session.run(
        "pytest", "-n", "auto", "--dist", "loadgroup", "tests", *session.posargs
    )


@nox.session(python=PYTHON)
def quick(session):
    """The fast tier (tests/unit): the grader's logic on made-up arrays, the
    problem catalog, the release check's file, the tools."""
    install(session)
    session.run("pytest", "tests/unit", *session.posargs)


@nox.session(python=PYTHON, venv_backend="none")
def new(session):
    """Start a lesson: nox -s new -- SLUG PROBLEM writes docs/SLUG.md and
    examples/PROBLEM/ from tools/skeleton/."""
    session.run("python3", "tools/new_lesson.py", *session.posargs)


@nox.session(python=PYTHON)
def lock(session):
    """Re-pin requirements.txt from requirements.in to the newest releases."""
    session.install("uv")
    session.run(
        "uv", "pip", "compile", "--quiet", "--python-version", PYTHON,
        "--no-header", "--output-file", "requirements.txt", "requirements.in",
    )  # fmt: skip


@nox.session(python=PYTHON)
def check(session):
    """Grade an attempt: nox -s check -- PROBLEM FILE (or --list, --starter PROBLEM)."""
    # Only what an attempt and the grader import, at the site's versions.
    session.install("-c", "requirements.txt", "jax", "flax", "numpy", "hatchling")
    install_project(session)
    try:
        session.run("python", "-m", "lessongrader", *session.posargs)
    except nox.command.CommandFailed as failed:
        # Exit with the grader's own status (1 wrong, 2 not gradable), not nox's
        # 1. It ends nox at once, so run this session on its own.
        raise SystemExit(failed.return_code or 1) from None


RECORD_VERSIONS = """
import json, sys, importlib.metadata as m
json.dump({p: m.version(p) for p in ("jax", "jaxlib", "flax")}, open(sys.argv[1], "w"))
"""


def record_versions(session, build, python="python"):
    """Write the versions a build ran with to its versions.json."""
    session.run(
        python, "-c", RECORD_VERSIONS, str(build / "versions.json"), external=True
    )


def build_with_other_releases(session, folder, python="python"):
    """Every page executed again with the releases `python` has, into a folder
    of its own, with an execution cache of its own (emptied: every page runs;
    the tests read it as they read the pinned build's). A cell that raises is
    recorded, and the other pages still build. Whether the build reported no
    error."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    record_versions(session, folder, python)
    try:
        session.run(
            python, "tools/sitebuild.py", "--build", str(folder), "-q",
            "-D", "nb_execution_allow_errors=1",
            "-D", "nb_execution_raise_on_error=0", external=True,
        )  # fmt: skip
    except nox.command.CommandFailed:
        return False
    return True


@nox.session(python=PYTHON)
def latest(session):
    """Build and test against other jax/flax releases, and report what changed:
    nox -s latest [-- REQUIREMENT ...] (default: the newest jax, jaxlib, flax)."""
    # The pinned site first (from the execution cache when it is up to date):
    # what the report compares with.
    install(session)
    build_docs(session)
    record_versions(session, BUILD)
    forget_install(session)
    session.install(*(session.posargs or ["--upgrade", "jax", "jaxlib", "flax"]))
    problems = []
    if not build_with_other_releases(session, LATEST):
        problems.append("the build reported errors (above)")
    report = LATEST / "report.md"
    try:
        session.run(
            "python", "tools/watch.py", "report", str(BUILD), str(LATEST),
            "--output", str(report),
        )  # fmt: skip
    except nox.command.CommandFailed:
        problems.append(f"a page or a claim broke ({report})")
    if problems:
        session.error("; ".join(problems))
    session.log(f"The report is in {report}; now the tests, on {LATEST / 'html'}.")
    session.run("pytest", "tests", env={"SITE_HTML": str(LATEST / "html")})


def release_environment(session, name, requirements):
    """An environment of its own for a release set: requirements.txt with the
    set's releases instead (uv's --override), and the project. Its python."""
    env = ROOT / ".nox" / f"releases-{name}"
    python = env / "bin" / "python"
    if not python.exists():
        session.run("uv", "venv", "--quiet", "--python", PYTHON, str(env))
    overrides = env / "overrides.txt"
    overrides.write_text("\n".join(requirements) + "\n")
    uv_install = ["uv", "pip", "install", "--quiet", "--python", str(python)]
    session.run(*uv_install, "-r", "requirements.txt", "--override", str(overrides))
    session.run(*uv_install, "--no-deps", "--no-build-isolation", "-e", ".")
    return str(python)


@nox.session(python=PYTHON)
def releases(session):
    """Check every lesson on each release set of conf/release-sets.toml, one
    after the other, and write where each holds to conf/release-check.json,
    which the pages show: nox -s releases. A line CHANGED names each page that
    holds on other releases than the file said before."""
    install(session)
    build_docs(session)
    record_versions(session, BUILD)
    sets = tomllib.loads(RELEASE_SETS.read_text())["set"]
    builds = []
    for number, release_set in enumerate(sets, 1):
        name, requirements = release_set["name"], release_set["requirements"]
        session.log(
            f"Release set {number} of {len(sets)}: {name}, {release_set['why']}"
        )
        folder = BUILD
        if requirements:
            python = release_environment(session, name, requirements)
            folder = RELEASES / name
            if not build_with_other_releases(session, folder, python):
                session.warn(f"{name}: the build reported errors (above)")
        builds.append(f"{name}={folder}")
    session.run(
        "python", "tools/watch.py", "ranges", str(BUILD), *builds,
        "--output", str(RELEASE_CHECK), success_codes=[0, 3],
    )  # fmt: skip


@nox.session(python=PYTHON)
def bench(session):
    """Time cold and incremental builds against the floor (the pages' code run
    in one process): nox -s bench [-- --repeat N]. The log: benchmarks/README.md."""
    install(session)
    session.run(
        "python", "benchmarks/build_speed.py", *session.posargs,
        env={"PYTHONPATH": str(TOOLS)},
    )  # fmt: skip
