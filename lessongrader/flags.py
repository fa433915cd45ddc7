"""Problems whose flag turns randomness off in evaluation (dropout, added
noise): the Spec, the known mistakes and the checks they share.

A problem takes them from its own files: its ``mistakes.py`` builds its
``SPEC`` with ``flag_spec`` and its flag's mistakes with ``flag_pitfalls``;
its ``diagnosis.py`` names ``dropout_properties`` or ``noise_properties`` its
``properties``. Each case then has the facts ``training`` (the flag asks for
training) and ``keep`` (the probability of keeping a unit), and
``case.related["eval"]``, the reference's output on the same case in
evaluation.
"""

import numpy as np

from lessongrader.compare import ATOL, values_match
from lessongrader.mistakes import Pitfall, Spec, with_args


def flag_spec(
    *,
    api,
    flag,
    eval_value,
    eval_output,
    keep,
    key_advice,
    shape_advice,
    pitfalls,
    params_advice="",
    noise_advice="",
    exception_hints=(),
    checks=(),
):
    """The Spec of a problem whose argument ``flag`` is ``eval_value`` in
    evaluation. ``api``: "linen" or "nnx"; ``eval_output``: what evaluation
    returns, in words; ``keep(case)``: the keep probability of a case; the
    advice: how the contract derives the key, builds the parameters, adds the
    noise; ``checks``: the Spec's checks of the classes the contract names."""
    return Spec(
        pitfalls=pitfalls,
        related={"eval": lambda case: {**case, flag: eval_value}},
        facts=lambda case: {
            "training": bool((case[flag] >= 0.5) != (eval_value >= 0.5)),
            "keep": float(keep(case)),
        },
        settings={
            "api": api,
            "flag": flag,
            "eval_value": eval_value,
            "eval_output": eval_output,
            "key_advice": key_advice,
            "params_advice": params_advice,
            "noise_advice": noise_advice,
        },
        shape_advice=shape_advice,
        exception_hints=exception_hints,
        checks=checks,
    )


def flag_pitfalls(
    fn,
    *,
    flag,
    train_value,
    eval_value,
    inverted,
    noun,
    mistaken_names=None,
    cannot_run=None,
):
    """The three ways a train/eval flag goes wrong, from the reference itself:
    ``inverted`` is the advice for a flag read the wrong way round, ``noun``
    what training adds ("dropout", "noise").

    ``mistaken_names(change)``, for a problem whose checks build its class:
    the names of a solution whose class gets its flag changed by
    ``change(flag) -> flag`` (a bool, as the class receives it), so that each
    mistake is computed on the checks too; ``cannot_run``: by mistake's name,
    the checks (by name) it cannot be computed on, with the reason.
    """
    # The flag's value in training, as the class receives it.
    in_training = bool(train_value >= 0.5)

    def names(change):
        return None if mistaken_names is None else mistaken_names(change)

    def skipped(name):
        return (cannot_run or {}).get(name, {})

    return (
        Pitfall(
            "flag-inverted",
            "The train/eval flag is inverted",
            inverted,
            with_args(fn, **{flag: lambda case: 1.0 - case[flag]}),
            names=names(lambda value: not value),
            cannot_run=skipped("flag-inverted"),
        ),
        Pitfall(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must not be random; yours is "
            f"the training output. Use the flag: it must turn the {noun} off.",
            with_args(fn, **{flag: train_value}),
            names=names(lambda value: in_training),
            cannot_run=skipped("eval-not-noop"),
        ),
        Pitfall(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={train_value} the output must be random; yours is the "
            f"evaluation output. Check that the flag reaches the layer, cast with "
            f"`>= 0.5`.",
            with_args(fn, **{flag: eval_value}),
            names=names(lambda value: not in_training),
            cannot_run=skipped(f"no-{noun}-in-training"),
        ),
    )


# -- Checks on arrays (the command runs them without JAX) ---------------------


def dropout_scale(got, base):
    """(True, c) when every element is 0 or c * base; c is None if all are 0."""
    kept = ~np.isclose(got, 0.0, atol=ATOL)
    if not kept.any():
        return True, None
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = float(np.median(got[kept] / base[kept]))
    if not np.isfinite(scale):
        return False, None
    ok = np.allclose(got[kept], scale * base[kept], rtol=1e-4, atol=ATOL)
    return bool(ok), scale


