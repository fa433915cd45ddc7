"""The built site in a real browser: folds, tabs, requests, page weight,
accessibility, small screens and dark mode.

Serves build/html on 127.0.0.1 and drives Debian's Chromium with Playwright.
Without a browser the suite is skipped, except in CI (CI=true), where a
missing browser is a failure. Screenshots go to build/screenshots/, axe-core's
moderate findings to build/axe-moderate.json, the weight of each lesson page
to build/page-weight.json.
"""

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import jupytext
import pytest
from project import BROWSER_SAMPLE, CONF, HTML, LESSONS
from sitebuild import ROOT

# Debian's Chromium; elsewhere (a hosted CI runner) CHROMIUM names another build.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HIDDEN_TAGS = {"remove-cell", "remove-input"}

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI needs {CHROMIUM}: apt-get install chromium")
    pytest.skip(
        f"browser tests skipped: no Chromium at {CHROMIUM}", allow_module_level=True
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

# The path the site is served under; the test server serves it there too.
PREFIX = CONF["notfound_urls_prefix"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        if path.startswith(PREFIX):
            path = "/" + path[len(PREFIX) :]
        return super().translate_path(path)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    assert (HTML / "index.html").exists(), "build the site first (nox -s docs)"
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


# Per module: one Chromium per test module, started and ended with it.
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# A page is ready once loaded with its fonts; "networkidle" waits 0.5 s more,
# for any late request, where a test checks every request the page makes.
READY = "document.fonts.ready.then(() => true)"


FORGET = """() => {
    const forget = () => { localStorage.clear(); sessionStorage.clear(); };
    forget();
    addEventListener('beforeunload', forget);
}"""


class Tab:
    """A browser tab in a context of its own, recording what its current visit
    loads: console errors, failed requests, and the hosts it asked."""

    def __init__(self, browser, options):
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.visit, self.origins = None, set()
        page = self.page
        page.on(
            "console", lambda m: m.type == "error" and self.visit.errors.append(m.text)
        )
        page.on("pageerror", lambda e: self.visit.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.visit.failed.append(r.url))
        page.on(
            "response", lambda r: r.status >= 400 and self.visit.failed.append(r.url)
        )
        page.on("request", lambda r: self.visit.hosts.add(urlparse(r.url).netloc))
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        url = urlparse(frame.url)
        if url.scheme in ("http", "https"):
            self.origins.add(f"{url.scheme}://{url.netloc}")

    def forget(self):
        """Leave the page and clear what the site stored, so that the next
        test meets the tab as a new reader's (the theme keeps there the tab
        picked, the colour mode, the words searched for and the sidebar's
        scroll). Whether the tab can be kept: not if it went to another site."""
        url = urlparse(self.page.url)
        if self.origins - {f"{url.scheme}://{url.netloc}"}:
            return False
        if self.origins:
            # Also after the theme's own handler, which saves the scroll on leaving.
            self.page.evaluate(FORGET)
        self.page.goto("about:blank")
        self.context.clear_cookies()
        self.origins = set()
        return True


class Visit:
    """A page opened in a tab, with what it loads (errors, failed, hosts)."""

    def __init__(self, tab, url, wait_until="load"):
        self.tab, self.context, self.page = tab, tab.context, tab.page
        self.errors, self.failed, self.hosts = [], [], set()
        tab.visit = self
        self.page.goto(url, wait_until=wait_until)
        self.page.evaluate(READY)


class Tabs:
    """Tabs kept open between the tests of a module, one per set of context
    options: a new context costs Chromium about a second of CPU to start a
    page in, a page in a kept one about half that. A test that checks every
    request a page makes (networkidle) gets a new context, with an empty cache."""

    def __init__(self, browser):
        self.browser, self.idle = browser, {}

    def open(self, url, wait_until="load", **options):
        key = json.dumps(options, sort_keys=True)
        kept = wait_until == "load"
        tab = self.idle.pop(key, None) if kept else None
        tab = tab or Tab(self.browser, options)
        tab.key = key if kept else None
        return Visit(tab, url, wait_until)

    def close(self, visit):
        tab = visit.tab
        if tab.key is None or tab.key in self.idle:
            tab.context.close()
            return
        try:
            kept = tab.forget()
        except Exception:  # a page that no longer answers: not kept
            kept = False
        if kept:
            self.idle[tab.key] = tab
        else:
            tab.context.close()

    def close_all(self):
        for tab in self.idle.values():
            tab.context.close()
        self.idle.clear()


@pytest.fixture(scope="module")
def tabs(browser):
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


def visible_cells(slug):
    """The source of every code cell a reader sees on the page."""
    notebook = jupytext.read(ROOT / "docs" / f"{slug}.md")
    return [
        cell.source.rstrip("\n")
        for cell in notebook.cells
        if cell.cell_type == "code"
        and not HIDDEN_TAGS & set(cell.metadata.get("tags", []))
    ]


def shell_blocks(slug):
    """The shell commands a page shows (```bash fences, and the grading
    commands of a {check-commands} directive)."""
    from problem_sections import grading_commands  # conf/_ext

    text = (ROOT / "docs" / f"{slug}.md").read_text()
    return [
        block.rstrip("\n") for block in re.findall(r"```bash\n(.*?)```", text, re.S)
    ] + [
        grading_commands(CONF["lessons_repository"], name)
        for name in re.findall(r"^```\{check-(?:commands|answer)\} (\S+)$", text, re.M)
    ]


def reveal(page, element):
    """Open the tab and the folds that hide an element, as a reader would."""
    page.evaluate(
        """(el) => {
            for (let n = el; n; n = n.parentElement) {
                if (n.tagName === 'DETAILS' && !n.open) {
                    n.querySelector('summary').click();
                }
                if (n.classList && n.classList.contains('sd-tab-content')) {
                    const input = n.previousElementSibling.previousElementSibling;
                    if (!input.checked) n.previousElementSibling.click();
                }
            }
        }""",
        element,
    )


def selected_tabs(page):
    """The tab shown in each tab set of the page (its sync id)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.sd-tab-set')].map(
            s => s.querySelector('input:checked + label').dataset.syncId)"""
    )


STORED = (
    "() => [JSON.stringify({...localStorage}), JSON.stringify({...sessionStorage})]"
)


def test_a_kept_tab_meets_the_next_test_as_a_new_reader(site, browser, tabs):
    """Tests share tabs (Tabs). What one test did in a tab, the next must not
    find there: the tab picked, the sidebar's scroll, the words searched."""
    url = f"{site}/nnx-dropout.html"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        new = selected_tabs(page), page.evaluate(STORED)
    finally:
        context.close()
    first = tabs.open(url)
    other = {"linen": "nnx", "nnx": "linen"}[new[0][0]]
    first.page.locator(f".sd-tab-set label[data-sync-id={other}]").first.click()
    first.page.evaluate("localStorage.setItem('sphinx_highlight_terms', 'dropout')")
    assert selected_tabs(first.page) != new[0]
    tabs.close(first)
    again = tabs.open(url)
    try:
        assert again.tab is first.tab, "the tab was not kept"
        assert (selected_tabs(again.page), again.page.evaluate(STORED)) == new
    finally:
        tabs.close(again)


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_hints_and_solution_are_folded_until_clicked(site, visit, slug):
    page = visit(f"{site}/{slug}.html").page
    folds = page.locator("details.sd-dropdown, details.hide")
    assert folds.count() >= 3  # at least one hint, the solution, its run
    for i in range(folds.count()):
        fold = folds.nth(i)
        assert fold.get_attribute("open") is None, fold.inner_text()[:80]
        fold.locator("summary").first.click()
        assert fold.get_attribute("open") is not None


def continued_tab(slug):
    """The tab a page's later cells continue from: its last Linen or NNX cell's."""
    notebook = jupytext.read(ROOT / "docs" / f"{slug}.md")
    tagged = [
        tag
        for cell in notebook.cells
        for tag in cell.metadata.get("tags", [])
        if tag in ("linen", "nnx")
    ]
    return tagged[-1]


@pytest.mark.parametrize("slug", LESSONS)
def test_linen_and_nnx_tabs_switch_together(site, visit, slug):
    page = visit(f"{site}/{slug}.html").page
    default = continued_tab(slug)
    other = {"linen": "nnx", "nnx": "linen"}[default]
    assert set(selected_tabs(page)) == {default}
    page.locator(f".sd-tab-set label[data-sync-id={other}]").first.click()
    assert set(selected_tabs(page)) == {other}
    page.locator(f".sd-tab-set label[data-sync-id={default}]").last.click()
    assert set(selected_tabs(page)) == {default}


DESKTOP = {"viewport": {"width": 1400, "height": 900}}
# A word of every lesson's text (the lessons are about the flag).
TERM = "deterministic"


class FirstVisit(Visit):
    """A page opened as a new reader opens it: in a new context (an empty
    cache), desktop size, light, until the network is idle; with the size of
    every response it loaded: {path: bytes}."""

    def __init__(self, browser, url):
        self.responses = []
        tab = Tab(browser, {**DESKTOP, "color_scheme": "light"})
        tab.page.on("response", lambda response: self.responses.append(response))
        super().__init__(tab, url, wait_until="networkidle")
        self.sizes = {urlparse(r.url).path: len(r.body()) for r in self.responses}


@pytest.fixture(scope="module")
def first_visit(site, browser):
    """Each page's first visit, made once for the tests that read it."""
    made = {}

    def of(path):
        if path not in made:
            made[path] = FirstVisit(browser, f"{site}/{path}")
        return made[path]

    yield of
    for visit in made.values():
        visit.context.close()


MODERATE = {}
# axe-core's rules whose outcome depends on the colours.
COLOURS = ["color-contrast", "link-in-text-block"]
VIOLATIONS = {"resultTypes": ["violations"]}
FAST = {**VIOLATIONS, "selectors": False, "ancestry": False, "xpath": False}


def axe_findings(page, rules=None):
    """axe-core's violations on the page, of the rules named or all. Found
    without a CSS selector for every element axe looks at (a third of its
    time); found again with them, to name the elements, if any is found."""
    only = {"runOnly": rules} if rules else {}
    violations = Axe().run(page, options={**FAST, **only})
    if violations.response["violations"]:
        violations = Axe().run(page, options={**VIOLATIONS, **only})
    return violations.response["violations"]


# One worker runs them all (pytest -n): they share the first visits, and
# together they write axe-moderate.json and page-weight.json.
@pytest.mark.xdist_group("first-visits")
@pytest.mark.parametrize("slug", ["index", *LESSONS])
def test_page_is_clean_accessible_and_local(first_visit, site, slug):
    v = first_visit(f"{slug}.html")
    page = v.page
    # What the page itself did; checked before axe, whose own stylesheet
    # fetches are not the page's.
    assert (v.errors, v.failed) == ([], []), (v.errors, v.failed)
    assert v.hosts == {urlparse(site).netloc}, v.hosts
    # Open every fold, so the screenshot shows and axe checks what they hide.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    # Light, as loaded; then dark, as a reader's system switches to it (the
    # theme follows the system's scheme; other tests load pages dark).
    for scheme in ("light", "dark"):
        errors, failed = len(v.errors), len(v.failed)
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'")
        # JPEG: a lesson drawn whole is some 15,000 pixels tall, and PNG takes
        # twice the time to encode it. Drawn dark: the index and the sample.
        if scheme == "light" or slug in ["index", *BROWSER_SAMPLE]:
            shot = shots / f"{slug}-{scheme}.jpg"
            page.screenshot(path=shot, full_page=True, quality=85)
        # What the switch made the page do (axe's own fetches aside).
        assert (v.errors[errors:], v.failed[failed:]) == ([], [])
        # In dark only colours change: the same elements, shown alike.
        violations = axe_findings(page, None if scheme == "light" else COLOURS)
        serious = [x for x in violations if x["impact"] in ("serious", "critical")]
        assert not serious, json.dumps(
            [(x["id"], [n["target"] for n in x["nodes"]]) for x in serious],
            indent=1,
        )
        MODERATE[f"{slug} ({scheme})"] = [
            (x["id"], x["impact"], len(x["nodes"])) for x in violations
        ]
        (ROOT / "build" / "axe-moderate.json").write_text(
            json.dumps(MODERATE, indent=1)
        )


LIMIT = 1_000_000  # bytes a lesson page may load, uncompressed
SEARCH_ONLY = ("searchtools.js", "searchindex.js", "language_data.js")


@pytest.mark.xdist_group("first-visits")
def test_lesson_pages_are_light(first_visit, capsys):
    weights = {}
    for slug in LESSONS:
        sizes = first_visit(f"{slug}.html").sizes
        weights[slug] = {"bytes": sum(sizes.values()), "requests": len(sizes)}
        assert not [p for p in sizes if p.endswith(SEARCH_ONLY)], sorted(sizes)
        assert not [p for p in sizes if "fontawesome" in p and p.endswith(".js")]
        assert weights[slug]["bytes"] <= LIMIT, sorted(
            sizes.items(), key=lambda x: x[1]
        )
    search_page = first_visit(f"search.html?q={TERM}").sizes
    assert all(any(p.endswith(name) for p in search_page) for name in SEARCH_ONLY)
    (ROOT / "build" / "page-weight.json").write_text(json.dumps(weights, indent=1))
    with capsys.disabled():
        for slug, weight in weights.items():
            print(
                f"\n{slug}: {weight['bytes']:,} bytes in {weight['requests']} requests"
            )


@pytest.mark.parametrize("slug", ["index", *LESSONS])
def test_small_screen_has_no_horizontal_scroll(site, visit, slug):
    page = visit(f"{site}/{slug}.html", viewport={"width": 375, "height": 800}).page
    width = page.evaluate("document.documentElement.scrollWidth")
    body = page.evaluate("document.body.scrollWidth")
    assert max(width, body) <= 375, (width, body)


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_search_finds_the_lesson_by_a_title_word(site, visit, slug):
    title = (ROOT / "docs" / f"{slug}.md").read_text().split("\n# ", 1)[1]
    word = max(re.findall(r"[A-Za-z]+", title.splitlines()[0]), key=len)
    page = visit(f"{site}/search.html?q={word}").page
    page.wait_for_selector("#search-results li", timeout=15_000)
    links = page.locator("#search-results li a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert any(link.split("#")[0].endswith(f"{slug}.html") for link in links), (
        word,
        links,
    )


def test_404_page_renders_with_its_assets(site, visit):
    v = visit(f"{site}/404.html")
    assert "not found" in v.page.inner_text("article").lower()
    assert v.errors == [] and v.failed == []
