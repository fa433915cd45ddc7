"""Checks on the built site (build/html), which `nox -s tests` builds first."""

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import pytest
import release_ranges
from bs4 import BeautifulSoup
from lesson_index import metadata as lesson_metadata
from project import CONF, HTML, LESSONS, PROBLEMS, published, solution_source
from sitebuild import ROOT

# The path the site is served under (absolute links, as on the 404 page, start with it).
PREFIX = CONF["notfound_urls_prefix"]
SKELETON = [
    "Why it matters",
    "The API",
    "Worked example",
    "Common pitfalls",
    "Problem",
    "Hints",
    "Solution",
    "Check your answer",
]


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, text):
        super().__init__()
        self.h2, self.urls, self.tab_labels = [], [], []
        self._in_h2 = False
        self.html = text
        self.feed(self.html)
        self.text = html.unescape(re.sub(r"<[^>]+>", "", self.html))

    @classmethod
    def read(cls, path):
        return cls(path.read_text())

    def section(self, anchor, next_anchor):
        """The text of a page's section, by its id, up to the next section's."""
        start = self.html.index(f'<section id="{anchor}">')
        end = self.html.index(f'<section id="{next_anchor}">', start)
        return html.unescape(re.sub(r"<[^>]+>", "", self.html[start:end]))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            # The heading's text includes the text of tags inside it (code...).
            self._in_h2 = True
            self.h2.append("")
        # What the browser loads: sources, and stylesheets and icons (a
        # canonical or sitemap link names a URL but loads nothing).
        if attrs.get("src"):
            self.urls.append(attrs["src"])
        loaded = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
        if tag == "link" and loaded & set((attrs.get("rel") or "").split()):
            self.urls.append(attrs["href"])
        if tag == "label" and attrs.get("data-sync-group"):
            self.tab_labels.append((attrs["data-sync-group"], attrs["data-sync-id"]))

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data


@pytest.fixture(scope="session")
def pages():
    missing = [s for s in LESSONS if not (HTML / f"{s}.html").exists()]
    assert not missing, f"build the site first (nox -s docs); missing: {missing}"
    return {slug: Page.read(HTML / f"{slug}.html") for slug in LESSONS}


@pytest.mark.parametrize("slug", LESSONS)
def test_lesson_follows_the_skeleton(pages, slug):
    headings = [re.sub(r"[#\s]+$", "", h).strip() for h in pages[slug].h2]
    starts = [next((h for h in headings if h.startswith(s)), None) for s in SKELETON]
    assert None not in starts, f"{slug}: headings {headings}"
    assert starts == sorted(starts, key=headings.index), f"{slug}: order {headings}"


@pytest.mark.parametrize("slug", LESSONS)
def test_search_results_and_link_previews_describe_a_lesson_by_its_summary(slug):
    # What search engines and link previews show: the card's summary, not the
    # badges and the version line that open the page.
    summary = lesson_metadata(ROOT / "docs" / f"{slug}.md")["summary"]
    expected = " ".join(summary.replace("`", "").split())
    head = (HTML / f"{slug}.html").read_text().split("</head>")[0]
    for attribute in ('name="description"', 'property="og:description"'):
        (tag,) = [t for t in re.findall(r"<meta [^>]*>", head) if attribute in t]
        (content,) = re.findall(r'content="([^"]*)"', tag)
        assert html.unescape(content) == expected, attribute


@pytest.mark.parametrize("slug", LESSONS)
def test_each_lesson_says_which_releases_it_holds_on_as_do_its_notebook_and_card(
    pages, slug
):
    check = json.loads(Path(CONF["lessons_release_check"]).read_text())
    words = release_ranges.range_words(check, slug)
    assert words, f"{slug} is not in the release check"
    assert f"{words}, checked" in pages[slug].text
    notebook = "".join(c.source for c in published(slug).cells)
    assert f"*{words}, checked" in notebook
    index = " ".join(
        BeautifulSoup((HTML / "index.html").read_text(), "html.parser").text.split()
    )
    assert f"{words}." in index


@pytest.mark.parametrize("slug", LESSONS)
def test_lesson_states_the_versions_it_ran_with(pages, slug):
    stamp = f"Executed with jax {version('jax')} and flax {version('flax')}."
    assert stamp in pages[slug].text


