"""A loop that never ends, in the function; it also prints, to be shown.

A 20 s limit, as hangs_with_a_child has: the limit also covers the reference
computed before the attempt, which on a loaded machine took over 10 s.
"""

# args: --timeout 20
# expect: 2 timed out after 20 s while running case 1
# expect: 2 looping forever

import time


def dropout_forward(seed, x, rate, deterministic):
    print("looping forever", flush=True)
    while True:
        time.sleep(0.5)  # a hang that leaves the processor to the other tests
