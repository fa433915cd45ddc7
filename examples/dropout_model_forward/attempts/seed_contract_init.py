"""Right, in the seed contract's form: jax.random.PRNGKey, both keys given to
init, init with deterministic=False. init returns only the parameters, which
the dropout key does not touch: the outputs are the current form's."""

# expect: 0 11 of 11 cases passed

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
