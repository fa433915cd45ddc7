"""The parameters come from PRNGKey(0) whatever the seed."""

# expect: 1 [params-differ]
# expect: 1 3 of 8 cases passed

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    seed = int(seed)
    keys = {"params": jax.random.PRNGKey(0), "dropout": jax.random.PRNGKey(seed + 1)}
    model = TrainEvalModel()
    variables = model.init(keys, x, train=False)
    return model.apply(
        variables, x, train=train >= 0.5, rngs={"dropout": keys["dropout"]}
    )
