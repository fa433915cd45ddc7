"""A lesson's Problem, Hints and Solution sections, and how to grade an answer,
written from the problem's folder (lessongrader.catalog), so the page, the
starter and the grader cannot disagree.

- ``{problem} NAME``: the contract, from ``CONTRACT`` in its ``problem.py``;
- ``{hints} NAME``: one dropdown per hint, from ``HINTS``;
- ``{solution} NAME``: a dropdown with the reference solution, its
  ``solution.py`` without the docstring;
- ``{check-commands} NAME``: every command a reader needs, from a fresh
  machine with git and Python: clone the repository (``lessons_repository`` in
  conf.py, the one setting a fork changes), install nox and uv, write the
  starter, grade it;
- ``{check-answer} NAME``: the whole lead of a lesson's "Check your answer":
  the notebook route first (open the lesson in Colab, run its Practice
  cells), then the command route (``{check-commands}``) and the starter;
- ``{starter}`NAME``` links to ``_starters/NAME.py``, which the build writes
  with the grader's own starter text, so the file on the site is the one
  ``nox -s check -- --starter`` writes.

Each directive is a section (sections.py): one function writes its Markdown,
for the page and for the published notebook.
"""

from pathlib import Path

from docutils import nodes
from sections import UnknownArgument, add_section, fold
from sphinx.util.docutils import SphinxRole

from lessongrader import catalog, cli

FOLDER = "_starters"


def problems():
    return catalog.discover()


def repository_url(repository):
    return f"https://github.com/{repository}"


def grading_commands(repository, name):
    """The shell commands that grade an answer to a problem, from nothing."""
    return "\n".join(
        [
            f"git clone {repository_url(repository)}.git",
            f"cd {repository.split('/')[1]}",
            "python3 -m pip install -c requirements.txt nox uv",
            f"{cli.PROG} --starter {name}",
            f"{cli.PROG} {name} {cli.STARTERS}/{name}.py",
        ]
    )


def colab_url(config, docname):
    """Where Colab opens a lesson's notebook, as the site publishes it."""
    return (
        f"https://colab.research.google.com/github/{config.lessons_repository}"
        f"/blob/{config.lessons_pages_branch}/_sources/{docname}.ipynb"
    )


def problem_named(name, target):
    """The problem, its folder's files noted as the page's dependencies."""
    problem = problems().get(name)
    if problem is None:
        raise UnknownArgument(f"no problem named {name!r}; known: {sorted(problems())}")
    for path in sorted(problem.folder.glob("*.py")):
        target.depends_on(path)
    return problem


def contract_section(name, target):
    problem = problem_named(name, target)
    return problem.contract_markdown(definition_lists=not target.notebook)


def hints_section(name, target):
    problem = problem_named(name, target)
    return "\n".join(
        fold(f"Hint {number}: {title}", text, target)
        for number, (title, text) in enumerate(problem.hints, 1)
    )


def solution_section(name, target):
    code = problem_named(name, target).solution_code.rstrip()
    return fold("Show the solution", f"```python\n{code}\n```", target)


def commands_section(name, target):
    problem = problem_named(name, target)
    commands = grading_commands(target.config.lessons_repository, problem.name)
    return f"```bash\n{commands}\n```\n"


def check_answer_section(name, target):
    """The lead of "Check your answer": in the notebook (the page links its
    Colab notebook; the notebook says "below"), then with git and nox."""
    problem = problem_named(name, target)
    config = target.config
    name = problem.name
    if target.notebook:
        where = "Run the **Practice** cells at the end of this notebook"
        base = config.html_baseurl.rstrip("/")
        starter = f"[`{name}.py`]({base}/{FOLDER}/{name}.py)"
    else:
        where = (
            f"[Open this lesson in Colab]({colab_url(config, target.docname)}) (or "
            "download it as a notebook for Jupyter, from the download menu at the "
            "top) and run the **Practice** cells at its end"
        )
        starter = f"{{starter}}`{name}`"
    repository = repository_url(config.lessons_repository)
    return f"""\
**In the notebook.** {where}: the setup cell installs the grader (and, on a
fresh runtime, the versions of jax and flax this page ran with), you write
your solution in the starter cell, in place of `raise NotImplementedError`,
and `exercise.check({name})` grades it with the cases, comparisons and
diagnoses of the command below. `exercise.hint()` gives the hints in order,
`exercise.solution()` the solution. The check runs in the notebook's own
process: if your function hangs, interrupt the cell.

**On your own machine**, with git and Python 3 installed. The commands below
clone the [lessons' repository]({repository}), install nox and uv (nox then
installs jax and flax, at the versions this page ran with), write the starter
file `{cli.STARTERS}/{name}.py` (the signature, the contract as a docstring,
and `raise NotImplementedError`), and grade it. Write your solution in the
starter before you run the last one:

{commands_section(name, target).rstrip()}

The same starter file is also here to download: {starter}.
"""


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
        if self.text not in problems():
            known = sorted(problems())
            message = f"no problem named {self.text!r}; known: {known}"
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
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(exist_ok=True)
    for name, problem in problems().items():
        grade_path = f"{cli.STARTERS}/{name}.py"  # as nox -s check -- --starter
        (folder / f"{name}.py").write_text(cli.starter_text(problem, grade_path))


def setup(app):
    # Read by pages (the grading commands), so a change reads them again.
    app.add_config_value("lessons_repository", "", "env")
    app.add_config_value("lessons_pages_branch", "gh-pages", "env")
    app.add_node(StarterLink, html=(visit_starter_link, depart_starter_link))
    app.add_role("starter", StarterRole())
    add_section(app, "problem", contract_section)
    add_section(app, "hints", hints_section)
    add_section(app, "solution", solution_section)
    add_section(app, "check-commands", commands_section)
    add_section(app, "check-answer", check_answer_section)
    app.connect("build-finished", write_starters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
