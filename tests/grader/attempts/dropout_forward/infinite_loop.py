"""A loop that never ends, in the function; it also prints, to be shown."""

# args: --timeout 10
# expect: 2 timed out after 10 s while running case 1
# expect: 2 looping forever

import time


def dropout_forward(seed, x, rate, deterministic):
    print("looping forever", flush=True)
    while True:
        time.sleep(0.5)  # a hang that leaves the processor to the other tests
