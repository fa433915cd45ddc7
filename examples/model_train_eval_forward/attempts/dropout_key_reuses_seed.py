"""One key for both streams: the dropout key is PRNGKey(seed), not seed + 1."""

# expect: 1 [dropout-key-reuses-seed]

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    key = jax.random.PRNGKey(int(seed))
    model = TrainEvalModel()
    variables = model.init({"params": key, "dropout": key}, x, train=False)
    return model.apply(variables, x, train=train >= 0.5, rngs={"dropout": key})
