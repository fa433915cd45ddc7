"""lessongrader.practice without a kernel: hints in order, the solution, no JAX
imported until a check."""

import subprocess
import sys

from project import PROBLEMS

from lessongrader import practice


def test_importing_the_package_imports_no_jax():
    code = "import sys, lessongrader; print('jax' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "False", run.stderr


def test_hints_come_in_order_and_by_number():
    name, problem = next(iter(PROBLEMS.items()))
    exercise = practice(name)
    titles = [title for title, _ in problem.hints]
    assert titles[0] in repr(exercise.hint())
    assert titles[1] in repr(exercise.hint())
    assert titles[0] in exercise.hint(1)._repr_markdown_()
    assert titles[-1] in repr(exercise.hint(len(titles)))
    assert "choose 1 to" in repr(exercise.hint(len(titles) + 1))


def test_solution_is_the_pages():
    name, problem = next(iter(PROBLEMS.items()))
    shown = practice(name).solution()
    assert repr(shown) == problem.solution_code.rstrip()
    assert shown._repr_markdown_().startswith("```python\n")


def test_a_non_function_cannot_be_graded():
    name = next(iter(PROBLEMS))
    report = practice(name).check(3)
    assert report.status == 2 and "Could not grade" in repr(report)
