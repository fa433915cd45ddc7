"""The known mistakes of resumed_outputs, as code, so the grader can name them;
and the checks of the names its contract defines.

The function's cases build the resumed model with the seeds of the saved one,
so a restored model that kept its own, fresh random state draws the masks of
the run's first steps again. The checks build it with other seeds, and so
tell apart a stream that was not restored at all (its masks are the fresh
model's) from a counter set back to 0 (the masks of the saved run's first
steps); they also save two checkpoints of one run at two paths.

A mistake the contract cannot see, and that is not listed: ``jax.random.key_data``
before saving without ``jax.random.wrap_key_data`` after restoring. The
stream then holds the key's raw ``uint32`` data, which ``jax.random.fold_in``
still accepts as a key of the default implementation: the masks are the same.
"""

import pathlib
import tempfile

import jax.numpy as jnp
from flax import nnx

from lessongrader.mistakes import Check, Pitfall, Spec

from .solution import DenseDropout

CONTRACT_NAMES = ("DenseDropout", "save_checkpoint", "restore_checkpoint")


def _named(names):
    """The contract's three names, from the names a file defines."""
    missing = [name for name in CONTRACT_NAMES if not callable(names.get(name))]
    if missing:
        raise LookupError(
            f"the contract names `{missing[0]}`; your file defines none at its "
            "top level"
        )
    return tuple(names[name] for name in CONTRACT_NAMES)


def _run(
    names,
    seed,
    dropout_seed,
    x,
    rate,
    steps_before,
    steps_after,
    *,
    make_rngs=lambda seed, dropout_seed: nnx.Rngs(params=seed, dropout=dropout_seed),
    after_restore=lambda model, dropout_seed: None,
):
    """The contract's function on the given names, with two steps replaceable."""
    model_class, save, restore = _named(names)

    def make_model():
        return model_class(x.shape[-1], rate, make_rngs(int(seed), int(dropout_seed)))

    model = make_model()
    for _ in range(int(steps_before)):
        model(x)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save(model, path)
        resumed = restore(path, make_model)
    after_restore(resumed, int(dropout_seed))
    return jnp.stack([resumed(x) for _ in range(int(steps_after))])


# -- The mistaken helpers -----------------------------------------------------
# Each keeps its "checkpoint" in memory, a copy of what it would save: the
# mistakes are computed on every case and check, and an orbax save costs more.

_SAVED = {}


def _save_all(model, path):
    _, state = nnx.split(nnx.clone(model))
    _SAVED[str(path)] = state


def _restore_all(path, make_model):
    graphdef, _ = nnx.split(nnx.eval_shape(make_model))
    return nnx.merge(graphdef, nnx.clone(_SAVED[str(path)]))


def _save_params(model, path):
    _SAVED[str(path)] = nnx.state(nnx.clone(model), nnx.Param)


def _restore_params(path, make_model):
    model = make_model()  # its Rngs as built: key and count
    nnx.update(model, nnx.clone(_SAVED[str(path)]))
    return model


def _restore_all_but_counts(path, make_model):
    model = _restore_all(path, make_model)
    nnx.update(model, nnx.state(make_model(), nnx.RngCount))  # as built: 0
    return model


RIGHT = {
    "DenseDropout": DenseDropout,
    "save_checkpoint": _save_all,
    "restore_checkpoint": _restore_all,
}
PARAMS_ONLY = {**RIGHT, "save_checkpoint": _save_params}
PARAMS_ONLY["restore_checkpoint"] = _restore_params
COUNTS_NOT_RESTORED = {**RIGHT, "restore_checkpoint": _restore_all_but_counts}


def _mistake(names, **changes):
    return lambda **case: _run(names, **case, **changes)


def _reseed(model, dropout_seed):
    nnx.reseed(model, dropout=dropout_seed)


# -- The checks of the names the contract defines -----------------------------

X = jnp.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, -2.0, 1.5]])


def _resumed_in_other_seeds(names):
    """Saved after 3 calls, restored into a model built with other seeds."""
    model_class, save, restore = _named(names)
    model = model_class(4, 0.5, nnx.Rngs(params=0, dropout=1))
    for _ in range(3):
        model(X)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "checkpoint"
        save(model, path)
        resumed = restore(
            path, lambda: model_class(4, 0.5, nnx.Rngs(params=10, dropout=11))
        )
    return jnp.stack([resumed(X) for _ in range(3)])


def _two_checkpoints(names):
    """One run saved after 1 call and after 3, restored the other way round."""
    model_class, save, restore = _named(names)

    def make_model():
        return model_class(4, 0.5, nnx.Rngs(params=2, dropout=3))

    model = make_model()
    with tempfile.TemporaryDirectory() as folder:
        early, late = pathlib.Path(folder) / "early", pathlib.Path(folder) / "late"
        model(X)
        save(model, early)
        model(X)
        model(X)
        save(model, late)
        from_late = restore(late, make_model)
        from_early = restore(early, make_model)
    return jnp.stack([from_late(X), from_late(X), from_early(X), from_early(X)])


