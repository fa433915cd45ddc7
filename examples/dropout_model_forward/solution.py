"""Reference solution: a Linen model fed by two PRNG streams.

Lesson: ``docs/linen-prng-streams.md``. ``seed`` feeds the ``params`` stream,
``dropout_seed`` the ``dropout`` stream; all arguments arrive as floats and
``deterministic`` counts as true when it is at least 0.5.

>>> import jax.numpy as jnp
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
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        x = nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)
        return x


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    model = DropoutModel(drop_rate=drop_rate)
    # As Flax's dropout guide does: one params key, in evaluation mode.
    variables = model.init({"params": jax.random.key(int(seed))}, x, deterministic=True)
    return model.apply(
        variables,
        x,
        deterministic=bool(deterministic >= 0.5),
        rngs={"dropout": jax.random.key(int(dropout_seed))},  # its own seed
    )
