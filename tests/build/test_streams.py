"""A cell's printed output is shown exactly as the program wrote it.

The kernel sends what a cell prints in chunks, flushed on a timer, so one line
can arrive in two pieces. Whatever the chunks, the page and the published
notebook show the concatenation of what was written: no newline added or
removed, stdout and stderr kept apart.
"""

import json
import re
from html import unescape

from nbformat.v4 import new_output
from project import notebook_page
from upstream import exact_streams

PAGE = notebook_page(
    "Streams",
    """\
import sys
import time

print("train     :", end="", flush=True)
time.sleep(0.3)
print(" [1 2 3]")
print("to stderr", file=sys.stderr, flush=True)
time.sleep(0.3)
print("second line, ", end="", flush=True)
time.sleep(0.3)
print("its end")
""",
)
STDOUT = "train     : [1 2 3]\nsecond line, its end\n"
STDERR = "to stderr\n"


def test_a_line_flushed_in_two_chunks_is_shown_whole(scratch_site):
    scratch_site.write({"streams": PAGE})
    result = scratch_site.build()
    assert result.returncode == 0, result.stderr[-3000:]

    html = (scratch_site.path / "html" / "streams.html").read_text()
    shown = [
        unescape(re.sub(r"<[^>]+>", "", block))
        for block in re.findall(
            r'<div class="output (stream|stderr)[^"]*">\s*<div class="highlight[^"]*">'
            r"<pre>(.*?)</pre>",
            html,
            re.DOTALL,
        )
        for block in block[1:]
    ]
    assert shown == [STDOUT, STDERR]

    notebook = json.loads(
        (scratch_site.path / "html" / "_sources" / "streams.ipynb").read_text()
    )
    (cell,) = [c for c in notebook["cells"] if c["cell_type"] == "code"][1:]
    streams = [(o["name"], "".join(o["text"])) for o in cell["outputs"]]
    assert streams == [("stdout", STDOUT), ("stderr", STDERR)]


def test_chunks_are_joined_exactly_and_streams_kept_apart():
    chunks = [
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="a:"),
        new_output("display_data", data={"text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text=" b\n"),
        new_output("stream", name="stderr", text="  indented\n\n"),
        new_output("stream", name="stdout", text="\n"),
    ]
    merged = exact_streams(chunks)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a: b\n\n"),
        ("stream", "stderr", "warning\n  indented\n\n"),
        ("display_data", None, None),
    ]
    assert chunks[1].text == "a:", "the cell's own outputs are left as they were"
