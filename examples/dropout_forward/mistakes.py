"""The known mistakes of dropout_forward, as code, so the grader can name them.

Some mistakes give exactly the reference's outputs under the contract, so no
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
  constructor, it is forked first: see ``builtin-nnx-dropout``).
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Pitfall

from .solution import dropout_forward


def _stream_key(seed):
    # The contract's key: the first draw of the dropout stream.
    return nnx.Rngs(int(seed)).dropout()


def _raw_key(seed):
    return jax.random.key(int(seed))


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
    shape=lambda x: x.shape,
):
    """The reference layer's steps, each replaceable by a mistaken one."""
    if deterministic >= 0.5 or rate <= 0.0:
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key(seed), p=p(keep), shape=shape(x))
    if invert:
        mask = ~mask
    return jnp.where(mask, kept(x, keep), 0.0)


def _builtin_dropout(seed, x, rate, deterministic):
    layer = nnx.Dropout(rate, rngs=nnx.Rngs(int(seed)))
    return layer(x, deterministic=bool(deterministic >= 0.5))


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
            "mask-without-shape",
            "One draw for the whole mask: each call keeps every unit or drops "
            "every one",
            "`jax.random.bernoulli(key, p)` without `shape=` draws one value, which "
            "`jnp.where` broadcasts to every unit. The key is right; give the "
            "shape: `jax.random.bernoulli(key, p=1 - rate, shape=x.shape)`.",
            lambda **case: _hand_dropout(**case, shape=lambda x: ()),
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
