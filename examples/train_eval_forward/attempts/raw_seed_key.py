"""The noise uses the seed's own key, not a key drawn from the Rngs."""

# expect: 1 [raw-seed-key]

import jax


def train_eval_forward(seed, x, train):
    if train >= 0.5:
        return x + 0.1 * jax.random.normal(jax.random.PRNGKey(int(seed)), x.shape)
    return x
