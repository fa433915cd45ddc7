"""The known mistakes of ensemble_dropout_forward, as code, so the grader can
name them; and the checks of the class the contract names, DropoutEnsemble.

Each mistake changes only which key a member draws at a step. The transforms
a learner writes give these keys (the attempts under attempts/ show each, and
their grading proves the equality); here they are computed from the seed's key
with ``jax.random`` directly, which costs no compilation of a scan per case:

- the contract: at call ``t`` (the step), one key ``fold_in(K, t)`` is drawn
  from the stream and split into ``members`` streams, whose first keys the
  members draw: ``fold_in(split(fold_in(K, t), members)[m], 0)``;
- the ensemble shared by the members (``in_axes=None`` in ``nnx.vmap``): every
  member draws the stream's own key, ``fold_in(K, t)``;
- the ensemble broadcast into ``nnx.scan`` (or its ``Rngs`` built at every
  step): the count is 0 at every step, so every step draws step 0's keys.

Some mistakes give exactly the contract's outputs, so no grader can see them,
and they are not listed: a Python loop over the rows instead of ``nnx.scan``
(the same keys in the same order); carrying only the random state
(``nnx.StateAxes({nnx.RngState: nnx.Carry, ...: None})``); ``nnx.Rngs(int(seed))``
instead of ``nnx.Rngs(dropout=int(seed))`` (a stream's key does not depend on
its name).
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.mistakes import Check, Pitfall, Spec

from . import solution


def _dropout(xs, rate, keys, p=lambda keep: keep):
    """Inverted dropout of row t of xs with each key of keys[t]: the output of
    member m at step t is at [t, m]. ``p(keep)``: the probability of keeping.

    One small operation per member and step, each compiled once for all the
    cases: faster here than a vmap compiled for each case's shape."""
    keep = 1.0 - rate

    def one(x, key):
        mask = jax.random.bernoulli(key, p=p(keep), shape=x.shape)
        return jnp.where(mask, x / keep, 0.0)

    return jnp.stack(
        [jnp.stack([one(x, k) for k in row]) for x, row in zip(xs, keys, strict=True)]
    )


def _first_key(stream_key):
    """The first key a stream of this key draws."""
    return jax.random.fold_in(stream_key, 0)


def _split_at_each_call(key, steps, members):
    """The contract's keys: at step t, member m draws the first key of stream m
    of the key drawn at count t, split."""
    return [
        [_first_key(k) for k in jax.random.split(jax.random.fold_in(key, t), members)]
        for t in range(steps)
    ]


def _shared_by_members(key, steps, members):
    # in_axes=None: every member draws from the one stream, at count t.
    return [[jax.random.fold_in(key, t)] * members for t in range(steps)]


def _step_zero_every_step(key, steps, members):
    # Broadcast into nnx.scan: the count is 0 at every step.
    return _split_at_each_call(key, 1, members) * steps


def _shared_and_step_zero(key, steps, members):
    # Both: every member at every step draws the stream's first key.
    return _shared_by_members(key, 1, members) * steps


def _split_once(key, steps, members):
    # rngs.split(members) in __init__: member m's stream is split once, from the
    # stream's first key, and advances by one at each call.
    streams = jax.random.split(jax.random.fold_in(key, 0), members)
    return [[jax.random.fold_in(k, t) for k in streams] for t in range(steps)]


def _raw_split_keys(key, steps, members):
    # jax.random.split(self.rngs.dropout(), members): each member uses its key
    # as it is, not as a stream's.
    return [
        list(jax.random.split(jax.random.fold_in(key, t), members))
        for t in range(steps)
    ]


def _forked_stream(key, steps, members):
    # nnx.Dropout(rate, rngs=rngs) in __init__ forks: its stream's key is the
    # first key drawn from the dropout stream; it is split at each call.
    return _split_at_each_call(jax.random.fold_in(key, 0), steps, members)


def _pitfall(rule, **dropout):
    def forward(seed, xs, rate, members):
        keys = rule(jax.random.key(int(seed)), xs.shape[0], int(members))
        return _dropout(xs, rate, keys, **dropout)

    return forward


def _keep_with_rate(keep):
    return 1.0 - keep


# -- The classes a mistaken solution defines, for the checks -------------------


class _Ensemble(nnx.Module):
    """DropoutEnsemble with the contract's keys, unless a subclass changes
    keys() (the members' keys at one call) or p (the probability of keeping)."""

    def __init__(self, members, rate, rngs):
        self.members = members
        self.rate = rate
        self.rngs = rngs

    def keys(self):
        return map(_first_key, jax.random.split(self.rngs.dropout(), self.members))

    def p(self, keep):
        return keep

    def __call__(self, x):
        return _dropout(x[None], self.rate, [list(self.keys())], p=self.p)[0]


