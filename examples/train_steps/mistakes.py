"""The known mistakes of train_steps, as code, so the grader can name them, and
the checks of the names its contract gives: ``Model`` and ``train_step``.

Some mistakes give exactly the reference's outputs, so no grader can see them,
and they are not listed: a step without any jit (the same keys, in the same
order), ``model.train()`` / ``model.eval()`` instead of views, the dropout key
given as ``jax.random.fold_in(key, step)`` instead of an ``nnx.Rngs`` (the
same keys), or gradients with respect to every variable of this model, whose
only state besides its parameters is the running averages (their gradient in
training is 0, and so is their update by plain gradient descent).

Differentiating with respect to the keys themselves raises; its exception is
named below.
"""

import jax
import jax.numpy as jnp
from flax import nnx

from lessongrader.mistakes import Check, Pitfall, Spec

from .problem import CASES
from .solution import Model, loss_fn, train_step, tx

TRAINING = {"deterministic": False, "use_running_average": False}
EVALUATION = {"deterministic": True, "use_running_average": True}


def _step(model, optimizer, x, y, rngs):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)
    optimizer.update(model, grads)
    return loss


# Compiled once here, so that every case reuses it: jax.jit runs the step on
# copies, and nothing it changes reaches the model, the optimizer or the keys.
_jax_jit_step = jax.jit(_step)


class _KeysAtConstruction(nnx.Module):
    """The contract's model, its dropout given the keys when it is built: it
    forks a stream of its own from them, and ignores the keys of the call."""

    def __init__(self, features, rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs=None):
        return self.out(self.dropout(nnx.relu(self.norm(self.linear(x)))))


def _train(
    seed,
    dropout_seed,
    x,
    y,
    steps,
    *,
    step=train_step,
    train_modes=TRAINING,
    eval_modes=EVALUATION,
    keys="stream",
):
    """The reference's run, with one of its parts replaced by a mistaken one.

    keys: "stream" (the contract: one nnx.Rngs for every step), "new-stream"
    (a new nnx.Rngs at every step), "fixed-key" (the same jax.random.key at
    every step) or "at-construction" (the dropout holds its keys).
    """
    if keys == "at-construction":
        rngs = nnx.Rngs(params=int(seed), dropout=int(dropout_seed))
        model = _KeysAtConstruction(x.shape[-1], rngs)
    else:
        model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    train_model = nnx.view(model, **train_modes)
    eval_model = nnx.view(model, **eval_modes)
    stream = nnx.Rngs(dropout=int(dropout_seed))
    losses = []
    for _ in range(int(steps)):
        if keys == "new-stream":
            stream = nnx.Rngs(dropout=int(dropout_seed))
        elif keys == "fixed-key":
            stream = jax.random.key(int(dropout_seed))
        losses.append(step(train_model, optimizer, x, y, stream))
    eval_loss = jnp.mean((eval_model(x) - y) ** 2)
    return jnp.stack([*losses, eval_loss])


# -- Checks of the names the contract gives ------------------------------------

X = CASES[0]["x"]
Y = CASES[0]["y"]


def _named(names, name):
    if name not in names:
        raise LookupError(f"The contract names `{name}`; your file defines none.")
    return names[name]


@nnx.jit  # one compilation for the reference and the known mistakes
def _two_training_calls(model, rngs, x):
    return model(x, rngs=rngs), model(x, rngs=rngs)


@nnx.jit
def _three_evaluations(model, rngs, x):
    # Given keys, which an evaluating dropout ignores: a dropout the view did
    # not reach then draws masks instead of raising.
    return model(x, rngs=rngs), model(x, rngs=rngs), model(x[:2], rngs=rngs)


def _fresh_masks(names):
    """Model, called twice in training with one nnx.Rngs: 1 if the outputs
    differ (a new mask at each call)."""
    model = _named(names, "Model")(X.shape[-1], nnx.Rngs(params=0))
    first, second = _two_training_calls(
        nnx.view(model, **TRAINING), nnx.Rngs(dropout=1), X
    )
    return jnp.array(not jnp.allclose(first, second), jnp.float32)


