#!/usr/bin/env bash
# Secret bits per realisation of every feature map on the default wiretap dataset (issue #16): the classical chain's
# transforms (raw, pca, dct, klt = the default, cca), the three autoencoders of `physec keygen train` applied before
# the chain (`keygen run --model`), and the encoder trained for keys (chain.transform = key_encoder). Every row twice:
# as issue #15's chain computes H(X|E), and with chain.redundancy_correction (suffix _rc). One torch thread
# everywhere. Writes results.csv (one row per method, seed and SNR), summary.csv (mean and sd over seeds) and
# complexity.csv here.
#   bash docs/results/keygen-models/run.sh build/physec [WORK_DIR]
# WORK_DIR (default: a temporary folder, removed) keeps the dataset, the checkpoints and every run's outputs.
set -euo pipefail
physec=$1
here=$(cd "$(dirname "$0")" && pwd)
if [[ $# -ge 2 ]]; then work=$2; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
one=(--set run.threads=1)
[[ -f "$work/w.h5" ]] || "$physec" dataset wiretap -q -o "$work/w.h5"   # the default dataset, seed 42
run() {  # run NAME SEED ARGS...: keygen run (SP 800-90B tests skipped: they do not change the key lengths)
  local name=$1 seed=$2
  shift 2
  [[ -f "$work/run-$name-s$seed/agreement.csv" ]] ||
    "$physec" keygen run -q -d "$work/w.h5" --seed "$seed" --set iid_permutations=0 "${one[@]}" "$@" \
      --out "$work/run-$name-s$seed" >/dev/null
}
# The autoencoders, clean target: with today's defaults (loss: MSE up to a phase per symbol; input and target
# phase-aligned per symbol; 40 epochs), seeds 1-3; the same with the CSI as measured (`input_phase = "measured"`,
# rows *_measured), seeds 1-3; and the paper's plain MSE on measured CSI, 12 epochs (rows *_mse), seed 42.
for m in dense_ae cnn_ae cnn_ae_ssa; do
  for seed in 1 2 3; do
    [[ -f "$work/train-$m-s$seed/checkpoint.pt" ]] || "$physec" keygen train -q -d "$work/w.h5" --model "$m" \
      --seed "$seed" "${one[@]}" --out "$work/train-$m-s$seed" >/dev/null
    [[ -f "$work/train-$m-measured-s$seed/checkpoint.pt" ]] || "$physec" keygen train -q -d "$work/w.h5" \
      --model "$m" --seed "$seed" --set 'input_phase="measured"' "${one[@]}" --out "$work/train-$m-measured-s$seed" >/dev/null
  done
  [[ -f "$work/train-$m-mse/checkpoint.pt" ]] || "$physec" keygen train -q -d "$work/w.h5" --model "$m" \
    --set 'loss="mse"' --set 'input_phase="measured"' --set train.epochs=12 "${one[@]}" --out "$work/train-$m-mse" >/dev/null
done
ke='chain.transform="key_encoder"'
for rc in "" _rc; do
  c=(--set "chain.redundancy_correction=$([[ -n $rc ]] && echo true || echo false)")
  for t in raw pca dct klt; do run "$t$rc" 42 "${c[@]}" --set "chain.transform=\"$t\""; done
  for seed in 1 2 3; do
    run "cca$rc" "$seed" "${c[@]}" --set 'chain.transform="cca"'
    run "key_encoder$rc" "$seed" "${c[@]}" --set "$ke"
  done
  for m in dense_ae cnn_ae cnn_ae_ssa; do
    for seed in 1 2 3; do
      run "$m$rc" "$seed" "${c[@]}" --model "$work/train-$m-s$seed/checkpoint.pt"
      run "${m}_measured$rc" "$seed" "${c[@]}" --model "$work/train-$m-measured-s$seed/checkpoint.pt"
    done
    run "${m}_mse$rc" 42 "${c[@]}" --model "$work/train-$m-mse/checkpoint.pt"
  done
  # Amplitude features (chain.value), where the MSE-trained autoencoders' outputs might keep more than their phases.
  run "klt_amplitude$rc" 42 "${c[@]}" --set 'chain.value="amplitude"'
  for m in dense_ae cnn_ae cnn_ae_ssa; do
    run "${m}_mse_amplitude$rc" 42 "${c[@]}" --set 'chain.value="amplitude"' --model "$work/train-$m-mse/checkpoint.pt"
  done
  # The key encoder's ablations, seed 1: the first configuration tried (correlation agreement, λ_d = 1, one encoder
  # per SNR) and one encoder per SNR with today's loss.
  run "key_encoder_first$rc" 1 "${c[@]}" --set "$ke" --set 'chain.key_encoder.agreement="correlation"' \
    --set chain.key_encoder.weight_decorrelation=1 --set 'chain.key_encoder.pool="snr"'
  run "key_encoder_per_snr$rc" 1 "${c[@]}" --set "$ke" --set 'chain.key_encoder.pool="snr"'
done
# The measured cause of the autoencoders' failure: the same dense AE and the KLT on the dataset with every impairment
# off (not in the tables' CSVs; printed).
off=(--set wiretap.impairments.rf_mismatch=false --set wiretap.impairments.cfo=false
     --set wiretap.impairments.phase_noise=false --set wiretap.impairments.adc=false)
[[ -f "$work/w_noimp.h5" ]] || "$physec" dataset wiretap -q -o "$work/w_noimp.h5" "${off[@]}"
[[ -f "$work/train-dense_ae-noimp/checkpoint.pt" ]] || "$physec" keygen train -q -d "$work/w_noimp.h5" \
  --model dense_ae --set 'loss="mse"' --set 'input_phase="measured"' --set train.epochs=12 "${one[@]}" --out "$work/train-dense_ae-noimp" >/dev/null
for r in klt dense_ae; do
  m=(); [[ $r == dense_ae ]] && m=(--model "$work/train-dense_ae-noimp/checkpoint.pt")
  [[ -f "$work/noimp-$r/agreement.csv" ]] || "$physec" keygen run -q -d "$work/w_noimp.h5" --seed 42 \
    --set iid_permutations=0 "${one[@]}" "${m[@]}" --out "$work/noimp-$r" >/dev/null
  echo "impairments off, $r: secret bits per realisation $(tail -n +2 "$work/noimp-$r/agreement.csv" | cut -d, -f13 | tr '\n' ' ')"
done
# A held-out dataset (dataset seed 7; the key encoder's loss was chosen on seed 42's test split), seed 1 (printed).
[[ -f "$work/w7.h5" ]] || "$physec" dataset wiretap -q --seed 7 -o "$work/w7.h5"
for rc in false true; do
  for t in klt cca key_encoder; do
    [[ -f "$work/heldout-$t-$rc/agreement.csv" ]] || "$physec" keygen run -q -d "$work/w7.h5" --seed 1 \
      --set iid_permutations=0 "${one[@]}" --set "chain.transform=\"$t\"" --set "chain.redundancy_correction=$rc" \
      --out "$work/heldout-$t-$rc" >/dev/null
    echo "dataset seed 7, $t, redundancy_correction=$rc: secret bits per realisation" \
      "$(tail -n +2 "$work/heldout-$t-$rc/agreement.csv" | cut -d, -f13 | tr '\n' ' ')"
  done
done
# Rows already in results.csv whose runs are not in WORK_DIR are kept (collect.py), so a part of this script can be
# re-run on its own.
/usr/bin/python3 "$here/collect.py" "$work" "$here"
