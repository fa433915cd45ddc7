"""Every tier of tests is collected by the README's test command."""

from pathlib import Path

import pytest
from project import COLLECTED_TIERS

TESTS = Path(__file__).resolve().parent.parent


def test_pytest_tests_collects_every_tier(request):
    tiers = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and p.name[0] != "_")
    if [Path(arg).resolve() for arg in request.config.args] != [TESTS]:
        pytest.skip("only a run of the whole suite shows what it collects")
    # What this run collected (each worker of pytest-xdist collects every test).
    found = request.config.stash[COLLECTED_TIERS]
    assert found == set(tiers), f"collected {sorted(found)} of {tiers}"
