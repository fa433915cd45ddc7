"""The known mistakes of dropout_forward, as code, so the grader can name them;
and the checks of MyDropout, used as the lesson uses it.

The function's cases build one new layer and call it once, which cannot show
a key drawn once in ``__init__`` (the first key is the contract's) nor a mask
drawn from ``params`` (with ``nnx.Rngs(seed)`` every stream falls back to the
default one). The checks build ``MyDropout``, call it twice in training then
in evaluation, and give it streams seeded apart. A layer that takes its keys
at the call (an ``rngs`` parameter of ``__call__``) gets them there, from the
same ``nnx.Rngs``: both styles draw the same keys.

Mistakes that give exactly the reference's outputs under the contract, so
that no grader can see them, are not listed:

- ``nnx.Rngs(dropout=int(seed))``: the key of a stream does not depend on its
  name;
- ``nnx.Dropout(rate)(x, deterministic=..., rngs=rngs)``: given at call time,
  the ``Rngs`` is used directly, like the hand-written layer (given to the
  constructor, it is forked first: see ``builtin-nnx-dropout``).
"""

import inspect

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Check, Pitfall, call, named

from .solution import dropout_forward

X = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


# -- The checks: MyDropout, built and called as the lesson does ----------------


def _takes_rngs(function):
    try:
        return "rngs" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def keyed_layer(cls, rate, rngs):
    """``cls`` built with keys from ``rngs`` the way it takes them; a function
    of (x, deterministic) that calls it."""
    if not _takes_rngs(cls.__call__):
        layer = cls(rate, rngs)
        return lambda x, deterministic: layer(x, deterministic=deterministic)
    init = inspect.signature(cls.__init__).parameters.get("rngs")
    required = init is not None and init.default is inspect.Parameter.empty
    layer = cls(rate, rngs) if required else cls(rate)
    return lambda x, deterministic: layer(x, deterministic=deterministic, rngs=rngs)


def _twice_then_evaluation(names):
    layer = keyed_layer(named(names, "MyDropout"), 0.5, nnx.Rngs(0))
    return jnp.stack([layer(X, False), layer(X, False), layer(X, True)])


def _streams_seeded_apart(names):
    layer = keyed_layer(named(names, "MyDropout"), 0.5, nnx.Rngs(params=1, dropout=2))
    return layer(X, False)


CHECKS = (
    Check(
        "MyDropout(0.5, nnx.Rngs(0)): two calls with deterministic=False, then "
        "deterministic=True",
        _twice_then_evaluation,
        "same-mask-twice",
        "Two training calls of one MyDropout do not drop the contract's units, a "
        "new mask at each call, or evaluation after them does not return x",
        "Draw the key inside __call__, at every training call (a key drawn in "
        "__init__ is the same key at every call), and return x in evaluation.",
    ),
    Check(
        "MyDropout(0.5, nnx.Rngs(params=1, dropout=2)) with deterministic=False",
        _streams_seeded_apart,
        "not-the-dropout-stream",
        "With its streams seeded apart, the layer does not draw its mask from "
        "`dropout`",
        "Draw the key with rngs.dropout(), not rngs.params() or rngs(): with "
        "nnx.Rngs(seed) every name falls back to the default stream, but not "
        "once the streams are named.",
    ),
)


# -- Mistaken layers: the reference, one step changed --------------------------


class _Dropout(nnx.Module):
    """The contract's layer; a subclass changes one of its steps."""

    def __init__(self, rate, rngs):
        self.rate = rate
        self.rngs = rngs

    def flag(self, deterministic):
        return deterministic

    def key(self):
        return self.rngs.dropout()

    def p(self, keep):
        return keep

    def mask(self, mask):
        return mask

    def shape(self, x):
        return x.shape

    def kept(self, x, keep):
        return x / keep

    def __call__(self, x, deterministic):
        if self.flag(deterministic) or self.rate <= 0.0:
            return x
        keep = 1.0 - self.rate
        mask = jax.random.bernoulli(self.key(), p=self.p(keep), shape=self.shape(x))
        return jnp.where(self.mask(mask), self.kept(x, keep), 0.0)


class _KeyInInit(_Dropout):
    """The key drawn once, when the layer is built."""

    def __init__(self, rate, rngs):
        super().__init__(rate, rngs)
        self.frozen = rngs.dropout()

    def key(self):
        return self.frozen


def _variant(**changes):
    """A mistaken layer, and its mistake computed on the function's cases too."""
    layer = type("MyDropout", (_Dropout,), changes)

    def forward(seed, x, rate, deterministic):
        return call(_applied, layer=layer, seed=seed, x=x, rate=rate, d=deterministic)

    return {"forward": forward, "names": {"MyDropout": layer}}


