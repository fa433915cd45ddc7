"""Build the grader's wheel into the site, for the notebooks' setup cell.

The project (``lessongrader`` and its problem folders, pure Python) is built
with hatchling, the backend pyproject.toml names, into
``_wheels/lessongrader-<version>-py3-none-any.whl``: a notebook on Colab
installs it from the site (``html_baseurl``). Nothing is fetched. The wheel is
reproducible: its files' times are SOURCE_DATE_EPOCH's (the built commit's
time, as build_stamp.py says on the pages), so two builds write the same bytes.
"""

import os
import shutil
import tempfile
from pathlib import Path

from build_stamp import built_commit

FOLDER = "_wheels"
ROOT = Path(__file__).resolve().parents[2]


def wheel_name():
    """The wheel's file name, from the project's version."""
    from lessongrader.version import __version__

    return f"lessongrader-{__version__}-py3-none-any.whl"


def wheel_url(baseurl):
    return f"{baseurl.rstrip('/')}/{FOLDER}/{wheel_name()}"


def build_wheel(target, root=ROOT):
    """Build the wheel into the folder target; its path."""
    from hatchling.builders.wheel import WheelBuilder

    _, time = built_commit(str(root))
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if time is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(time)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            builder = WheelBuilder(str(root))
            built = list(builder.build(directory=scratch, versions=["standard"]))
            (path,) = built
            target = Path(target)
            target.mkdir(parents=True, exist_ok=True)
            final = target / Path(path).name
            shutil.copyfile(path, final)
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return final


def write_wheel(app, exception):
    if exception or app.builder.format != "html":
        return
    build_wheel(Path(app.outdir) / FOLDER)


def setup(app):
    app.connect("build-finished", write_wheel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
