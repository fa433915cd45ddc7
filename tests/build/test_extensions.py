"""The project's Sphinx extensions, each on small pages built in this process.

Nothing is executed (``nb_execution_mode=off``): the pages are plain MyST
Markdown, built once with the site's configuration.
"""

import io
import re
import subprocess
import sys
from types import SimpleNamespace

import new_lesson
import pytest
from bs4 import BeautifulSoup
from sitebuild import CONF
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from lessongrader import catalog

pytestmark = [
    # The theme still reads .app, which Sphinx 9 deprecates (not an error here).
    pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning"),
    # sphinx-sitemap forks a multiprocessing manager; JAX, imported by earlier
    # tests in this process, warns at any fork. The manager runs no JAX.
    pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning"),
]
PROBLEM = "dropout_forward"

LESSON = """\
---
lesson:
  order: {order}
  api: [NNX]
  level: intermediate
  summary: The card's summary of {slug}.
---

# Title of {slug}

```{{lesson-badges}}
```

## Problem

```{{problem}} {problem}
```

## Hints

```{{hints}} {problem}
```

## Solution

```{{solution}} {problem}
```

```{{check-commands}} {problem}
```
"""

PAGES = {
    # A lesson page whose problem is dropout_forward's (its LESSON).
    catalog.discover()[PROBLEM].lesson: LESSON.format(
        order=2, slug="a", problem=PROBLEM
    ),
    "earlier": LESSON.format(order=1, slug="earlier", problem=PROBLEM),
    "index": "# Index\n\n```{lesson-cards}\n```\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    src = root / "src"
    src.mkdir()
    for name, text in PAGES.items():
        (src / f"{name}.md").write_text(text)
    warnings = io.StringIO()
    app = Sphinx(
        str(src),
        str(CONF),
        str(root / "html"),
        str(root / "doctrees"),
        "html",
        confoverrides={"nb_execution_mode": "off"},
        status=None,
        warning=warnings,
        freshenv=True,
    )
    app.build()
    html = {name: (root / "html" / f"{name}.html").read_text() for name in PAGES}
    return SimpleNamespace(html=html, warnings=warnings.getvalue(), root=root)


def test_the_pages_build_without_warnings(built):
    assert built.warnings == ""


def test_the_problem_section_is_the_contract(built):
    problem = catalog.discover()[PROBLEM]
    page = BeautifulSoup(built.html[problem.lesson], "html.parser")
    text = " ".join(straight(page.get_text()).split())
    assert f"{PROBLEM}({problem.signature})" in text
    # The task first, then the inputs and the output; the steps are hint 1.
    task = plain(problem.contract["task"])
    assert text.index(f"{PROBLEM}({problem.signature})") < text.index(task)
    for name, meaning in problem.contract["inputs"].items():
        assert f"{name}: {plain(meaning)}" in text
    assert plain(problem.contract["output"]) in text
    assert problem.hints[0][0] == "Steps"
    folds = {
        " ".join(fold.summary.get_text().split()): fold
        for fold in page.select("details.sd-dropdown")
    }
    for number, (title, hint) in enumerate(problem.hints, 1):
        fold = folds[f"Hint {number}: {plain(title)}"]
        assert plain(hint) in " ".join(straight(fold.get_text()).split())
    (code,) = folds["Show the solution"].select("pre")
    assert code.get_text().strip() == problem.solution_code.strip()


def plain(markdown):
    """Markdown as the page shows its text: no backticks, no list markers,
    straight quotes, spaces single."""
    text = re.sub(r"(?m)^\s*(\d+\.|-) ", "", markdown).replace("`", "")
    return " ".join(straight(text).split())


def straight(text):
    """Sphinx's smart quotes made straight again."""
    return text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


def test_cards_follow_the_order_of_the_pages_metadata(built):
    index = built.html["index"]
    first, second = index.index("Title of earlier"), index.index("Title of a")
    assert first < second
    assert index.count("sd-card-title") == 2
    assert "The card’s summary of a." in BeautifulSoup(index, "html.parser").text
    assert "Problem: <code" in index


def test_badges_come_from_the_page_s_own_metadata(built):
    page = built.html["earlier"]
    assert "sd-bg-primary" in page and ">NNX<" in page and ">intermediate<" in page


def test_an_unknown_problem_is_an_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# I\n\n```{problem} no_such_problem\n```\n")
    warnings = io.StringIO()
    Sphinx(str(src), str(CONF), str(tmp_path / "h"), str(tmp_path / "d"), "html",
           confoverrides={"nb_execution_mode": "off"}, status=None,
           warning=warnings).build()  # fmt: skip
    assert "no problem named 'no_such_problem'" in warnings.getvalue()


def test_a_new_lesson_is_a_page_and_a_problem_folder(tmp_path, monkeypatch):
    docs, examples = tmp_path / "docs", tmp_path / "examples"
    docs.mkdir()
    examples.mkdir()
    written = new_lesson.create("new-thing", "new_forward", docs, examples)
    assert docs / "new-thing.md" in written
    problem = catalog.read(examples / "new_forward")
    assert problem.lesson == "new-thing" and problem.parameters == (
        "seed",
        "x",
        "train",
    )
    assert "order: 1" in (docs / "new-thing.md").read_text()
    with pytest.raises(ValueError, match="already exists"):
        new_lesson.create("new-thing", "other_forward", docs, examples)
    with pytest.raises(ValueError, match="slug"):
        new_lesson.create("New Thing", "x_forward", docs, examples)


def build(src, out):
    Sphinx(str(src), str(CONF), str(out / "html"), str(out / "doctrees"), "html",
           confoverrides={"nb_execution_mode": "off"}, status=None,
           warning=io.StringIO()).build()  # fmt: skip
    return out / "html"


def test_a_removed_lesson_leaves_no_link_on_the_other_pages(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(PAGES["index"])
    for slug, order in (("first", 1), ("second", 2)):
        text = LESSON.format(order=order, slug=slug, problem=PROBLEM)
        (src / f"{slug}.md").write_text(text)
    html = build(src, tmp_path)
    assert 'href="second.html"' in (html / "first.html").read_text()
    (src / "second.md").unlink()
    html = build(src, tmp_path)
    assert 'href="second.html"' not in (html / "first.html").read_text()
    assert 'href="second.html"' not in (html / "index.html").read_text()


def test_every_page_says_the_build_it_was_last_built_by(tmp_path, monkeypatch):
    # A new commit (here: a new SOURCE_DATE_EPOCH, outside git) changes the
    # line of every page, also of the pages whose source did not change.
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# I\n\nExecuted with jax 0.\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 14 November 2023
    html = build(src, tmp_path)
    assert "Last built on 14 November 2023" in (html / "index.html").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 15 January 2027
    html = build(src, tmp_path)
    assert "Last built on 15 January 2027" in (html / "index.html").read_text()


def test_a_rebuild_publishes_what_a_clean_build_does(tmp_path):
    """MyST-NB's stylesheet is linked alike by both, the search index keeps no
    word of a page that no longer holds it, and the sitemap lists the pages not
    written again (upstream.py)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# Index\n\n```{toctree}\npage\nother\n```\n")
    (src / "other.md").write_text("# Other\n\nUnchanged.\n")
    page = src / "page.md"

    def build_with(word):
        page.write_text(f"# Page\n\nA {word} here.\n")
        html = build(src, tmp_path)
        return [
            (html / name).read_text()
            for name in ("page.html", "searchindex.js", "sitemap.xml")
        ]

    first, _, clean_sitemap = build_with("zyzzyva")
    again, index, sitemap = build_with("quokka")
    stylesheet = re.compile(r'href="_static/mystnb\.[0-9a-f]+\.css[^"]*"')
    assert stylesheet.findall(first) == stylesheet.findall(again)
    assert "?v=" in stylesheet.findall(first)[0]
    assert "quokka" in index and "zyzzyva" not in index
    assert re.findall(r"/(\w+)\.html</loc>", sitemap) == ["index", "other", "page"]
    assert sitemap == clean_sitemap


SET_UP = """
import sys
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
Sphinx(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], "html", status=None)
print(sorted({name.split(".")[0] for name in sys.modules} & {"jax", "flax"}))
"""


def test_sphinx_s_process_has_not_loaded_jax_when_it_forks(tmp_path):
    # sphinx-sitemap forks a process as the builder is set up, and a process
    # that loaded JAX must not fork: the API inventories are written from
    # another process, and JAX is loaded only at the end, to link code.
    (tmp_path / "index.md").write_text("# Index\n")
    out = [str(tmp_path / name) for name in ("html", "doctrees")]
    loaded = subprocess.run(
        [sys.executable, "-c", SET_UP, str(tmp_path), str(CONF), *out],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "[]"


def test_a_release_the_upstream_fixes_were_not_checked_with_stops_the_build(
    tmp_path, monkeypatch
):
    import upstream

    assert upstream.unchecked_versions() == {}  # the pinned stack
    monkeypatch.setitem(upstream.CHECKED, "sphinx", "0.1")
    (tmp_path / "index.md").write_text("# Index\n")
    with pytest.raises(ExtensionError, match=r"upstream\.py.*sphinx .*checked: 0\.1"):
        Sphinx(str(tmp_path), str(CONF), str(tmp_path / "html"),
               str(tmp_path / "doctrees"), "html", status=None)  # fmt: skip
