"""The float seed goes to PRNGKey as it is."""

# expect: 1 [seed-not-int]
# expect: 1 1 of 8 cases passed

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    keys = {"params": jax.random.PRNGKey(seed), "dropout": jax.random.PRNGKey(seed + 1)}
    model = TrainEvalModel()
    variables = model.init(keys, x, train=False)
    return model.apply(
        variables, x, train=train >= 0.5, rngs={"dropout": keys["dropout"]}
    )
