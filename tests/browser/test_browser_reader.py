"""What a reader takes from the site: a copy button copies exactly the code;
the published notebook is the page, plots read on a phone, and the grading
instructions start from nothing. (That the code copied runs is
tests/build/test_copied_cells.py's.)

Part of the browser suite (see test_browser.py, whose server, browser and
helpers it uses). It writes phone screenshots of the plots to
build/screenshots/.
"""

import dataclasses
import re

import pytest
import test_browser
from project import (
    BROWSER_SAMPLE,
    CONF,
    LESSONS,
    copied_in_order,
    draws_image,
    published,
    solution_source,
)
from test_browser import HTML, ROOT, reveal, selected_tabs, shell_blocks, visible_cells

# The browser suite's fixtures: build/html served, Chromium, pages opened.
site, browser, visit = test_browser.site, test_browser.browser, test_browser.visit
tabs = test_browser.tabs

# Code a reader can copy and run: cells (ipython3) and included files (python).
PYTHON = ("div.highlight-ipython3", "div.highlight-python")


@dataclasses.dataclass(frozen=True)
class Copied:
    """What one copy button put on the clipboard."""

    text: str
    python: bool  # a cell (ipython3) or an included file (python)
    shown: bool  # shown as the page opens, its folds open, its tabs untouched
    error: str | None  # of a cell tagged raises-exception: the output shown


def click_every_copy_button(page):
    """Click every copy button of the page, as a reader does: first those
    shown as the page opens (its folds opened, its tabs as they are), in
    order, then those of the other tabs, each tab opened first."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    buttons = page.locator("button.copybtn").all()
    shown = [b.locator("xpath=..").locator("pre").first.is_visible() for b in buttons]
    copied = []
    for first in (True, False):
        for button, visible in zip(buttons, shown, strict=True):
            if visible != first:
                continue
            if not first:
                reveal(page, button.element_handle())
            block = button.locator(
                "xpath=ancestor::div[contains(@class, 'highlight-')]"
            ).first
            python = block.evaluate(
                "(el, kinds) => kinds.some(k => el.matches(k))", list(PYTHON)
            )
            error = button.evaluate(
                """b => {
                    const cell = b.closest('div.cell.tag_raises-exception');
                    return cell && cell.querySelector('.cell_output').textContent;
                }"""
            )
            button.click()
            text = page.evaluate("navigator.clipboard.readText()")
            copied.append(Copied(text, python, first, error))
    return copied


@pytest.fixture(scope="module")
def copied(site, tabs):
    """Every copy button of each lesson, clicked once: slug -> [Copied]."""
    clicked = {}

    def of(slug):
        if slug not in clicked:
            visit = tabs.open(
                f"{site}/{slug}.html", permissions=["clipboard-read", "clipboard-write"]
            )
            try:
                clicked[slug] = click_every_copy_button(visit.page)
            finally:
                tabs.close(visit)
        return clicked[slug]

    return of


def visible_code(page):
    """The text of every code block shown (what its copy button copies)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('div.highlight pre')]
            .filter(pre => pre.checkVisibility())
            .map(pre => pre.textContent)"""
    )


# -- Copy buttons: the code, exactly ---------------------------------------------

# That the code copied runs is tests/build/test_copied_cells.py's: every lesson's
# cells, as these buttons copy them.


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_copy_buttons_copy_exactly_the_code(copied, slug):
    texts = [c.text.rstrip("\n") for c in copied(slug)]
    # The Python shown as the page opens, in order: what test_copied_cells runs.
    opened = [c.text.rstrip("\n") for c in copied(slug) if c.python and c.shown]
    assert opened == copied_in_order(slug)
    solution = solution_source(LESSONS[slug]).rstrip()
    expected = visible_cells(slug) + shell_blocks(slug) + [solution]
    assert sorted(texts) == sorted(expected)
    for text in texts:
        assert not re.search(r"^(>>>|\.\.\.) ", text, re.MULTILINE), text


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_a_tab_picked_on_another_page_does_not_break_this_one(site, visit, slug):
    # The page then shows, and copies, what it shows a new reader: the code
    # the test above runs.
    page = visit(f"{site}/{slug}.html").page  # a tab as a new reader's
    default, code = selected_tabs(page), visible_code(page)
    # In the same tab (its storage shared by the pages), the reader picks the
    # other tab on another lesson, then opens this one.
    other = [s for s in LESSONS if s != slug][0]
    page.goto(f"{site}/{other}.html", wait_until="load")
    page.locator(f".sd-tab-set label:not([data-sync-id={default[0]}])").first.click()
    page.goto(f"{site}/{slug}.html", wait_until="load")
    assert selected_tabs(page) == default
    assert visible_code(page) == code


@pytest.mark.parametrize("slug", LESSONS)
def test_other_tabs_say_which_tab_the_page_continues_from(site, visit, slug):
    page = visit(f"{site}/{slug}.html").page
    tab_sets = page.locator(".sd-tab-set")
    assert tab_sets.count() >= 1
    # The tab each set continues from is the one selected as the page opens:
    # a click syncs every set of the page, so read them all before any.
    chosen_tabs = [
        tab_sets.nth(i).locator("input:checked + label").inner_text().strip()
        for i in range(tab_sets.count())
    ]
    for i, chosen in enumerate(chosen_tabs):
        tab_set = tab_sets.nth(i)
        for label in tab_set.locator("label").all():
            if label.inner_text().strip() == chosen:
                continue
            label.click()
            note = tab_set.locator(".sd-tab-content:visible").inner_text()
            assert f"continue from the {chosen} tab" in note, note


# -- Notebooks: every output the page shows ---------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notebook_text(nb):
    """Everything a notebook shows, as text: markdown and outputs."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.append("\n".join(output.traceback))
            else:
                for mime in ("text/markdown", "text/plain"):
                    if mime in output.get("data", {}):
                        parts.append(output.data[mime])
                        break
    return ANSI.sub("", "\n".join(parts))


