"""The known mistakes of dropout_steps_forward, as code, so the grader can
name them.

Some mistakes give exactly the reference's outputs, so no grader can see them,
and they are not listed: calling the layer without any jit, or with
``nnx.jit`` around a loop over the steps: the keys are drawn in the same
order, so the masks are the same.

The problem has no train/eval flag: its checks (diagnosis.py) compare an
output with the reference's at rate 0, ``x`` on every row ("no-dropout").
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.mistakes import Pitfall, Spec, with_args

from .solution import MyDropout, dropout_steps_forward, train_step

# Compiled once here, so that every case reuses them.
_jax_jit_step = jax.jit(lambda layer, x: layer(x, deterministic=False))
_builtin_step = nnx.jit(lambda layer, x: layer(x, deterministic=False))


def _stepped(seed, x, rate, steps, *, step, layer=MyDropout):
    """int(steps) calls of step on one layer built from nnx.Rngs(int(seed))."""
    built = layer(rate, rngs=nnx.Rngs(int(seed)))
    return jnp.stack([step(built, x) for _ in range(int(steps))])


def _rngs_in_step(seed, x, rate, steps):
    # A new layer, and so a new Rngs, at every step.
    return jnp.stack(
        [train_step(MyDropout(rate, nnx.Rngs(int(seed))), x) for _ in range(int(steps))]
    )


def _key_drawn_once(seed, x, rate, steps):
    # One key from the stream, drawn before the steps and reused by each: the
    # first call of a new layer draws exactly that key.
    once = MyDropout(rate, nnx.Rngs(int(seed)))(x, deterministic=False)
    return jnp.stack([once] * int(steps))


_KEY_ADVICE = (
    "Build one layer, MyDropout(rate, nnx.Rngs(int(seed))), before the steps, and "
    "pass it to a step compiled with nnx.jit, which draws self.rngs.dropout() "
    "inside the layer at every call."
)

# jax-jit, rngs-in-step and key-drawn-once give the very same outputs (every
# step uses the stream's first key): the grader names the three together.
SPEC = Spec(
    related={"no-dropout": lambda case: {**case, "rate": 0.0}},
    facts=lambda case: {"keep": 1.0 - case["rate"]},
    settings={"key_advice": _KEY_ADVICE},
    shape_advice=(
        "Return one row per step: jnp.stack of the steps' outputs has shape "
        "(steps, len(x))."
    ),
    pitfalls=(
        Pitfall(
            "jax-jit",
            "The step is compiled with jax.jit, so the key counter never advances",
            "Changes made inside jax.jit to the layer's Rngs are not written back, "
            "so every step draws the first key again. Compile the step with "
            "nnx.jit.",
            lambda **case: _stepped(**case, step=_jax_jit_step),
        ),
        Pitfall(
            "rngs-in-step",
            "A new key stream is built at every step",
            "Each new nnx.Rngs(int(seed)) starts its count at 0 and gives the same "
            "first key. Build the layer and its Rngs once, before the steps, and "
            "pass the layer to the step.",
            _rngs_in_step,
        ),
        Pitfall(
            "key-drawn-once",
            "One key is drawn before the steps and reused",
            "A key used twice gives the same mask twice. Draw it inside the layer, "
            "with self.rngs.dropout(), at every call.",
            _key_drawn_once,
        ),
        Pitfall(
            "no-dropout-in-training",
            "No dropout in the training steps",
            "Every row is x unchanged: the step must call "
            "`layer(x, deterministic=False)`.",
            with_args(dropout_steps_forward, rate=0.0),
        ),
        Pitfall(
            "builtin-nnx-dropout",
            "Built-in nnx.Dropout instead of the hand-written layer",
            "nnx.Dropout forks its own stream from the Rngs it is built with, so it "
            "drops other units than the contract. Write MyDropout as asked, drawing "
            "`self.rngs.dropout()` in __call__.",
            lambda **case: _stepped(**case, step=_builtin_step, layer=nnx.Dropout),
        ),
    ),
    exception_hints=(
        (
            "module-in-closure",
            r"TraceContextError: Cannot mutate",
            "The compiled function changes a module it was not given as an argument",
            "Pass the layer to the step, `train_step(layer, x)`, so that nnx.jit "
            "carries its state in and out; a layer captured from the enclosing scope "
            "cannot be updated inside a jit.",
        ),
        (
            "traced-flag",
            r"TracerBoolConversionError",
            "An `if` depends on a value that jit traces",
            "Python's `if` needs a concrete value: make a flag such as "
            '`deterministic` static (`nnx.jit(step, static_argnames="deterministic")`) '
            "or fix it inside the step, and keep the rate a plain float.",
        ),
    ),
)
