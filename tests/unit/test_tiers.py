"""Every tier of tests is collected by the README's test command."""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_pytest_tests_collects_every_tier():
    tiers = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and p.name[0] != "_")
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
