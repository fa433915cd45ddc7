"""Both streams seeded with dropout_seed."""

# expect: 1 [params-from-dropout-seed]

import jax
from flax import linen as nn


class DropoutModel(nn.Module):
    drop_rate: float

    @nn.compact
    def __call__(self, x, deterministic):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=self.drop_rate, deterministic=deterministic)(x)


def dropout_model_forward(seed, x, dropout_seed, drop_rate, deterministic):
    key = jax.random.PRNGKey(int(dropout_seed))
    model = DropoutModel(drop_rate=drop_rate)
    variables = model.init({"params": key, "dropout": key}, x, deterministic=False)
    return model.apply(
        variables, x, deterministic=deterministic >= 0.5, rngs={"dropout": key}
    )
