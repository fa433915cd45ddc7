"""Attempt a problem where you read it: in the lesson's notebook.

    from lessongrader import practice

    exercise = practice("dropout_forward")
    exercise.check(dropout_forward)   # the report, as the command writes it
    exercise.hint()                   # hint 1, then 2... on each call
    exercise.hint(2)                  # one hint by its number
    exercise.solution()               # the reference solution

``check`` runs the problem's cases with the engine of ``python -m
lessongrader`` (``lessongrader.execute``), the same comparisons and the same
diagnoses, but in this process, on the function you pass: no time limit and
no isolation. A function that hangs is stopped by interrupting the cell
(Kernel > Interrupt in Jupyter, Runtime > Interrupt execution in Colab).

Importing this module imports no JAX, nor NumPy (``python -m lessongrader``
checks for NumPy first, to say how to get it); ``check`` does, when called.
"""

import contextlib
import io
import json
import re

from lessongrader import catalog

# Where the learner's code is, in a traceback: a notebook cell (IPython names
# its cells' files so) or the function's own file.
CELL_FILE = re.compile(r"(^<ipython-input-|ipykernel_\d+[/\\]\d+\.py$|^<cell)")
WHERE = "your notebook cell"
START = "the lesson's Problem section"
INTERRUPT = (
    "The check runs your function in this notebook's process: if it hangs, "
    "interrupt the cell (Kernel > Interrupt, or Runtime > Interrupt execution "
    "on Colab)."
)


class Shown:
    """Text shown as Markdown in a notebook, and as itself elsewhere."""

    def __init__(self, text, markdown=None):
        self.text = text
        self.markdown = markdown if markdown is not None else text

    def __repr__(self):
        return self.text

    __str__ = __repr__

    def _repr_markdown_(self):
        return self.markdown


class Checked:
    """A check's verdict: HTML in a notebook, the command's text elsewhere."""

    def __init__(self, report):
        self.report = report

    @property
    def status(self):
        return self.report.status

    @property
    def passed(self):
        return self.report.status == 0  # PASSED, as in lessongrader.report

    def text(self):
        return self.report.text()

    def __repr__(self):
        return self.report.text()

    __str__ = __repr__

    def _repr_html_(self):
        return self.report.html()


class Exercise:
    """A problem to attempt in a notebook: ``check``, ``hint``, ``solution``."""

    def __init__(self, problem):
        self.problem = problem
        self._reference = None
        self._hints_shown = 0

    def __repr__(self):
        p = self.problem
        return (
            f"Exercise {p.name} (lesson {p.lesson}): write {p.name}({p.signature}), "
            f"then run exercise.check({p.name}). {len(p.hints)} hints: "
            "exercise.hint(); the solution: exercise.solution()."
        )

    # -- Hints and the solution ------------------------------------------------

    def hint(self, n=None):
        """Hint n (from 1); without n, the hint after the last one shown."""
        hints = self.problem.hints
        if n is None:
            n = min(self._hints_shown + 1, len(hints))
        try:
            heading, text = self.problem.hint(n)
        except ValueError as exc:
            return Shown(str(exc))
        self._hints_shown = max(self._hints_shown, n)
        more = (
            f"\n\n(Hint {n + 1}: exercise.hint() again, or exercise.hint({n + 1}).)"
            if n < len(hints)
            else ""
        )
        return Shown(f"{heading}\n\n{text}{more}", f"**{heading}**\n\n{text}{more}")

    def solution(self):
        """The reference solution, as the lesson shows it."""
        code = self.problem.solution_code.rstrip()
        return Shown(code, f"```python\n{code}\n```")

    # -- Checking --------------------------------------------------------------

    def reference(self):
        """The reference's and the known mistakes' outputs, computed once."""
        if self._reference is None:
            from lessongrader import execute

            meta, arrays = execute.reference(self.problem)
            # As the command reads them: through JSON.
            self._reference = json.loads(json.dumps(meta)), arrays
        return self._reference

    def check(self, fn):
        """Grade fn on the problem's cases; the report, as the command's."""
        from lessongrader import report as reports

        try:
            return Checked(self._report(fn))
        except KeyboardInterrupt:
            return Checked(
                reports.cannot(
                    "interrupted. The check stopped while your function ran; "
                    "run the cell again when it is fixed."
                )
            )

    def _report(self, fn):
        from lessongrader import report as reports

        problem = self.problem
        if not callable(fn):
            return reports.cannot(
                f"check takes your function {problem.name} itself (the name, "
                f"without parentheses): exercise.check({problem.name}). It got "
                f"{_describe(fn)}."
            )
        from lessongrader import execute

        meta, expected = self.reference()
        spec = execute.spec_of(problem)
        cases = execute.trials(problem, spec)
        own = getattr(getattr(fn, "__code__", None), "co_filename", None)

        def code_of(filename):
            return bool(filename) and (
                filename == own or CELL_FILE.search(filename) is not None
            )

        def error(exc):
            return execute.error_record(exc, spec=spec, code_of=code_of)

        results, arrays = {"stage": "signature"}, {}
        arguments = cases[0].arguments
        if not execute.check_signature(fn, problem.parameters, arguments, results):
            results = json.loads(json.dumps(results))
            message = reports.ungradable_stage(results, problem.name, WHERE)
            return reports.cannot(message)
        printed = io.StringIO()

        @contextlib.contextmanager
        def capture(number):
            case = io.StringIO()
            with contextlib.redirect_stdout(case), contextlib.redirect_stderr(case):
                yield case.getvalue
            printed.write(case.getvalue())

        # The grader's own warnings are not what your function printed.
        with execute.graders_warnings_to(lambda text: None):
            execute.run_cases(
                cases, fn, execute.names_of(fn), results, arrays, error,
                stop=(KeyboardInterrupt,), capture=capture,
            )  # fmt: skip
        results = json.loads(json.dumps(results))
        report = reports.graded(
            problem, WHERE, meta, expected, results, arrays,
            printed.getvalue().rstrip("\n"), START,
        )  # fmt: skip
        if report.diagnoses:
            note = reports.pitfall_note(meta, lambda: "(not kept: run in a notebook)")
            report.notes += [note] if note else []
        return report


def _describe(value):
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def practice(name):
    """The exercise of the problem ``name``, to attempt in a notebook.

    ``exercise.check(fn)`` grades your function in this process (interrupt
    the cell to stop a hang), ``exercise.hint()`` shows the next hint,
    ``exercise.hint(n)`` hint n, ``exercise.solution()`` the solution.
    """
    problems = catalog.discover()
    if name not in problems:
        import difflib

        close = difflib.get_close_matches(name, problems, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"no problem named {name!r}.{hint} Known: {sorted(problems)}")
    return Exercise(problems[name])


practice.__doc__ += "\n" + INTERRUPT + "\n"
