"""Known mistakes for each problem, as code, so the grader can name them.

Each pitfall is a small mistaken version of a reference solution: the grader
computes its output on every case and, when an attempt's outputs match it,
names the mistake. Most reuse the reference function (with an argument changed)
or its module.

Some mistakes give exactly the reference's outputs under the contracts, so no
grader can see them, and they are not listed:

- drawing from ``rngs.params()`` (or ``rngs()``) instead of ``rngs.dropout()``:
  ``nnx.Rngs(int(seed))`` has only a default stream, and every name falls back
  to it, so the first key drawn is the same;
- ``nnx.Rngs(dropout=int(seed))``: the key of a stream does not depend on its
  name;
- drawing the key once in ``__init__`` and reusing it: each call builds a new
  layer and draws one key, so the key is the same (it matters across calls);
- ``nnx.Dropout(rate)(x, deterministic=..., rngs=rngs)``: given at call time,
  the ``Rngs`` is used directly, like the hand-written layer (given to the
  constructor, it is forked first: see ``builtin-nnx-dropout``);
- in Linen, ``jax.random.key`` instead of ``jax.random.PRNGKey``, a single key
  for ``init``, or ``init`` with the flag set to train: dropout keys never
  change the parameters.
"""

import dataclasses
import re
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
from flax import nnx

from examples.dropout_forward import dropout_forward
from examples.dropout_model_forward import dropout_model_forward
from examples.model_train_eval_forward import (
    TrainEvalModel,
    model_train_eval_forward,
)
from examples.train_eval_forward import train_eval_forward


@dataclasses.dataclass(frozen=True)
class Pitfall:
    name: str  # a short tag, shown in brackets
    title: str
    advice: str  # what to change, in one or two sentences
    forward: Callable[..., jax.Array]  # the mistaken function, same signature
    # The cases (indices in CASES) this mistake cannot be computed on, each with
    # the reason. The grader skips only these: any other that raises is reported.
    cannot_run: Mapping[int, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What the grader's property checks need to know about a problem."""

    api: str  # "linen" or "nnx"
    kind: str  # "dropout": zeroes units and rescales; "noise": adds noise
    flag: str  # the argument that switches training on and off
    eval_value: float  # the flag's value in evaluation
    eval_output: str  # what evaluation returns, in words
    key_advice: str  # how the contract derives the random key
    shape_advice: str
    keep: Callable[[dict], float]  # keep probability of a case
    pitfalls: tuple[Pitfall, ...]


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


def _with(fn, **changes):
    """``fn`` called with some arguments replaced (values or functions of the case)."""

    def forward(**case):
        new = {k: v(case) if callable(v) else v for k, v in changes.items()}
        return call(fn, **{**case, **new})

    return forward


def _flag_pitfalls(fn, flag, train_value, eval_value, inverted, noun):
    """The three ways a train/eval flag goes wrong, from the reference itself."""
    return (
        Pitfall(
            "flag-inverted",
            "The train/eval flag is inverted",
            inverted,
            _with(fn, **{flag: lambda case: 1.0 - case[flag]}),
        ),
        Pitfall(
            "eval-not-noop",
            f"{noun.capitalize()} also happens in evaluation",
            f"With {flag}={eval_value} the output must not be random; yours is "
            f"the training output. Use the flag: it must turn the {noun} off.",
            _with(fn, **{flag: train_value}),
        ),
        Pitfall(
            f"no-{noun}-in-training",
            f"No {noun} in training",
            f"With {flag}={train_value} the output must be random; yours is the "
            f"evaluation output. Check that the flag reaches the layer, cast with "
            f"`>= 0.5`.",
            _with(fn, **{flag: eval_value}),
        ),
    )


# -- nnx-dropout --------------------------------------------------------------


def _stream_key(seed):
    # The contract's key: the first draw of the dropout stream.
    return nnx.Rngs(int(seed)).dropout()


def _hand_dropout(
    seed,
    x,
    rate,
    deterministic,
    *,
    key=_stream_key,
    p=lambda keep: keep,
    kept=lambda x, keep: x / keep,
    invert=False,
):
    """The reference layer's steps, each replaceable by a mistaken one."""
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key(seed), p=p(keep), shape=x.shape)
    if invert:
        mask = ~mask
    return jnp.where(mask, kept(x, keep), 0.0)


def _builtin_dropout(seed, x, rate, deterministic):
    layer = nnx.Dropout(rate, rngs=nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))


def _raw_key(seed):
    return jax.random.key(int(seed))


