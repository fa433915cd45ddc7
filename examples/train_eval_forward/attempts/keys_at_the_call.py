"""Right, in another style: the keys given at the call, `rngs or self.rngs`,
keyword-only arguments, and the Rngs' own `normal` shorthand, which draws the
same key and the same values as jax.random.normal."""

# expect: 0 11 of 11 cases passed

from flax import nnx


class NoiseLayer(nnx.Module):
    def __init__(self, rngs: nnx.Rngs | None = None):
        self.rngs = rngs

    def __call__(self, x, *, train: bool, rngs: nnx.Rngs | None = None):
        if not train:
            return x
        stream = (rngs or self.rngs).dropout
        return x + 0.1 * stream.normal(x.shape)


def train_eval_forward(seed, x, train):
    return NoiseLayer()(x, train=train >= 0.5, rngs=nnx.Rngs(int(seed)))
