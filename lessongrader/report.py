"""The grader's verdict on an attempt, as text (the command) or HTML (a notebook).

A ``Report`` holds what was found; ``text()`` writes it as the command prints
it and ``html()`` as a notebook shows it, with the same words and tags
(``lessongrader.results`` writes it as JSON).
"""

import dataclasses
import difflib
import html
import signal

from lessongrader.compare import build_cases, case_details, error_text
from lessongrader.diagnose import diagnose
from lessongrader.text import paragraph, visible

PASSED, WRONG, UNGRADABLE = 0, 1, 2
SHOWN_FAILURES = 3  # failing cases shown in detail


@dataclasses.dataclass
class Report:
    status: int
    # A report that is a message only: "Could not grade: ...",
    # "[not-attempted] ...".
    message: str = ""
    message_lines: list = dataclasses.field(default_factory=list)
    cases: list = dataclasses.field(default_factory=list)
    details: list = dataclasses.field(default_factory=list)  # failing, as text
    failing: int = 0
    output: str = ""  # what the attempt printed
    diagnoses: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    closing: str = ""  # a last line
    file: str = ""  # the attempt, as the details of a failing case name it

    @property
    def summary(self):
        if not self.cases:
            return ""
        return f"{len(self.cases) - self.failing} of {len(self.cases)} cases passed."

    def _printed(self):
        if not self.output:
            return []
        lines = self.output.split("\n")  # not splitlines(): "\r" and the like shown
        return ["", "Your code printed:", *(f"  | {line}" for line in lines)]

    def text(self):
        """The report as the command prints it."""
        lines = []
        if self.message:
            lines += [self.message, *self.message_lines]
        for case in self.cases if not self.message else []:
            status = "FAIL" if case.failure else "PASS"
            reason = f"  -- {case.failure}" if case.failure else ""
            lines.append(f"  {status}  case {case.number + 1}  {case.call}{reason}")
        if self.details:
            more = (
                f" (first {len(self.details)} of {self.failing})"
                if self.failing > len(self.details)
                else ""
            )
            lines += ["", f"Failing cases{more}:", *self.details]
        lines += self._printed()
        if self.diagnoses:
            lines += ["", "Diagnosis:", *(d.text() for d in self.diagnoses)]
        lines += [line for note in self.notes for line in ("", paragraph(note, ""))]
        if self.closing:
            lines += ["", self.closing]
        if self.summary:
            lines += ["", self.summary]
        return visible("\n".join(lines))

    def html(self):
        """The report as a notebook shows it: the verdict and the diagnosis
        first, then each case, passed or failed, then the details."""
        verdict, colour = {
            PASSED: ("Correct", "#1a7f37"),
            WRONG: ("Incorrect", "#b3261e"),
        }.get(self.status, ("Could not grade", "#8a5300"))
        summary = f" &middot; {_e(self.summary)}" if self.summary else ""
        parts = [
            f'<div class="lessongrader-report" style="{_BOX}">',
            f'<p style="margin:0 0 .5em"><strong style="color:{colour}">{verdict}'
            f"</strong>{summary}</p>",
        ]
        if self.message:
            message = "\n".join([self.message, *self.message_lines])
            parts.append(f'<pre style="white-space:pre-wrap">{_e(message)}</pre>')
        if self.diagnoses:
            parts.append("<p style='margin:.5em 0 .25em'><b>Diagnosis</b></p><ul>")
            parts += [
                f"<li><code>[{_e(d.name)}]</code> {_e(d.sentence())}</li>"
                for d in self.diagnoses
            ]
            parts.append("</ul>")
        if self.cases and not self.message:
            parts.append('<table style="border-collapse:collapse">')
            parts += [_case_row(case) for case in self.cases]
            parts.append("</table>")
        if self.details:
            parts.append("<details><summary>Failing cases</summary>")
            # Long lines (arrays) scroll in their own box, not the page.
            parts.append(
                f"<pre{_SCROLL}>{_e(chr(10).join(self.details))}</pre></details>"
            )
        if self.output:
            parts.append("<details open><summary>Your code printed</summary>")
            parts.append(f"<pre{_SCROLL}>{_e(self.output)}</pre></details>")
        parts += [f"<p>{_e(note)}</p>" for note in [*self.notes, self.closing] if note]
        parts.append("</div>")
        return "\n".join(parts)


_BOX = "font-family:system-ui,sans-serif;line-height:1.4;max-width:60em"
_SCROLL = ' style="overflow-x:auto"'
_CELL = "padding:2px 8px;vertical-align:top"


def _e(text):
    return html.escape(visible(text))


def _case_row(case):
    mark, colour = (
        ("&#10007; FAIL", "#b3261e") if case.failure else ("&#10003; PASS", "#1a7f37")
    )
    reason = f" &mdash; {_e(case.failure)}" if case.failure else ""
    return (
        f'<tr><td style="{_CELL};color:{colour};white-space:nowrap">{mark}</td>'
        f'<td style="{_CELL};white-space:nowrap">case {case.number + 1}</td>'
        f'<td style="{_CELL}"><code>{_e(case.call)}</code>{reason}</td></tr>'
    )


def cannot(message, output="", extra=()):
    """The report on an attempt that could not be graded."""
    text = paragraph(message, indent="", first="Could not grade: ")
    return Report(UNGRADABLE, message=text, message_lines=list(extra), output=output)


