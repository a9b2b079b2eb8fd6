#!/usr/bin/env bash
# Datasets that stream (issue #17): wall time and max resident memory of `physec dataset wiretap ARGS` (written to
# the file setting by setting), then one epoch of `physec keygen train` on that file with the examples read once into
# memory vs streamed batch by batch from HDF5 (1 torch thread; min of RUNS each, runs interleaved). The ratio, last,
# is the issue's "streamed training within 1.5x of in-memory".
#   bench_dataset.sh PHYSEC RUNS [physec dataset wiretap ARGS...]   e.g. RUNS=3 and --preset paper
set -euo pipefail
physec=$1
runs=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

t0=$(date +%s%N)
/usr/bin/time -f %M -o "$work/rss" "$physec" dataset wiretap -q "$@" -o "$work/w.h5" >/dev/null
t1=$(date +%s%N)
awk -v ns=$((t1 - t0)) -v kb="$(tail -1 "$work/rss")" -v bytes="$(stat -c %s "$work/w.h5")" -v args="$*" \
  'BEGIN { printf "physec dataset wiretap %s: %.1f s, max RSS %.1f MB, file %.1f MB\n", args, ns / 1e9, kb / 1024, bytes / 1e6 }'

# epoch STREAM: seconds of one training epoch (and of the one-off read, in memory) from the run's report.json.
epoch() {
  "$physec" keygen train -q -d "$work/w.h5" --set train.epochs=1 --set latency_runs=1 --set "stream=$1" \
    --set run.threads=1 --out "$work/train" >/dev/null
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
read = sum(s["wall_s"] for s in r["stages"] if s["stage"] == "read examples")
print(r["results"]["keygen_train"]["seconds_per_epoch"], read)' "$work/train/report.json"
}
best_mem=1e30 best_read=0 best_stream=1e30
for ((i = 0; i < runs; ++i)); do
  read -r s r < <(epoch false)
  if awk -v a="$s" -v b="$best_mem" 'BEGIN { exit !(a < b) }'; then best_mem=$s best_read=$r; fi
  read -r s r < <(epoch true)
  if awk -v a="$s" -v b="$best_stream" 'BEGIN { exit !(a < b) }'; then best_stream=$s; fi
done
awk -v m="$best_mem" -v r="$best_read" -v s="$best_stream" -v n="$runs" 'BEGIN {
  printf "keygen train, one epoch (min of %d): in memory %.2f s (+ %.2f s to read the splits once), streamed %.2f s: streamed / in memory = %.2f\n", n, m, r, s, s / m }'
