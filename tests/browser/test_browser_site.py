"""The site around the lessons, in a real browser: navigation on a phone and
on a desktop, focus, long outputs, search, repository links, downloads, the
404 page and the build date.

Uses the browser and helpers of test_browser.py (Debian's Chromium, skipped
without it). The site is served as its hosts serve it: under the production
path, or from the root like `python -m http.server` and `nox -s serve`, each
answering a missing page with 404.html. SITE_HTML names another build to test
(a copy of an older one, say). Screenshots go to build/screenshots/.
"""

import datetime
import functools
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import test_browser
from axe_playwright_python.sync_playwright import Axe
from project import BROWSER_SAMPLE, CONF, LESSONS
from test_browser import DESKTOP, HTML, PREFIX, ROOT, TERM

# The browser suite's fixtures: one Chromium, and pages opened in it.
browser = test_browser.browser
tabs = test_browser.tabs
visit = test_browser.visit

SITE_HTML = Path(os.environ.get("SITE_HTML", HTML))
SHOTS = ROOT / "build" / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
REPOSITORY = f"https://github.com/{CONF['lessons_repository']}"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under `prefix`, and 404.html (status 404) for any path
    that names no file, as GitHub Pages and `nox -s serve` do."""

    prefix = "/"

    def translate_path(self, path):
        path = urlparse(path).path
        if not path.startswith(self.prefix):
            return str(SITE_HTML / "no such file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code, message=None, explain=None):
        page = SITE_HTML / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(prefix):
    assert (SITE_HTML / "index.html").exists(), "build the site first (nox -s docs)"
    handler = type("Handler", (SiteHandler,), {"prefix": prefix})
    handler = functools.partial(handler, directory=str(SITE_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def servers():
    """The site under the production path, and from the root."""
    production, production_url = serve(PREFIX)
    local, local_url = serve("/")
    yield {"production": production_url + PREFIX.rstrip("/"), "local": local_url}
    for server in (production, local):
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(servers):
    return servers["production"]


def shot(page, name, **options):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", **options)


def axe_violations(page, within=None):
    """axe-core's findings on the page, or on what the selector within matches
    (what a test opened or changed: the rest of the page is axe's in
    test_browser.py, as it loads)."""
    violations = Axe().run(page, context=within).response["violations"]
    return [
        (x["id"], x["impact"], [n["target"] for n in x["nodes"]]) for x in violations
    ]


# -- Navigation ---------------------------------------------------------------


def dialog_is_open(page, dialog_id):
    return page.evaluate(f"document.getElementById('{dialog_id}')?.open === true")


# Every page in light; in dark, where only colours change, those checked by axe.
DRAWER_PAGES = [(slug, "light") for slug in ["index", *BROWSER_SAMPLE]] + [
    ("index", "dark"),
    ("nnx-dropout", "dark"),
]


@pytest.mark.parametrize(("slug", "scheme"), DRAWER_PAGES)
def test_phone_menu_and_contents_buttons_open_their_drawers(site, visit, slug, scheme):
    page = visit(f"{site}/{slug}.html", color_scheme=scheme, **PHONE).page
    menu = page.locator(".primary-toggle:visible")
    assert menu.count() == 1, "one visible menu button"
    menu.tap()
    page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")
    drawer = page.locator("#pst-primary-sidebar-modal")
    lessons = drawer.locator(".bd-docs-nav a:visible")
    hrefs = lessons.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == len(LESSONS), hrefs
    assert drawer.get_by_role("link", name=CONF["project"]).is_visible()
    box = drawer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    shot(page, f"phone-menu-{slug}-{scheme}")
    if slug == "nnx-dropout":
        assert axe_violations(page, "#pst-primary-sidebar-modal") == []
    page.keyboard.press("Escape")
    assert not dialog_is_open(page, "pst-primary-sidebar-modal")
    if slug == "index":
        return
    contents = page.locator(".secondary-toggle:visible")
    assert contents.count() == 1, "one visible contents button"
    contents.tap()
    page.wait_for_function(
        "document.getElementById('pst-secondary-sidebar-modal').open"
    )
    toc = page.locator("#pst-secondary-sidebar-modal nav a:visible")
    assert toc.count() >= 8, toc.all_inner_texts()
    # The menu button took the focus back, and its tooltip fades out.
    page.wait_for_timeout(500)
    shot(page, f"phone-contents-{slug}-{scheme}")
    if slug == "nnx-dropout":
        assert axe_violations(page, "#pst-secondary-sidebar-modal") == []
    # A section picked in the contents is shown, and the drawer closes.
    toc.filter(has_text="Problem").first.tap()
    page.wait_for_function(
        "!document.getElementById('pst-secondary-sidebar-modal').open"
    )
    heading = page.locator("#problem h2")
    page.wait_for_function(
        "(h) => Math.abs(h.getBoundingClientRect().top) < 200",
        arg=heading.element_handle(),
    )


SIDEBAR_SHOWN = """(() => {
    const sidebar = document.getElementById('pst-primary-sidebar');
    const box = sidebar.getBoundingClientRect();
    return getComputedStyle(sidebar).visibility !== 'hidden'
        && box.left >= 0 && box.width > 200;
})()"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_desktop_menu_button_hides_and_shows_the_sidebar(site, visit, scheme):
    page = visit(f"{site}/nnx-dropout.html", color_scheme=scheme, **DESKTOP).page
    article = page.locator("article.bd-article")
    before = article.bounding_box()
    assert page.evaluate(SIDEBAR_SHOWN)
    shot(page, f"desktop-{scheme}")
    page.locator(".primary-toggle:visible").click()
    page.wait_for_function(f"!({SIDEBAR_SHOWN})")
    page.wait_for_timeout(400)  # the article takes the room back
    after = article.bounding_box()
    assert after["x"] < before["x"] - 100 or after["width"] > before["width"] + 100
    # Without the sidebar, the site title still links home.
    title = page.get_by_role("link", name=CONF["project"]).locator("visible=true")
    assert title.count() == 1
    shot(page, f"desktop-collapsed-{scheme}")
    page.locator(".primary-toggle:visible").click()
    page.wait_for_function(SIDEBAR_SHOWN)


