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
- ``{repository}`text``` links the repository; ``{starter}`NAME``` links to
  ``_starters/NAME.py``, which the build writes with the grader's own starter
  text, so the file on the site is the one ``nox -s check -- --starter`` writes.

The Markdown each directive stands for is given by the functions below, which
the published notebooks use too.
"""

from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

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


def check_answer_markdown(problem, colab=None):
    """The lead of "Check your answer", as MyST Markdown: in the notebook (the
    page links its Colab notebook; the notebook says "below"), then with git
    and nox. ``colab`` is the notebook's Colab address, None in the notebook."""
    name = problem.name
    if colab:
        where = (
            f"[Open this lesson in Colab]({colab}) (or download it as a notebook "
            "for Jupyter, from the download menu at the top) and run the "
            "**Practice** cells at its end"
        )
    else:
        where = "Run the **Practice** cells at the end of this notebook"
    return f"""\
**In the notebook.** {where}: the setup cell installs the grader (and, on a
fresh runtime, the versions of jax and flax this page ran with), you write
your solution in the starter cell, in place of `raise NotImplementedError`,
and `exercise.check({name})` grades it with the cases, comparisons and
diagnoses of the command below. `exercise.hint()` gives the hints in order,
`exercise.solution()` the solution. The check runs in the notebook's own
process: if your function hangs, interrupt the cell.

**On your own machine**, with git and Python 3 installed. The commands below
clone the {{repository}}`lessons' repository`, install nox and uv (nox then
installs jax and flax, at the versions this page ran with), write the starter
file `{cli.STARTERS}/{name}.py` (the signature, the contract as a docstring,
and `raise NotImplementedError`), and grade it. Write your solution in the
starter before you run the last one:

```{{check-commands}} {name}
```

The same starter file is also here to download: {{starter}}`{name}`.
"""


def hints_markdown(problem):
    return "\n".join(
        f":::{{dropdown}} Hint {number}: {title}\n{text.strip()}\n:::\n"
        for number, (title, text) in enumerate(problem.hints, 1)
    )


def solution_markdown(problem):
    code = problem.solution_code.rstrip()
    return f":::{{dropdown}} Show the solution\n```python\n{code}\n```\n:::\n"


class StarterLink(nodes.reference):
    """A link that downloads its file (an HTML `download` attribute), where a
    plain reference would open a .py file as text."""


def visit_starter_link(self, node):
    self.body.append(
        self.starttag(node, "a", "", href=node["refuri"], download=node["download"])
    )


def depart_starter_link(self, node):
    self.body.append("</a>")


def _unknown(name):
    return f"no problem named {name!r}; known: {sorted(problems())}"


class StarterRole(SphinxRole):
    def run(self):
        if self.text not in problems():
            error = self.inliner.reporter.error(_unknown(self.text), line=self.lineno)
            return [], [error]
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


class ProblemDirective(SphinxDirective):
    """Base: one argument, a problem's name; the page is read again when the
    problem's folder changes."""

    required_arguments = 1

    def problem(self):
        problem = problems().get(self.arguments[0])
        if problem is not None:
            for path in sorted(problem.folder.glob("*.py")):
                self.env.note_dependency(str(path))
        return problem

    def run(self):
        problem = self.problem()
        if problem is None:
            return [self.reporter.error(_unknown(self.arguments[0]), line=self.lineno)]
        return self.nodes(problem)

    def markdown(self, text):
        return self.parse_text_to_nodes(text)


class Contract(ProblemDirective):
    def nodes(self, problem):
        return self.markdown(problem.contract_markdown())


class Hints(ProblemDirective):
    def nodes(self, problem):
        return self.markdown(hints_markdown(problem))


class Solution(ProblemDirective):
    def nodes(self, problem):
        return self.markdown(solution_markdown(problem))


class CheckCommands(ProblemDirective):
    def nodes(self, problem):
        text = grading_commands(self.config.lessons_repository, problem.name)
        block = nodes.literal_block(text, text, language="bash")
        self.set_source_info(block)
        return [block]


class CheckAnswer(ProblemDirective):
    def nodes(self, problem):
        from notebooks import colab_url

        colab = colab_url(self.config, self.env.docname)
        return self.markdown(check_answer_markdown(problem, colab))


def write_starters(app, exception):
    if exception or app.builder.format != "html":
        return
    folder = Path(app.outdir) / FOLDER
    folder.mkdir(exist_ok=True)
    for name, problem in problems().items():
        grade_path = f"{cli.STARTERS}/{name}.py"  # as nox -s check -- --starter
        (folder / f"{name}.py").write_text(cli.starter_text(problem, grade_path))


def setup(app):
    app.setup_extension("notebooks")  # it declares lessons_repository
    app.add_node(StarterLink, html=(visit_starter_link, depart_starter_link))
    app.add_role("starter", StarterRole())
    app.add_role("repository", RepositoryRole())
    app.add_directive("problem", Contract)
    app.add_directive("hints", Hints)
    app.add_directive("solution", Solution)
    app.add_directive("check-commands", CheckCommands)
    app.add_directive("check-answer", CheckAnswer)
    app.connect("build-finished", write_starters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
