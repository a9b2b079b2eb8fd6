#!/usr/bin/env bash
# Unseen-spoofer detection on the default mobility dataset (issue #19): spoofers on their own routes ("own") and
# shadowing a legal transmitter at 1, 4 and 8 m ("near"), seeds 1-3 (dataset and detectors), time / position /
# random (paper-like) splits. Writes openset_all.csv here (one row per detector and run).
#   bash docs/results/pla-openset/run.sh build/physec
set -euo pipefail
physec=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$here/openset_all.csv"
first=1
for placement in own near1 near4 near8; do
  case $placement in
    own) extra=() ;;
    near*) extra=(--set 'mobility.spoofer_placement="near"' --set "mobility.spoofer_offset_m=${placement#near}") ;;
  esac
  for seed in 1 2 3; do
    "$physec" dataset mobility -q --seed "$seed" "${extra[@]}" -o "$work/m.h5" >/dev/null
    for split in time position random; do
      "$physec" auth openset -q -d "$work/m.h5" --seed "$seed" --split "$split" --out "$work/os" >/dev/null
      if ((first)); then
        echo "placement,seed,split,$(head -1 "$work/os/openset.csv")" >"$out"
        first=0
      fi
      tail -n +2 "$work/os/openset.csv" | sed "s/^/$placement,$seed,$split,/" >>"$out"
    done
  done
done
echo "wrote $out"
