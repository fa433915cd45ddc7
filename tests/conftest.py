"""Fixtures shared by the tiers; their helpers are in tests/project.py."""

from pathlib import Path

import pytest
from project import COLLECTED_TIERS, ScratchSite


@pytest.fixture
def scratch_site(tmp_path):
    """A scratch copy of the site to build pages of a test's own."""
    return ScratchSite(tmp_path)


TESTS = Path(__file__).resolve().parent


def pytest_collectreport(report):
    """A module skipped as a whole (the browser tier without Chromium) was
    collected all the same: its tier counts."""
    # Node ids are relative to the root folder, the one of pyproject.toml.
    path = TESTS.parent / report.nodeid.split("::")[0]
    if report.skipped and path.is_relative_to(TESTS) and path != TESTS:
        SKIPPED_TIERS.add(path.relative_to(TESTS).parts[0])


SKIPPED_TIERS = set()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Before any test is deselected (-k, -m, --deselect)."""
    config.stash[COLLECTED_TIERS] = SKIPPED_TIERS | {
        item.path.relative_to(TESTS).parts[0]
        for item in items
        if item.path.is_relative_to(TESTS)
    }
