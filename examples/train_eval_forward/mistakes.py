"""The known mistakes of train_eval_forward, as code, so the grader can name them."""

import jax

from lessongrader.flags import flag_pitfalls, flag_spec
from lessongrader.mistakes import Pitfall

from .solution import train_eval_forward


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
        "Build nnx.Rngs(int(seed)), store it on the layer (self.rngs = rngs), and "
        "draw the key inside __call__ with self.rngs.dropout()."
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
