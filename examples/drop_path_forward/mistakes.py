"""The known mistakes of drop_path_forward, as code, so the grader can name
them, and the checks of the class the contract names, DropPath.

Every mistaken DropPath here is written by hand: with the same key, a mask of
the same shape is the one ``nnx.Dropout`` draws (``jax.random.bernoulli(key,
1 - rate, shape)``), so a learner's nnx.Dropout with the wrong
``broadcast_dims`` and a hand-written mask of the wrong shape get one name.

Some mistakes give exactly the reference's outputs under the contract, so no
grader can see them, and they are not listed:

- ``nnx.Rngs(int(seed))`` instead of ``nnx.Rngs(dropout=int(seed))``: the
  key of a stream does not depend on its name;
- a hand-written mask shaped ``(batch, 1, ..., 1)`` instead of
  ``nnx.Dropout``: the same key and shape give the same draws;
- ``x * mask / keep`` instead of ``jnp.where(mask, x / keep, 0.0)``: the same
  values to the grader's tolerance.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lessongrader.mistakes import Check, Pitfall, Spec, with_args

from .solution import DropPath, drop_path_forward

# -- Mistaken layers and blocks -----------------------------------------------


def _per_example(x):
    return (x.shape[0],) + (1,) * (x.ndim - 1)


MASK_SHAPES = {
    "example": _per_example,  # the contract: one draw per example
    "unit": lambda x: x.shape,  # no broadcast_dims: ordinary dropout
    "batch": lambda x: (1,) * x.ndim,  # one draw for the whole batch
    "shared-by-batch": lambda x: (1,) + x.shape[1:],  # broadcast_dims=(0,)
    # broadcast_dims=(1,), written for (batch, features), on any rank
    "axis-1-only": lambda x: (x.shape[0], 1) + x.shape[2:],
}


class _DropPathVariant(nnx.Module):
    """The reference DropPath, written by hand, with one step replaced by a
    mistaken one."""

    def __init__(
        self,
        rate,
        *,
        mask="example",
        kept=lambda x, keep: x / keep,
        p=lambda keep: keep,
        stream="dropout",
        uses_flag=True,
    ):
        self.rate = rate
        self.mask, self.kept, self.p = mask, kept, p
        self.stream, self.uses_flag = stream, uses_flag

    def __call__(self, x, *, deterministic, rngs=None):
        # Without keys even the layer that ignores its flag can only return x.
        if (deterministic and self.uses_flag) or self.rate <= 0.0 or rngs is None:
            return x
        keep = 1.0 - self.rate
        key = getattr(rngs, self.stream)()
        shape = MASK_SHAPES[self.mask](x)
        drawn = jax.random.bernoulli(key, p=self.p(keep), shape=shape)
        return jnp.where(drawn, self.kept(x, keep), 0.0)


def _variant(**changes):
    return functools.partial(_DropPathVariant, **changes)


def _block(seed, x, rate, deterministic, *, layer=DropPath, dropped="branch"):
    """The reference's block, with a mistaken layer or a mistaken part dropped:
    "branch" (the contract), "sum" (x + f(x)) or "skip" (x itself)."""
    drop_path = layer(rate)
    rngs = nnx.Rngs(dropout=int(seed))
    flag = bool(deterministic >= 0.5)
    branch = jnp.tanh(x)
    if dropped == "sum":
        return drop_path(x + branch, deterministic=flag, rngs=rngs)
    if dropped == "skip":
        return drop_path(x, deterministic=flag, rngs=rngs) + branch
    return x + drop_path(branch, deterministic=flag, rngs=rngs)


def _layer_mistake(tag, title, advice, **changes):
    """A mistake of DropPath: in the function's block and in the checks."""
    layer = _variant(**changes)
    return Pitfall(
        tag,
        title,
        advice,
        lambda **case: _block(**case, layer=layer),
        names={"DropPath": layer},
    )


# -- The checks of DropPath ---------------------------------------------------


def _grid(shape, offset):
    """Inputs with no zeros (a dropped unit is told from a kept one), made
    without randomness."""
    count = int(np.prod(shape))
    values = (jnp.arange(count, dtype=jnp.float32) * 7 + offset) % 11 - 5.5
    return values.reshape(shape)


