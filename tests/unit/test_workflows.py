"""The GitHub workflows: a step that pipes a command fails when the command does.

GitHub runs a step's script with ``bash -e {0}`` unless ``shell: bash`` is
set (then ``bash --noprofile --norc -eo pipefail {0}``): without it, in
``nox -s latest | tee log`` only tee's status counts, and a failure passes.
"""

import re

import pytest
import yaml
from sitebuild import ROOT

WORKFLOWS = sorted((ROOT / ".github").rglob("*.yml"))
# A pipe between commands: one "|" that is not part of "||" or "|&".
PIPE = re.compile(r"(?<![|])\|(?![|&])")


def has_pipe(script):
    lines = (line.split(" #")[0] for line in script.splitlines())
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    # Quoted text is no pipe ('a|b', "x | y").
    code = re.sub(r"'[^']*'|\"[^\"]*\"", "", code)
    return bool(PIPE.search(code))


def steps_without_pipefail(workflow):
    """The names of steps whose script pipes a command with pipefail off."""
    default = workflow.get("defaults", {}).get("run", {}).get("shell")
    found = []
    for job_name, job in workflow.get("jobs", {}).items():
        job_default = job.get("defaults", {}).get("run", {}).get("shell", default)
        for number, step in enumerate(job.get("steps", []), 1):
            script = step.get("run")
            if not script or not has_pipe(script):
                continue
            shell = step.get("shell", job_default) or ""
            if shell == "bash" or "pipefail" in shell or "pipefail" in script:
                continue
            found.append(f"{job_name}: {step.get('name', f'step {number}')}")
    return found


UNSAFE = """
jobs:
  latest:
    steps:
      - name: Build
        run: |
          python -m nox -s latest 2>&1 | tee latest.log
      - name: Safe, no pipe
        run: python -m nox -s tests || echo "a || is no pipe" 'nor | this'
      - name: Safe, bash
        shell: bash
        run: python -m nox -s latest | tee latest.log
      - name: Safe, set
        run: |
          set -o pipefail
          python -m nox -s latest | tee latest.log
"""


def test_a_pipe_without_pipefail_is_caught():
    assert steps_without_pipefail(yaml.safe_load(UNSAFE)) == ["latest: Build"]
    defaults = yaml.safe_load("defaults: {run: {shell: bash}}\n" + UNSAFE)
    assert steps_without_pipefail(defaults) == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_piped_command_fails_its_step(path):
    assert steps_without_pipefail(yaml.safe_load(path.read_text())) == []
