"""What a problem's ``mistakes.py`` declares: its known mistakes, as code.

Each pitfall is a small mistaken version of the reference solution: the grader
computes its output on every case and, when an attempt's outputs match it,
names the mistake. Most reuse the reference function, with an argument
changed (``with_args``), or its module. The ``Spec`` also tells the grader's
checks what the problem's flag is and how a wrong output is explained.
"""

import dataclasses
from collections.abc import Callable, Mapping


@dataclasses.dataclass(frozen=True)
class Pitfall:
    name: str  # a short tag, shown in brackets
    title: str
    advice: str  # what to change, in one or two sentences
    forward: Callable  # the mistaken function, same signature
    # The cases (indices in CASES) this mistake cannot be computed on, each with
    # the reason. The grader skips only these: any other that raises is reported.
    cannot_run: Mapping[int, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What the grader's checks need to know about a problem."""

    api: str  # "linen" or "nnx"
    # "dropout": zeroes units and rescales; "noise": adds noise; any other kind
    # is checked by the problem's own diagnosis.py.
    kind: str
    flag: str  # the argument that switches training on and off
    eval_value: float  # the flag's value in evaluation
    eval_output: str  # what evaluation returns, in words
    key_advice: str  # how the contract derives the random key
    shape_advice: str
    keep: Callable[[dict], float]  # keep probability of a case
    pitfalls: tuple[Pitfall, ...]
    # When the output is not built on the contract's parameters: what to change.
    params_advice: str = ""
    # For noise: what the contract adds.
    noise_advice: str = ""
    # Exceptions that point to a mistake of this problem, before the grader's
    # own list: (tag, regular expression on "Type: message", title, advice).
    exception_hints: tuple = ()


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


def flag_pitfalls(fn, flag, train_value, eval_value, inverted, noun):
    """The three ways a train/eval flag goes wrong, from the reference itself."""
    return (
        Pitfall(
            "flag-inverted",
            "The train/eval flag is inverted",
            inverted,
            with_args(fn, **{flag: lambda case: 1.0 - case[flag]}),
        ),
        Pitfall(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must not be random; yours is "
            f"the training output. Use the flag: it must turn the {noun} off.",
            with_args(fn, **{flag: train_value}),
        ),
        Pitfall(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={train_value} the output must be random; yours is the "
            f"evaluation output. Check that the flag reaches the layer, cast with "
            f"`>= 0.5`.",
            with_args(fn, **{flag: eval_value}),
        ),
    )