_DROPOUT = Spec(
    api="nnx",
    kind="dropout",
    flag="deterministic",
    eval_value=1.0,
    eval_output="x unchanged",
    key_advice=(
        "Build nnx.Rngs(int(seed)), keep it on the layer, and draw the key inside "
        "__call__ with self.rngs.dropout()."
    ),
    shape_advice="Return an array of the shape of x; do not reshape or reduce it.",
    keep=lambda case: 1.0 - case["rate"],
    pitfalls=(
        *_flag_pitfalls(
            dropout_forward,
            "deterministic",
            0.0,
            1.0,
            "deterministic=1.0 must return x unchanged and deterministic=0.0 must "
            "drop units; yours does the opposite. Return x when "
            "`bool(deterministic >= 0.5)` is true.",
            "dropout",
        ),
        Pitfall(
            "no-rescale",
            "Kept units are not rescaled",
            "Divide the kept units by keep = 1 - rate: "
            "`jnp.where(mask, x / (1 - rate), 0.0)`, so the mean output equals x.",
            lambda **case: _hand_dropout(**case, kept=lambda x, keep: x),
        ),
        Pitfall(
            "rescale-multiplied",
            "Kept units are multiplied by keep instead of divided",
            "Divide by 1 - rate, do not multiply: `x / (1 - rate)`.",
            lambda **case: _hand_dropout(**case, kept=lambda x, keep: x * keep),
        ),
        Pitfall(
            "p-equals-rate",
            "The mask keeps units with probability rate",
            "`bernoulli(key, p)` is True with probability p, and True means keep: "
            "use `p=1 - rate`, not `p=rate`.",
            lambda **case: _hand_dropout(**case, p=lambda keep: 1.0 - keep),
        ),
        Pitfall(
            "mask-inverted",
            "The mask is inverted",
            "The units where the mask is True are the ones kept: "
            "`jnp.where(mask, x / (1 - rate), 0.0)`, not the other way round.",
            lambda **case: _hand_dropout(**case, invert=True),
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
            lambda **case: _hand_dropout(**case, key=_raw_key),
        ),
    ),
)


# -- nnx-train-eval-flag ------------------------------------------------------


def _noise(seed, x, train, *, key=_stream_key):
    if train >= 0.5:
        return x + 0.1 * jax.random.normal(key(seed), x.shape)
    return x


_NOISE = Spec(
    api="nnx",
    kind="noise",
    flag="train",
    eval_value=0.0,
    eval_output="x unchanged",
    key_advice=(
        "Build nnx.Rngs(int(seed)), store it on the layer (self.rngs = rngs), and "
        "draw the key inside __call__ with self.rngs.dropout()."
    ),
    shape_advice=(
        "Return an array of the shape of x: the noise is "
        "`jax.random.normal(key, x.shape)`."
    ),
    keep=lambda case: 1.0,
    pitfalls=(
        *_flag_pitfalls(
            train_eval_forward,
            "train",
            1.0,
            0.0,
            "Noise must be added when train is 1.0 and not when it is 0.0; yours "
            "does the opposite. Add it under `if train:` with "
            "`train = bool(train >= 0.5)`.",
            "noise",
        ),
        Pitfall(
            "raw-seed-key",
            "The seed's key is used directly, not drawn from the Rngs",
            "`jax.random.key(seed)` is not the key the stream gives: draw it with "
            "`self.rngs.dropout()` from `nnx.Rngs(int(seed))`.",
            lambda **case: _noise(**case, key=_raw_key),
        ),
    ),
)


# -- linen-train-eval-flag ----------------------------------------------------


def _train_eval_keys(seed, x, train, *, params, dropout):
    """The reference model, initialized and applied with other keys."""
    seed = int(seed)
    drop_key = jax.random.PRNGKey(dropout(seed))
    model = TrainEvalModel()
    variables = model.init(
        {"params": jax.random.PRNGKey(params(seed)), "dropout": drop_key},
        x,
        train=False,
    )
    return model.apply(
        variables, x, train=bool(train >= 0.5), rngs={"dropout": drop_key}
    )


_LINEN_TRAIN_EVAL = Spec(
    api="linen",
    kind="dropout",
    flag="train",
    eval_value=0.0,
    eval_output="the Dense layer's output",
    key_advice=(
        'Apply with rngs={"dropout": jax.random.PRNGKey(seed + 1)}, and initialize '
        'with "params": jax.random.PRNGKey(seed).'
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    keep=lambda case: 0.5,
    pitfalls=(
        *_flag_pitfalls(
            model_train_eval_forward,
            "train",
            1.0,
            0.0,
            "nn.Dropout asks 'deterministic?', the model is given 'train?': pass "
            "`deterministic=not train`, not `deterministic=train`.",
            "dropout",
        ),
        Pitfall(
            "dropout-key-reuses-seed",
            "The dropout stream reuses the params key",
            "The dropout key is `jax.random.PRNGKey(seed + 1)`, not the "
            "`PRNGKey(seed)` that seeds the parameters; pass it to apply as "
            '`rngs={"dropout": ...}`.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s, dropout=lambda s: s
            ),
        ),
        Pitfall(
            "keys-swapped",
            "The params and dropout keys are swapped",
            'Parameters come from `PRNGKey(seed)` ("params") and masks from '
            '`PRNGKey(seed + 1)` ("dropout"); yours has them the other way round.',
            lambda **case: _train_eval_keys(
                **case, params=lambda s: s + 1, dropout=lambda s: s
            ),
        ),
    ),
)