def unstated(problem_text, problem, hints_text=None):
    """What a Problem section leaves out of the problem's contract: its
    signature line, its task, each input, the output and any remark, as
    rendered text; and what its hints leave out of the steps (hint 1)."""
    text = " ".join(straight(problem_text).split())
    contract = problem.contract
    wanted = [
        f"Write {problem.name}({', '.join(problem.parameters)}).",
        contract["output"],
        *task_lines(contract["task"]),
        *task_lines(contract.get("remark", "")),
    ]
    wanted += [f"{name}: {text}" for name, text in contract["inputs"].items()]
    missing = [term for term in plain_terms(wanted) if term not in text]
    if hints_text is not None:
        hints = " ".join(straight(hints_text).split())
        steps = [line for step in contract["steps"] for line in task_lines(step)]
        missing += [term for term in plain_terms(steps) if term not in hints]
    return missing


def task_lines(markdown):
    """The lines of a Markdown text, without their list markers."""
    return [line.strip().removeprefix("- ") for line in markdown.splitlines()]


def plain_terms(terms):
    plain = [" ".join(t.replace("`", "").split()) for t in terms]
    return [term for term in dict.fromkeys(plain) if term]


def straight(text):
    """Sphinx's smart quotes made straight again."""
    return text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


def test_a_problem_that_states_part_of_the_contract_is_caught():
    problem = PROBLEMS["dropout_forward"]
    whole = problem.contract_markdown(definition_lists=False).replace("`", "")
    assert unstated(whole, problem) == []
    first_line = whole.splitlines()[0]
    assert first_line in unstated(whole.replace(first_line, ""), problem)
    assert len(unstated(first_line, problem)) > 3
    steps = problem.hint(1)[1].replace("`", "")
    assert unstated(whole, problem, steps) == []
    assert unstated(whole, problem, "") != []


@pytest.mark.parametrize("slug", LESSONS)
def test_problem_states_the_task_and_its_hints_the_steps(pages, slug):
    problem = PROBLEMS[LESSONS[slug]]
    section = pages[slug].section("problem", "hints")
    hints = pages[slug].section("hints", "solution")
    assert unstated(section, problem, hints) == []


@pytest.mark.parametrize("slug", LESSONS)
def test_solution_shown_is_the_example_module(pages, slug):
    for line in solution_source(LESSONS[slug]).splitlines():
        assert line in pages[slug].text, f"{slug}: solution line missing: {line!r}"


@pytest.mark.parametrize("slug", LESSONS)
def test_linen_and_nnx_tabs_are_synced(pages, slug):
    labels = pages[slug].tab_labels
    assert ("api", "linen") in labels and ("api", "nnx") in labels, labels


def test_a_heading_s_text_includes_the_tags_inside_it():
    page = Page('<h2>The <code>nnx.view</code> API<a href="#api">#</a></h2><p>x</p>')
    assert page.h2 == ["The nnx.view API#"]


def test_pages_load_nothing_from_another_host(pages):
    for path in HTML.rglob("*.html"):
        external = [u for u in Page.read(path).urls if re.match(r"(https?:)?//", u)]
        assert not external, f"{path.relative_to(HTML)} loads {external}"


def test_no_build_machine_paths_are_published():
    leaks = [str(ROOT), sys.prefix, "site-packages", "/root/", "/tmp/"]
    for path in HTML.rglob("*"):
        # Pages, search index, published notebooks and starter files.
        if path.suffix in {".html", ".txt", ".js", ".ipynb", ".py"} and path.is_file():
            text = path.read_text(errors="replace")
            found = [leak for leak in leaks if leak in text]
            assert not found, f"{path.relative_to(HTML)} contains {found}"


def test_no_notebook_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.returncode == 0 and tracked.stdout == ""


class Links(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.hrefs, self.ids = [], set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def test_every_internal_link_and_anchor_resolves(pages):
    parsed = {p: Links(p.read_text()) for p in HTML.rglob("*.html")}
    broken = []
    for page, links in parsed.items():
        for href in links.hrefs:
            if re.match(r"[a-z]+:", href) or href.startswith("//"):
                continue  # another site, or mailto:
            path, _, anchor = href.partition("#")
            if path.startswith("/"):
                assert path.startswith(PREFIX), f"{page}: {href} outside the site"
                path, base = path[len(PREFIX) :], HTML
            else:
                base = page.parent
            target = (base / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html":
                ok = target.exists()
            else:
                ok = target in parsed and (not anchor or anchor in parsed[target].ids)
            if not ok:
                broken.append(f"{page.relative_to(HTML)}: {href}")
    assert not broken, broken


def test_stylesheets_close_every_rule():
    # An unclosed rule swallows every rule after it, silently.
    for sheet in (ROOT / "conf" / "_static").glob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        depth = 0
        for char in text:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{sheet.name}: a }} closes nothing"
        assert depth == 0, f"{sheet.name}: {depth} rule(s) left open"
