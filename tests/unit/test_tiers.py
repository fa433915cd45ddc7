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