SEARCH_CONTROLS = "input[type=search], .search-button-field, .search-button"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", ["nnx-dropout.html", f"search.html?q={TERM}"])
def test_no_empty_header_and_one_search_box(site, visit, path, viewport):
    page = visit(f"{site}/{path}", **VIEWPORTS[viewport]).page
    # Nothing is drawn across the top but the page's own header.
    assert page.locator("#pst-header:visible").count() == 0
    top = page.evaluate(
        "document.elementFromPoint(innerWidth / 2, 4).closest('.bd-header-article')"
        " !== null"
    )
    assert top, "the article header is at the top of the page"
    boxes = page.locator(SEARCH_CONTROLS).locator("visible=true")
    described = boxes.evaluate_all("els => els.map(e => e.outerHTML.slice(0, 90))")
    assert len(described) == 1, described


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("slug", ["index", "nnx-dropout", "search"])
def test_site_title_links_home(site, visit, slug, viewport):
    page = visit(f"{site}/{slug}.html", **VIEWPORTS[viewport]).page
    title = page.get_by_role("link", name=CONF["project"]).locator("visible=true")
    assert title.count() == 1
    href = title.evaluate("a => a.href").partition("#")[0]
    assert href in (f"{site}/index.html", f"{site}/"), href


# The focused element and the box its focus ring should surround: its own, or
# for a link drawn over a whole card (Sphinx Design's stretched link), the
# card's. Null at the end of the tab order (back at the body, or at an element
# already visited).
FOCUSED = """() => {
    const el = document.activeElement;
    window.visited = window.visited || new WeakSet();
    if (!el || el === document.body || window.visited.has(el)) return null;
    window.visited.add(el);
    // A radio button or checkbox drawn as its label (Sphinx Design's tabs).
    const shown = el.labels && el.labels.length ? el.labels[0] : el;
    let box = shown.getBoundingClientRect();
    if (box.width * box.height < 4 && el.offsetParent) {
        box = el.offsetParent.getBoundingClientRect();
    }
    const x = Math.min(Math.max(box.x + box.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(box.y + box.height / 2, 0), innerHeight - 1);
    // What of the page can show: the screen, cut by any ancestor that clips.
    const view = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
    for (let n = shown.parentElement; n; n = n.parentElement) {
        if (getComputedStyle(n).overflow === 'visible') continue;
        const r = n.getBoundingClientRect();
        view.left = Math.max(view.left, r.left + n.clientLeft);
        view.top = Math.max(view.top, r.top + n.clientTop);
        view.right = Math.min(view.right, r.left + n.clientLeft + n.clientWidth);
        view.bottom = Math.min(view.bottom, r.top + n.clientTop + n.clientHeight);
    }
    // What is drawn over its middle, if anything (a copy button shown only
    // on hover is there, but not drawn).
    let top = document.elementFromPoint(x, y);
    for (let n = top; n && top; n = n.parentElement) {
        if (getComputedStyle(n).opacity === '0') top = null;
    }
    if (top && shown.contains(top)) top = null;
    const kind = el.tagName + '.' + [...el.classList].join('.');
    // The colour the ring is drawn over: the nearest background that shows.
    let backdrop = null;
    for (let n = shown; n && !backdrop; n = n.parentElement) {
        const colour = getComputedStyle(n).backgroundColor;
        if (colour !== 'transparent' && !colour.endsWith(', 0)')) backdrop = colour;
    }
    return {
        x: box.x, y: box.y, width: box.width, height: box.height, view, backdrop,
        covered: top && !el.contains(top) && !top.contains(el)
            ? top.tagName + '.' + [...top.classList].join('.') : null,
        kind,
        name: kind + ' '
            + (el.getAttribute('aria-label') || el.title || el.textContent)
                .trim().slice(0, 40),
    };
}"""


