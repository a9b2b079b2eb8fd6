#!/usr/bin/env bash
# Unseen-spoofer detection on the default mobility dataset (issue #19): spoofers on their own routes ("own") and
# shadowing a legal transmitter at 1, 4 and 8 m ("near"), seeds 1-3 (dataset and detectors).
#   bash docs/results/pla-openset/run.sh build/physec          # classical detectors, time / position / random
#                                                              # (paper-like) splits -> openset_all.csv
#   bash docs/results/pla-openset/run.sh build/physec tdgcn    # the TDGCN (legal users only, 1 - max softmax),
#                                                              # time split -> openset_tdgcn.csv
# The TDGCN is reduced (channels 16/32/32, 150 optimiser steps, as in the quickstart) so that its 12 trainings fit in
# a session on 2 shared cores.
set -euo pipefail
physec=$1
mode=${2:-classical}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $mode == tdgcn ]]; then
  out="$here/openset_tdgcn.csv"
  splits=(time)
  detector=(--model tdgcn --set run.threads=1 --set 'tdgcn.model.tcn_channels=[16,32,32]' --set tdgcn.train.max_steps=150)
else
  out="$here/openset_all.csv"
  splits=(time position random)
  detector=()
fi
first=1
for placement in own near1 near4 near8; do
  case $placement in
    own) extra=() ;;
    near*) extra=(--set 'mobility.spoofer_placement="near"' --set "mobility.spoofer_offset_m=${placement#near}") ;;
  esac
  for seed in 1 2 3; do
    "$physec" dataset mobility -q --seed "$seed" "${extra[@]}" -o "$work/m.h5" >/dev/null
    for split in "${splits[@]}"; do
      "$physec" auth openset -q -d "$work/m.h5" --seed "$seed" --split "$split" "${detector[@]}" --out "$work/os" >/dev/null
      if ((first)); then
        echo "placement,seed,split,$(head -1 "$work/os/openset.csv")" >"$out"
        first=0
      fi
      tail -n +2 "$work/os/openset.csv" | sed "s/^/$placement,$seed,$split,/" >>"$out"
    done
  done
done
echo "wrote $out"
