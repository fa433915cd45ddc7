"""Reference solution: one Linen model, switched between training and evaluation.

Lesson: ``docs/linen-train-eval-flag.md``. The harness passes ``seed`` and
``train`` as floats; ``train`` counts as true when it is at least 0.5.

>>> import jax.numpy as jnp
>>> x = jnp.array([1.0, -2.0, 3.0, 0.5, -1.5])
>>> y_eval = model_train_eval_forward(0.0, x, 0.0)
>>> y_eval.shape
(5,)

In evaluation, dropout is a no-op, so two calls agree exactly:

>>> bool(jnp.array_equal(y_eval, model_train_eval_forward(0.0, x, 0.0)))
True

In training, each unit is either dropped (0) or kept and scaled by 1 / 0.5:

>>> y_train = model_train_eval_forward(0.0, x, 1.0)
>>> bool(jnp.all((y_train == 0) | jnp.isclose(y_train, 2 * y_eval)))
True
"""

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        # Dropout asks "deterministic?", the model asks "training?": negate.
        x = nn.Dropout(rate=0.5, deterministic=not train)(x)
        return x


def model_train_eval_forward(seed, x, train):
    seed = int(seed)
    train = bool(train >= 0.5)
    model = TrainEvalModel()
    # In evaluation mode init asks for no dropout key: the params key is enough.
    variables = model.init(jax.random.key(seed), x, train=False)
    return model.apply(
        variables, x, train=train, rngs={"dropout": jax.random.key(seed + 1)}
    )
