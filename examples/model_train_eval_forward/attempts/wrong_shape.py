"""A Dense layer of a fixed width: right only for inputs of that length."""

# expect: 1 [wrong-shape]
# expect: 1 4 of 8 cases passed

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=5)(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    seed = int(seed)
    keys = {"params": jax.random.PRNGKey(seed), "dropout": jax.random.PRNGKey(seed + 1)}
    model = TrainEvalModel()
    variables = model.init(keys, x, train=False)
    return model.apply(
        variables, x, train=train >= 0.5, rngs={"dropout": keys["dropout"]}
    )