SPEC = Spec(
    pitfalls=(
        Pitfall(
            "rng-state-not-restored",
            "The resumed model drew from the key and count it was built with: the "
            "checkpoint's RngKey and RngCount never reached it",
            "A checkpoint of `nnx.state(model, nnx.Param)` leaves the dropout "
            "stream out, and restoring only the parameters into a new model keeps "
            "its fresh stream. Save `nnx.split(model)`'s whole state and restore all "
            "of it: `nnx.merge(graphdef, checkpointer.restore(path, abstract_state))`.",
            _mistake(PARAMS_ONLY),
            names=PARAMS_ONLY,
        ),
        Pitfall(
            "count-not-restored",
            "The key was restored but not the counter: the resumed run draws the "
            "masks of the saved run's first steps again",
            "The mask of each call is drawn from `fold_in(key, count)`: restore "
            "the RngCount variables with the RngKey ones, as part of the whole state "
            "`nnx.split(model)` gives.",
            _mistake(COUNTS_NOT_RESTORED),
            names=COUNTS_NOT_RESTORED,
        ),
        Pitfall(
            "reseeded-after-restore",
            "The restored model was reseeded: nnx.reseed set its counter back to 0",
            "`nnx.reseed(model, dropout=...)` replays a run from its first step; "
            "a resumed run must continue from the restored counter. Remove the "
            "reseed after restoring.",
            _mistake(RIGHT, after_restore=_reseed),
            names=RIGHT,
        ),
        Pitfall(
            "dropout-stream-not-seeded",
            "The masks come from the default stream of nnx.Rngs(seed), not from a "
            "dropout stream seeded with dropout_seed",
            "Build `nnx.Rngs(params=int(seed), dropout=int(dropout_seed))`. "
            "`nnx.reseed(model, dropout=...)` does not reach a stream built from "
            "`nnx.Rngs(int(seed))`: it changes the streams tagged `dropout`, and the "
            "one nnx.Dropout forks from nnx.Rngs(seed) is tagged `default`.",
            _mistake(RIGHT, make_rngs=lambda seed, dropout_seed: nnx.Rngs(seed)),
            names=RIGHT,
        ),
        Pitfall(
            "seeds-swapped",
            "The params and dropout seeds are swapped",
            "Seed the `params` stream with `seed` and the `dropout` stream with "
            "`dropout_seed`: `nnx.Rngs(params=int(seed), dropout=int(dropout_seed))`.",
            _mistake(
                RIGHT,
                make_rngs=lambda seed, dropout_seed: nnx.Rngs(
                    params=dropout_seed, dropout=seed
                ),
            ),
            names=RIGHT,
        ),
    ),
    shape_advice=(
        "Return `jnp.stack` of the resumed calls' outputs: shape "
        "`(steps_after, *x.shape)`."
    ),
    exception_hints=(
        (
            "missing-name",
            r"the contract names `\w+`; your file defines none",
            "A name the contract asks for is missing",
            "Define `DenseDropout`, `save_checkpoint` and `restore_checkpoint` at "
            "the top level of your file, with the contract's parameters: the "
            "grader calls them on their own.",
        ),
        (
            "typed-key-to-numpy",
            r"PRNGKey dtype cannot be converted to a NumPy array",
            "A typed key was given to NumPy, which cannot hold it",
            "`np.save`, `np.savez` and msgpack go through NumPy: save "
            "`jax.random.key_data(key)` and rebuild the key with "
            "`jax.random.wrap_key_data(data)` after loading; or save with orbax, "
            "which stores typed keys as they are.",
        ),
        (
            "key-already-typed",
            r"invalid PRNG key data",
            "jax.random.wrap_key_data was given something else than a key's raw data",
            "orbax restores a typed key as a typed key: wrap only the `uint32` data "
            "you saved with `jax.random.key_data`, and nothing that is a key already.",
        ),
        (
            "rng-state-not-restored",
            r"'ShapeDtypeStruct' object",
            "The restored model still holds abstract values: part of its state was "
            "never restored",
            "Every variable of `nnx.eval_shape(make_model)`'s state needs a value "
            "from the checkpoint, the dropout stream's RngKey and RngCount "
            "included: save and restore `nnx.split(model)`'s whole state.",
        ),
    ),
    checks=(
        Check(
            "DenseDropout saved after 3 calls, restored into one built with "
            "nnx.Rngs(params=10, dropout=11), called 3 times",
            _resumed_in_other_seeds,
            "not-the-saved-model",
            "A model restored into one built with other seeds does not continue "
            "the saved run",
            "`restore_checkpoint` must take every variable from the checkpoint, the "
            "parameters and each stream's key and count, and nothing from the model "
            "`make_model()` builds but its structure.",
        ),
        Check(
            "One DenseDropout saved after 1 call and after 3, at two paths; each "
            "restored, the later first, and called twice",
            _two_checkpoints,
            "checkpoint-not-at-its-path",
            "A restored checkpoint is not the state saved at its path",
            "`save_checkpoint(model, path)` writes the state the model has at that "
            "moment at `path`, and `restore_checkpoint(path, make_model)` reads "
            "that path: no fixed path, no model kept in a global variable.",
        ),
    ),
)
