"""The known mistakes of dropout_steps_forward, as code, so the grader can
name them; and the checks of train_step, called as a training loop does.

The function's outputs cannot tell a compiled step from the layer called
without any jit: the keys are drawn in the same order, so the masks are the
same. The checks call the file's ``train_step`` themselves: on one layer,
three times (a new mask at each call, which jax.jit does not give), and on a
layer of the grader's that counts how often its Python code runs: once for
three calls when the step is compiled, at every call when it is not.

The problem has no train/eval flag: its checks (diagnosis.py) compare an
output with the reference's at rate 0, ``x`` on every row ("no-dropout").
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.mistakes import Check, Pitfall, Spec, named, with_args

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


X = jnp.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
CALLS = 3


def _three_calls(names):
    step = named(names, "train_step")
    layer = named(names, "MyDropout")(0.5, nnx.Rngs(0))
    return jnp.stack([step(layer, X) for _ in range(CALLS)])


def _runs_of_its_python_code(names):
    """How many times the layer's Python code has run after each call of the
    step, on a layer of the grader's (a new class each time, so that no
    compilation of an earlier grading is reused)."""
    step = named(names, "train_step")
    runs = []

    class CountingDropout(nnx.Module):
        def __init__(self, rngs):
            self.rngs = rngs

        def __call__(self, x, deterministic=False):
            runs.append(1)  # Python: runs when traced, not when compiled code runs
            mask = jax.random.bernoulli(self.rngs.dropout(), 0.5, x.shape)
            return jnp.where(mask, x, 0.0)

    layer = CountingDropout(nnx.Rngs(0))
    counts = []
    for _ in range(CALLS):
        step(layer, X)
        counts.append(len(runs))
    return jnp.array(counts, jnp.float32)


CHECKS = (
    Check(
        "train_step(layer, x) called 3 times on one MyDropout(0.5, nnx.Rngs(0))",
        _three_calls,
        "same-mask-every-call",
        "Three calls of train_step on one layer do not drop the contract's units, "
        "a new mask at each call",
        "Compile the step with nnx.jit and give it the layer, train_step(layer, x): "
        "nnx.jit writes the layer's advanced key counter back after each call.",
    ),
    Check(
        "train_step called 3 times: how often the layer's Python code has run "
        "after each call",
        _runs_of_its_python_code,
        "not-compiled-once",
        "train_step does not run the layer's Python code once for three calls, as "
        "a step compiled once does (the counts after each call are shown above)",
        "Compile the step with nnx.jit, `train_step = nnx.jit(...)` or the "
        "decorator `@nnx.jit`: the layer then runs once, while nnx.jit traces it, "
        "and each call runs the compiled program.",
        independent=True,
    ),
)

_KEY_ADVICE = (
    "Build one layer, MyDropout(rate, nnx.Rngs(int(seed))), before the steps, and "
    "pass it to a step compiled with nnx.jit, which draws self.rngs.dropout() "
    "inside the layer at every call."
)

# jax-jit, rngs-in-step and key-drawn-once give the very same outputs (every
# step uses the stream's first key): the grader names the three together.
SPEC = Spec(
    checks=CHECKS,
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
            names={"MyDropout": MyDropout, "train_step": _jax_jit_step},
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
            "step-arguments",
            r"train_step\(\) (missing \d+ required positional argument|takes \d+ "
            r"positional argument)",
            "train_step does not take the contract's arguments, (layer, x)",
            "Give the step the layer and the input, `train_step(layer, x)`, and let "
            "it call `layer(x, deterministic=False)`: nnx.jit then carries the "
            "layer's key counter in and out of each call.",
        ),
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
