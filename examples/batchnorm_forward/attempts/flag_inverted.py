"""use_running_average=train: training uses the running averages, evaluation
tries to update them and raises, since its apply allows no update."""

# expect: 1 [flag-inverted]
# expect: 1 [batch-stats-immutable]

import jax
from flax import linen as nn


class BatchNormModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.BatchNorm(use_running_average=train, momentum=0.9)(x)


def batchnorm_forward(seed, x, train, steps):
    model = BatchNormModel()
    variables = model.init(jax.random.PRNGKey(int(seed)), x, train=False)
    for _ in range(int(steps)):
        _, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
        variables = {**variables, **updates}
    if train >= 0.5:
        out, _ = model.apply(variables, x, train=True, mutable=["batch_stats"])
        return out
    return model.apply(variables, x, train=False)