class _KeepWithRate(_Ensemble):
    def p(self, keep):
        return _keep_with_rate(keep)


class _SharedStream(_Ensemble):
    def keys(self):
        return [self.rngs.dropout()] * self.members


class _SplitOnce(_Ensemble):
    def __init__(self, members, rate, rngs):
        super().__init__(members, rate, rngs.split(members))

    def keys(self):
        stream = self.rngs.dropout
        keys = jax.vmap(jax.random.fold_in)(stream.key[...], stream.count[...])
        stream.count[...] += 1
        return keys


class _RawSplitKeys(_Ensemble):
    def keys(self):
        return jax.random.split(self.rngs.dropout(), self.members)


class _ForkedStream(_Ensemble):
    def __init__(self, members, rate, rngs):
        super().__init__(members, rate, nnx.Rngs(dropout=rngs.dropout.fork()))


def _names(cls):
    return {"DropoutEnsemble": cls}


REFERENCE = {"DropoutEnsemble": solution.DropoutEnsemble}


# -- The checks of DropoutEnsemble, used as the lesson uses it -----------------

X = jnp.array([1.0, -2.0, 3.0, -4.0, 5.0, -6.0])


def _ensemble_class(names):
    cls = names.get("DropoutEnsemble")
    if cls is None:
        raise NameError("The contract names `DropoutEnsemble`; your file defines none.")
    return cls


def _masks(outputs):
    """1 where a unit is kept: the checks compare masks, which the keys decide
    (a wrong scale is named on the cases)."""
    return (outputs != 0).astype(jnp.float32)


def _called_twice(names):
    ensemble = _ensemble_class(names)(3, 0.5, nnx.Rngs(dropout=0))
    return _masks(jnp.stack([ensemble(X), ensemble(X)]))


def _masks_with_params_seed(names, seed):
    ensemble = _ensemble_class(names)(3, 0.5, nnx.Rngs(params=seed, dropout=7))
    return _masks(ensemble(X))


def _params_seed_changes_nothing(names):
    # 1 where the masks agree: only the dropout stream may decide them.
    first, second = (_masks_with_params_seed(names, seed) for seed in (1, 2))
    return (first == second).astype(jnp.float32)


_SPLIT_ADVICE = (
    "Split the module's streams into one per member at each call, `with "
    "nnx.split_rngs(self, splits=self.members):`, and map the random state over "
    "them: `nnx.vmap(..., in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: None}), "
    "None))`."
)

_CARRY_ADVICE = (
    "Build the ensemble once, before the scan, and make it the scan's carry: "
    "`nnx.scan(step, in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))`, the step "
    "returning `(ensemble, ensemble(x))`."
)

KEY_ADVICE = (
    "At each call, draw one key from the `dropout` stream and split it into one "
    "stream per member (`nnx.split_rngs(self, splits=self.members)`), each member "
    "drawing `ensemble.rngs.dropout()` from its own; keep the `Rngs` given to "
    "`__init__` as `self.rngs`, as it is."
)

CHECKS = (
    Check(
        "DropoutEnsemble(3, 0.5, nnx.Rngs(dropout=0)) called twice on "
        "x = [1, -2, 3, -4, 5, -6]: its masks (1 = kept)",
        _called_twice,
        "ensemble-calls",
        "Called twice, DropoutEnsemble does not draw the contract's masks",
        KEY_ADVICE + " Each call then draws new masks, each member its own.",
    ),
    Check(
        "DropoutEnsemble(3, 0.5, nnx.Rngs(params=s, dropout=7)) for s = 1 and 2: "
        "its masks agree (1 = the same unit kept or dropped)",
        _params_seed_changes_nothing,
        "masks-follow-params",
        "The masks change with the seed of the `params` stream",
        "They must come from the `dropout` stream alone: each member draws "
        "`ensemble.rngs.dropout()`, not `ensemble.rngs.params()`.",
    ),
)