def _evaluation(names):
    """Model, after two training calls, through the evaluation view: whether
    two calls agree, whether the first two examples give the same outputs
    alone as in the batch (the running averages, not the batch's statistics),
    and whether evaluating leaves the running averages as they were."""
    model = _named(names, "Model")(X.shape[-1], nnx.Rngs(params=0))
    rngs = nnx.Rngs(dropout=1)
    _two_training_calls(nnx.view(model, **TRAINING), rngs, X)
    before = [jnp.copy(v) for v in jax.tree.leaves(nnx.state(model, nnx.BatchStat))]
    first, second, alone = _three_evaluations(nnx.view(model, **EVALUATION), rngs, X)
    after = jax.tree.leaves(nnx.state(model, nnx.BatchStat))
    kept = len(before) == len(after) and all(
        jnp.array_equal(a, b) for a, b in zip(before, after, strict=True)
    )
    return jnp.array(
        [jnp.array_equal(first, second), jnp.allclose(first[:2], alone), kept],
        jnp.float32,
    )


def _three_steps(names):
    """train_step, three times on the contract's model, optimizer and keys:
    the losses, then the running mean after them."""
    step = _named(names, "train_step")
    model = Model(X.shape[-1], nnx.Rngs(params=0))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    train_model = nnx.view(model, **TRAINING)
    rngs = nnx.Rngs(dropout=1)
    losses = [step(train_model, optimizer, X, Y, rngs) for _ in range(3)]
    return jnp.concatenate([jnp.stack(losses), model.norm.mean[...]])


CHECKS = (
    Check(
        "Model in training, called twice with one nnx.Rngs: [the outputs differ]",
        _fresh_masks,
        "same-mask-each-call",
        "Two training calls of your Model with one nnx.Rngs drop the same units",
        "Model.__call__ must pass the rngs it is given to its dropout, "
        "`self.dropout(h, rngs=rngs)`, which draws the next key from the stream "
        "at each call.",
    ),
    Check(
        "Model after training, through the evaluation view: [deterministic, "
        "per example, running averages kept]",
        _evaluation,
        "evaluation-view",
        "Through the evaluation view, your Model is not deterministic, or "
        "normalizes with the batch's statistics, or updates the running averages",
        "Let the view set the modes: pass neither deterministic= nor "
        "use_running_average= when Model calls its layers (an argument given at "
        "the call overrides the view), and build them from nnx.Dropout and "
        "nnx.BatchNorm.",
    ),
    Check(
        "train_step, 3 steps on the contract's model, optimizer and nnx.Rngs: "
        "[the losses, the running mean]",
        _three_steps,
        "train-step",
        "Your train_step, given the contract's model, optimizer and keys, gives "
        "other losses or running averages",
        "train_step(model, optimizer, x, y, rngs), compiled with nnx.jit: "
        "`loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)` with the "
        "mean squared error of `model(x, rngs=rngs)` against y, then "
        "`optimizer.update(model, grads)`; it returns the loss.",
    ),
)

_REFERENCE = {"Model": Model, "train_step": train_step}

