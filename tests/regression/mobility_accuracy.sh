#!/usr/bin/env bash
# Regression: re-runs the stored command and compares the accuracy table of the seven baselines byte for byte
# (fixed seed => same bytes; timings are in timing.csv, not compared).
# Usage: mobility_accuracy.sh PHYSEC SOURCE_DIR WORK_DIR [--update]
set -euo pipefail
physec=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$physec" dataset mobility -q -c "$src/configs/mobility-regression.toml" -o "$work/mobility.h5" > /dev/null
"$physec" auth eval -q -d "$work/mobility.h5" --model all --split time --seed 2025 --out "$work/eval" > /dev/null
if [ "${4:-}" = "--update" ]; then
  cp "$work/eval/accuracy.csv" "$src/tests/regression/mobility_accuracy.csv"
  echo "updated tests/regression/mobility_accuracy.csv"
  exit 0
fi
if ! diff -u "$src/tests/regression/mobility_accuracy.csv" "$work/eval/accuracy.csv"; then
  echo "mobility accuracy table changed: if intended, re-run with --update and say why in the commit" >&2
  exit 1
fi
echo "mobility accuracy table identical to the stored one"
