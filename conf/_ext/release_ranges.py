"""Which jax and flax releases each lesson holds on, from the last release check.

``nox -s releases`` builds the site with each release set of
conf/release-sets.toml and writes, per lesson, where it held (built, every
hidden claim true, no example raising) and what differed, to
conf/release-check.json (``lessons_release_check``). From it:

- ``{release-range}``, under a lesson's version line: "Holds on flax 0.12.8 –
  0.12.12 (jax 0.10.2 – 0.12.1), checked 7 December 2026.", and a fold naming
  each cell whose outputs differ on another release set, and how;
- ``range_words(slug)``, for the lesson's card on the index.
"""

import datetime
import functools
import json
import re
from pathlib import Path

from sections import add_section, fold

LABEL = re.compile(r"cell \d+ \(`(.*)`\)")


@functools.cache
def read_check(path, mtime):
    return json.loads(Path(path).read_text())


def release_check(config):
    path = Path(config.lessons_release_check)
    if not path.exists():
        return None
    return read_check(str(path), path.stat().st_mtime_ns)


def date_words(iso):
    date = datetime.date.fromisoformat(iso)
    return f"{date.day} {date:%B %Y}"


def versions(low, high):
    return low if low == high else f"{low} – {high}"


def range_words(check, slug):
    """Where a lesson holds, in words; None if the check has no such page."""
    page = check["pages"].get(slug) if check else None
    if page is None:
        return None
    where = page["holds_on"]
    sets = {s["name"]: s for s in check["sets"]}
    if where is None:
        words = "Holds on none of the releases checked"
    else:
        words = (
            f"Holds on flax {versions(*where['flax'])} (jax {versions(*where['jax'])})"
        )
    failed = [sets[name] for name in page["not_on"]]
    if failed:
        words += "; not on " + ", ".join(
            f"flax {s['flax']} with jax {s['jax']}" for s in failed
        )
    return words


def differences(check, slug):
    """A list item per release set on which the page differs, with one item
    per cell that differs there."""
    page = check["pages"][slug]
    lines = []
    for release_set in check["sets"]:
        result = page["results"][release_set["name"]]
        said = [
            f"{cell_words(c['cell'])} prints {code(c['after'])} where this page"
            f" shows {code(c['before'])}"
            for c in result["changed"]
        ]
        said += [cell_words(r) for r in result["raised"]]
        said += [f"a hidden check fails: {cell_words(c)}" for c in result["claims"]]
        if result["why"]:
            said.append(f"the page does not build: {result['why']}")
        if said:
            lines.append(f"- flax {release_set['flax']}, jax {release_set['jax']}:")
            lines += [f"  - {words}" for words in said]
    return lines


def code(shown):
    """A line as the check quoted it (a Python string literal), as inline code."""
    text = shown[1:-1] if shown[:1] in "'\"" and shown[-1:] == shown[:1] else shown
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell_words(label):
    """'cell 12 (`x = 1`): Error: text' as 'the cell with `x = 1` raises
    `Error: text`'."""
    match = LABEL.match(label)
    if match is None:
        return label
    words = f"the cell with {code(match.group(1))}"
    rest = label[match.end() :].removeprefix(": ")
    return f"{words} raises {code(rest)}" if rest else words


def range_section(argument, target):
    """``{release-range}``: where the page's lesson holds, under its version line."""
    path = Path(target.config.lessons_release_check)
    target.depends_on(path)
    check = release_check(target.config)
    words = range_words(check, target.docname)
    if words is None:  # a new lesson (tests/unit/test_release_check.py fails)
        return "*Not checked on other releases yet (nox -s releases).*\n"
    text = f"*{words}, checked {date_words(check['checked'])}.*\n"
    lines = differences(check, target.docname)
    if lines:
        text += "\n" + fold("What differs on other releases", "\n".join(lines), target)
    return text


def setup(app):
    app.add_config_value("lessons_release_check", "", "env", types=[str])
    add_section(app, "release-range", range_section)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
