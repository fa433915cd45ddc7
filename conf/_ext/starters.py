"""Offer each problem's starter file for download from its lesson page.

``{starter}`dropout_forward``` links to ``_starters/dropout_forward.py``, which
the build writes with the grader's own starter text (examples/check.py), so
the file on the site is the one ``nox -s check -- --starter`` writes.
"""

import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxRole

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDER = "_starters"


def problems():
    sys.path.insert(0, str(ROOT))
    try:
        from examples import check
    finally:
        sys.path.remove(str(ROOT))
    return check, check.discover()


class StarterLink(nodes.reference):
    """A link that downloads its file (an HTML `download` attribute), where a
    plain reference would open a .py file as text."""


def visit_starter_link(self, node):
    self.body.append(
        self.starttag(node, "a", "", href=node["refuri"], download=node["download"])
    )


def depart_starter_link(self, node):
    self.body.append("</a>")


class StarterRole(SphinxRole):
    def run(self):
        _, known = problems()
        if self.text not in known:
            message = f"no problem named {self.text!r}; known: {sorted(known)}"
            return [], [self.inliner.reporter.error(message, line=self.lineno)]
        depth = self.env.docname.count("/")
        uri = "../" * depth + f"{FOLDER}/{self.text}.py"
        link = StarterLink("", "", refuri=uri, classes=["starter-download"])
        link["download"] = f"{self.text}.py"
        link += nodes.literal(text=f"{self.text}.py")
        return [link], []


def write_starters(app, exception):
    if exception or app.builder.format != "html":
        return
    check, known = problems()
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(exist_ok=True)
    for name, problem in known.items():
        grade_path = f"{check.STARTERS}/{name}.py"  # as nox -s check -- --starter
        (folder / f"{name}.py").write_text(check.starter_text(problem, grade_path))


def setup(app):
    app.add_node(StarterLink, html=(visit_starter_link, depart_starter_link))
    app.add_role("starter", StarterRole())
    app.connect("build-finished", write_starters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
