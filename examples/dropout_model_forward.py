"""Reference solution: a Linen model fed by two PRNG streams.

Lesson: ``docs/linen-prng-streams.md``. ``seed`` feeds the ``params`` stream,
``dropout_seed`` the ``dropout`` stream; all arguments arrive as floats and
``deterministic`` counts as true when it is at least 0.5.

>>> x = jnp.array([1.0, -2.0, 3.0, 0.5, -1.5])
>>> y_eval = dropout_model_forward(0.0, x, 1.0, 0.5, 1.0)
>>> y_eval.shape
(5,)

The dropout seed changes the mask, never the parameters:

>>> bool(jnp.array_equal(y_eval, dropout_model_forward(0.0, x, 9.0, 0.5, 1.0)))
True
>>> a = dropout_model_forward(0.0, x, 1.0, 0.5, 0.0)
>>> bool(jnp.all((a == 0) | jnp.isclose(a, 2 * y_eval)))
True
"""

import jax
import jax.numpy as jnp
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        x = nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)
        return x


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    deterministic = bool(deterministic >= 0.5)
    drop_key = jax.random.PRNGKey(int(dropout_seed))
    model = DropoutModel(drop_rate=drop_rate)
    variables = model.init(
        {"params": jax.random.PRNGKey(int(seed)), "dropout": drop_key},
        x,
        deterministic=False,
    )
    return model.apply(
        variables, x, deterministic=deterministic, rngs={"dropout": drop_key}
    )


# -- Grading cases ------------------------------------------------------------

LESSON = "linen-prng-streams"

CONTRACT = """\
A Linen model fed by two PRNG streams.

Define ``DropoutModel(nn.Module)`` with one attribute ``drop_rate``; its
``__call__(self, x, deterministic)`` applies ``nn.Dense(features=x.shape[-1])``,
then ``nn.Dropout(rate=self.drop_rate, deterministic=deterministic)``.

Cast ``deterministic = bool(deterministic >= 0.5)``. Initialize with
``{"params": jax.random.PRNGKey(int(seed)),
"dropout": jax.random.PRNGKey(int(dropout_seed))}`` and ``deterministic=False``;
apply with the cast flag and
``rngs={"dropout": jax.random.PRNGKey(int(dropout_seed))}``, and return the
result.

Inputs: ``seed``, a float holding an integer, seeds the ``params`` stream;
``x``, a 1-D JAX array; ``dropout_seed``, a float holding an integer, seeds the
``dropout`` stream; ``drop_rate``, a float in [0, 1]; ``deterministic``, a
float, 0.0 or 1.0.
Output: a 1-D array of the same length as ``x``.
"""

CASES = [
    dict(
        seed=0.0,
        x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]),
        dropout_seed=1.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=0.0,
        x=jnp.array([1.0, -2.0, 3.0, 0.5, -1.5]),
        dropout_seed=1.0,
        drop_rate=0.5,
        deterministic=1.0,
    ),
    dict(
        seed=2.0,
        x=jnp.array([2.0, -0.5, 1.25]),
        dropout_seed=7.0,
        drop_rate=0.8,
        deterministic=0.0,
    ),
    dict(
        seed=4.0,
        x=jnp.array([0.5, 4.0, -3.0, 2.5, -1.0]),
        dropout_seed=11.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
    dict(
        seed=5.0,
        x=jnp.array([3.0, -2.0, 1.0]),
        dropout_seed=0.0,
        drop_rate=0.0,
        deterministic=0.0,
    ),
    dict(
        seed=1.0,
        x=jnp.array([-1.0, 2.0, -3.0, 4.0, 0.25]),
        dropout_seed=4.0,
        drop_rate=0.2,
        deterministic=0.0,
    ),
    dict(
        seed=9.0,
        x=jnp.array([1.5, -2.5, 0.5]),
        dropout_seed=2.0,
        drop_rate=0.8,
        deterministic=1.0,
    ),
    dict(
        seed=3.0,
        x=jnp.array([2.0, 1.0, -1.0, -2.0, 0.5]),
        dropout_seed=3.0,
        drop_rate=0.5,
        deterministic=0.0,
    ),
]
