"""Finding the problems: one folder each, read without importing JAX.

A problem is a folder named after the function it asks for, holding

- ``solution.py``: the reference solution, the module its lesson shows and
  runs, with that function;
- ``problem.py``: its ``LESSON`` (the page), its ``CONTRACT`` and ``HINTS``
  (literals: the page, the starter and the notebook render them) and the
  ``CASES`` it is graded on. The ``CONTRACT`` states the ``task`` (what the
  function and the classes it names must do, and what decides the numbers),
  the ``inputs`` and the ``output``, and may add a ``remark`` (what the
  problem does not require, and why); its ``steps``, a recipe, are the first
  hint ("Steps"), before the ``HINTS``;
- ``mistakes.py``: its ``SPEC``: its known mistakes, as code, what its own
  checks compare with, and any checks of the classes its contract names
  (``lessongrader.mistakes``);
- optionally ``diagnosis.py``: its own checks, ``properties(case, settings,
  add)``, on arrays only (NumPy), to name a mistake the known ones do not give
  (``lessongrader.diagnose``);
- ``attempts/``: mistakes learners make, each with the verdict it must get,
  which test the grader (not installed).

In the repository the folders are ``examples/<problem>/``; in the installed
package, ``lessongrader/problems/<problem>/``. Their modules are imported as
``lessongrader.problems.<problem>.<module>``.
"""

import ast
import dataclasses
import importlib
import os
import sys
import textwrap
import types
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
INSTALLED = PACKAGE / "problems"
# A checkout of the repository: the problems are beside the package.
SOURCE = PACKAGE.parent / "examples"
MODULES = "lessongrader.problems"


def root():
    """The folder of the problem folders: LESSONGRADER_PROBLEMS, or where the
    package was installed or checked out from."""
    if os.environ.get("LESSONGRADER_PROBLEMS"):
        return Path(os.environ["LESSONGRADER_PROBLEMS"]).resolve()
    return INSTALLED if INSTALLED.is_dir() else SOURCE


def in_repository():
    """Whether the problems are those of a checkout of the repository."""
    return root() == SOURCE


@dataclasses.dataclass(frozen=True)
class Problem:
    name: str
    folder: Path
    lesson: str
    contract: dict  # task, steps, inputs, output, remark: Markdown
    hints: tuple  # (title, text) pairs, Markdown: the steps first
    imports: tuple  # the solution's import lines, for the starter
    # The classes (and other functions) the solution defines, as the starter
    # declares them: their signatures, each body `raise NotImplementedError`.
    stubs: str
    parameters: tuple
    solution_code: str  # the solution as the page shows it: no docstring

    @property
    def signature(self):
        return ", ".join(self.parameters)

    @property
    def attempts(self):
        """The real wrong attempts (only in the repository)."""
        return sorted((self.folder / "attempts").glob("*.py"))

    def module(self, name):
        """Import one of the folder's modules: solution, problem, mistakes..."""
        _package()
        return importlib.import_module(f"{MODULES}.{self.name}.{name}")

    def function(self):
        return getattr(self.module("solution"), self.name)

    def cases(self):
        return [dict(case) for case in self.module("problem").CASES]

    def hint(self, n):
        """Hint n (from 1) as (its heading, its Markdown text); ValueError,
        saying which there are, if there is no hint n."""
        count = len(self.hints)
        if not count:
            raise ValueError("This problem has no hints.")
        if not 1 <= n <= count:
            raise ValueError(f"There are {count} hints: choose 1 to {count}.")
        title, text = self.hints[n - 1]
        return f"Hint {n} of {count}: {title}", text.strip()

    def contract_markdown(self, definition_lists=True):
        """The Problem section: the task, the inputs, the output and any
        remark (MyST Markdown; with ``definition_lists=False``, plain
        Markdown lists). The steps are the first hint."""
        c = self.contract
        lines = [f"Write `{self.name}({self.signature})`.", "", c["task"].strip(), ""]
        if definition_lists:
            lines.append("Inputs")
            lines += [f": `{name}`: {text}" for name, text in c["inputs"].items()]
            lines += ["", "Output", f": {c['output']}"]
        else:
            lines.append("**Inputs**")
            lines += ["", *(f"- `{n}`: {t}" for n, t in c["inputs"].items())]
            lines += ["", "**Output**", "", f"- {c['output']}"]
        if c.get("remark"):
            lines += ["", c["remark"].strip()]
        return "\n".join(lines) + "\n"

    def contract_text(self):
        """The contract as plain text: the starter's docstring."""
        c = self.contract
        lines = [c["task"].strip(), "", "Inputs:"]
        for name, text in c["inputs"].items():
            lines.append(textwrap.fill(f"- {name}: {text}", 80, subsequent_indent="  "))
        lines += [
            "",
            "Output:",
            textwrap.fill(f"- {c['output']}", 80, subsequent_indent="  "),
        ]
        if c.get("remark"):
            lines += ["", c["remark"].strip()]
        return "\n".join(lines)


