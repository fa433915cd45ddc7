"""What a problem's ``mistakes.py`` declares: its ``SPEC``, the known mistakes
as code and what the problem's own checks compare with.

The engine (``execute``, ``compare``, ``diagnose``) knows no problem: it runs
the function on the problem's ``CASES``, compares each output with the
reference's, names the known mistake whose outputs the attempt's match, and
hands every case still unexplained to the problem's own checks, the
``properties(case, settings, add)`` of its ``diagnosis.py`` (NumPy only: the
command runs them in a process without JAX). What those checks read is
declared in the ``Spec``:

- ``related``: the reference's outputs on changed arguments, by name (the same
  case in evaluation, say): ``case.related[name]``;
- ``facts``: values of each case (JSON): ``case.facts``;
- ``settings``: the problem's words and values the checks use (JSON).

Problems with a train/eval flag build all three with ``lessongrader.flags``;
a problem without one declares what its checks need, and nothing else.

**Checks of what the contract names** (the extension point). A ``Check`` is a
case that exercises more than one call of the function: it builds a class the
contract names and calls it twice in training, or with streams seeded apart,
or steps it under ``nnx.jit``. Its ``run(names)`` gets the names the attempt
defines (the command: the attempt's module; the notebook: the function's
globals) and returns an output, which is compared with ``run`` on the
reference solution's names. Each check comes after the ``CASES``, with its
own PASS/FAIL row, the same comparisons, and its own diagnosis when it fails,
no known mistake explains why, and the function's cases pass (or always, for
an ``independent`` check), in the command and in the notebook alike. A known
mistake is computed on the checks through its ``names``: the names of a
mistaken solution (its class, say), which every check but an independent one
is run on. The function's cases and the checks are matched apart
(``lessongrader.diagnose``): a mistake may concern one of them only.

A check looks a name up with ``named(names, "NoiseLayer")``: a file that
defines none gets "the contract names `NoiseLayer`; your file defines none",
with a name it may have meant, rather than a KeyError.
"""

import dataclasses
import difflib
import inspect
from collections.abc import Callable, Mapping


@dataclasses.dataclass(frozen=True)
class Pitfall:
    name: str  # a short tag, shown in brackets
    title: str
    advice: str  # what to change, in one or two sentences
    # The mistaken function, with the reference's signature; None for a mistake
    # that shows only in the checks (see names).
    forward: Callable | None
    # The cases this mistake cannot be computed on (indices in CASES, or the
    # name of a Check), each with the reason: a mistaken layer that raises
    # where the grader uses it without keys, say, as an attempt with the same
    # mistake would. The grader skips only these: any other that raises is
    # reported.
    cannot_run: Mapping[int | str, str] = dataclasses.field(default_factory=dict)
    # The names a mistaken solution defines, which the checks are run on (None:
    # the mistake is not computed on the checks).
    names: Mapping[str, object] | None = None


@dataclasses.dataclass(frozen=True)
class Check:
    """A case beyond the function: how the contract's classes are used."""

    call: str  # what the row of the report says it does, in a line
    run: Callable[[Mapping[str, object]], object]  # the file's names -> an output
    # The diagnosis of a wrong output no known mistake explains, given once the
    # function's own cases pass (their mistake may be the check's too)...
    name: str
    title: str
    advice: str
    # ... or whatever they show, for a check of a property the check observes
    # itself (one seed changed, the other kept: the same mask?): its failure is
    # that property's, named by its own diagnosis and matched to no known mistake.
    independent: bool = False


class NotDefined(LookupError):
    """A name the contract gives that the attempt does not define."""

    def __init__(self, name, close=None):
        self.name, self.close = name, close
        super().__init__(f"the contract names {name!r}, which is not defined")


def named(names, name):
    """The value of ``name`` among the names the attempt defines; NotDefined,
    with the closest class or function it does define, if there is none."""
    value = names.get(name)
    if value is None:
        defined = [
            key
            for key, value in names.items()
            if not key.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
        ]
        close = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
        raise NotDefined(name, close[0] if close else None)
    return value


def _no_facts(case):
    return {}


@dataclasses.dataclass(frozen=True)
class Spec:
    """What the grader needs to know about a problem, beyond its cases."""

    pitfalls: tuple[Pitfall, ...] = ()
    # The reference's outputs the problem's checks compare with: name -> the
    # case's arguments, changed (a function of the case).
    related: Mapping[str, Callable[[dict], dict]] = dataclasses.field(
        default_factory=dict
    )
    # What the problem's checks need to know of each case (JSON values).
    facts: Callable[[dict], dict] = _no_facts
    # The problem's words and values its checks use (JSON values).
    settings: Mapping[str, object] = dataclasses.field(default_factory=dict)
    # What to change when the output has the wrong shape.
    shape_advice: str = "Return an array of the shape the contract gives."
    # Exceptions that point to a mistake of this problem, before the grader's
    # own list: (tag, regular expression on "Type: message", title, advice).
    exception_hints: tuple = ()
    # Cases beyond the function (see Check), after CASES.
    checks: tuple[Check, ...] = ()


_CALLS = {}


def call(fn, **arguments):
    """``fn(**arguments)``, computed once per distinct arguments.

    A reference is deterministic, and several mistakes are the reference called
    with a changed argument: each distinct call then costs one run, not several.
    """
    key = (fn,) + tuple(
        (name, value.shape, str(value.dtype), value.tobytes())
        if hasattr(value, "tobytes")
        else (name, value)
        for name, value in sorted(arguments.items())
    )
    if key not in _CALLS:
        _CALLS[key] = fn(**arguments)
    return _CALLS[key]


def with_args(fn, **changes):
    """``fn`` called with some arguments replaced (values or functions of the case)."""

    def forward(**case):
        new = {k: v(case) if callable(v) else v for k, v in changes.items()}
        return call(fn, **{**case, **new})

    return forward
