"""Right, with the older jax.random.PRNGKey, which holds the same bits as
jax.random.key, and the last apply's pair unpacked in both modes."""

# expect: 0 9 of 9 cases passed

import jax
from flax import linen as nn


class BatchNormModel(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)


def batchnorm_forward(seed, x, train, steps):
    model = BatchNormModel()
    variables = model.init(jax.random.PRNGKey(int(seed)), x, train=False)
    for _ in range(int(steps)):
        _, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
        variables = {**variables, **updates}
    out, _ = model.apply(variables, x, train=train >= 0.5, mutable=["batch_stats"])
    return out
