#!/usr/bin/env bash
# The stored `physec reproduce` runs of issue #19 (what fitted in one session on the 2-core machine, shared), into
# docs/results/<id>/<run>/; then the README's table: python3 docs/results/reproduce/table.py docs/results
#   bash docs/results/reproduce/run.sh build/physec
set -euo pipefail
physec=$1
res=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store() {  # store RUN: move each figure folder of $work/RUN to docs/results/<id>/RUN
  for d in "$work/$1"/pla-fig*; do
    mkdir -p "$res/$(basename "$d")" && rm -rf "$res/$(basename "$d")/$1" && mv "$d" "$res/$(basename "$d")/$1"
  done
}
# TDGCN and the seven baselines under the paper-like protocol, default scale, seed 42 (~35 min at load 2-5).
"$physec" reproduce pla-fig5 pla-fig6 --scale default --set run.threads=1 --set 'protocols=["random"]' \
  --out "$work/paper-like-tdgcn"
store paper-like-tdgcn
# The same under the two honest protocols (~25 min at load ~2).
"$physec" reproduce pla-fig5 pla-fig6 --scale default --set run.threads=1 --set 'protocols=["time","position"]' \
  --out "$work/honest-tdgcn"
# Figs. 7 and 8 under the two honest protocols (TDGCN and baselines, seed 42; ~25 min each, run side by side).
for id in pla-fig7 pla-fig8; do
  "$physec" reproduce "$id" --scale default --set run.threads=1 --set 'protocols=["time","position"]' \
    --out "$work/honest-tdgcn"
done
store honest-tdgcn
# The seven baselines under all three protocols, every figure, seeds 1-3 (~9 min).
for ids in "pla-fig5 pla-fig6" pla-fig7 pla-fig8; do
  # shellcheck disable=SC2086
  "$physec" reproduce $ids --scale default --set run.threads=1 --set with_tdgcn=false --set 'seeds=[1,2,3]' \
    --out "$work/baselines-3-seeds"
done
store baselines-3-seeds
# TDGCN and the seven baselines, seeds 1-3, on the same datasets: the time protocol for every figure, the position
# protocol for Figs. 5/6 (a later session; two runs side by side on the 2 cores, ~40 + 23 min each).
for ids in "pla-fig5 pla-fig6" pla-fig7 pla-fig8; do
  # shellcheck disable=SC2086
  "$physec" reproduce $ids --scale default --set run.threads=1 --set 'protocols=["time"]' --set 'seeds=[1,2,3]' \
    --out "$work/honest-tdgcn-3-seeds"
done
store honest-tdgcn-3-seeds
"$physec" reproduce pla-fig5 pla-fig6 --scale default --set run.threads=1 --set 'protocols=["position"]' \
  --set 'seeds=[1,2,3]' --out "$work/honest-tdgcn-3-seeds-position"
