"""An exception while the file is imported."""

# expect: 2 ValueError at line 6 (`RATE = float("one half")`)
# expect: 2 while being imported

RATE = float("one half")


def dropout_forward(seed, x, rate, deterministic):
    return x
