#!/usr/bin/env python3
"""Overhead of the Python module: all 15 NIST SP 800-22 tests on one 1-Mbit sequence, called from Python
(physec.nist.run_all) versus the C++ Google Benchmark of the same call (bench_randomness, bm_all).

Usage (from the repository root, after a build):
  PYTHONPATH=build/python /usr/bin/python3 bench/python/bench_nist.py build/bench/randomness/bench_randomness [--json]

Both sides run the same number of repetitions, interleaved in rounds (C++ then Python) so that load from other
processes hits both alike; the minimum over repetitions is the figure (least disturbed), the median is printed too.
The Python time includes everything a caller pays: argument conversion (the uint8 array is passed without a copy),
releasing and retaking the GIL, and building the 15 result objects.
"""
import json
import statistics
import subprocess
import sys
import time

import numpy as np

import physec

ROUNDS, REPS_PER_ROUND, N_BITS = 5, 4, 1_000_000


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


def main():
    exe = sys.argv[1]
    bits = np.random.default_rng(1).integers(0, 2, N_BITS, dtype=np.uint8)
    physec.nist.run_all(bits)  # warm-up: FFTW plan, page faults
    cpp, py = [], []
    for _ in range(ROUNDS):
        cpp += cpp_times_s(exe, REPS_PER_ROUND)
        py += python_times_s(bits, REPS_PER_ROUND)
    result = {
        "bits": N_BITS, "repetitions": len(py),
        "cpp_min_ms": min(cpp) * 1e3, "cpp_median_ms": statistics.median(cpp) * 1e3,
        "python_min_ms": min(py) * 1e3, "python_median_ms": statistics.median(py) * 1e3,
    }
    result["ratio_min"] = result["python_min_ms"] / result["cpp_min_ms"]
    result["ratio_median"] = result["python_median_ms"] / result["cpp_median_ms"]
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        print(f"NIST SP 800-22, all 15 tests on {N_BITS} bits, {len(py)} repetitions each:")
        print(f"  C++ bench (bench_randomness bm_all): min {result['cpp_min_ms']:.1f} ms, "
              f"median {result['cpp_median_ms']:.1f} ms")
        print(f"  Python physec.nist.run_all:          min {result['python_min_ms']:.1f} ms, "
              f"median {result['python_median_ms']:.1f} ms")
        print(f"  ratio Python / C++: {result['ratio_min']:.3f} (min), {result['ratio_median']:.3f} (median)")


if __name__ == "__main__":
    main()