# -- linen-prng-streams -------------------------------------------------------

_LINEN_STREAMS = Spec(
    api="linen",
    kind="dropout",
    flag="deterministic",
    eval_value=1.0,
    eval_output="the Dense layer's output",
    key_advice=(
        'Apply with rngs={"dropout": jax.random.PRNGKey(int(dropout_seed))}, and '
        'initialize with "params": jax.random.PRNGKey(int(seed)).'
    ),
    shape_advice="Use nn.Dense(features=x.shape[-1]), so the output has x's length.",
    keep=lambda case: 1.0 - case["drop_rate"],
    pitfalls=(
        *_flag_pitfalls(
            dropout_model_forward,
            "deterministic",
            0.0,
            1.0,
            "Pass the cast flag on as it is: "
            "`nn.Dropout(rate=drop_rate, deterministic=deterministic)`; yours is "
            "negated somewhere on the way.",
            "dropout",
        ),
        Pitfall(
            "seeds-swapped",
            "The two seeds are swapped",
            '`seed` feeds "params" and `dropout_seed` feeds "dropout"; yours has '
            "them the other way round.",
            _with(
                dropout_model_forward,
                seed=lambda case: case["dropout_seed"],
                dropout_seed=lambda case: case["seed"],
            ),
        ),
        Pitfall(
            "dropout-seed-ignored",
            "The dropout stream is seeded with seed, not dropout_seed",
            'Give "dropout" its own key, `jax.random.PRNGKey(int(dropout_seed))`, '
            "in init and in apply's `rngs=`; one key reused for both streams "
            "ties the masks to the parameters.",
            _with(dropout_model_forward, dropout_seed=lambda case: case["seed"]),
        ),
        Pitfall(
            "params-from-dropout-seed",
            "The params stream is seeded with dropout_seed",
            'The parameters come from `jax.random.PRNGKey(int(seed))` ("params"); '
            "`dropout_seed` is for the masks only.",
            _with(dropout_model_forward, seed=lambda case: case["dropout_seed"]),
        ),
    ),
)

# Keyed by problem, that is by the name of the reference module and function.
SPECS = {
    "dropout_forward": _DROPOUT,
    "train_eval_forward": _NOISE,
    "model_train_eval_forward": _LINEN_TRAIN_EVAL,
    "dropout_model_forward": _LINEN_STREAMS,
}


# -- Mistakes that raise ------------------------------------------------------

# (tag, pattern matched against "ExceptionType: message", title, advice)
EXCEPTION_HINTS = [
    (
        "seed-not-int",
        r"PRNG key seed must be an integer|Invalid rng value: -?\d+\.\d",
        "A float seed was used as a key",
        "Seeds arrive as floats: cast them with `int(seed)` before "
        "`jax.random.PRNGKey` or `nnx.Rngs`.",
    ),
    (
        "missing-dropout-rngs",
        r'InvalidRngError: .*needs PRNG for "dropout"',
        "Dropout ran without a dropout key",
        'With dropout active, apply needs `rngs={"dropout": key}`.',
    ),
    (
        "rng-keyword",
        r"unexpected keyword argument 'rng'",
        "`rng=` instead of `rngs=`",
        'The keyword of apply is plural: `rngs={"dropout": key}`.',
    ),
    (
        "flag-not-passed",
        r'Parameter "deterministic" must be passed',
        "nn.Dropout was not told the mode",
        "Pass `deterministic=` to nn.Dropout, when you build it or call it.",
    ),
    (
        "stream-not-seeded",
        r"No RngStream named '\w+' found",
        "A stream that was not seeded",
        "Build `nnx.Rngs(int(seed))`: its default stream serves every name, "
        "including dropout.",
    ),
    (
        "dropout-without-rngs",
        r"no `rngs` argument was provided to Dropout",
        "nnx.Dropout has no keys to draw from",
        "Give the layer an Rngs, or, better, write the layer the contract asks "
        "for and draw `self.rngs.dropout()`.",
    ),
]


def exception_hint(kind: str, message: str) -> dict | None:
    """The known mistake an exception points to, if any."""
    text = f"{kind}: {message}"
    for name, pattern, title, advice in EXCEPTION_HINTS:
        if re.search(pattern, text):
            return {"name": name, "title": title, "advice": advice}
    return None
