"""Grade an answer from nothing: the repository, the commands, the starter file.

``{check-commands}`` followed by a problem's name, as a directive, shows every
command a reader needs, from a fresh machine with git and Python: clone the
repository (``lessons_repository`` in conf.py, the one setting a fork
changes), install nox and uv, write the starter, grade it.
``{repository}`text``` links the repository. ``{starter}`dropout_forward```
links to ``_starters/dropout_forward.py``, which the build writes with the
grader's own starter text (examples/check.py), so the file on the site is the
one ``nox -s check -- --starter`` writes.
"""

import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDER = "_starters"


def problems():
    sys.path.insert(0, str(ROOT))
    try:
        from examples import check
    finally:
        sys.path.remove(str(ROOT))
    return check, check.discover()


def repository_url(repository):
    return f"https://github.com/{repository}"


def grading_commands(repository, name):
    """The shell commands that grade an answer to a problem, from nothing."""
    check, _ = problems()
    return "\n".join(
        [
            f"git clone {repository_url(repository)}.git",
            f"cd {repository.split('/')[1]}",
            "python3 -m pip install -c requirements.txt nox uv",
            f"{check.PROG} --starter {name}",
            f"{check.PROG} {name} {check.STARTERS}/{name}.py",
        ]
    )


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


class RepositoryRole(SphinxRole):
    def run(self):
        url = repository_url(self.config.lessons_repository)
        return [nodes.reference(self.text, self.text, refuri=url)], []


class CheckCommands(SphinxDirective):
    required_arguments = 1

    def run(self):
        name = self.arguments[0]
        _, known = problems()
        if name not in known:
            message = f"no problem named {name!r}; known: {sorted(known)}"
            return [self.reporter.error(message, line=self.lineno)]
        text = grading_commands(self.config.lessons_repository, name)
        block = nodes.literal_block(text, text, language="bash")
        self.set_source_info(block)
        return [block]


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
    app.setup_extension("notebooks")  # it declares lessons_repository
    app.add_node(StarterLink, html=(visit_starter_link, depart_starter_link))
    app.add_role("starter", StarterRole())
    app.add_role("repository", RepositoryRole())
    app.add_directive("check-commands", CheckCommands)
    app.connect("build-finished", write_starters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
