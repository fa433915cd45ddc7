"""The flag is negated on its way to the dropout layer."""

# expect: 1 [flag-inverted]

import jax
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=self.drop_rate, deterministic=not deterministic)(x)


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    drop_key = jax.random.PRNGKey(int(dropout_seed))
    model = DropoutModel(drop_rate=drop_rate)
    keys = {"params": jax.random.PRNGKey(int(seed)), "dropout": drop_key}
    variables = model.init(keys, x, deterministic=False)
    return model.apply(
        variables, x, deterministic=deterministic >= 0.5, rngs={"dropout": drop_key}
    )
