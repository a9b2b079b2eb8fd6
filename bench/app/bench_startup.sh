#!/usr/bin/env bash
# Start-up and end-to-end cost of the CLI (issue #17): wall time (min of RUNS) and max resident memory (max of RUNS)
# of `physec --version`, `physec config show nist`, `physec version` (hands over to physec-neural: LibTorch) and
# `physec nist` on the first 10^6 bits of e (SP 800-22 Appendix B; written by e_bits with MPFR). Wall times include
# /usr/bin/time's own fork/exec (~1 ms). The nist figure, last, is set beside NIST's STS 3.2.7 (1.20 s for all 15
# tests on the same 1 Mbit, issue #17).
#   bench_startup.sh PHYSEC E_BITS [RUNS]
set -euo pipefail
physec=$1
e_bits=$2
runs=${3:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$e_bits" 1000000 "$work/e.txt"

# measure NAME ARGS...: prints "NAME: min wall s, max RSS MB over RUNS runs" and sets $best_s.
measure() {
  local name=$1
  shift
  local best=999999999999 rss=0
  for ((i = 0; i < runs; ++i)); do
    local t0 t1 m
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    t1=$(date +%s%N)
    (( t1 - t0 < best )) && best=$(( t1 - t0 ))
    m=$(tail -1 "$work/rss")
    (( m > rss )) && rss=$m
  done
  best_s=$(awk -v ns="$best" 'BEGIN { printf "%.4f", ns / 1e9 }')
  printf '%-44s min %8.4f s   max RSS %6.1f MB   (%d runs)\n' "$name" "$best_s" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$runs"
}

measure "physec --version" "$physec" --version
measure "physec config show nist" "$physec" config show nist
measure "physec version (LibTorch, physec-neural)" "$physec" version
measure "physec nist e.txt (1 Mbit of e, 15 tests)" "$physec" nist -q "$work/e.txt" --out "$work/nist"
awk -v s="$best_s" 'BEGIN { printf "physec nist on 1 Mbit of e, end to end: %.3f s (min); NIST STS 3.2.7: 1.20 s -> %.1fx\n", s, 1.20 / s }'
