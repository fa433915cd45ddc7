"""Each published notebook, run as on Colab: top to bottom, then its Practice.

Each lesson's notebook (build/html/_sources/<slug>.ipynb) runs in a fresh
kernel, started as Jupyter starts one, whose python has the lesson's packages
but not the grader: its setup cell installs the grader's wheel from the built
site (LESSONGRADER_WHEEL, a file path here). Every cell runs, and prints again
what the notebook publishes, which the build's kernel printed: outputs do not
depend on the run (tests/build/test_reproducible.py compares the rest of two
builds). Then, in that kernel, the untouched starter is ``[not-attempted]``,
each plain attempt of examples/<problem>/attempts/ gets a summary line and
what its ``# expect:`` lines say (which tests/grader holds
``python -m lessongrader`` to), and the reference passes every case. One
notebook also runs in a fresh venv holding only ipykernel, whose setup cells
install everything (jax and flax from uv's cache).
"""

import copy
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from build_stamp import commit_stamp
from nbclient import NotebookClient
from notebooks import with_build_date
from project import (
    CONF,
    HTML,
    LESSONS,
    PROBLEMS,
    draws_image,
    expected,
    plain_attempts,
    published,
)
from sitebuild import DOCS
from upstream import exact_streams

from lessongrader.execute import spec_of

SUMMARY = re.compile(r"^\d+ of \d+ cases passed\.$", re.MULTILINE)
TAG = re.compile(r"^\s*\* \[([\w-]+)\]", re.MULTILINE)


def wheel():
    (path,) = (HTML / "_wheels").glob("lessongrader-*-py3-none-any.whl")
    return path


def notebook(slug):
    """The published notebook, without its outputs: as a reader runs it."""
    nb = published(slug)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    return nb


def as_published(output):
    """What of an output the build's run and a new one must agree on: all but
    its execution count, and of an error its name and message (the page shows
    no traceback: a hidden cell sets %xmode Minimal, which the notebook
    leaves out)."""
    if output["output_type"] == "error":
        return {"error": (output["ename"], output["evalue"])}
    return {k: v for k, v in output.items() if k != "execution_count"}


def printed_again(shown, ran):
    """The cells whose run in the notebook printed other than the build's run,
    which the notebook publishes: (cell number, published, new) triples.
    Outputs are compared as the build publishes them: streams joined
    (conf/_ext/streams.py), the version line stamped with the build's commit."""
    built = commit_stamp(DOCS, CONF["lessons_repository"])
    differ = []
    for number, (before, after) in enumerate(zip(shown.cells, ran.cells, strict=True)):
        if before.cell_type != "code" or not before.outputs:
            continue
        if any(map(draws_image, before.outputs)):
            # Drawn by the build as SVG with fixed ids (a hidden cell of the
            # page), by a notebook in Jupyter's default format: the clean
            # build of tests/build/test_reproducible.py draws them again.
            continue
        after = copy.deepcopy(after)
        after.outputs = exact_streams(after.outputs)
        with_build_date(after, built)
        old = [as_published(o) for o in before.outputs]
        new = [as_published(o) for o in after.outputs]
        if new != old:
            differ.append((number, old, new))
    return differ


def tagged(nb, tag):
    return next(i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", []))


def verdict(text):
    return SUMMARY.findall(text), TAG.findall(text)


def kernel_spec(folder, python, name):
    """A kernel that runs python (a Jupyter kernelspec in folder)."""
    spec = folder / "kernels" / name
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name, "language": "python"})
    )
    return folder


@pytest.fixture(scope="module")
def lesson_python(tmp_path_factory):
    """A venv that sees this python's packages but not its lessongrader (an
    editable install, whose .pth file a plain path line does not read)."""
    folder = tmp_path_factory.mktemp("kernel")
    venv = folder / "venv"
    subprocess.run(
        ["uv", "venv", "-q", "--python", sys.executable, str(venv)],
        check=True,
        env={**os.environ, "PATH": _path()},
    )
    python = venv / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run(
        [str(python), "-c", where],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "lesson_packages.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    return kernel_spec(folder / "jupyter", python, "lesson")


def _path():
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])


