"""The known mistakes of train_eval_forward, as code, so the grader can name them;
and the checks of NoiseLayer, used as the lesson uses it.

The function's cases call one new layer once, which cannot show a key drawn
once in ``__init__`` (the first key is the contract's) nor the noise drawn
from ``params`` (with ``nnx.Rngs(seed)`` every stream falls back to the
default one). The checks build ``NoiseLayer`` and call it twice, with streams
seeded apart, and with keys given at the call.

Not listed, since the contract's layer takes its flag as an argument:
forgetting ``model.train()`` after ``model.eval()`` (they set attributes such
as ``deterministic``, which the layer has none of).
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Check, Pitfall, named

from .solution import train_eval_forward

X = jnp.array([1.0, -2.0, 3.0, 0.5])


# -- The checks: NoiseLayer, built and called as the lesson does ---------------


def _twice_then_evaluation(names):
    layer = named(names, "NoiseLayer")(nnx.Rngs(0))
    return jnp.stack(
        [layer(X, train=True), layer(X, train=True), layer(X, train=False)]
    )


def _streams_seeded_apart(names):
    layer = named(names, "NoiseLayer")(nnx.Rngs(params=1, dropout=2))
    return layer(X, train=True)


def _keys_at_the_call(names):
    layer = named(names, "NoiseLayer")()
    rngs = nnx.Rngs(dropout=3)
    return jnp.stack(
        [
            layer(X, train=True, rngs=rngs),
            layer(X, train=True, rngs=rngs),
            layer(X, train=False),
        ]
    )


def _call_keys_over_own(names):
    layer = named(names, "NoiseLayer")(nnx.Rngs(0))
    return layer(X, train=True, rngs=nnx.Rngs(dropout=3))


CHECKS = (
    Check(
        "NoiseLayer(nnx.Rngs(0)): two calls with train=True, then train=False",
        _twice_then_evaluation,
        "same-noise-twice",
        "Two training calls of one NoiseLayer do not add the contract's noise, a "
        "new one at each call, or evaluation after them does not return x",
        "Draw the key inside __call__, at every training call (a key drawn in "
        "__init__ is the same key at every call), and return x in evaluation.",
    ),
    Check(
        "NoiseLayer(nnx.Rngs(params=1, dropout=2)) with train=True",
        _streams_seeded_apart,
        "not-the-dropout-stream",
        "With its streams seeded apart, the layer does not draw from `dropout`",
        "Draw the key with rngs.dropout(), not rngs.params() or rngs(): with "
        "nnx.Rngs(seed) every name falls back to the default stream, but not "
        "once the streams are named.",
    ),
    Check(
        "NoiseLayer(): two calls with train=True, rngs=nnx.Rngs(dropout=3), then "
        "train=False without keys",
        _keys_at_the_call,
        "call-keys-not-used",
        "Built without keys, the layer does not add the noise of the keys given "
        "at each call, or needs keys in evaluation",
        "Take `rngs=None` in __call__ and draw from it when it is given; "
        "evaluation returns x before any key is drawn.",
    ),
    Check(
        "NoiseLayer(nnx.Rngs(0)) called with train=True, rngs=nnx.Rngs(dropout=3)",
        _call_keys_over_own,
        "own-keys-over-call-keys",
        "Keys given at the call are not the ones the call uses",
        "A call that brings its own rngs draws from them, even when the layer "
        "has keys of its own, as nnx.Dropout does: "
        "`rngs = self.rngs if rngs is None else rngs`.",
    ),
)


# -- Mistaken layers: the reference, one step changed --------------------------


class _Noise(nnx.Module):
    """The contract's layer; a subclass changes one of its steps."""

    def __init__(self, rngs: nnx.Rngs | None = None):
        self.rngs = rngs

    def flag(self, train):
        return train

    def keys(self, rngs):
        return self.rngs if rngs is None else rngs

    def key(self, rngs):
        return rngs.dropout()

    def __call__(self, x, train: bool, rngs: nnx.Rngs | None = None):
        if not self.flag(train):
            return x
        return x + 0.1 * jax.random.normal(self.key(self.keys(rngs)), x.shape)


def _layer(**changes):
    return {"NoiseLayer": type("NoiseLayer", (_Noise,), changes)}


class _KeyInInit(_Noise):
    """The key of its own Rngs drawn once, when it is built."""

    def __init__(self, rngs: nnx.Rngs | None = None):
        self.rngs = rngs
        self.frozen = None if rngs is None else rngs.dropout()

    def key(self, rngs):
        return self.frozen if rngs is self.rngs else rngs.dropout()


