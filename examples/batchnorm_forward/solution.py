"""Reference solution: a Linen model with BatchNorm, trained for a few steps.

Lesson: ``docs/batchnorm-train-eval.md``. The harness passes ``seed``,
``train`` and ``steps`` as floats; ``train`` counts as true when it is at
least 0.5.

>>> import jax.numpy as jnp
>>> x = jnp.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0],
...                [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]])

In training, each feature is normalized with the batch's own mean and
variance, so every column has mean 0 and variance 1, whatever the steps:

>>> y = batchnorm_forward(0.0, x, 1.0, 3.0)
>>> y.shape
(4, 3)
>>> bool(jnp.allclose(y.mean(axis=0), 0.0, atol=1e-5))
True
>>> bool(jnp.allclose(y.var(axis=0), 1.0, atol=1e-3))
True
>>> bool(jnp.allclose(y, batchnorm_forward(0.0, x, 1.0, 0.0)))
True

In evaluation, the running averages are used; the more training steps, the
closer they are to the batch's statistics, and the output to the training
output:

>>> def gap(k):
...     return float(jnp.abs(batchnorm_forward(0.0, x, 0.0, k) - y).max())
>>> gap(0) > gap(5) > gap(30)
True
"""

import jax
from flax import linen as nn


class BatchNormModel(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(features=x.shape[-1])(x)
        # BatchNorm asks "use the running averages?", the model asks "training?".
        return nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)


def batchnorm_forward(seed, x, train, steps):
    model = BatchNormModel()
    variables = model.init(jax.random.key(int(seed)), x, train=False)
    for _ in range(int(steps)):
        # A training apply returns the output and the updated batch_stats.
        _, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
        variables = {**variables, **updates}  # fed back into the next apply
    if train >= 0.5:
        out, _ = model.apply(variables, x, train=True, mutable=["batch_stats"])
        return out
    return model.apply(variables, x, train=False)
