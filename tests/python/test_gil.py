"""Long C++ calls release the GIL, so a threaded call does not serialise the interpreter.

While one thread runs the NIST suite on 4 x 1 Mbit (hundreds of ms of C++), the main thread keeps executing Python:
the longest pause between two of its loop iterations stays far below the call's duration. Had the call held the
GIL, the main thread would stand still for the whole call (a pause >= its duration), whatever the machine's load.
This is robust on a shared, loaded machine, where timing two calls against one (the speed-up) is not; the speed-up
itself is printed by bench/python/bench_nist.py."""
import threading
import time

import physec
from conftest import random_bits

SEQUENCE_BITS, NOF_SEQUENCES = 1_000_000, 4


def _longest_pause_during(fn):
    """Runs fn in a thread; returns (its duration, the longest gap between the main thread's iterations meanwhile)."""
    state = {}

    def worker():
        state["start"] = time.perf_counter()
        fn()
        state["end"] = time.perf_counter()

    stamps = []
    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    inside = [s for s in stamps if state["start"] <= s <= state["end"]]
    edges = [state["start"]] + inside + [state["end"]]
    return state["end"] - state["start"], max(b - a for a, b in zip(edges, edges[1:]))


def test_main_thread_runs_while_the_suite_runs():
    bits = random_bits(SEQUENCE_BITS * NOF_SEQUENCES, seed=3)
    duration, pause = _longest_pause_during(
        lambda: physec.nist.suite(bits, SEQUENCE_BITS, NOF_SEQUENCES))
    assert duration > 0.1  # long enough to tell scheduling from a held GIL
    assert pause < 0.5 * duration, f"main thread paused {pause * 1e3:.0f} ms of a {duration * 1e3:.0f} ms call"


def test_generation_and_training_release_the_gil_too():
    duration, pause = _longest_pause_during(
        lambda: physec.channel.generate({"profile": "CDL-C"}, count=400, threads=1))
    assert pause < 0.5 * duration, f"channel.generate: paused {pause * 1e3:.0f} ms of {duration * 1e3:.0f} ms"
