"""The loss function is a closure, as a Linen training step writes it, and the
nnx.Rngs comes from the enclosing scope: drawing a key advances its count,
which nnx.value_and_grad does not allow for an object it was not given."""

# expect: 1 [module-in-closure]

import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, features, rngs):
        self.linear = nnx.Linear(features, 4, rngs=rngs)
        self.norm = nnx.BatchNorm(4, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(0.5)
        self.out = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x, rngs=None):
        h = nnx.relu(self.norm(self.linear(x)))
        return self.out(self.dropout(h, rngs=rngs))


@nnx.jit
def train_step(model, optimizer, x, y, rngs):
    def loss_fn(model):
        return jnp.mean((model(x, rngs=rngs) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    train_model = nnx.view(model, deterministic=False, use_running_average=False)
    eval_model = nnx.view(model, deterministic=True, use_running_average=True)
    rngs = nnx.Rngs(dropout=int(dropout_seed))
    losses = [train_step(train_model, optimizer, x, y, rngs) for _ in range(int(steps))]
    return jnp.stack([*losses, jnp.mean((eval_model(x) - y) ** 2)])
