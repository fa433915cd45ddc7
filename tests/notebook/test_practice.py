"""The Practice part of each published notebook: attempt, check, as on Colab.

Each lesson's notebook (build/html/_sources/<slug>.ipynb) runs in a fresh
kernel whose python has the lesson's packages but not the grader: its setup
cell installs the grader's wheel from the built site (LESSONGRADER_WHEEL,
a file path here). Then, in that kernel, the untouched starter is
``[not-attempted]``, each plain wrong attempt of examples/<problem>/attempts/
gets the summary line and the diagnosis tags of ``python -m lessongrader``, and
the reference passes every case. One notebook also runs in a fresh venv
holding only ipykernel, whose setup cells install everything (slow: it
downloads jax and flax through uv's cache).
"""

import json
import os
import re
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from project import HTML, LESSONS, PROBLEMS

# Attempts that attack the grader or the process rather than answer wrongly:
# the command's isolation is for them, not a notebook's check.
HOSTILE = re.compile(
    r"atexit|_getframe|currentframe|f_back|os\._exit|subprocess|multiprocessing"
    r"|threading|\.close\(\)|\\x1b|while True"
)
SUMMARY = re.compile(r"^\d+ of \d+ cases passed\.$", re.MULTILINE)
TAG = re.compile(r"^\s*\* \[([\w-]+)\]", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]


def wheel():
    (path,) = (HTML / "_wheels").glob("lessongrader-*-py3-none-any.whl")
    return path


def notebook(slug):
    path = HTML / "_sources" / f"{slug}.ipynb"
    assert path.exists(), f"build the site first (nox -s docs); missing {path}"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    return nb


def tagged(nb, tag):
    return next(i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", []))


def plain_wrong_attempts(problem):
    """(path, source) of the attempts whose `# expect:` status is 1, answers
    that are wrong without attacking the grader."""
    found = []
    for path in problem.attempts:
        source = path.read_text(errors="replace")
        if "# expect: 1" in source and not HOSTILE.search(source):
            found.append(path)
    return found


def verdict(text):
    return SUMMARY.findall(text), TAG.findall(text)


def command(problem, path):
    run = subprocess.run(
        [sys.executable, "-m", "lessongrader", problem, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    return run.stdout


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


def kernel_env(jupyter):
    env = {k: v for k, v in os.environ.items() if k != "LESSONGRADER_PROBLEMS"}
    env.update(LESSONGRADER_WHEEL=str(wheel()), PATH=_path())
    env["JUPYTER_PATH"] = str(jupyter)
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
    attempts = plain_wrong_attempts(problem)
    # The command's reports, computed beside the kernel's work.
    with ThreadPoolExecutor(2) as pool:
        expected = [pool.submit(command, name, path) for path in attempts]
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
        with client.setup_kernel(env=env, cwd=str(tmp_path)):
            # Every cell, top to bottom: none may fail (CellExecutionError).
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)

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

            for path, future in zip(attempts, expected, strict=True):
                text, html = attempt(path.read_text())
                summary, tags = verdict(future.result())
                assert verdict(text) == (summary, tags), (path.name, text)
                assert summary and summary[0] in html
                assert all(f"[{tag}]" in html for tag in tags)
            text, html = attempt(problem.solution_code)
            count = len(problem.cases())
            assert verdict(text) == ([f"{count} of {count} cases passed."], [])
            assert "Correct" in html
        os.environ.pop("JUPYTER_PATH", None)


@pytest.mark.slow
def test_a_notebook_installs_what_it_needs_in_a_fresh_venv(tmp_path):
    """Only ipykernel in the venv: the setup cells install the rest (the pinned
    packages from the index nox uses, the grader from the built site)."""
    slug = next(iter(LESSONS))
    venv = tmp_path / "venv"
    env = {**os.environ, "PATH": _path()}
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