# Not a reader's: nox's compiled bytecode (UV_COMPILE_BYTECODE) would make uv
# compile every package a setup cell installs, jax's included (11 CPU-seconds).
NOT_A_READERS = {"LESSONGRADER_PROBLEMS", "UV_COMPILE_BYTECODE"}


def readers_env():
    """This environment as a reader's: this python first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_A_READERS}
    env["PATH"] = _path()
    return env


def kernel_env(jupyter):
    env = readers_env()
    env.update(LESSONGRADER_WHEEL=str(wheel()), JUPYTER_PATH=str(jupyter))
    return env


def output_text(cell):
    texts = []
    for output in cell.outputs:
        if output.output_type == "error":
            pytest.fail(f"{output.ename}: {output.evalue}")
        data = output.get("data", {})
        texts.append(data.get("text/plain", "") + output.get("text", ""))
    return "".join(texts)


def html_of(cell):
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


@pytest.mark.parametrize("slug", LESSONS)
def test_practice_cells_grade_as_the_command_does(slug, lesson_python, tmp_path):
    name = LESSONS[slug]
    problem = PROBLEMS[name]
    shown = published(slug)
    nb = notebook(slug)
    check = tagged(nb, "check")
    assert tagged(nb, "practice-setup") < tagged(nb, "attempt") < check
    env = kernel_env(lesson_python)
    os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="lesson",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        with client.setup_kernel(env=env, cwd=str(tmp_path)):
            # Every cell, top to bottom, as a reader runs the notebook: none
            # may fail (CellExecutionError).
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            assert printed_again(shown, nb) == []
            assert sum(bool(c.get("outputs")) for c in nb.cells) > 5

            def run(source):
                nb.cells.append(nbformat.v4.new_code_cell(source))
                return client.execute_cell(nb.cells[-1], len(nb.cells) - 1)

            where = run("import lessongrader; print(lessongrader.__file__)")
            assert "site-packages" in output_text(where)  # the wheel's
            starter = output_text(nb.cells[check])
            assert "[not-attempted]" in starter
            assert "[not-attempted]" in html_of(nb.cells[check])

            def attempt(source):
                run(source)
                checked = run(f"exercise.check({name})")
                return output_text(checked), html_of(checked)

            for path in plain_attempts(problem):
                text, html = attempt(path.read_text())
                summary, tags = verdict(text)
                assert len(summary) == 1, (path.name, text)
                passed, count = map(int, re.findall(r"\d+", summary[0]))
                right = expected(path).status == 0
                assert (passed == count) == right, (path.name, text)
                words = " ".join(text.split())
                for wanted in expected(path).texts:
                    assert wanted in words, (path.name, wanted, text)
                assert summary[0] in html
                assert all(f"[{tag}]" in html for tag in tags)
            text, html = attempt(problem.solution_code)
            # The function's cases, then the checks of the names it defines.
            count = len(problem.cases()) + len(spec_of(problem).checks)
            assert verdict(text) == ([f"{count} of {count} cases passed."], [])
            assert "Correct" in html
    finally:
        os.environ.pop("JUPYTER_PATH", None)


@pytest.mark.slow
def test_a_notebook_installs_what_it_needs_in_a_fresh_venv(tmp_path):
    """Only ipykernel in the venv: the setup cells install the rest (the pinned
    packages from the index nox uses, the grader from the built site)."""
    slug = next(iter(LESSONS))
    venv = tmp_path / "venv"
    env = readers_env()
    subprocess.run(
        ["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env
    )
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python")]
        + ["ipykernel"],
        check=True,
        env=env,
        timeout=900,
    )
    jupyter = kernel_spec(tmp_path / "jupyter", venv / "bin" / "python", "fresh")
    nb = notebook(slug)
    os.environ["JUPYTER_PATH"] = str(jupyter)
    try:
        NotebookClient(
            nb,
            timeout=1800,
            kernel_name="fresh",
            resources={"metadata": {"path": str(tmp_path)}},
        ).execute(env=kernel_env(jupyter))
    finally:
        os.environ.pop("JUPYTER_PATH", None)
    assert "[not-attempted]" in output_text(nb.cells[tagged(nb, "check")])
