"""The dropout key is derived from the params key, folded with the dropout
seed: the lesson's point missed, since a new seed for the weights now changes
the masks too. No known mistake gives these masks; the grader names it by
varying one seed at a time."""

# expect: 1 [dropout-key-follows-seed]

import jax
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    params_key = jax.random.key(int(seed))
    dropout_key = jax.random.fold_in(params_key, int(dropout_seed))
    model = DropoutModel(drop_rate=drop_rate)
    variables = model.init({"params": params_key}, x, deterministic=True)
    return model.apply(
        variables,
        x,
        deterministic=bool(deterministic >= 0.5),
        rngs={"dropout": dropout_key},
    )
