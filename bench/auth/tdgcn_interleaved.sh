#!/usr/bin/env bash
# TDGCN training step and batch-1 latency, physec (LibTorch) against the same architecture in PyTorch
# (tdgcn_torch.py), run alternately (C++, Python, C++, Python ...) so both see the same machine load; one thread each.
# Prints JSON lines: {"load": uptime's load averages, "rep": r} before each pair, then one line per implementation.
# Usage: bench/auth/tdgcn_interleaved.sh BENCH_TDGCN ROUNDS [bench options, e.g. --dims 24 --steps 50 --classes 6]
set -euo pipefail
bench=$1 rounds=$2
shift 2
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
here=$(cd "$(dirname "$0")" && pwd)
for ((r = 1; r <= rounds; ++r)); do
  printf '{"load": "%s", "rep": %d}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$r"
  "$bench" "$@"
  /usr/bin/python3 "$here/tdgcn_torch.py" "$@"
done
