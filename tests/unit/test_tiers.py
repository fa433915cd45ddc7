"""Every tier of tests is collected by the README's test command."""

import subprocess
import sys
from pathlib import Path

from project import COLLECTED_TIERS

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