def _applied(layer, seed, x, rate, d):
    return layer(rate, nnx.Rngs(int(seed)))(x, deterministic=bool(d >= 0.5))


def _builtin_dropout(seed, x, rate, deterministic):
    layer = nnx.Dropout(rate, rngs=nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))


def _raw_key(seed, x, rate, deterministic):
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(jax.random.key(int(seed)), p=keep, shape=x.shape)
    return jnp.where(mask, x / keep, 0.0)


_PARAMS_STREAM = (
    "params-stream",
    "The mask is drawn from the params stream",
    "rngs.params() gives the contract's key only while every stream falls back "
    "to the default one, as with nnx.Rngs(seed); with nnx.Rngs(params=..., "
    "dropout=...) it is another key. Draw it with self.rngs.dropout().",
)

SPEC = flag_spec(
    api="nnx",
    flag="deterministic",
    eval_value=1.0,
    eval_output="x unchanged",
    key_advice=(
        "Build nnx.Rngs(int(seed)), keep it on the layer, and draw the key inside "
        "__call__ with self.rngs.dropout()."
    ),
    shape_advice="Return an array of the shape of x; do not reshape or reduce it.",
    keep=lambda case: 1.0 - case["rate"],
    checks=CHECKS,
    pitfalls=(
        *flag_pitfalls(
            dropout_forward,
            flag="deterministic",
            train_value=0.0,
            eval_value=1.0,
            inverted="deterministic=1.0 must return x unchanged and "
            "deterministic=0.0 must drop units; yours does the opposite. Return x "
            "when `bool(deterministic >= 0.5)` is true.",
            noun="dropout",
            mistaken_names=lambda change: _variant(
                flag=lambda self, deterministic: change(deterministic)
            )["names"],
        ),
        Pitfall(
            "key-in-init",
            "The key is drawn once, in __init__",
            "A key stored when the layer is built is the same key at every call, "
            "so every training call drops the same units. Keep the Rngs "
            "(`self.rngs = rngs`) and draw the key inside __call__.",
            None,
            names={"MyDropout": _KeyInInit},
        ),
        Pitfall(
            *_PARAMS_STREAM,
            None,
            names=_variant(key=lambda self: self.rngs.params())["names"],
        ),
        Pitfall(
            "no-rescale",
            "Kept units are not rescaled",
            "Divide the kept units by keep = 1 - rate: "
            "`jnp.where(mask, x / (1 - rate), 0.0)`, so the mean output equals x.",
            **_variant(kept=lambda self, x, keep: x),
        ),
        Pitfall(
            "rescale-multiplied",
            "Kept units are multiplied by keep instead of divided",
            "Divide by 1 - rate, do not multiply: `x / (1 - rate)`.",
            **_variant(kept=lambda self, x, keep: x * keep),
        ),
        Pitfall(
            "p-equals-rate",
            "The mask keeps units with probability rate",
            "`bernoulli(key, p)` is True with probability p, and True means keep: "
            "use `p=1 - rate`, not `p=rate`.",
            **_variant(p=lambda self, keep: 1.0 - keep),
        ),
        Pitfall(
            "mask-inverted",
            "The mask is inverted",
            "The units where the mask is True are the ones kept: "
            "`jnp.where(mask, x / (1 - rate), 0.0)`, not the other way round.",
            **_variant(mask=lambda self, mask: ~mask),
        ),
        Pitfall(
            "mask-without-shape",
            "One draw for the whole mask: each call keeps every unit or drops "
            "every one",
            "`jax.random.bernoulli(key, p)` without `shape=` draws one value, which "
            "`jnp.where` broadcasts to every unit. The key is right; give the "
            "shape: `jax.random.bernoulli(key, p=1 - rate, shape=x.shape)`.",
            **_variant(shape=lambda self, x: ()),
        ),
        Pitfall(
            "builtin-nnx-dropout",
            "Built-in nnx.Dropout instead of the hand-written layer",
            "nnx.Dropout forks its own stream from the Rngs it is built with, so it "
            "drops other units than the contract. Write MyDropout as asked, drawing "
            "`self.rngs.dropout()` in __call__.",
            _builtin_dropout,
        ),
        Pitfall(
            "raw-seed-key",
            "The seed's key is used directly, not drawn from the Rngs",
            "`jax.random.key(seed)` is not the key the stream gives: draw it with "
            "`self.rngs.dropout()` from `nnx.Rngs(int(seed))`.",
            _raw_key,
        ),
    ),
    exception_hints=(
        (
            "dropout-without-rngs",
            r"no `rngs` argument was provided to Dropout",
            "nnx.Dropout has no keys to draw from",
            "Give the layer an Rngs, or, better, write the layer the contract asks "
            "for and draw `self.rngs.dropout()`.",
        ),
    ),
)