def ring_sides(focused, blurred, box, clip):
    """The sides of the box that a change reaches when it is focused (a ring
    reaches all four; one cut off by its container does not)."""
    from PIL import Image, ImageChops

    difference = ImageChops.difference(
        Image.open(focused).convert("RGB"), Image.open(blurred).convert("RGB")
    ).convert("L")
    changed = difference.point(lambda v: 255 if v > 24 else 0).getbbox()
    if changed is None:
        return set()
    left, top = changed[0] + clip["x"], changed[1] + clip["y"]
    right, bottom = changed[2] + clip["x"], changed[3] + clip["y"]
    reached = {
        "left": left <= box["x"] + 2,
        "top": top <= box["y"] + 2,
        "right": right >= box["x"] + box["width"] - 2,
        "bottom": bottom >= box["y"] + box["height"] - 2,
    }
    return {side for side, yes in reached.items() if yes}


def look(box):
    """What decides how a control's focus ring is drawn: its kind, the colour
    under it, and on each side whether its container cuts the ring off (the
    box reaches out of the view, ends within a ring's width of its edge, or
    not). Controls that look alike show alike: one of each is photographed."""
    view = box["view"]
    gaps = (
        box["x"] - view["left"],
        box["y"] - view["top"],
        view["right"] - box["x"] - box["width"],
        view["bottom"] - box["y"] - box["height"],
    )
    edges = tuple("out" if gap < 0 else "near" if gap < 8 else "clear" for gap in gaps)
    return box["kind"], box["backdrop"], edges


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("slug", ["index", "nnx-dropout"])
def test_every_control_shows_its_focus(site, visit, slug, viewport, tmp_path):
    options = VIEWPORTS[viewport]
    page = visit(f"{site}/{slug}.html", **options).page
    # Each state as it ends, not halfway through a transition.
    page.add_style_tag(content="*, ::before, ::after { transition: none !important }")
    width, height = options["viewport"]["width"], options["viewport"]["height"]
    stops, unclear, looks = 0, [], set()
    while stops < 400:
        page.keyboard.press("Tab")
        box = page.evaluate(FOCUSED)
        if box is None:
            break
        stops += 1
        if box["width"] == 0:
            continue
        clip = {
            "x": max(box["x"] - 10, 0),
            "y": max(box["y"] - 10, 0),
        }
        clip["width"] = min(box["x"] + box["width"] + 10, width) - clip["x"]
        clip["height"] = min(box["y"] + box["height"] + 10, height) - clip["y"]
        if clip["width"] < 2 or clip["height"] < 2:
            unclear.append(f"{box['name']}: off screen when focused")
            continue
        if box["covered"]:
            unclear.append(f"{box['name']}: under {box['covered']} when focused")
            continue
        if (kind := look(box)) in looks:
            continue
        looks.add(kind)
        focused, blurred = tmp_path / "f.png", tmp_path / "b.png"
        page.screenshot(path=focused, clip=clip, animations="disabled")
        handle = page.evaluate_handle("document.activeElement")
        page.evaluate("el => el.blur()", handle)
        page.screenshot(path=blurred, clip=clip, animations="disabled")
        page.evaluate("el => el.focus()", handle)
        sides = ring_sides(focused, blurred, box, clip)
        # The sides that can show: of a box wider than a code block it is
        # in, or taller than the screen, not all.
        view = box["view"]
        shown = {
            "left": box["x"] >= view["left"],
            "top": box["y"] >= view["top"],
            "right": box["x"] + box["width"] <= view["right"],
            "bottom": box["y"] + box["height"] <= view["bottom"],
        }
        if not {side for side, yes in shown.items() if yes} <= sides:
            unclear.append(f"{box['name']}: focus shows on {sorted(sides)} only")
    assert stops > 5 and len(looks) > 5, (stops, looks)
    assert not unclear, unclear


