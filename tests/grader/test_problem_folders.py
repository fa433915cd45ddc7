"""A problem is its folder: a copy, renamed, is a new problem, listed and
graded; a check in its Spec is graded by the command as a case of its own."""

import os
import re
import shutil
import subprocess
import sys

from lessongrader import catalog

SOURCE = catalog.SOURCE / "dropout_forward"


def copy_problem(root, old="dropout_forward", new="dropout_copy"):
    """Copy a problem folder under a new name, with the names inside renamed."""
    target = root / new
    shutil.copytree(SOURCE, target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        data = path.read_bytes()  # an attempt may not be UTF-8
        path.write_bytes(data.replace(old.encode(), new.encode()))
    return target


# Appended to the copy's mistakes.py: a check of the class the contract names.
TWO_CALLS = """

import dataclasses as _dataclasses

import jax.numpy as _jnp
from flax import nnx as _nnx

from lessongrader.mistakes import Check as _Check


def _two_calls(names):
    layer = names["MyDropout"](0.5, _nnx.Rngs(0))
    x = _jnp.arange(1.0, 7.0)
    return _jnp.stack([layer(x, deterministic=False) for _ in range(2)])


SPEC = _dataclasses.replace(
    SPEC,
    # Without the known mistake that explains this very check: its own
    # diagnosis is named then.
    pitfalls=tuple(p for p in SPEC.pitfalls if p.name != "key-in-init"),
    checks=(
        _Check(
            "MyDropout called twice in training",
            _two_calls,
            "same-mask-twice",
            "Two calls in training drop the same units",
            "Draw a new key at each call.",
        ),
    ),
)
"""
# One call of the layer is right; the second repeats the first's mask.
KEY_IN_INIT = """
import jax
import jax.numpy as jnp
from flax import nnx


class MyDropout(nnx.Module):
    def __init__(self, rate, rngs):
        self.rate, self.key = rate, rngs.dropout()

    def __call__(self, x, deterministic):
        if deterministic or self.rate <= 0.0:
            return x
        mask = jax.random.bernoulli(self.key, p=1 - self.rate, shape=x.shape)
        return jnp.where(mask, x / (1 - self.rate), 0.0)


def dropout_copy(seed, x, rate, deterministic):
    layer = MyDropout(rate, nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))
"""


def grader(root, *args):
    env = {**os.environ, "LESSONGRADER_PROBLEMS": str(root), "JAX_PLATFORMS": "cpu"}
    return subprocess.run(
        [sys.executable, "-m", "lessongrader", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_a_copied_problem_folder_is_listed_and_graded(tmp_path):
    for problem in catalog.discover().values():
        (tmp_path / problem.name).symlink_to(problem.folder)
    copy = copy_problem(tmp_path)

    listed = grader(tmp_path, "--list")
    assert listed.returncode == 0, listed.stderr
    names = re.findall(r"^  (\w+) +lesson", listed.stdout, re.MULTILINE)
    assert names == sorted([*catalog.discover(), "dropout_copy"])

    solved = grader(tmp_path, "dropout_copy", copy / "solution.py")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "10 of 10 cases passed." in solved.stdout

    wrong = grader(tmp_path, "dropout_copy", copy / "attempts" / "p_equals_rate.py")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "[p-equals-rate]" in wrong.stdout


def test_a_check_in_the_spec_is_a_case_of_its_own(tmp_path):
    copy = copy_problem(tmp_path)
    with (copy / "mistakes.py").open("a") as f:
        f.write(TWO_CALLS)
    solved = grader(tmp_path, "dropout_copy", copy / "solution.py")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "9 of 9 cases passed." in solved.stdout
    attempt = tmp_path / "key_in_init.py"
    attempt.write_text(KEY_IN_INIT)
    wrong = grader(tmp_path, "dropout_copy", attempt)
    report = " ".join(wrong.stdout.split())
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "FAIL case 9 MyDropout called twice in training" in report
    assert "[same-mask-twice] Two calls in training drop the same units" in report
    assert "8 of 9 cases passed." in report
