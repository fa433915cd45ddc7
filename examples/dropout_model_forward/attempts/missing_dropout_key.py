"""Dropout active, and no dropout key given to apply (the lesson's first
pitfall): whatever init was given, apply needs its own."""

# expect: 1 [missing-dropout-rngs]

import jax
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    model = DropoutModel(drop_rate=drop_rate)
    keys = {"params": jax.random.key(int(seed)), "dropout": jax.random.key(1)}
    variables = model.init(keys, x, deterministic=True)
    return model.apply(variables, x, deterministic=bool(deterministic >= 0.5))