_PARAMS_STREAM = (
    "params-stream",
    "The noise is drawn from the params stream",
    "rngs.params() gives the contract's key only while every stream falls back "
    "to the default one, as with nnx.Rngs(seed); with nnx.Rngs(params=..., "
    "dropout=...) it is another key, and keys given as nnx.Rngs(dropout=...) "
    "have no params stream at all. Draw it with rngs.dropout().",
)

# Why a mistaken layer raises in a check, as an attempt with its mistake does.
_TRAINS_WITHOUT_KEYS = "its evaluation call, given no keys, trains: no Rngs to draw"
_NO_PARAMS_STREAM = "the keys given at the call, nnx.Rngs(dropout=3), have no params"


def _noise(seed, x, train, *, key):
    if train >= 0.5:
        return x + 0.1 * jax.random.normal(key(seed), x.shape)
    return x


def _raw_key(seed):
    return jax.random.key(int(seed))


SPEC = flag_spec(
    api="nnx",
    flag="train",
    eval_value=0.0,
    eval_output="x unchanged",
    key_advice=(
        "Draw the key inside __call__ with rngs.dropout(), from the "
        "nnx.Rngs(int(seed)) given at the call (or kept on the layer)."
    ),
    shape_advice=(
        "Return an array of the shape of x: the noise is "
        "`jax.random.normal(key, x.shape)`."
    ),
    noise_advice="Add 0.1 * jax.random.normal(key, x.shape), with exactly that key.",
    keep=lambda case: 1.0,
    pitfalls=(
        *flag_pitfalls(
            train_eval_forward,
            flag="train",
            train_value=1.0,
            eval_value=0.0,
            inverted="Noise must be added when train is 1.0 and not when it is "
            "0.0; yours does the opposite. Add it under `if train:` with "
            "`train = bool(train >= 0.5)`.",
            noun="noise",
            mistaken_names=lambda change: _layer(
                flag=lambda self, train: change(train)
            ),
            cannot_run={
                name: {"call-keys-not-used": _TRAINS_WITHOUT_KEYS}
                for name in ("flag-inverted", "eval-not-noop")
            },
        ),
        Pitfall(
            "key-in-init",
            "The key is drawn once, in __init__",
            "A key stored when the layer is built is the same key at every call, "
            "so every training call adds the same noise. Keep the Rngs "
            "(`self.rngs = rngs`) and draw the key inside __call__.",
            None,
            names={"NoiseLayer": _KeyInInit},
        ),
        Pitfall(
            *_PARAMS_STREAM,
            None,
            names=_layer(key=lambda self, rngs: rngs.params()),
            cannot_run={
                "call-keys-not-used": _NO_PARAMS_STREAM,
                "own-keys-over-call-keys": _NO_PARAMS_STREAM,
            },
        ),
        Pitfall(
            "own-keys-over-call-keys",
            "The layer's own keys win over the keys given at the call",
            "A call that brings its own rngs draws from them, even when the layer "
            "has keys of its own, as nnx.Dropout does: "
            "`rngs = self.rngs if rngs is None else rngs`.",
            None,
            names=_layer(
                keys=lambda self, rngs: rngs if self.rngs is None else self.rngs
            ),
        ),
        Pitfall(
            "raw-seed-key",
            "The seed's key is used directly, not drawn from the Rngs",
            "`jax.random.key(seed)` is not the key the stream gives: draw it with "
            "`rngs.dropout()` from `nnx.Rngs(int(seed))`.",
            lambda **case: _noise(**case, key=_raw_key),
        ),
    ),
    checks=CHECKS,
    exception_hints=(
        (
            _PARAMS_STREAM[0],
            r"No RngStream named 'params' found",
            *_PARAMS_STREAM[1:],
        ),
        (
            "keys-not-at-call",
            r"__init__\(\) missing 1 required positional argument: 'rngs'"
            r"|__call__\(\) got an unexpected keyword argument 'rngs'",
            "NoiseLayer does not take its keys at the call",
            "Build it without keys too, `__init__(self, rngs=None)`, and take them "
            "at the call, `__call__(self, x, train, rngs=None)`, the style Flax's "
            "randomness guide recommends (as nnx.Dropout does).",
        ),
        (
            "no-keys",
            r"'NoneType' object has no attribute '\w+'",
            "The layer drew a key from an Rngs it was not given",
            "A layer built without keys has `self.rngs = None`: a training call "
            "draws from the rngs it brings (`rngs = self.rngs if rngs is None "
            "else rngs`), and evaluation returns x before drawing any.",
        ),
    ),
)