SPEC = Spec(
    facts=lambda case: {
        "keep": 1.0 - case["rate"],
        "members": int(case["members"]),
        "xs": case["xs"].tolist(),
    },
    settings={
        "key_advice": KEY_ADVICE,
        "split_advice": _SPLIT_ADVICE,
        "carry_advice": _CARRY_ADVICE,
    },
    shape_advice=(
        "Return one row per step, each with one row per member: shape "
        "(steps, members, features), `outputs[t, m]` member m at step t."
    ),
    checks=CHECKS,
    pitfalls=(
        Pitfall(
            "members-share-the-stream",
            "Every member draws the same mask: the ensemble's stream is shared, "
            "not split",
            "With the ensemble given `in_axes=None`, nnx.vmap hands every member "
            "the same stream, which gives each the same key. " + _SPLIT_ADVICE,
            _pitfall(_shared_by_members),
            names=_names(_SharedStream),
        ),
        Pitfall(
            "steps-repeat-the-masks",
            "Every step draws the masks of the first: the stream's count never "
            "advances from step to step",
            "Either the ensemble is broadcast into nnx.scan (`in_axes=None`: each "
            "step sees it as it was before the scan, and nothing is written back, "
            "so the count stays 0), or a new `Rngs` is built at every step (its "
            "count starts at 0). " + _CARRY_ADVICE,
            _pitfall(_step_zero_every_step),
            names=REFERENCE,
        ),
        Pitfall(
            "members-and-steps-share-one-key",
            "Every member at every step draws the same mask: the stream is neither "
            "split for the members nor carried from step to step",
            _SPLIT_ADVICE + " " + _CARRY_ADVICE,
            _pitfall(_shared_and_step_zero),
            names=_names(_SharedStream),
        ),
        Pitfall(
            "split-once-at-construction",
            "The members' streams are split once, in __init__, not at each call",
            "Each member then draws its own masks, new at each step, but other ones "
            "than the contract's, which splits one new key from the `dropout` "
            "stream at every call. Keep `self.rngs = rngs` as it is given, and "
            "split in `__call__`: `with nnx.split_rngs(self, splits=self.members):`.",
            _pitfall(_split_once),
            names=_names(_SplitOnce),
        ),
        Pitfall(
            "split-keys-used-as-keys",
            "The split keys are used as keys, not as the members' streams",
            "`jax.random.split(self.rngs.dropout(), members)` gives the keys the "
            "contract's members draw their first key from: each member draws "
            "`fold_in(its key, 0)`. Let NNX split the streams, "
            "`with nnx.split_rngs(self, splits=self.members):`, and draw "
            "`ensemble.rngs.dropout()` in each member.",
            _pitfall(_raw_split_keys),
            names=_names(_RawSplitKeys),
        ),
        Pitfall(
            "dropout-forks-the-stream",
            "nnx.Dropout built with the rngs forks its own stream",
            "`nnx.Dropout(rate, rngs=rngs)` draws a key from the `dropout` stream when "
            "it is built and keeps a stream of its own, so its members drop other "
            "units than the contract's. Keep the `Rngs` as `self.rngs` and draw "
            "from it (`nnx.Dropout(rate)` called with `rngs=ensemble.rngs` draws "
            "the contract's keys).",
            _pitfall(_forked_stream),
            names=_names(_ForkedStream),
        ),
        Pitfall(
            "p-equals-rate",
            "The mask keeps units with probability rate",
            "`jax.random.bernoulli(key, p)` is True with probability p, and True "
            "means keep: use `p=1 - rate`, not `p=rate`.",
            _pitfall(_split_at_each_call, p=_keep_with_rate),
            names=_names(_KeepWithRate),
        ),
    ),
    exception_hints=(
        (
            "no-ensemble-class",
            r"The contract names `DropoutEnsemble`",
            "Your file defines no DropoutEnsemble",
            "Define the class the contract names, "
            "`DropoutEnsemble(members, rate, rngs)`, beside the function.",
        ),
        (
            "stream-not-in-rngs",
            r"No RngStream named '\w+' found",
            "The ensemble draws from a stream its Rngs does not have",
            "The contract's `nnx.Rngs(dropout=int(seed))` has one stream, `dropout`: "
            "draw `ensemble.rngs.dropout()` in each member.",
        ),
        (
            "random-state-not-split",
            r"vmap was requested to map its argument along axis 0, which implies "
            r"that its rank should be at least 1, but is only 0",
            "nnx.vmap was asked to map a value over an axis it does not have",
            "Usually the random state: a stream is one key until it is split. "
            + _SPLIT_ADVICE,
        ),
        (
            "split-but-not-mapped",
            r"fold_in accepts a single key, but was given a key array",
            "The streams are split, but each member is given all of them",
            "After the split, each stream holds one key per member: map the random "
            "state over axis 0, `in_axes=(nnx.StateAxes({nnx.RngState: 0, ...: "
            "None}), None)`, so that each member gets its own.",
        ),
        (
            "with-rngs-graph-mode",
            r"graph=True and graph_updates=True is not supported for `with_rngs`",
            "nnx.with_rngs does not work on a module in graph mode",
            "Pass `graph=False` to nnx.with_rngs, and to the nnx.vmap you give its "
            "copy, as Flax's Randomness guide does; or use nnx.split_rngs, which "
            "splits the module's own streams.",
        ),
        (
            "jax-transform-on-module",
            r"TraceContextError: Cannot mutate Rng",
            "A JAX transform changes a module's random state",
            "jax.vmap, jax.lax.scan and jax.jit cannot update the `Rngs` of a "
            "module they close over: use nnx.vmap, nnx.scan and nnx.jit, and pass "
            "the module as an argument.",
        ),
    ),
)
