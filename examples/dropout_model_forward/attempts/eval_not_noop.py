"""The model is always applied in training mode."""

# expect: 1 [eval-not-noop]

import jax
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    drop_key = jax.random.PRNGKey(int(dropout_seed))
    model = DropoutModel(drop_rate=drop_rate)
    keys = {"params": jax.random.PRNGKey(int(seed)), "dropout": drop_key}
    variables = model.init(keys, x, deterministic=False)
    return model.apply(variables, x, deterministic=False, rngs={"dropout": drop_key})
