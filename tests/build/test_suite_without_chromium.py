"""The README's test command on a machine without Chromium."""

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_a_machine_without_chromium_skips_the_browser_tier_and_says_why():
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CHROMIUM"] = "/nonexistent/chromium"
    # The whole suite is collected, as `nox -s tests` collects it; only the
    # test that checks the tiers runs.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-rs", "-q", str(TESTS),
         "-k", "test_pytest_tests_collects_every_tier"],
        capture_output=True, text=True, cwd=TESTS.parent, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert "browser tests skipped: no Chromium at /nonexistent/chromium" in run.stdout
    assert "1 passed" in run.stdout