# -- Reading ------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("slug", LESSONS)
def test_long_output_lines_wrap_and_long_code_scrolls(site, visit, slug, viewport):
    page = visit(f"{site}/{slug}.html", **VIEWPORTS[viewport]).page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    blocks = page.locator("article pre").evaluate_all(
        """els => els.filter(p => p.getClientRects().length).map(p => ({
            output: p.closest('.cell_output, .output') !== null,
            overflow: p.scrollWidth - p.clientWidth,
            scrolls: ['auto', 'scroll'].includes(getComputedStyle(p).overflowX),
            hint: getComputedStyle(p).backgroundImage.includes('gradient'),
            text: p.textContent.slice(0, 60),
        }))"""
    )
    assert blocks
    cut = [b["text"] for b in blocks if b["output"] and b["overflow"] > 1]
    assert not cut, f"outputs cut at the right edge: {cut}"
    for block in blocks:
        if block["overflow"] > 1:
            assert block["scrolls"] and block["hint"], block


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_phone_solution_code_uses_the_screen_width(site, visit, slug):
    page = visit(f"{site}/{slug}.html", **PHONE).page
    solution = page.locator("details.sd-dropdown", has_text="Show the solution")
    solution.locator("summary").tap()
    code = solution.locator("pre").first
    text_width = code.evaluate(
        """p => { const s = getComputedStyle(p);
            return p.clientWidth - parseFloat(s.paddingLeft)
                - parseFloat(s.paddingRight); }"""
    )
    assert text_width >= 330, f"{text_width}px of 390 for the solution's code"


# -- Search -------------------------------------------------------------------


# The contrast ratio (WCAG) of an element's text on what is drawn behind it:
# its own background and its ancestors', composited.
CONTRAST = """(el) => {
    const rgba = (css) => {
        const m = css.match(/^rgba?\\(([^)]*)\\)$/);
        if (!m) throw new Error('unexpected colour ' + css);
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, below) => [0, 1, 2].map(
        i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
    }
    let back = [255, 255, 255, 1];
    for (const layer of layers.reverse()) back = over(layer, back);
    const text = over(rgba(getComputedStyle(el).color), back);
    const lum = (c) => {
        const [r, g, b] = c.slice(0, 3).map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [lum(text), lum(back)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
}"""


def search(visit, site, scheme, term=TERM, **options):
    page = visit(f"{site}/search.html?q={term}", color_scheme=scheme, **options).page
    page.wait_for_function(
        """() => {
            const items = document.querySelectorAll('#search-results li');
            const status = document.querySelector('#search-results .search-summary');
            return items.length && status && status.textContent.includes('finished')
                && [...document.querySelectorAll('#search-results li.kind-text')]
                    .every(li => li.querySelector('p.context'));
        }""",
        timeout=15_000,
    )
    return page


def normal(text):
    return re.sub(r"\s+", " ", text).strip()


