"""A problem is its folder: a copy, renamed, is a new problem, listed and graded."""

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
    assert "8 of 8 cases passed." in solved.stdout

    wrong = grader(tmp_path, "dropout_copy", copy / "attempts" / "p_equals_rate.py")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "[p-equals-rate]" in wrong.stdout
