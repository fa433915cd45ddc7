"""apply gets no dropout key: evaluation works, training raises."""

# expect: 1 [missing-dropout-rngs]
# expect: 1 4 of 8 cases passed

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    model = TrainEvalModel()
    variables = model.init(jax.random.PRNGKey(int(seed)), x, train=False)
    return model.apply(variables, x, train=train >= 0.5)
