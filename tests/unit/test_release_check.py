"""The release check (conf/release-check.json, written by nox -s releases): it
covers every lesson as its code is now, and the pages say what it found."""

import json
import re
import tomllib

import pytest
import release_ranges
import sitebuild
from packaging.version import Version
from sections import Target

CHECK_FILE = sitebuild.CONF / "release-check.json"
CHECK = json.loads(CHECK_FILE.read_text())
LESSONS = [page.stem for page in sitebuild.lessons()]


@pytest.mark.parametrize("slug", LESSONS)
def test_the_release_check_ran_the_lesson_s_code_as_it_is_now(slug):
    page = CHECK["pages"].get(slug)
    assert page is not None, f"{slug} was never checked: run nox -s releases"
    digest = sitebuild.code_digest(sitebuild.DOCS / f"{slug}.md")
    assert page["code"] == digest, (
        f"docs/{slug}.md's code changed since {CHECK_FILE.name} was written: "
        "run nox -s releases"
    )


def test_the_check_ran_on_every_release_set_of_the_list():
    listed = tomllib.loads((sitebuild.CONF / "release-sets.toml").read_text())
    assert [s["name"] for s in CHECK["sets"]] == [s["name"] for s in listed["set"]]
    assert len(CHECK["sets"]) >= 3


# "since flax 0.12.7": the release a page says the next cell needs.
SINCE = re.compile(r"since flax (\d+\.\d+\.\d+)")


@pytest.mark.parametrize("slug", LESSONS)
def test_a_page_says_which_release_a_cell_needs_where_an_older_one_fails(slug):
    text = (sitebuild.DOCS / f"{slug}.md").read_text()
    needs = [Version(v) for v in SINCE.findall(text)]
    results = CHECK["pages"][slug]["results"]
    for release_set in CHECK["sets"]:
        result = results[release_set["name"]]
        if result["raised"] or result["claims"]:
            flax = Version(release_set["flax"])
            assert any(v > flax for v in needs), (
                f"{slug} fails on flax {flax} ({result['raised'] + result['claims']})"
                " and does not say which release it needs"
            )
    pinned = Version(next(s for s in CHECK["sets"] if s["name"] == "pinned")["flax"])
    assert all(v <= pinned for v in needs), f"{slug} needs a newer flax than pinned"


MADE_UP = {
    "checked": "2026-12-06",
    "sets": [
        {"name": "old", "flax": "0.12.8", "jax": "0.10.2", "jaxlib": "0.10.2"},
        {"name": "mid", "flax": "0.12.10", "jax": "0.11.2", "jaxlib": "0.11.2"},
        {"name": "new", "flax": "0.12.12", "jax": "0.12.1", "jaxlib": "0.12.1"},
    ],
    "pages": {
        "lesson": {
            "code": "digest",
            "holds_on": {"flax": ["0.12.10", "0.12.12"], "jax": ["0.11.2", "0.12.1"]},
            "not_on": ["old"],
            "results": {
                "old": {
                    "holds": False,
                    "why": "",
                    "claims": [],
                    "raised": ["cell 7 (`rngs = nnx.with_rngs(x)`): AttributeError"],
                    "changed": [],
                },
                "mid": {
                    "holds": True,
                    "why": "",
                    "claims": [],
                    "raised": [],
                    "changed": [
                        {
                            "cell": "cell 9 (`print(y)`)",
                            "before": "'[0. 2.]'",
                            "after": "'[0. `3`.]'",
                        }
                    ],
                },  # fmt: skip
                "new": {
                    "holds": True,
                    "why": "",
                    "claims": [],
                    "raised": [],
                    "changed": [],
                },  # fmt: skip
            },
        }
    },
}


def test_a_range_names_the_releases_a_lesson_holds_on_and_those_it_does_not():
    words = release_ranges.range_words(MADE_UP, "lesson")
    assert words == (
        "Holds on flax 0.12.10 – 0.12.12 (jax 0.11.2 – 0.12.1);"
        " not on flax 0.12.8 with jax 0.10.2"
    )
    assert release_ranges.range_words(MADE_UP, "unknown") is None


def test_what_differs_names_the_cell_and_quotes_its_outputs_as_code():
    assert release_ranges.differences(MADE_UP, "lesson") == [
        "- flax 0.12.8, jax 0.10.2:",
        "  - the cell with `rngs = nnx.with_rngs(x)` raises `AttributeError`",
        "- flax 0.12.10, jax 0.11.2:",
        "  - the cell with `print(y)` prints ``[0. `3`.]`` where this page shows"
        " `[0. 2.]`",
    ]


def test_the_page_and_the_notebook_say_it_in_their_own_markup(tmp_path, monkeypatch):
    path = tmp_path / "check.json"
    path.write_text(json.dumps(MADE_UP))
    config = type("Config", (), {"lessons_release_check": str(path)})()
    page, notebook = (
        release_ranges.range_section(
            None, Target("lesson", tmp_path, config, notebook=where)
        )
        for where in (False, True)
    )
    line = "*Holds on flax 0.12.10 – 0.12.12 (jax 0.11.2 – 0.12.1); not on flax"
    assert page.startswith(line) and notebook.startswith(line)
    assert "checked 6 December 2026.*" in page
    assert ":::{dropdown} What differs on other releases" in page
    assert "<details><summary>What differs on other releases</summary>" in notebook
