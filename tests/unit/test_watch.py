"""The version watch's report (tools/watch.py), on made-up builds."""

import json

import nbformat
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
    assert watch.main([str(before), str(after)]) == 1
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
