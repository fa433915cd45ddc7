"""Show a cell's printed output exactly as the program wrote it.

The kernel sends what a cell prints in chunks, flushed on a timer, so where
one ``print`` is split depends on timing. MyST-NB's ``nb_merge_streams`` joins
the chunks but strips each one and adds a newline between them, so a line
split by a flush shows as two lines, at random. This extension makes the merge
exact: each stream's chunks are concatenated as written. The published
notebooks (``notebooks.py``) use the same function, so both agree.
"""

import copy

from myst_nb.core import render


def exact_streams(outputs):
    """Each stream's chunks joined as written, where the stream first appeared.

    stdout and stderr stay apart (their relative order depends on timing too):
    stdout first when the two streams are neighbours, as MyST-NB orders them.
    """
    merged, streams = [], {}
    for output in outputs:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            output = copy.copy(output)
            streams[output["name"]] = output
            merged.append(output)
    for i in range(len(merged) - 1):
        first, second = merged[i], merged[i + 1]
        if first["output_type"] == second["output_type"] == "stream" and (
            first["name"],
            second["name"],
        ) == ("stderr", "stdout"):
            merged[i], merged[i + 1] = second, first
    return merged


def setup(app):
    # MyST-NB calls this module global when nb_merge_streams is on; replacing
    # it keeps that setting's meaning (merge) and drops the stripping.
    render.coalesce_streams = exact_streams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
