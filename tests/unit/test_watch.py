"""The version watch's report (tools/watch.py), on made-up builds."""

import json

import nbformat
import pytest
import watch
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def stream(text):
    return new_output("stream", name="stdout", text=text)


def error(name, value):
    return new_output("error", ename=name, evalue=value, traceback=[])


def stamp(jax, flax):
    text = f"*Executed with jax {jax} and flax {flax}.*"
    return new_output("execute_result", data={"text/markdown": text}, execution_count=1)


def make_build(folder, pages, versions):
    """A build folder as the site's build leaves it, one notebook per page."""
    (folder / "html").mkdir(parents=True)
    (folder / "jupyter_execute").mkdir()
    (folder / "versions.json").write_text(json.dumps(versions))
    for page, cells in pages.items():
        notebook = new_notebook(cells=[new_markdown_cell("# A lesson")])
        for source, tags, outputs in cells:
            cell = new_code_cell(source, metadata={"tags": tags} if tags else {})
            cell.outputs = outputs
            notebook.cells.append(cell)
        nbformat.write(notebook, folder / "jupyter_execute" / f"{page}.ipynb")
        (folder / "html" / f"{page}.html").write_text("<html></html>")
    return folder


def lesson(version, value, claim=None, example=None):
    return [
        ("show_versions()", [], [stamp(version, version)]),
        ("print(layer(x))", [], [stream("[0. "), stream(f"{value}]\n")]),
        ("assert claim", ["remove-cell"], [claim] if claim else []),
        ("layer(bad)", ["raises-exception"], [error("ValueError", "shape")]),
        ("layer(x).sum()", [], [example] if example else []),
    ]


def test_a_changed_output_is_reported_with_its_before_and_after(tmp_path):
    before = make_build(tmp_path / "a", {"dropout": lesson("1", 2.0)}, {"jax": "1"})
    after = make_build(tmp_path / "b", {"dropout": lesson("2", 4.0)}, {"jax": "2"})
    text, ok = watch.report(before, after)
    assert ok
    assert "- before: jax 1\n- after: jax 2\n" in text
    assert "1 with changed outputs" in text
    assert "  - cell 3 (`print(layer(x))`)\n    before: '[0. 2.0]'\n" in text
    assert "    after:  '[0. 4.0]'" in text
    # The stamp names other versions, and is not a change.
    assert "show_versions" not in text


def test_same_outputs_in_other_chunks_are_no_change(tmp_path):
    cells = lesson("1", 2.0)
    before = make_build(tmp_path / "a", {"dropout": cells}, {})
    cells[1] = ("print(layer(x))", [], [stream("[0. 2.0]\n")])
    after = make_build(tmp_path / "b", {"dropout": cells}, {})
    text, ok = watch.report(before, after)
    assert ok and "0 with changed outputs" in text


def test_failed_claims_examples_and_pages_fail_the_report(tmp_path, capsys):
    before = make_build(
        tmp_path / "a", {"dropout": lesson("1", 2.0), "streams": lesson("1", 1)}, {}
    )
    after = make_build(
        tmp_path / "b",
        {
            "dropout": lesson(
                "2",
                2.0,
                claim=error("AssertionError", ""),
                example=error("TypeError", "no rngs"),
            ),
            "streams": lesson("2", 1),
        },
        {},
    )
    (after / "html" / "streams.html").unlink()
    text, ok = watch.report(before, after)
    assert not ok
    assert "- dropout, cell 4 (`assert claim`): AssertionError" in text
    assert "- dropout, cell 6 (`layer(x).sum()`): TypeError: no rngs" in text
    assert "- streams: no page was written" in text
    assert "ValueError" not in text  # expected to raise, and it did
    assert watch.main(["report", str(before), str(after)]) == 1
    assert "Claims that failed" in capsys.readouterr().out


def test_a_page_whose_execution_stopped_did_not_build(tmp_path):
    before = make_build(tmp_path / "a", {"dropout": lesson("1", 2.0)}, {})
    after = make_build(tmp_path / "b", {"dropout": lesson("1", 2.0)}, {})
    (after / "html" / "reports").mkdir()
    log = "Traceback...\nCellTimeoutError: A cell timed out\n"
    (after / "html" / "reports" / "dropout.err.log").write_text(log)
    text, ok = watch.report(before, after)
    assert not ok
    assert "- dropout: its execution stopped: CellTimeoutError: A cell" in text


