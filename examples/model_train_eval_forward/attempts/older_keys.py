"""Right, in the seed's older form: jax.random.PRNGKey (the same bits as
jax.random.key), a dropout key given to init as well, init in training mode.
init returns only the parameters, which none of these change."""

# expect: 0 8 of 8 cases passed

import jax
from flax import linen as nn


class TrainEvalModel(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.Dropout(rate=0.5, deterministic=not train)(x)


def model_train_eval_forward(seed, x, train):
    seed = int(seed)
    keys = {"params": jax.random.PRNGKey(seed), "dropout": jax.random.PRNGKey(seed + 1)}
    model = TrainEvalModel()
    variables = model.init(keys, x, train=True)
    return model.apply(
        variables, x, train=bool(train >= 0.5), rngs={"dropout": keys["dropout"]}
    )
