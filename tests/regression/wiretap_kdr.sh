#!/usr/bin/env bash
# Regression: re-runs the stored command and compares the KDR table byte for byte (fixed seed => same bytes).
# Usage: wiretap_kdr.sh PHYSEC SOURCE_DIR WORK_DIR [--update]
set -euo pipefail
physec=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$physec" dataset wiretap -q -c "$src/configs/wiretap-regression.toml" -o "$work/wiretap.h5" > /dev/null
"$physec" keygen eval -q -d "$work/wiretap.h5" --quantizer quantile --bits 1 --seed 2025 --out "$work/eval" > /dev/null
if [ "${4:-}" = "--update" ]; then
  cp "$work/eval/kdr.csv" "$src/tests/regression/wiretap_kdr.csv"
  echo "updated tests/regression/wiretap_kdr.csv"
  exit 0
fi
if ! diff -u "$src/tests/regression/wiretap_kdr.csv" "$work/eval/kdr.csv"; then
  echo "wiretap KDR table changed: if intended, re-run with --update and say why in the commit" >&2
  exit 1
fi
echo "wiretap KDR table identical to the stored one"
