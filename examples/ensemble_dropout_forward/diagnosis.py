"""The checks of ensemble_dropout_forward, on arrays only: the output of member
m at step t, ``[t, m]``, is row t of xs with units dropped, the kept ones
divided by keep; each member of a step has a mask of its own, and each step
new ones.

What decides which mistake it is, is which masks repeat: the masks are the
units an output keeps (xs has no zeros).
"""

import numpy as np

from lessongrader.flags import dropout_scale, near


def _all_equal(masks):
    return all(np.array_equal(mask, masks[0]) for mask in masks[1:])


def properties(case, settings, add):
    """Name what is wrong with one case whose values differ."""
    got = case.array
    keep, members = case.facts["keep"], case.facts["members"]
    xs = np.asarray(case.facts["xs"], dtype=np.float64)
    base = np.broadcast_to(xs[:, None, :], got.shape)
    dropout_like, scale = dropout_scale(got, base)
    if not (dropout_like and (scale is None or near(scale, 1.0 / keep))):
        return add(
            "not-inverted-dropout",
            "The outputs are not the rows of xs with units dropped and the kept "
            "ones divided by keep",
            "Each element of `outputs[t, m]` must be 0 or `xs[t] / (1 - rate)`: "
            "`jax.random.bernoulli(key, p=1 - rate, shape=x.shape)` keeps a unit "
            "where it is True, and `jnp.where(mask, x / (1 - rate), 0.0)`.",
        )
    masks = got != 0
    steps = masks.shape[0]
    found = False
    if members > 1 and all(_all_equal(step) for step in masks):
        found = True
        add(
            "members-share-the-stream",
            "Every member draws the same mask: the ensemble's stream is shared, "
            "not split",
            "The members of a step keep the same units. " + settings["split_advice"],
        )
    if steps > 1 and _all_equal(masks):
        found = True
        add(
            "steps-repeat-the-masks",
            "Every step draws the masks of the first: the stream's count never "
            "advances from step to step",
            "Each step keeps the units of the first. " + settings["carry_advice"],
        )
    if not found:
        add(
            "different-masks",
            "Each member and step draws a valid mask, but not the contract's",
            settings["key_advice"],
        )