def _drop_path_class(names):
    layer = names.get("DropPath")
    if layer is None:
        raise NameError(
            "The contract names `DropPath`, an nnx.Module; your code defines none."
        )
    return layer


def _whole_examples(out, x):
    """Per example: 1.0 if it is dropped whole (all 0) or kept whole (every
    unit x times one factor), else 0.0."""
    out = np.asarray(out, np.float64)
    if out.shape != x.shape:
        raise ValueError(
            f"DropPath returned shape {out.shape} for an input of shape {x.shape}."
        )
    ratios = (out / np.asarray(x, np.float64)).reshape(len(x), -1)
    return jnp.array(np.all(np.isclose(ratios, ratios[:, :1]), axis=1), jnp.float32)


# The cases' shapes: the checks compile nothing new.
CALLS_X = _grid((6, 3), 1.0)
EVAL_X = _grid((4, 2, 3), 2.0)
WHOLE_X = _grid((4, 2, 3), 3.0)
APART_X = _grid((6, 3), 4.0)


def _two_training_calls(names):
    layer = _drop_path_class(names)(0.5)
    rngs = nnx.Rngs(params=0, dropout=3)  # dropout seeded apart
    return jnp.stack([layer(CALLS_X, deterministic=False, rngs=rngs) for _ in "12"])


def _evaluation_without_rngs(names):
    return _drop_path_class(names)(0.5)(EVAL_X, deterministic=True)


def _each_example_whole(names):
    layer = _drop_path_class(names)(0.5)
    out = layer(WHOLE_X, deterministic=False, rngs=nnx.Rngs(params=0, dropout=5))
    return _whole_examples(out, WHOLE_X)


def _examples_apart(names):
    """[a call kept some examples and dropped others]: true of the contract's
    mask at rate 0.5 in 8 calls on 6 examples, whatever its key (all 8 calls
    keep all or drop all with probability (2 / 64) ** 8)."""
    layer = _drop_path_class(names)(0.5)
    rngs = nnx.Rngs(params=0, dropout=11)
    mixed = False
    for _ in range(8):
        out = np.asarray(layer(APART_X, deterministic=False, rngs=rngs))
        if out.shape != APART_X.shape:
            raise ValueError(
                f"DropPath returned shape {out.shape} for an input of shape "
                f"{APART_X.shape}."
            )
        dropped = np.all(out == 0, axis=1)
        mixed = mixed or bool(dropped.any() and not dropped.all())
    return jnp.array([mixed], jnp.float32)


CHECKS = (
    Check(
        "DropPath(0.5) called twice in training with one "
        "nnx.Rngs(params=0, dropout=3), on a (6, 3) batch",
        _two_training_calls,
        "masks-across-calls",
        "Two training calls of DropPath, given one Rngs, do not draw the "
        "contract's two masks",
        "Draw one key per call from the `dropout` stream of the Rngs the call "
        "is given, and the mask from it as the contract does: "
        "`jax.random.bernoulli(rngs.dropout(), 1 - rate, (batch, 1, ..., 1))`, "
        "which `nnx.Dropout(...)(x, rngs=rngs)` draws. The second call then "
        "draws the next key, and a new mask. Keep no key or mask on the layer.",
    ),
    Check(
        "DropPath(0.5) in evaluation (deterministic=True, no rngs), on a "
        "(4, 2, 3) batch",
        _evaluation_without_rngs,
        "layer-eval-not-noop",
        "In evaluation DropPath does not return x unchanged",
        "With deterministic=True, return x as it is, before drawing any key: "
        "evaluation calls give no rngs.",
    ),
    Check(
        "DropPath(0.5) in training on a (4, 2, 3) batch: is each example "
        "dropped or kept whole?",
        _each_example_whole,
        "mask-within-example",
        "DropPath drops some units of an example and keeps others",
        "Draw one value per example, shared by all its units: a mask of shape "
        "(batch, 1, ..., 1), which `broadcast_dims=tuple(range(1, x.ndim))` "
        "gives (every axis but the first).",
    ),
    Check(
        "DropPath(0.5) called 8 times in training on a (6, 3) batch: does a "
        "call keep some examples and drop others?",
        _examples_apart,
        "batch-mask",
        "DropPath keeps or drops all the examples together, at each call",
        "Draw one value per example, not one for the batch: the mask's first "
        "axis is the batch axis, `(x.shape[0], 1, ..., 1)`, so "
        "`broadcast_dims` must not name axis 0.",
    ),
)