def ungradable_stage(results, problem, file):
    """The message for an attempt that stopped before its cases ran: at its
    import, without the function, or with other parameters; None if it ran."""
    stage = results["stage"]
    if stage == "async":
        return (
            f"your {problem} is defined with `async def`: calling it gives a "
            "coroutine, not its result, and the grader calls it as the contract "
            "says. Define it with def, not async def."
        )
    if stage == "import":
        error = results["error"]
        text = f"{file} raised an exception while being imported: {error_text(error)}."
        if error.get("hint"):
            text += f" [{error['hint']['name']}] {error['hint']['advice']}"
        return text
    if stage == "function":
        defined = results.get("defined", [])
        text = f"{file} defines no function named {problem}."
        if defined:
            text += f" It defines: {', '.join(defined)}."
            close = difflib.get_close_matches(problem, defined, n=1)
            if close:
                text += f" Rename {close[0]} to {problem}."
        return text
    if stage == "signature":
        expected = ", ".join(results["parameters"])
        got = ", ".join(results.get("got_parameters", []))
        return (
            f"your {problem}({got}) does not take the contract's parameters, "
            f"{problem}({expected}), which the grader passes by keyword "
            f"({results['error']['message']}). Name the parameters {expected}."
        )
    return None


def graded(problem, file, reference, expected, results, arrays, output, start):
    """The report on an attempt whose cases ran.

    ``problem`` is the catalog's Problem; ``start`` says how to grade again
    (the starter's docstring, the lesson).
    """
    cases = build_cases(reference, expected, results["cases"], arrays)
    failing = [c for c in cases if c.failure]
    unwritten = [
        c.got.get("error", {}).get("type") == "NotImplementedError"
        and c.got["error"].get("raised_by_attempt")
        for c in cases
    ]
    if all(unwritten):
        # A starter, untouched: one line says it all.
        text = (
            f"{problem.name} still raises NotImplementedError. Replace the raise "
            f"with your solution; the contract is in {start}."
        )
        first = "[not-attempted] Not attempted yet: "
        message = paragraph(text, indent="", first=first)
        failing = len(cases)
        return Report(
            WRONG, message, cases=cases, failing=failing, output=output, file=file
        )
    report = Report(
        PASSED if not failing else WRONG, cases=cases, output=output, file=file
    )
    report.failing = len(failing)
    report.details = [case_details(c, file) for c in failing[:SHOWN_FAILURES]]
    if failing:
        report.diagnoses = diagnose(reference, expected, cases, problem)
    return report


# -- An attempt run in a process of its own (the command) ----------------------


def _ended(run, file):
    """The process ended before it reported anything."""
    code = run.returncode
    how = f"ended with status {code}"
    if code < 0:
        how = f"was ended by {signal.Signals(-code).name}"
    where = f" while {run.progress}" if run.progress else ""
    return (
        f"the process running {file} {how}{where}, before reporting any result. "
        "Does your file end its own process (os._exit, a signal) or crash Python?"
    )


def _internal(run, problem, file, results):
    """The grader's code failed in the attempt's process."""
    if results.get("builtins_changed"):
        names = ", ".join(f"`{name}`" for name in results["builtins_changed"])
        return (
            f"the grader failed after {file} was imported ({results['message']}): "
            f"your file changes Python's builtin {names}, which the grader uses "
            "too. Leave the builtins module as it is: name your own functions "
            "and variables in your file."
        )
    text = f"internal error in the grader: {results['message']}"
    if results.get("attempt_ran"):
        text = (
            f"the grader failed after {file} was imported: {results['message']}."
            " If your file changes the grader's modules or files, that is the "
            "cause; otherwise it is a fault of the grader"
        )
    return f"{text}. The grader's log is kept in {run.keep_log(problem)}."


def _ungradable(run, problem, file, default_timeout):
    """The message for a run that did not reach the cases, or None."""
    if run.reference_state == "failed":  # before the attempt was imported
        return (
            "internal error in the grader: the process computing the reference "
            f"outputs failed ({run.reference_error}). The grader's log is kept "
            f"in {run.keep_log(problem)}."
        )
    if run.timed_out and not run.progress:  # the grader was still at work
        running = run.reference_state == "running"
        what = "computing the reference outputs" if running else "starting"
        return (
            f"the time limit of {run.timeout:g} s ran out while the grader was still "
            f"{what}, before your code ran. This is not a fault of your code: raise "
            f"the limit with --timeout (the default is {default_timeout:g} s)."
        )
    if run.timed_out:
        return (
            f"timed out after {run.timeout:g} s while {run.progress}. Look for a "
            "loop that never ends; if your code is only slow, raise the limit with "
            "--timeout."
        )
    if run.results is None:
        return _ended(run, file)
    if run.results["stage"] == "internal":
        return _internal(run, problem, file, run.results)
    return ungradable_stage(run.results, problem, file)


def pitfall_note(reference, keep_log):
    """Known mistakes the reference could not compute, if any, as a note."""
    errors = reference.get("pitfall_errors", [])
    if not errors:
        return None
    names = list(dict.fromkeys(e["name"] for e in errors))
    first = errors[0]
    return (
        "Note: the grader could not compute the known "
        + ("mistakes " if len(names) > 1 else "mistake ")
        + ", ".join(f"[{name}]" for name in names)
        + f" (case {first['case'] + 1}: {first['error']}), so this diagnosis may "
        + ("miss them" if len(names) > 1 else "miss it")
        + ". That is a fault of the grader, not of your code; its log is kept in "
        f"{keep_log()}."
    )


def isolated(problem, file, run, default_timeout):
    """The report on a run of lessongrader.isolation."""
    message = _ungradable(run, problem.name, file, default_timeout)
    if message is not None:
        return cannot(message, run.output)
    report = graded(
        problem, file, run.reference, run.expected, run.results, run.arrays,
        run.output, "its docstring and in the lesson",
    )  # fmt: skip
    if report.diagnoses:
        note = pitfall_note(run.reference, lambda: run.keep_log(problem.name))
        report.notes += [note] if note else []
    return report