def test_outputs_a_build_took_from_its_execution_cache_are_compared(tmp_path):
    # A cached page is written without its outputs: the cache holds them.
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    before = make_build(tmp_path / "a", {"dropout": lesson("1", 2.0)}, {"jax": "1"})
    executed = before / "jupyter_execute" / "dropout.ipynb"
    notebook = nbformat.read(executed, as_version=4)
    cache = get_cache(str(before / ".jupyter_cache"))
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, str(executed)), check_validity=False
    )
    cache.db.dispose()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(notebook, executed)
    after = make_build(tmp_path / "b", {"dropout": lesson("2", 4.0)}, {"jax": "2"})
    text, ok = watch.report(before, after)
    assert ok and "    before: '[0. 2.0]'\n" in text, text


def release_builds(tmp_path, values, claims=None):
    """A build per release set, from the oldest: each prints its value; a
    set named in claims fails its hidden claim."""
    claims = claims or {}
    builds = []
    for number, (name, value) in enumerate(values.items()):
        versions = {"jax": f"0.{number}.0", "jaxlib": f"0.{number}.0"}
        versions["flax"] = f"0.12.{8 + number}"
        claim = error("AssertionError", "") if name in claims else None
        page = lesson(versions["jax"], value, claim=claim)
        builds.append((name, make_build(tmp_path / name, {"dropout": page}, versions)))
    return builds


def test_a_release_check_says_where_each_page_holds_and_what_differs(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(watch.sitebuild, "code_digest", lambda page: "digest")
    builds = release_builds(
        tmp_path, {"oldest": 2.0, "between": 3.0, "pinned": 2.0}, claims={"oldest"}
    )
    check = watch.ranges(builds[-1][1], builds)
    page = check["pages"]["dropout"]
    assert page["holds_on"] == {
        "flax": ["0.12.9", "0.12.10"],
        "jax": ["0.1.0", "0.2.0"],
    }
    assert page["not_on"] == ["oldest"]
    between = page["results"]["between"]
    assert between["holds"] and between["changed"] == [
        {"cell": "cell 3 (`print(layer(x))`)", "before": "'[0. 2.0]'",
         "after": "'[0. 3.0]'"}
    ]  # fmt: skip
    assert page["results"]["oldest"]["claims"] == [
        "cell 4 (`assert claim`): AssertionError"
    ]
    assert page["code"] == "digest"


def test_a_release_check_exits_3_when_a_page_holds_on_other_releases(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(watch.sitebuild, "code_digest", lambda page: "digest")
    output = tmp_path / "check.json"
    builds = release_builds(tmp_path / "1", {"oldest": 2.0, "pinned": 2.0})
    arguments = ["ranges", str(builds[-1][1])]
    arguments += [f"{name}={folder}" for name, folder in builds]
    arguments += ["--output", str(output)]
    assert watch.main(arguments) == 3  # nothing was checked before
    assert watch.main(arguments) == 0
    builds = release_builds(
        tmp_path / "2", {"oldest": 2.0, "pinned": 2.0}, claims={"oldest"}
    )
    arguments[1:3] = [str(builds[-1][1])] + [f"{n}={f}" for n, f in builds][:1]
    arguments[3] = f"pinned={builds[-1][1]}"
    assert watch.main(arguments) == 3
    assert "CHANGED dropout" in capsys.readouterr().out
    assert json.loads(output.read_text())["pages"]["dropout"]["not_on"] == ["oldest"]


def test_a_page_that_holds_on_no_release_set_is_said_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(watch.sitebuild, "code_digest", lambda page: "digest")
    output = tmp_path / "check.json"
    builds = release_builds(
        tmp_path, {"oldest": 2.0, "pinned": 2.0}, claims={"oldest", "pinned"}
    )
    arguments = ["ranges", str(builds[-1][1])]
    arguments += [f"{name}={folder}" for name, folder in builds]
    assert watch.main([*arguments, "--output", str(output)]) == 3
    assert "dropout: holds on no set; not on oldest, pinned" in capsys.readouterr().out
    assert json.loads(output.read_text())["pages"]["dropout"]["holds_on"] is None


def test_a_build_given_without_its_set_s_name_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        watch.main(["ranges", str(tmp_path), str(tmp_path), "--output", "x.json"])
    assert stopped.value.code == 2
    assert "NAME=BUILD" in capsys.readouterr().err