# -- The Spec -------------------------------------------------------------------

KEY_ADVICE = (
    "Draw the mask from the `dropout` stream of the Rngs given at the call: "
    "`nnx.Dropout(rate, broadcast_dims=...)(x, deterministic=..., rngs=rngs)` "
    "draws `rngs.dropout()` once, as does a hand-written "
    "`jax.random.bernoulli(rngs.dropout(), 1 - rate, (x.shape[0],) + "
    "(1,) * (x.ndim - 1))`; build `rngs = nnx.Rngs(dropout=int(seed))`."
)

_REFERENCE_NAMES = {"DropPath": DropPath}

SPEC = Spec(
    # This problem's diagnosis.py reads x, the branch and the keep probability
    # of each case, and tells training from evaluation.
    facts=lambda case: {
        "training": bool(case["deterministic"] < 0.5),
        "keep": 1.0 - float(case["rate"]),
        "x": np.asarray(case["x"]).tolist(),
        "branch": np.asarray(jnp.tanh(case["x"])).tolist(),
    },
    settings={"key_advice": KEY_ADVICE},
    shape_advice="Return an array of the shape of x: x + DropPath(tanh(x)).",
    checks=CHECKS,
    pitfalls=(
        Pitfall(
            "flag-inverted",
            "The train/eval flag is inverted",
            "deterministic=1.0 must return x + tanh(x) and deterministic=0.0 "
            "must drop branches; yours does the opposite. Pass "
            "`deterministic=bool(deterministic >= 0.5)` on.",
            with_args(
                drop_path_forward, deterministic=lambda c: 1 - c["deterministic"]
            ),
            names=_REFERENCE_NAMES,
        ),
        Pitfall(
            "eval-not-noop",
            "DropPath also drops in evaluation",
            "With deterministic=True, DropPath must return its input unchanged "
            "(and draw no key: evaluation calls give no rngs).",
            lambda **case: _block(**case, layer=_variant(uses_flag=False)),
            names={"DropPath": _variant(uses_flag=False)},
        ),
        Pitfall(
            "no-drop-in-training",
            "Nothing is dropped in training",
            "With deterministic=0.0 DropPath must drop branches; check that the "
            "flag reaches it, cast with `bool(deterministic >= 0.5)`.",
            with_args(drop_path_forward, deterministic=1.0),
            names=_REFERENCE_NAMES,
        ),
        _layer_mistake(
            "per-unit-mask",
            "The mask is drawn per unit, not per example: ordinary dropout",
            "Stochastic depth keeps or drops an example's whole branch: give "
            "`nnx.Dropout` `broadcast_dims=tuple(range(1, x.ndim))`, or draw "
            "a mask of shape `(x.shape[0],) + (1,) * (x.ndim - 1)`.",
            mask="unit",
        ),
        _layer_mistake(
            "batch-mask",
            "One draw for the whole batch: every example is dropped or kept together",
            "Draw one value per example: the mask's shape is "
            "`(x.shape[0],) + (1,) * (x.ndim - 1)`, and `broadcast_dims` names "
            "every axis but the first, never axis 0.",
            mask="batch",
        ),
        _layer_mistake(
            "broadcast-dims-batch-axis",
            "broadcast_dims names the batch axis: every example gets the same "
            "per-unit mask",
            "`broadcast_dims` lists the axes that share one draw, not the axes "
            "that keep their own: for one draw per example, name every axis but "
            "the batch axis, `tuple(range(1, x.ndim))`.",
            mask="shared-by-batch",
        ),
        _layer_mistake(
            "broadcast-dims-axis-1-only",
            "On (batch, tokens, features) input the mask still varies along "
            "the features",
            "`broadcast_dims=(1,)` shares a draw along axis 1 only, which is "
            "enough for (batch, features) but not for more axes: name them "
            "all, `broadcast_dims=tuple(range(1, x.ndim))`.",
            mask="axis-1-only",
        ),
        _layer_mistake(
            "no-rescale",
            "Kept branches are not rescaled",
            "Divide the kept branches by keep = 1 - rate, so that the expected "
            "output is the evaluation output: `jnp.where(mask, x / (1 - rate), "
            "0.0)`, as `nnx.Dropout` does.",
            kept=lambda x, keep: x,
        ),
        _layer_mistake(
            "rescale-multiplied",
            "Kept branches are multiplied by keep instead of divided",
            "Divide by keep = 1 - rate, do not multiply: `x / (1 - rate)`.",
            kept=lambda x, keep: x * keep,
        ),
        _layer_mistake(
            "p-equals-rate",
            "The mask keeps examples with probability rate",
            "`bernoulli(key, p)` is True with probability p, and True means "
            "keep: use `p=1 - rate`.",
            p=lambda keep: 1.0 - keep,
        ),
        Pitfall(
            "drop-sum",
            "The whole residual sum x + f(x) is dropped, not the branch f(x)",
            "A dropped example must skip the block, not vanish: "
            "`x + drop_path(jnp.tanh(x), ...)`, so that it keeps x.",
            lambda **case: _block(**case, dropped="sum"),
            names=_REFERENCE_NAMES,
        ),
        Pitfall(
            "drop-skip",
            "The skip connection x is dropped, not the branch f(x)",
            "The skip connection always carries x: `x + drop_path(jnp.tanh(x), ...)`.",
            lambda **case: _block(**case, dropped="skip"),
            names=_REFERENCE_NAMES,
        ),
        Pitfall(
            "params-stream",
            "The mask's key is drawn from the params stream",
            "Draw it from the `dropout` stream, `rngs.dropout()` (nnx.Dropout "
            "does): a model's Rngs may seed its streams apart.",
            # Built from nnx.Rngs(int(seed)), params falls back to the default
            # stream, as dropout does: only the checks tell them apart.
            drop_path_forward,
            names={"DropPath": _variant(stream="params")},
        ),
    ),
    exception_hints=(
        (
            "no-droppath",
            r"The contract names `DropPath`",
            "The contract's class DropPath is missing",
            "Define `class DropPath(nnx.Module)` at the top level of your file, "
            "built as `DropPath(rate)`: the grader calls it too.",
        ),
        (
            "linen-droppath",
            r"CallCompactUnboundModuleError",
            "DropPath is a Linen module; the contract's is an nnx.Module",
            "The grader calls `DropPath(rate)(x, deterministic=..., rngs=...)`, "
            "as an NNX layer is called: define `class DropPath(nnx.Module)` "
            "(`nnx.Dropout` takes the same `broadcast_dims` as `nn.Dropout`).",
        ),
        (
            "params-stream",
            r"No RngStream named 'params'",
            "The mask's key is drawn from the params stream",
            "Draw it from the `dropout` stream: `rngs.dropout()` (nnx.Dropout does).",
        ),
        (
            "default-stream",
            r"No RngStream named 'default'",
            "The mask's key is drawn from the default stream, `rngs()`",
            "Draw it from the `dropout` stream, `rngs.dropout()`: a Rngs built "
            "with named streams, like `nnx.Rngs(params=0, dropout=3)`, has no "
            "default stream.",
        ),
        (
            "key-drawn-in-eval",
            r"'NoneType' object has no attribute '\w+'|"
            r"rngs must be a Rngs, RngStream or jax.Array, but got <class 'NoneType'>",
            "DropPath draws a key in evaluation, where no rngs is given",
            "With deterministic=True, return x before drawing anything: "
            "evaluation calls leave rngs out.",
        ),
        (
            "rngs-required",
            r"missing 1 required (keyword-only |positional )?argument: 'rngs'",
            "DropPath cannot be called without rngs",
            "Evaluation calls leave rngs out: give it a default, "
            "`rngs: nnx.Rngs | None = None`, as nnx.Dropout does.",
        ),
        (
            "dropout-without-rngs",
            r"no `rngs` argument was provided to Dropout",
            "nnx.Dropout is called in training without the Rngs",
            "Pass the call's Rngs on: `nnx.Dropout(rate, broadcast_dims=...)(x, "
            "deterministic=deterministic, rngs=rngs)`.",
        ),
        (
            "mask-shape",
            r"Incompatible shapes for broadcasting",
            "The mask's shape does not broadcast against x",
            "Give the mask as many axes as x, all of size 1 but the batch axis: "
            "`(x.shape[0],) + (1,) * (x.ndim - 1)`.",
        ),
    ),
)
