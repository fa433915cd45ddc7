"""Fixtures shared by the tiers; their helpers are in tests/project.py."""

from pathlib import Path

import pytest
from project import COLLECTED_TIERS, ScratchSite


@pytest.fixture
def scratch_site(tmp_path):
    """A scratch copy of the site to build pages of a test's own."""
    return ScratchSite(tmp_path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Before any test is deselected (-k, -m, --deselect)."""
    tests = Path(__file__).resolve().parent
    config.stash[COLLECTED_TIERS] = {
        item.path.relative_to(tests).parts[0]
        for item in items
        if item.path.is_relative_to(tests)
    }
