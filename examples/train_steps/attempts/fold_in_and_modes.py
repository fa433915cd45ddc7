"""Correct, in another style: the Linen habit of folding the step number into
one dropout key (the keys an nnx.Rngs stream gives), model.train() and
model.eval() instead of views, and the loss function written inside the step
(it takes the keys as an argument)."""

# expect: 0 9 of 9 cases passed

import jax
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
    def loss_fn(model, rngs):
        return ((model(x, rngs=rngs) - y) ** 2).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(model, rngs)
    optimizer.update(model, grads)
    return loss


tx = optax.sgd(learning_rate=0.1)


def train_steps(seed, dropout_seed, x, y, steps):
    model = Model(x.shape[-1], nnx.Rngs(params=int(seed)))
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    dropout_key = jax.random.key(int(dropout_seed))
    model.train()
    losses = []
    for step in range(int(steps)):
        key = jax.random.fold_in(dropout_key, step)
        losses.append(train_step(model, optimizer, x, y, key))
    model.eval()
    eval_loss = ((model(x) - y) ** 2).mean()
    return jnp.array([*losses, eval_loss])
