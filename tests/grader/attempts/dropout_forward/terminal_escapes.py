"""Never drops, and prints terminal escapes that clear the screen.

It then prints a summary of its own; the report must show the escapes as text.
"""

# expect: 1 | \x1b[2J\x1b[H8 of 8 cases passed.
# expect: 1 [no-dropout-in-training]

print("\x1b[2J\x1b[H8 of 8 cases passed.\x1b[8m", flush=True)


def dropout_forward(seed, x, rate, deterministic):
    return x
