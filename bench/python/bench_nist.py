#!/usr/bin/env python3
"""Overhead of the Python module: all 15 NIST SP 800-22 tests on one 1-Mbit sequence, called from Python
(physec.nist.run_all) versus the C++ Google Benchmark of the same call (bench_randomness, bm_all).

Usage (from the repository root, after a build):
  PYTHONPATH=build/python /usr/bin/python3 bench/python/bench_nist.py build/bench/randomness/bench_randomness \
      [--rounds N] [--json]

Both sides run the same number of repetitions, interleaved in rounds (C++ then Python) so that load from other
processes hits both alike; the minimum over repetitions is the figure (least disturbed), the median is printed too.
The Python time includes everything a caller pays: argument conversion (the uint8 array is passed without a copy),
releasing and retaking the GIL, and building the 15 result objects. The input differs only in its generator (numpy's
PCG64 here, physec's xoshiro in the C++ bench): fair bits both.
Also printed: two Python threads each running the suite on its own 1 Mbit, wall time over one call's (1.0 when the
calls run in parallel on two free cores, 2.0 when serialised); meaningful only on an otherwise idle machine.
"""
import argparse
import json
import statistics
import subprocess
import threading
import time

import numpy as np

import physec

REPS_PER_ROUND, N_BITS = 4, 1_000_000


def cpp_times_s(exe, reps):
    out = subprocess.run([exe, "--benchmark_filter=bm_all$", f"--benchmark_repetitions={reps}",
                          "--benchmark_format=json", "--benchmark_min_time=0"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    return [b["real_time"] * scale[b["time_unit"]] for b in runs]


def python_times_s(bits, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        physec.nist.run_all(bits)
        times.append(time.perf_counter() - start)
    return times


def two_threads_s(bits, other):
    threads = [threading.Thread(target=physec.nist.run_all, args=(b,)) for b in (bits, other)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cpp_bench", help="build/bench/randomness/bench_randomness")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 4 repetitions per side")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    exe = args.cpp_bench
    bits = np.random.default_rng(1).integers(0, 2, N_BITS, dtype=np.uint8)
    other = np.random.default_rng(2).integers(0, 2, N_BITS, dtype=np.uint8)
    physec.nist.run_all(bits)  # warm-up: FFTW plan, page faults
    cpp, py, pair = [], [], []
    for _ in range(args.rounds):
        cpp += cpp_times_s(exe, REPS_PER_ROUND)
        py += python_times_s(bits, REPS_PER_ROUND)
        pair.append(two_threads_s(bits, other))
    result = {
        "bits": N_BITS, "repetitions": len(py),
        "cpp_min_ms": min(cpp) * 1e3, "cpp_median_ms": statistics.median(cpp) * 1e3,
        "python_min_ms": min(py) * 1e3, "python_median_ms": statistics.median(py) * 1e3,
    }
    result["ratio_min"] = result["python_min_ms"] / result["cpp_min_ms"]
    result["ratio_median"] = result["python_median_ms"] / result["cpp_median_ms"]
    result["two_threads_over_one"] = min(pair) / min(py)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"NIST SP 800-22, all 15 tests on {N_BITS} bits, {len(py)} repetitions each:")
        print(f"  C++ bench (bench_randomness bm_all): min {result['cpp_min_ms']:.1f} ms, "
              f"median {result['cpp_median_ms']:.1f} ms")
        print(f"  Python physec.nist.run_all:          min {result['python_min_ms']:.1f} ms, "
              f"median {result['python_median_ms']:.1f} ms")
        print(f"  ratio Python / C++: {result['ratio_min']:.3f} (min), {result['ratio_median']:.3f} (median)")
        print(f"  two Python threads, one suite each: {result['two_threads_over_one']:.2f} x one call's time "
              f"(min over {len(pair)}; 1.0 parallel, 2.0 serialised)")


if __name__ == "__main__":
    main()
