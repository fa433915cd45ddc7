"""The grader's report as JSON, for classroom autograders and CI: Exercism's
results.json, version 3 (``python3 -m nox -s check -- PROBLEM FILE --format
json``). The fields are described in lessongrader/README.md, and checked by
lessongrader/results.schema.json.
"""

from lessongrader.compare import case_details
from lessongrader.report import PASSED, WRONG
from lessongrader.text import visible

OUTPUT_LIMIT = 500  # characters of a case's output, as Exercism keeps


def results(report):
    """The report as a dict: the verdict, and one test per case, in order."""
    status = {PASSED: "pass", WRONG: "fail"}.get(report.status, "error")
    data = {"version": 3, "status": status}
    if status == "error":  # else each test says it (as Exercism's runners do)
        # The message unwrapped, and the lines that follow it as they are.
        lines = [" ".join(report.message.split()), *report.message_lines]
        data["message"] = visible("\n".join(lines))
    data["tests"] = [_test(report, case) for case in report.cases]
    return data


def _test(report, case):
    """A case: how it failed (its details and diagnoses) and what it printed."""
    test = {"name": f"case {case.number + 1}", "test_code": case.call}
    if not case.failure:
        test.update(status="pass", message=None)
    else:
        lines = [case_details(case, report.file)] + [
            d.text() for d in report.diagnoses if not d.cases or case.number in d.cases
        ]
        error = case.got["kind"] == "error"
        test.update(status="error" if error else "fail", message="\n".join(lines))
    output = case.output.replace("\r\n", "\n")
    if len(output) > OUTPUT_LIMIT:
        cut = f"... (cut at {OUTPUT_LIMIT} characters)"
        output = output[: OUTPUT_LIMIT - len(cut)] + cut
    test["output"] = visible(output) or None
    return test