store honest-tdgcn-3-seeds-position
# Like for like (the same seeds and datasets for every scheme):
#   python3 docs/results/reproduce/table.py docs/results honest-tdgcn-3-seeds,honest-tdgcn-3-seeds-position
# Variants at Fig. 6 (stored under docs/results/tdgcn/, not docs/results/pla-fig*/, so table.py does not mix them
# with the default runs; a later session, two runs side by side, ~22 min each):
variant() {  # variant FOLDER ARGS...: pla-fig6, seeds 1-3, time protocol unless ARGS say otherwise, into FOLDER
  local dst=$1
  shift
  "$physec" reproduce pla-fig6 --scale default --set run.threads=1 --set 'seeds=[1,2,3]' "$@" --out "$work/variant"
  mkdir -p "$res/tdgcn/$dst" && rm -rf "${res:?}/tdgcn/$dst"/* && mv "$work/variant/pla-fig6"/* "$res/tdgcn/$dst/"
  rm -rf "$work/variant"
}
# The level branch (model.level_width = 64) under both honest protocols.
variant reproduce-level-branch/time --set 'protocols=["time"]' --set tdgcn.model.level_width=64
variant reproduce-level-branch/position --set 'protocols=["position"]' --set tdgcn.model.level_width=64
# The time split with its validation stretch after the test (mobility.time_validation = "after_test").
after=(--set 'protocols=["time"]' --set 'mobility.time_validation="after_test"')
variant reproduce-validation-after-test/default-0-15dB "${after[@]}" --set 'snr_dB=[0.0,15.0]'
variant reproduce-validation-after-test/default-30dB "${after[@]}" --set 'snr_dB=[30.0]'
variant reproduce-validation-after-test/level64-15dB "${after[@]}" --set 'snr_dB=[15.0]' \
  --set tdgcn.model.level_width=64
variant reproduce-validation-after-test/steps1200-15dB "${after[@]}" --set 'snr_dB=[15.0]' \
  --set tdgcn.train.max_steps=1200
# Fig. 8 (speed) with the validation after the test (its own folder name: pla-fig8).
"$physec" reproduce pla-fig8 --scale default --set run.threads=1 --set 'seeds=[1,2,3]' "${after[@]}" \
  --out "$work/variant8"
mkdir -p "$res/tdgcn/reproduce-validation-after-test/fig8-speed"
mv "$work/variant8/pla-fig8"/* "$res/tdgcn/reproduce-validation-after-test/fig8-speed/"
variant reproduce-validation-after-test/select-metric-15dB "${after[@]}" --set 'snr_dB=[15.0]' \
  --set 'tdgcn.train.select_on="metric"'
variant reproduce-validation-after-test/dropout02-15dB "${after[@]}" --set 'snr_dB=[15.0]' --set tdgcn.model.dropout=0.2
# Fig. 7 (distance) with the validation after the test, 1 and 8 m (4 m is Fig. 6's 15 dB cell; one run per distance,
# side by side, ~8 min each on one core).
for d in 1 8; do
  "$physec" reproduce pla-fig7 --scale default --set run.threads=1 --set 'seeds=[1,2,3]' "${after[@]}" \
    --set "distance_m=[$d.0]" --out "$work/variant7-$d"
  mkdir -p "$res/tdgcn/reproduce-validation-after-test/fig7-distance-${d}m"
  mv "$work/variant7-$d/pla-fig7"/* "$res/tdgcn/reproduce-validation-after-test/fig7-distance-${d}m/"
done

# Paper scale (50,000 samples per transmitter, seeds 1-3) at 15 dB only, paper-like and time protocols, a TDGCN budget
# of 1,200 optimiser steps on windows strided by 50 (7 epochs): what fits in ~1 h on one core
# (1 h 02 min measured, one torch thread, the other core busy). The full run: drop the snr_dB, protocols, max_steps
# and window_stride overrides (~10 h).
paper_15dB() {  # paper_15dB STEPS PROTOCOLS FOLDER: pla-fig5/6 at paper scale, 15 dB, into docs/results/pla-fig*/FOLDER
  "$physec" reproduce pla-fig5 pla-fig6 --scale paper --set run.threads=1 --set 'snr_dB=[15.0]' \
    --set "tdgcn.train.max_steps=$1" --set tdgcn.data.window_stride=50 --set "protocols=$2" --out "$work/$3"
  for f in 5 6; do
    mkdir -p "$res/pla-fig$f/$3" && mv "$work/$3/pla-fig$f"/* "$res/pla-fig$f/$3/"
  done
}
paper_15dB 1200 '["random","time"]' paper-scale-15dB
# Paper scale with the TDGCN budget that --scale paper now sets (3,600 steps on windows strided by 50), 15 dB, time
# protocol, seeds 1-3 (a later session: 1 h 45 min on one core, the other core busy with other work).
paper_15dB 3600 '["time"]' paper-scale-15dB-3600steps
# The same budget under the paper-like protocol (a later session, 1 h 45 min on one core): TDGCN 0.787 ± 0.019,
# RGBO 0.789 ± 0.014, KNN 0.777 ± 0.027.
paper_15dB 3600 '["random"]' paper-scale-15dB-3600steps-paper-like
