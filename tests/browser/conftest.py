"""The browser suite's fixtures, shared by its modules: a Chromium, the tabs
kept open in it, and the site served, for the tests of one module.

Chromium lives only while a module of this suite runs. Other tiers grade
attempts in the test process (tests/browser/test_browser_practice.py, the
notebook tier), and a grading ends every process left under that process
(lessongrader/isolation.py makes it their subreaper): Chromium's helpers,
adopted by it, can be among them: with one Chromium per worker, a run hung
with its Chromium gone.

test_browser.py skips the suite where there is no Chromium (or fails it in
CI); the fixtures import it, so they run only where it imported.
"""

import functools
import http.server
import threading

import pytest


@pytest.fixture(scope="module")
def site():
    from project import HTML
    from test_browser import QuietHandler

    assert (HTML / "index.html").exists(), "build the site first (nox -s docs)"
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def tabs(browser):
    from test_browser import Tabs

    kept = Tabs(browser)
    yield kept
    kept.close_all()


@pytest.fixture
def visit(tabs):
    visits = []

    def open_(url, **options):
        visits.append(tabs.open(url, **options))
        return visits[-1]

    yield open_
    for v in visits:
        tabs.close(v)
