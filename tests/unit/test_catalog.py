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


def test_the_starter_holds_the_task_the_classes_and_the_signature():
    problem = catalog.discover()["dropout_forward"]
    text = cli.starter_text(problem, "attempts/dropout_forward.py")
    compile(text, "starter.py", "exec")
    assert "def dropout_forward(seed, x, rate, deterministic):" in text
    # The class the contract names, to write: the checks build it.
    assert "class MyDropout(nnx.Module):" in text
    for line in problem.contract["task"].splitlines():
        assert " ".join(line.split()) in " ".join(text.split())
    # The steps are a hint, not the contract.
    assert problem.contract["steps"][0].splitlines()[0] not in text
    assert "--hint dropout_forward 1" in text
    assert text.rstrip().endswith("raise NotImplementedError")


@pytest.mark.parametrize("name", list(catalog.discover()))
def test_a_problem_states_its_task_first_and_its_steps_are_the_first_hint(name):
    problem = catalog.discover()[name]
    section = problem.contract_markdown(definition_lists=False)
    assert section.startswith(f"Write `{name}(")
    assert problem.contract["task"].strip().splitlines()[0] in section
    assert "1. " not in section  # no numbered recipe
    title, steps = problem.hint(1)
    assert title == f"Hint 1 of {len(problem.hints)}: Steps"
    first = problem.contract["steps"][0].strip().splitlines()[0]
    assert steps.startswith(f"1. {first}")


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
