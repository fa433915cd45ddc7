"""Finding the problems: one folder each, read without importing JAX."""

import subprocess
import sys

import pytest

from lessongrader import catalog, cli


def test_every_problem_folder_is_found_and_nothing_else():
    problems = catalog.discover()
    folders = sorted(
        p.name for p in catalog.SOURCE.iterdir() if p.is_dir() and p.name[0].isalpha()
    )
    assert list(problems) == folders
    for problem in problems.values():
        assert problem.lesson and problem.contract["steps"] and problem.hints
        assert problem.solution_code.startswith(("import", "from"))


def test_listing_starters_and_hints_import_no_jax(tmp_path):
    code = (
        "import sys; from lessongrader import cli;"
        f"cli.main(['--list']); cli.main(['--starter', 'dropout_forward', "
        f"'--output', {str(tmp_path / 's.py')!r}]);"
        "cli.main(['--hint', 'dropout_forward', '2']);"
        "assert 'jax' not in sys.modules and 'flax' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_the_starter_holds_the_contract_and_the_signature():
    problem = catalog.discover()["dropout_forward"]
    text = cli.starter_text(problem, "attempts/dropout_forward.py")
    compile(text, "starter.py", "exec")
    assert "def dropout_forward(seed, x, rate, deterministic):" in text
    for step in problem.contract["steps"]:
        assert step.splitlines()[0] in text
    assert text.rstrip().endswith("raise NotImplementedError")


def test_a_folder_without_a_solution_function_is_not_a_problem(tmp_path):
    (tmp_path / "solution.py").write_text("def other(x):\n    return x\n")
    (tmp_path / "problem.py").write_text("CONTRACT = {}\n")
    assert catalog.read(tmp_path) is None


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_stops_early_is_not_a_fault_of_the_grader(tmp_path, unbuffered):
    # python -m lessongrader --list | true: the reader is gone before the write.
    command = f"{sys.executable} -m lessongrader --list | true"
    env = {"LESSONGRADER_LOGS": str(tmp_path), "PATH": "/usr/bin:/bin"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env
    )
    assert result.stderr == ""
    assert not list(tmp_path.iterdir())