def near(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def _params_differ(settings):
    return (
        "params-differ",
        "The output is not built on the contract's parameters",
        settings.get("params_advice")
        or "Initialize the parameters as the contract does.",
    )


def flag_properties(case, settings, add, noun):
    """The checks common to a flag that turns randomness off in evaluation;
    True when one named the mistake."""
    got, base = case.array, case.related["eval"]
    flag, eval_value = settings["flag"], settings["eval_value"]
    if not case.facts["training"]:
        dropout_like, scale = dropout_scale(got, base)
        if settings["api"] == "linen" and not (
            dropout_like and scale is not None and not near(scale, 1)
        ):
            add(*_params_differ(settings))
            return True
        add(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must be "
            f"{settings['eval_output']}; use the flag to turn the {noun} off.",
        )
        return True
    if values_match(got, base) and not values_match(case.expected, base):
        add(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={1.0 - eval_value} the output must be random; yours is "
            f"{settings['eval_output']}. Check that the flag reaches the layer, "
            "cast with `>= 0.5`.",
        )
        return True
    return False


def noise_properties(case, settings, add):
    """Noise added in training: is it the contract's, at another scale?"""
    if flag_properties(case, settings, add, "noise"):
        return
    got, base = case.array, case.related["eval"]
    noise, wanted = got - base, case.expected - base
    scale = float(noise @ wanted / (wanted @ wanted))
    if np.allclose(noise, scale * wanted, rtol=1e-4, atol=ATOL):
        return add(
            "noise-scale",
            f"The noise is {scale:.3g} times the contract's",
            settings["noise_advice"],
        )
    return add(
        "different-noise",
        "Noise is added, but not the contract's",
        f"{settings['key_advice']} {settings['noise_advice']}",
    )


def dropout_properties(case, settings, add):
    """Dropout in training: which units, and by what factor they are scaled."""
    if flag_properties(case, settings, add, "dropout"):
        return
    linen = settings["api"] == "linen"
    got, base = case.array, case.related["eval"]
    keep = case.facts["keep"]
    dropout_like, scale = dropout_scale(got, base)
    if not dropout_like:
        if linen:
            return add(*_params_differ(settings))
        return add(
            "values-differ",
            "The values are not x with units dropped and rescaled",
            "Each output element must be 0 or x / (1 - rate); compare each step "
            "with the contract.",
        )
    # nn.Dropout rescales by its own rate: a wrong factor means a wrong rate.
    if keep >= 1.0:
        used = "units although the rate is 0"
    elif scale and scale > 1.0:
        used = f"with rate {1.0 - 1.0 / scale:.3g} instead of {1.0 - keep:.3g}"
    else:
        used = "with another rate"
    wrong_rate = (
        "wrong-rate",
        "The dropout does not use the given rate",
        f"Pass the problem's rate to nn.Dropout; in case {case.number + 1} yours "
        f"drops {used}.",
    )
    if keep >= 1.0:
        if linen:
            return add(*wrong_rate)
        return add(
            "rate-zero",
            "A rate of 0 changes the output",
            "With rate 0 nothing is dropped: return x unchanged, as the contract "
            "does when rate <= 0.",
        )
    if scale is None or near(scale, 1.0 / keep):
        return add(
            "different-mask",
            "A valid dropout, but other units are dropped than the contract's",
            "Each element is 0 or its evaluation value / keep, as it should be, "
            f"but the mask comes from another key. {settings['key_advice']}",
        )
    if linen and scale > 1.0:
        return add(*wrong_rate)
    if near(scale, 1.0):
        return add(
            "no-rescale",
            "Kept units are not rescaled",
            "Divide the kept units by keep = 1 - rate, so the mean output is "
            "unchanged.",
        )
    if near(scale, keep):
        return add(
            "rescale-multiplied",
            "Kept units are multiplied by keep instead of divided",
            "Divide by keep = 1 - rate, do not multiply.",
        )
    return add(
        "wrong-scale",
        "Kept units are scaled by the wrong factor",
        f"They are multiplied by {scale:.3g}; with this rate the factor is "
        f"1 / (1 - rate) = {1.0 / keep:.3g}. Check the rate you use.",
    )
