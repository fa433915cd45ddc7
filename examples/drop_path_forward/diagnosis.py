"""The checks of drop_path_forward, on arrays only: whatever the key, a
correct block's training output is x plus the branch tanh(x), each example's
branch dropped whole or kept and multiplied by 1 / keep. Which part is
dropped, the shape of the mask and the factor are read from the output.

They replace the grader's dropout checks (lessongrader.flags), which look at
units, not at examples, and know no skip connection.
"""

import numpy as np

from lessongrader.compare import ATOL, values_match


def _near(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def _masked(part, got):
    """(ok, factor, kept): whether every element of got is 0 or factor * part;
    kept marks the elements that are not 0 (factor None if none is)."""
    kept = ~np.isclose(got, 0.0, atol=ATOL)
    if not kept.any():
        return True, None, kept
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = float(np.median(got[kept] / part[kept]))
    if not np.isfinite(factor):
        return False, None, kept
    ok = np.allclose(got[kept], factor * part[kept], rtol=1e-4, atol=ATOL)
    return bool(ok), factor, kept


def _kept_examples(kept):
    """Per example, whether its branch is kept (None if only part of it is)."""
    rows = kept.reshape(len(kept), -1)
    whole = rows.all(axis=1) | ~rows.any(axis=1)
    return rows.all(axis=1) if whole.all() else None


def _mask_structure(kept, add):
    """Name how a mask that varies within examples is shaped."""
    if len(kept) > 1 and all(np.array_equal(k, kept[0]) for k in kept):
        return add(
            "broadcast-dims-batch-axis",
            "Every example gets the same per-unit mask",
            "`broadcast_dims` lists the axes that share one draw, not the axes "
            "that keep their own: for one draw per example, name every axis "
            "but the batch axis, `tuple(range(1, x.ndim))`.",
        )
    if kept.ndim == 3 and all((example == example[0]).all() for example in kept):
        return add(
            "broadcast-dims-axis-1-only",
            "On (batch, tokens, features) input the mask still varies along "
            "the features",
            "Share each example's draw along every axis but the first: "
            "`broadcast_dims=tuple(range(1, x.ndim))`, or a mask of shape "
            "`(x.shape[0],) + (1,) * (x.ndim - 1)`.",
        )
    return add(
        "per-unit-mask",
        "The mask is drawn per unit, not per example: ordinary dropout",
        "Stochastic depth keeps or drops an example's whole branch: a mask of "
        "shape `(x.shape[0],) + (1,) * (x.ndim - 1)`, which "
        "`broadcast_dims=tuple(range(1, x.ndim))` gives.",
    )


def _scale(factor, keep, add):
    """Name a wrong factor of the kept branches; True if it is wrong."""
    if factor is None or _near(factor, 1.0 / keep):
        return False
    if _near(factor, 1.0):
        add(
            "no-rescale",
            "Kept branches are not rescaled",
            "Divide the kept branches by keep = 1 - rate, so that the expected "
            "output is the evaluation output.",
        )
    elif _near(factor, keep):
        add(
            "rescale-multiplied",
            "Kept branches are multiplied by keep instead of divided",
            "Divide by keep = 1 - rate, do not multiply.",
        )
    else:
        add(
            "wrong-scale",
            "Kept branches are scaled by the wrong factor",
            f"They are multiplied by {factor:.3g}; with this rate the factor is "
            f"1 / (1 - rate) = {1.0 / keep:.3g}.",
        )
    return True


def _training(case, settings, add):
    got = case.array
    x = np.asarray(case.facts["x"])
    branch = np.asarray(case.facts["branch"])
    keep = case.facts["keep"]
    if values_match(got, x + branch):
        # Or every branch kept, and none rescaled: the output cannot tell.
        return add(
            "no-drop-in-training",
            "The training output is the evaluation output, x + tanh(x)",
            "With deterministic=0.0 DropPath must drop branches, and rescale the "
            "kept ones by 1 / (1 - rate); check that the flag reaches it, cast "
            "with `bool(deterministic >= 0.5)`.",
        )
    ok, factor, kept = _masked(branch, got - x)
    if not ok:
        if _masked(x + branch, got)[0]:
            return add(
                "drop-sum",
                "The whole residual sum x + f(x) is dropped, not the branch f(x)",
                "A dropped example must skip the block, not vanish: "
                "`x + drop_path(jnp.tanh(x), ...)`, so that it keeps x.",
            )
        if _masked(x, got - branch)[0]:
            return add(
                "drop-skip",
                "The skip connection x is dropped, not the branch f(x)",
                "The skip connection always carries x: "
                "`x + drop_path(jnp.tanh(x), ...)`.",
            )
        return add(
            "values-differ",
            "The output is not x plus the branch tanh(x), dropped or rescaled",
            "Each example's output must be x, or x + tanh(x) / (1 - rate); "
            "compare each step with the contract.",
        )
    if _kept_examples(kept) is None:
        _mask_structure(kept, add)
        _scale(factor, keep, add)
        return
    if _scale(factor, keep, add):
        return
    # Per example, at the right scale: another key, or another probability.
    # (One draw for the whole batch is named by a check of DropPath on 64
    # examples: on a few, another key can keep or drop them all.)
    return add(
        "different-mask",
        "Each example's branch is dropped or kept whole, at the right scale, "
        "but other examples are dropped than the contract's",
        f"The mask comes from another key or another probability. "
        f"{settings['key_advice']}",
    )


def properties(case, settings, add):
    """Name what is wrong with one case whose values differ."""
    if case.facts["training"] and case.facts["keep"] < 1.0:
        return _training(case, settings, add)
    if case.facts["training"]:
        return add(
            "rate-zero",
            "A rate of 0 changes the output",
            "With rate 0 nothing is dropped: the block returns x + tanh(x).",
        )
    return add(
        "eval-not-noop",
        "In evaluation the block does not return x + tanh(x)",
        "With deterministic=1.0 DropPath must return its input unchanged, "
        "before drawing any key.",
    )