# A word of the lessons' text, and one of their titles too.
@pytest.mark.parametrize("term", [TERM, "dropout"])
def test_search_results_lead_to_sections_with_lesson_text(site, visit, term):
    page = search(visit, site, "light", term, **DESKTOP)
    results = page.locator("#search-results li.kind-text").evaluate_all(
        """els => els.map(li => ({
            href: li.querySelector('a').href,
            excerpt: li.querySelector('p.context').textContent,
        }))"""
    )
    lessons = [r for r in results if any(f"/{s}.html" in r["href"] for s in LESSONS)]
    # One result for each lesson whose text has the word.
    having = {s for s in LESSONS if term in (ROOT / "docs" / f"{s}.md").read_text()}
    assert len(having) >= 4
    found = {s for s in LESSONS for r in lessons if f"/{s}.html" in r["href"]}
    assert len(lessons) == len(having) and found == having, results
    for result in lessons:
        url, _, anchor = result["href"].partition("#")
        assert anchor, f"{url}: the result leads to the top of the page"
        section = page.evaluate(
            """async ([url, id]) => {
                const html = await (await fetch(url)).text();
                const doc = new DOMParser().parseFromString(html, 'text/html');
                const target = doc.getElementById(decodeURIComponent(id));
                if (!target) return null;
                const section = target.closest('section') || target;
                section.querySelectorAll('.headerlink').forEach(e => e.remove());
                return section.textContent;
            }""",
            [url, anchor],
        )
        assert section is not None, f"{url}#{anchor}: no such section"
        assert term in section.lower()
        excerpt = normal(result["excerpt"]).strip(".").strip()
        assert term in excerpt.lower(), excerpt
        assert excerpt in normal(section), f"{url}#{anchor}: {excerpt!r}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_are_legible_and_accessible(site, visit, scheme):
    # A title word: highlighted in the results' links as well as their text.
    page = search(visit, site, scheme, "dropout", **DESKTOP)
    highlighted = page.locator("#search-results span.highlighted").all()
    assert highlighted
    for word in highlighted:
        ratio = word.evaluate(CONTRAST)
        assert ratio >= 4.5, (round(ratio, 2), word.evaluate("e => e.outerHTML"))
    shot(page, f"search-{scheme}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_term_is_highlighted_where_a_result_leads(site, visit, scheme):
    page = search(visit, site, scheme, **DESKTOP)
    link = page.locator("#search-results li.kind-text a").first
    target = link.evaluate("a => a.href")
    link.click()
    page.wait_for_load_state("networkidle")
    highlighted = page.locator("article span.highlighted")
    highlighted.first.wait_for(timeout=5_000)
    assert TERM in highlighted.first.inner_text().lower()
    anchor = unquote(urlparse(target).fragment)
    assert anchor and page.locator(f"[id='{anchor}'] span.highlighted").count()
    for word in highlighted.all()[:20]:
        ratio = word.evaluate(CONTRAST)
        assert ratio >= 4.5, (round(ratio, 2), word.evaluate("e => e.outerHTML"))
    shot(page, f"highlight-{scheme}")
    assert axe_violations(page, "article span.highlighted") == []


# The characters each icon on a page is drawn with: the text its ::before or
# ::after shows in an icon font (content: "\f09b" / "" is the icon, no alt).
ICONS_DRAWN = """() => [...document.querySelectorAll('*')].flatMap(el =>
    ['::before', '::after'].map(part => getComputedStyle(el, part))
        .filter(s => s.fontFamily.includes('Font Awesome')
            && s.content.startsWith('"'))
        .map(s => [el.className, s.fontFamily,
                   JSON.parse(s.content.match(/^"(?:[^"\\\\]|\\\\.)*"/)[0])]))"""


@pytest.mark.parametrize("path", ["index.html", "nnx-dropout.html", "search.html"])
def test_every_icon_drawn_is_in_the_icon_fonts_loaded(site, visit, path):
    from fontTools.ttLib import TTFont

    page = visit(f"{site}/{path}", **DESKTOP).page
    fonts = page.evaluate(
        """[...document.fonts].filter(f => f.family.includes('Font Awesome')
            && f.status === 'loaded').map(f => f.family)"""
    )
    assert fonts, "no icon font loaded"
    folder = SITE_HTML / "_static" / "fonts"
    assert sorted(p.name for p in folder.glob("*.woff2")), "no icon fonts written"
    cmap = set()
    for font in folder.glob("*.woff2"):
        cmap.update(TTFont(font).getBestCmap())
    drawn = page.evaluate(ICONS_DRAWN)
    assert drawn
    missing = [(c, text) for c, _, text in drawn if not {ord(x) for x in text} <= cmap]
    assert not missing, missing


# -- Dead ends ----------------------------------------------------------------


@pytest.mark.parametrize("slug", ["index", *BROWSER_SAMPLE])
def test_pages_link_the_repository_to_edit_and_to_report(site, visit, slug):
    page = visit(f"{site}/{slug}.html", **DESKTOP).page
    button = page.locator(".article-header-buttons .dropdown-source-buttons button")
    button.click()
    menu = page.locator(".dropdown-source-buttons .dropdown-menu a:visible")
    hrefs = menu.evaluate_all("els => els.map(e => e.href)")
    assert REPOSITORY in hrefs, hrefs
    assert f"{REPOSITORY}/edit/main/docs/{slug}.md" in hrefs, hrefs
    assert any(h.startswith(f"{REPOSITORY}/issues/new?") for h in hrefs), hrefs
    footer = page.locator("footer a:visible").evaluate_all(
        "els => els.map(e => e.href)"
    )
    assert REPOSITORY in footer, footer


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_downloads_download(site, visit, slug):
    page = visit(f"{site}/{slug}.html", accept_downloads=True, **DESKTOP).page
    files = {
        "starter": f"{LESSONS[slug]}.py",
        "notebook": f"{slug}.ipynb",
        "page source": f"{slug}.md",
    }
    links = page.locator("a[href*='_starters/'], a[href*='_sources/']")
    found = links.evaluate_all(
        """els => els.filter(a => a.origin === location.origin).map(a => ({
            file: a.pathname.split('/').pop(),
            download: a.getAttribute('download'),
            target: a.target,
        }))"""
    )
    for kind, name in files.items():
        link = [f for f in found if f["file"] == name]
        assert link, f"no link to the {kind} {name}: {found}"
        assert all(f["download"] is not None and not f["target"] for f in link), link
    starter = page.locator(f"a[href$='_starters/{files['starter']}']").first
    with page.expect_download() as download:
        starter.click()
    assert download.value.suggested_filename == files["starter"]


MISSING = ["404.html", "no-such-lesson.html", "old/path/no-such-lesson.html"]


@pytest.mark.parametrize("host", ["production", "local"])
@pytest.mark.parametrize("path", MISSING)
def test_404_page_is_styled_and_its_links_lead_somewhere(servers, visit, path, host):
    url = f"{servers[host]}/{path}"
    v = visit(url, **DESKTOP)
    page = v.page
    assert "not found" in page.inner_text("article").lower()
    # What failed to load, but the page itself (its status is 404). Below the
    # root, the browser may fetch an asset from the missing page's folder
    # before the page sets the base its links resolve from: a miss that does
    # no harm if the asset was loaded from the root too.
    errors = [e for e in v.errors if not e.startswith("Failed to load resource")]
    folder, root = url.rsplit("/", 1)[0] + "/", f"{servers[host]}/"
    loaded = page.evaluate(
        """performance.getEntriesByType('resource')
            .filter(e => e.responseStatus === 200).map(e => e.name)"""
    )
    failed = [
        u
        for u in v.failed
        if u != url and not (u.startswith(folder) and root + u[len(folder) :] in loaded)
    ]
    assert (errors, failed) == ([], []), (errors, failed)
    # The theme's stylesheet applies (its colours are defined).
    assert page.evaluate(
        "getComputedStyle(document.documentElement)"
        ".getPropertyValue('--pst-color-primary').trim() !== ''"
    )
    hrefs = page.locator("a[href]").evaluate_all(
        "els => els.map(a => a.href).filter(h => h.startsWith(location.origin))"
    )
    home = f"{servers[host]}/index.html"
    assert home in hrefs or f"{servers[host]}/" in hrefs, hrefs
    for href in set(hrefs):
        document, _, fragment = href.partition("#")
        if fragment and document == url:
            continue  # a place on this page, such as the skip link's
        response = page.request.get(href)
        assert response.status == 200, href
    if path == MISSING[-1]:
        shot(page, f"404-{host}")


def build_date():
    """The date the build says it was made: its commit's, as conf.py reads it."""
    epoch = (
        os.environ.get("SOURCE_DATE_EPOCH")
        or subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_lesson_says_when_it_was_built_beside_its_versions(site, visit, slug):
    page = visit(f"{site}/{slug}.html", **DESKTOP).page
    stamp = page.locator("article p", has_text="Executed with").first
    text = stamp.inner_text()
    built = build_date()
    assert f"{built.day} {built:%B %Y}" in text, text
