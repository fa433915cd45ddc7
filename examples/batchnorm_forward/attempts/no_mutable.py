"""Training applies without mutable=: BatchNorm cannot store its statistics."""

# expect: 1 [batch-stats-immutable]
# expect: 1 2 of 9 cases passed

import jax
from flax import linen as nn


class BatchNormModel(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)


def batchnorm_forward(seed, x, train, steps):
    model = BatchNormModel()
    variables = model.init(jax.random.PRNGKey(int(seed)), x, train=False)
    for _ in range(int(steps)):
        model.apply(variables, x, train=True)
    return model.apply(variables, x, train=train >= 0.5)