def steps_markdown(steps):
    """The numbered steps of a contract, as Markdown (the first hint)."""
    lines = []
    for number, step in enumerate(steps, 1):
        first, *rest = step.strip().splitlines()
        lines.append(f"{number}. {first}")
        lines += [f"   {line}" if line.strip() else "" for line in rest]
    return "\n".join(lines)


def _package():
    """Make ``lessongrader.problems`` the package of the problem folders."""
    folder = str(root())
    module = sys.modules.get(MODULES)
    if module is None or list(getattr(module, "__path__", [])) != [folder]:
        module = types.ModuleType(MODULES, "The problem folders.")
        module.__path__ = [folder]
        sys.modules[MODULES] = module
        for name in [n for n in sys.modules if n.startswith(MODULES + ".")]:
            del sys.modules[name]


def _literals(tree):
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return values


def _solution_code(source, tree):
    """The source after the module's docstring."""
    body = tree.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    ):
        lines = source.splitlines(keepends=True)
        source = "".join(lines[body[0].end_lineno :])
    return source.strip() + "\n"


def _header(lines, node, decorators=True):
    """The source lines of a def or class statement up to its body, as the
    solution writes them (its decorators too, if asked), without the
    comments that open its body."""
    first = (
        node.decorator_list[0].lineno if decorators and node.decorator_list else None
    )
    opening = node.body[0]
    body = min(
        [opening.lineno, *(d.lineno for d in getattr(opening, "decorator_list", []))]
    )
    header = lines[(first or node.lineno) - 1 : body - 1]
    while header and (not header[-1].strip() or header[-1].strip().startswith("#")):
        header.pop()
    return header


def _unwritten(lines, function, decorators=True):
    """A function's header, as the solution writes it, then the raise."""
    header = _header(lines, function, decorators)
    indent = function.body[0].col_offset * " "
    return [*header, f"{indent}raise NotImplementedError"]


def _stubs(source, tree, name):
    """The solution's classes and other functions, to write: the starter's.

    A class keeps its decorators, its attributes and its methods' headers
    (``@nn.compact`` included); a function keeps only its header, so that
    how it is compiled is the learner's to write. Each body raises
    NotImplementedError.
    """
    lines = source.splitlines()
    stubs = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            parts = []
            for item in node.body:
                if isinstance(item, ast.AnnAssign):
                    parts.append(lines[item.lineno - 1 : item.end_lineno])
                elif isinstance(item, ast.FunctionDef):
                    parts.append(_unwritten(lines, item))
            body = "\n\n".join("\n".join(part) for part in parts)
            header = "\n".join(_header(lines, node))
            stubs.append(f"{header}\n{body}" if parts else f"{header}\n    pass")
        elif isinstance(node, ast.FunctionDef) and node.name != name:
            stubs.append("\n".join(_unwritten(lines, node, decorators=False)))
    return "\n\n\n".join(stubs)


def read(folder):
    """The problem in folder, or None if it is not a problem's folder."""
    folder = Path(folder)
    name = folder.name
    solution, problem = folder / "solution.py", folder / "problem.py"
    if not (name.isidentifier() and solution.is_file() and problem.is_file()):
        return None
    source = solution.read_text()
    tree = ast.parse(source, filename=str(solution))
    function = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name),
        None,
    )
    if function is None:
        return None
    literals = _literals(ast.parse(problem.read_text(), filename=str(problem)))
    contract = literals.get("CONTRACT", {})
    for key in ("task", "steps", "inputs", "output"):
        if key not in contract:
            raise ValueError(f"{problem}: CONTRACT has no {key!r}")
    steps = ("Steps", steps_markdown(contract["steps"]))
    return Problem(
        name=name,
        folder=folder,
        lesson=literals.get("LESSON", ""),
        contract=contract,
        hints=(steps, *(tuple(h) for h in literals.get("HINTS", ()))),
        imports=tuple(
            ast.unparse(n)
            for n in tree.body
            if isinstance(n, ast.Import | ast.ImportFrom)
        ),
        stubs=_stubs(source, tree, name),
        parameters=tuple(a.arg for a in function.args.args),
        solution_code=_solution_code(source, tree),
    )


def _discover(folder):
    found = (read(path) for path in sorted(Path(folder).iterdir()) if path.is_dir())
    return {p.name: p for p in found if p is not None}


def discover():
    """Every problem, by name, in the order of their names."""
    folder = root()
    return _discover(folder) if folder.is_dir() else {}