SPEC = Spec(
    shape_advice=(
        "Return one loss per training step, then the evaluation loss: "
        "`jnp.stack([*losses, eval_loss])` has shape (steps + 1,)."
    ),
    checks=CHECKS,
    pitfalls=(
        Pitfall(
            "jax-jit",
            "The step is compiled with jax.jit: nothing it changes reaches the "
            "next step",
            "jax.jit runs the step on copies: the updated parameters, the running "
            "averages and the advanced key count are all dropped, so every step "
            "repeats the first. Compile it with nnx.jit, which writes them back.",
            lambda **case: _train(**case, step=_jax_jit_step),
            names={"Model": Model, "train_step": _jax_jit_step},
        ),
        Pitfall(
            "same-key-every-step",
            "Every step draws the same dropout mask: a new key stream at each step",
            "Each new nnx.Rngs(dropout=...) starts its count at 0 and gives the "
            "same first key. Build it once, before the loop, and pass that object "
            "to every step.",
            lambda **case: _train(**case, keys="new-stream"),
            names=_REFERENCE,
        ),
        Pitfall(
            "key-not-folded",
            "Every step draws the same dropout mask: one fixed key",
            "A key used twice gives the same mask twice. Pass one "
            "nnx.Rngs(dropout=int(dropout_seed)) to every step, or, as in Linen, "
            "fold the step number into the key: "
            "`jax.random.fold_in(jax.random.key(int(dropout_seed)), step)`.",
            lambda **case: _train(**case, keys="fixed-key"),
            names=_REFERENCE,
        ),
        Pitfall(
            "trains-in-eval-mode",
            "The steps train the model in evaluation mode",
            "With deterministic=True and use_running_average=True nothing is "
            "dropped and the running averages never move. Train through "
            "nnx.view(model, deterministic=False, use_running_average=False) (or "
            "after model.train()), and keep the evaluation view for evaluation.",
            lambda **case: _train(**case, train_modes=EVALUATION),
            names=_REFERENCE,
        ),
        Pitfall(
            "eval-uses-batch-stats",
            "The evaluation normalizes with the batch's statistics",
            "The evaluation view needs use_running_average=True as well as "
            "deterministic=True: nnx.view(model, deterministic=True, "
            "use_running_average=True).",
            lambda **case: _train(
                **case, eval_modes={"deterministic": True, "use_running_average": False}
            ),
            names=_REFERENCE,
        ),
        Pitfall(
            "keys-at-construction",
            "The dropout holds its own keys",
            "nnx.Dropout built with rngs= forks a stream of its own from them, so "
            "it drops other units than the contract's. Build it without rngs, "
            "nnx.Dropout(0.5), and pass the step's rngs at the call: "
            "`self.dropout(h, rngs=rngs)`.",
            lambda **case: _train(**case, keys="at-construction"),
            names=_REFERENCE,
        ),
    ),
    exception_hints=(
        (
            "grad-wrt-rng-state",
            r"grad requires real- or complex-valued inputs|float0",
            "Gradients are taken with respect to the random state",
            "A key count (RngCount) and a key (RngKey) are state, not parameters: "
            "keep nnx.value_and_grad's default, which differentiates the nnx.Param "
            "variables, and nnx.Optimizer(model, tx, wrt=nnx.Param). The contract's "
            "model holds no keys: they are given at the call.",
        ),
        (
            "optimizer-wrt",
            r"ValueError: pytree structure error",
            "The optimizer and the gradients cover different variables",
            "optimizer.update(model, grads) needs gradients for every variable the "
            "optimizer's wrt selects: nnx.Optimizer(model, tx, wrt=nnx.Param), "
            "with nnx.value_and_grad's default (the nnx.Param variables).",
        ),
        (
            "dropout-without-keys",
            r"no `rngs` argument was provided to Dropout",
            "Dropout ran in training mode without keys",
            "In a training step pass the step's rngs to the model, "
            "`model(x, rngs=rngs)`, and on to its dropout; evaluate through "
            "nnx.view(model, deterministic=True, use_running_average=True), which "
            "needs no keys.",
        ),
        (
            "stream-not-seeded",
            r"No RngStream named '\w+' found",
            "A stream that was not seeded",
            "The parameters come from nnx.Rngs(params=int(seed)) and the dropout "
            "keys from nnx.Rngs(dropout=int(dropout_seed)), given at the call; the "
            "dropout holds no keys of its own.",
        ),
        (
            "missing-name",
            r"LookupError: The contract names",
            "A name the contract gives is not defined",
            "Define Model and train_step as the contract says, at the top level "
            "of your file: the grader builds and calls them.",
        ),
        (
            "module-in-closure",
            r"TraceContextError: Cannot mutate",
            "A compiled or differentiated function changes an NNX object it was "
            "not given as an argument",
            "An nnx.Rngs draws keys by advancing its count, which only a function "
            "given it as an argument may do: pass the rngs to the loss function, "
            "`nnx.value_and_grad(loss_fn)(model, x, y, rngs)`, not from the "
            "enclosing scope; the same goes for the model in the step.",
        ),
    ),
)