def words(text):
    return " ".join(re.sub(r"[*`]", "", text).split())


@pytest.mark.parametrize("slug", LESSONS)
def test_notebook_has_every_output_the_page_shows(site, visit, slug):
    page = visit(f"{site}/{slug}.html").page
    shown = page.locator("div.cell_output").evaluate_all(
        "els => els.map(e => [e.textContent, e.querySelectorAll('img').length])"
    )
    nb = published(slug)
    text = words(notebook_text(nb))
    for output, _ in shown:
        assert words(output) in text, output[:300]
    images = sum(
        1
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if draws_image(output)
    )
    assert images == sum(count for _, count in shown)


# -- Check your answer: from nothing --------------------------------------------


@pytest.mark.parametrize("slug", BROWSER_SAMPLE)
def test_grading_starts_from_a_clone_of_the_linked_repository(site, visit, slug):
    repository = CONF["lessons_repository"]
    url = f"https://github.com/{repository}"
    function = LESSONS[slug]
    page = visit(
        f"{site}/{slug}.html", permissions=["clipboard-read", "clipboard-write"]
    ).page
    section = page.locator("section#check-your-answer")
    links = section.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert url in links, links
    button = section.locator("div.highlight-bash button.copybtn")
    assert button.count() == 1
    button.hover()
    button.click()
    commands = page.evaluate("navigator.clipboard.readText()").strip().splitlines()
    assert commands == [
        f"git clone {url}.git",
        f"cd {repository.split('/')[1]}",
        "python3 -m pip install -c requirements.txt nox uv",
        f"python3 -m nox -s check -- --starter {function}",
        f"python3 -m nox -s check -- {function} attempts/{function}.py",
    ]
    # The notebook says the same.
    markdown = "\n".join(c.source for c in published(slug).cells)
    assert "\n".join(commands) in markdown
    assert f"]({url})" in markdown


# -- Plots: sharp, described, readable on a phone -------------------------------

PHONE = {"width": 390, "height": 844}

# The size in CSS pixels at which each text of an SVG plot is drawn, as the
# plot is shown in the page.
TEXT_SIZES = """async (img) => {
    const svg = new DOMParser().parseFromString(
        await (await fetch(img.currentSrc)).text(), 'image/svg+xml'
    ).documentElement;
    const style = getComputedStyle(img);
    const shown = img.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
    const box = document.createElement('div');
    box.style.cssText = `position:absolute; left:0; top:0; width:${shown}px`;
    svg.setAttribute('width', '100%');
    svg.removeAttribute('height');
    box.appendChild(document.importNode(svg, true));
    document.body.appendChild(box);
    const inline = box.querySelector('svg');
    const scale = inline.getBoundingClientRect().width / inline.viewBox.baseVal.width;
    const sizes = [...inline.querySelectorAll('text')].map(t => [
        t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale,
    ]);
    box.remove();
    return sizes;
}"""


PLOTS = "div.cell_output img"


def plotted_pages():
    """The lessons whose built page shows a plot, and how many: only they are
    opened at three times the pixels (a page drawn so costs the most)."""
    from bs4 import BeautifulSoup

    counts = {}
    for slug in LESSONS:
        html = BeautifulSoup((HTML / f"{slug}.html").read_text(), "html.parser")
        counts[slug] = len(html.select(PLOTS))
    return {slug: count for slug, count in counts.items() if count}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plots_are_sharp_described_and_readable_on_a_phone(site, visit, scheme):
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    plots = 0
    for slug, count in plotted_pages().items():
        page = visit(
            f"{site}/{slug}.html",
            viewport=PHONE,
            device_scale_factor=3,
            is_mobile=True,
            color_scheme=scheme,
        ).page
        images = page.locator(PLOTS).all()
        assert len(images) == count
        for number, img in enumerate(images, 1):
            plots += 1
            alt = img.get_attribute("alt") or ""
            assert len(alt.split()) >= 8, f"alt text {alt!r}"
            assert not re.search(r"[0-9a-f]{16}|_images/", alt), alt
            src = img.get_attribute("src")
            assert src.endswith(".svg"), f"{src}: not drawn as SVG"
            img.scroll_into_view_if_needed()
            page.screenshot(path=shots / f"{slug}-plot-{number}-390px-{scheme}.png")
            sizes = img.evaluate(TEXT_SIZES)
            assert sizes, "the plot's text is drawn as paths, not text"
            small = [(t, round(s, 1)) for t, s in sizes if s < 10]
            assert not small, f"text under 10 px at 390 px wide: {small}"
            # The reader can open the plot on its own, full size.
            link = img.evaluate("i => i.closest('a') && i.closest('a').href")
            assert link and link.endswith(src.rsplit("/", 1)[-1]), link
    assert plots >= 1
