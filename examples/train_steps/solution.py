"""Reference solution: an NNX model with BatchNorm and Dropout, trained for a
few steps with its dropout keys given at the call, then evaluated.

Lesson: ``docs/dropout-batchnorm-train-step.md``. The harness passes
``seed``, ``dropout_seed`` and ``steps`` as floats.

>>> import jax.numpy as jnp
>>> x = jnp.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0],
...                [0.5, -2.0, 1.5], [2.0, 1.0, 0.0]])
>>> y = jnp.array([[1.0], [0.0], [-1.0], [0.5]])
>>> out = train_steps(0.0, 1.0, x, y, 3.0)
>>> out.shape  # the loss of each step, then the evaluation loss
(4,)

The same seeds give the same run; another dropout seed draws other masks
from the second step on (the first step's loss depends on its mask too):

>>> bool(jnp.array_equal(out, train_steps(0.0, 1.0, x, y, 3.0)))
True
>>> bool(jnp.allclose(out, train_steps(0.0, 2.0, x, y, 3.0)))
False

One step is the first step of three:

>>> bool(jnp.allclose(train_steps(0.0, 1.0, x, y, 1.0)[0], out[0]))
True

In evaluation the model is deterministic and normalizes with the running
averages, so an example gives the same output alone as in its batch:

>>> model = Model(3, nnx.Rngs(params=0))
>>> rngs = nnx.Rngs(dropout=1)
>>> _ = model(x, rngs=rngs)  # a training call: updates the running averages
>>> eval_model = nnx.view(model, deterministic=True, use_running_average=True)
>>> bool(jnp.allclose(eval_model(x)[:1], eval_model(x[:1])))
True
"""

import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, features: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5)  # no keys of its own: given at the call
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs: nnx.Rngs | None = None):
        h = nnx.relu(self.norm(self.linear(x)))
        return self.out(self.dropout(h, rngs=rngs))


def loss_fn(model, x, y, rngs):
    return jnp.mean((model(x, rngs=rngs) - y) ** 2)


@nnx.jit  # writes back what the step changed: parameters, statistics, key counts
def train_step(model, optimizer, x, y, rngs):
    # Differentiates with respect to the nnx.Param variables of the model (the
    # default): not its statistics, and not the keys.
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y, rngs)
    optimizer.update(model, grads)
    return loss


# Made once: an optax transformation is part of what nnx.jit compiles for.
tx = optax.sgd(learning_rate=0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    train_model = nnx.view(model, deterministic=False, use_running_average=False)
    eval_model = nnx.view(model, deterministic=True, use_running_average=True)
    rngs = nnx.Rngs(dropout=int(dropout_seed))  # one stream for every step
    losses = [train_step(train_model, optimizer, x, y, rngs) for _ in range(int(steps))]
    eval_loss = jnp.mean((eval_model(x) - y) ** 2)
    return jnp.stack([*losses, eval_loss])
