"""Every tier of tests is collected by the README's test command."""

import subprocess
import sys
from pathlib import Path

from conftest import COLLECTED_TIERS

TESTS = Path(__file__).resolve().parent.parent


def test_pytest_tests_collects_every_tier(request):
    tiers = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and p.name[0] != "_")
    if [Path(arg).resolve() for arg in request.config.args] == [TESTS]:
        # This run is `pytest tests` (nox -s tests): what it collected (each
        # worker of pytest-xdist collects every test).
        found = request.config.stash[COLLECTED_TIERS]
    else:
        collected = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", str(TESTS)],
            capture_output=True,
            text=True,
            cwd=TESTS.parent,
        ).stdout
        found = {line.split("/")[1] for line in collected.splitlines() if "::" in line}
    assert found == set(tiers), f"collected {sorted(found)} of {tiers}"


def test_ruff_checks_every_tier():
    # Ruff's default exclusions once left out every folder named build.
    ruff = Path(sys.executable).with_name("ruff")
    shown = subprocess.run(
        [str(ruff), "check", "--show-files", "tests"],
        capture_output=True,
        text=True,
        cwd=TESTS.parent,
    ).stdout
    tiers = {p.name for p in TESTS.iterdir() if p.is_dir() and p.name[0] != "_"}
    checked = {Path(line).relative_to(TESTS).parts[0] for line in shown.split()}
    assert tiers <= checked, f"ruff checks {sorted(checked)} of {sorted(tiers)}"


GROUPED = """
import os, pytest
from pathlib import Path

def record(name):
    Path(name).write_text(os.environ["PYTEST_XDIST_WORKER"])

@pytest.mark.xdist_group("one")
@pytest.mark.parametrize("i", range(4))
def test_one(i):
    record(f"one-{i}")

@pytest.mark.xdist_group("two")
@pytest.mark.parametrize("i", range(4))
def test_two(i):
    record(f"two-{i}")

@pytest.mark.parametrize("i", range(8))
def test_free(i):
    record(f"free-{i}")
"""


def test_tests_marked_with_one_xdist_group_run_on_one_worker(tmp_path):
    # The command's tests that share a fixture or write one report share a
    # group (nox -s tests runs pytest -n auto --dist loadgroup). With pytest
    # 9.2, pytest-xdist 3.8 put them on every worker (pytest-xdist#1386).
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup"]
        + ["-p", "no:cacheprovider", "-q", "test_grouped.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    workers = {p.name: p.read_text() for p in tmp_path.glob("*-*")}
    assert len(workers) == 16, sorted(workers)
    for group in ("one", "two"):
        used = {w for name, w in workers.items() if name.startswith(group)}
        assert len(used) == 1, f"group {group} ran on {sorted(used)}"
    assert set(workers.values()) == {"gw0", "gw1"}, "the tests did not spread"
