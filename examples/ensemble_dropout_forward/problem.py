"""The ensemble_dropout_forward problem: its contract and hints (the page and the
starter show them) and the cases it is graded on. See lessongrader/catalog.py."""

import jax.numpy as jnp

LESSON = "randomness-under-vmap-scan"

CONTRACT = {
    "task": (
        "Write `DropoutEnsemble`, an NNX module that holds one `nnx.Rngs` and applies\n"
        "inverted dropout to its input once per member, under `nnx.vmap`, each member\n"
        "with a mask of its own; then run it over the rows of `xs`, one training step\n"
        "per row, under `nnx.scan`, each step with new masks. The keys: at each call,\n"
        "one key drawn from the `dropout` stream is split into one stream per member\n"
        "(what `nnx.split_rngs`, `nnx.with_rngs(split=...)` and `Rngs.split` all do),\n"
        "and each member draws its mask from its own stream; the ensemble's streams\n"
        "are carried from step to step, so that the steps draw the masks of the\n"
        "ensemble called once per row in a Python loop."
    ),
    "steps": [
        (
            "Define `DropoutEnsemble(nnx.Module)`: `__init__(self, members, rate, rngs)`\n"
            "stores the three as attributes, `self.rngs` the `Rngs` as it is given."
        ),
        (
            "`__call__(self, x)` returns an array of shape `(members, *x.shape)`:\n"
            "- split each stream of the module into `self.members` streams, with\n"
            "  `nnx.split_rngs(self, splits=self.members)` used as a `with` block;\n"
            "- inside it, call under `nnx.vmap` a function of the module and `x` that\n"
            "  draws `key = ensemble.rngs.dropout()`, samples\n"
            "  `mask = jax.random.bernoulli(key, p=1 - rate, shape=x.shape)` and returns\n"
            "  `jnp.where(mask, x / (1 - rate), 0.0)`, with `in_axes=(state_axes, None)`:\n"
            "  `state_axes = nnx.StateAxes({nnx.RngState: 0, ...: None})` maps the random\n"
            "  state over the members and shares the rest, and `x` is shared too."
        ),
        (
            "Build `ensemble = DropoutEnsemble(int(members), rate,\n"
            "nnx.Rngs(dropout=int(seed)))`."
        ),
        (
            "Step over the rows of `xs` with `nnx.scan`, the ensemble carried:\n"
            "`in_axes=(nnx.Carry, 0)`, `out_axes=(nnx.Carry, 0)`, each step returning\n"
            "`(ensemble, ensemble(x))`. Return the stacked outputs."
        ),
    ],
    "inputs": {
        "seed": "a float holding an integer.",
        "xs": "a 2-D JAX array of shape (steps, features), one input per step; no zeros.",
        "rate": "a float in (0, 1).",
        "members": "a float holding an integer >= 1.",
    },
    "output": (
        "an array of shape (steps, members, features): the output of member `m` at\n"
        "step `t` is at `[t, m]`."
    ),
}

HINTS = [
    [
        "what the transforms do with the random state",
        (
            "The module's `Rngs` is state like any other: `nnx.vmap` and `nnx.scan` do with\n"
            "it what `in_axes` says. Shared (`None`) by the members, it gives each the same\n"
            "key; broadcast (`None`) into `nnx.scan`, it starts every step from the same\n"
            "count, and nothing is written back."
        ),
    ],
    [
        "one stream per member",
        (
            "Split before mapping: `with nnx.split_rngs(self, splits=self.members):` makes\n"
            "each stream an array of `members` streams, which `nnx.StateAxes({nnx.RngState:\n"
            "0, ...: None})` maps over axis 0. `nnx.with_rngs(self, split=self.members,\n"
            "graph=False)` (flax 0.12.7 and later) gives the same keys, on a copy."
        ),
    ],
    [
        "a count that moves from step to step",
        (
            "Make the ensemble the scan's carry, `in_axes=(nnx.Carry, 0)`, and return it\n"
            "with the output: `return ensemble, ensemble(x)`. Each step then starts from\n"
            "the count the previous step left."
        ),
    ],
]

# No zeros in xs: a dropped unit must be told apart from a kept one. Rates of
# 0.25 and 0.75 tell p=keep from p=rate (at 0.5 they coincide). Cases share a
# few shapes, rates and member counts, so that the grader compiles each scan a
# few times only.
CASES = [
    dict(
        seed=0.0,
        xs=jnp.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]] * 3),
        rate=0.5,
        members=3.0,
    ),
    dict(
        seed=1.0,
        xs=jnp.array(
            [
                [-1.5, 2.0, 0.25, 3.0, -0.5, 1.0],
                [2.0, -1.0, 0.5, 4.0, -2.5, 1.5],
                [0.5, -3.0, 1.5, -2.0, 3.5, -1.0],
            ]
        ),
        rate=0.5,
        members=3.0,
    ),
    dict(
        seed=2.0,
        xs=jnp.array(
            [
                [1.0, -1.0, 2.0, -2.0, 3.0],
                [0.5, 1.5, -2.5, 3.5, -4.5],
                [2.0, 1.0, -0.5, 4.5, 3.0],
                [-1.0, 2.5, 1.0, -3.0, 0.5],
            ]
        ),
        rate=0.25,
        members=2.0,
    ),
    dict(
        seed=3.0,
        xs=jnp.array([[3.0, 1.0, 2.0, -0.5, 4.5]] * 4),
        rate=0.25,
        members=2.0,
    ),
    dict(
        seed=4.0,
        xs=jnp.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]] * 3),
        rate=0.5,
        members=1.0,
    ),
    dict(
        seed=5.0,
        xs=jnp.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]),
        rate=0.75,
        members=4.0,
    ),
]
