#!/usr/bin/env bash
# Regression: a tiny fixed-seed CNN-AE-SSA training run (seconds). Passes when
#   1. the best validation loss is below the stored bound (keygen_model_bound.txt) and below the first epoch's, and
#   2. KDR(A,B) at the highest SNR with the model's outputs as features beats raw-CSI quantization of the first symbol
#      (quantile quantizer, m = 1): both on symbol 0 of their CSI: the model learned to denoise. The fair baseline, the classical whole-probe
#      denoiser (features.symbols = probe, the default, which the model's outputs also go through), is printed
#      beside it; since issue #15 the model does not beat it on this data.
# The training uses the paper's plain MSE (`loss = "mse"`), under which the stored bound was measured; this dataset
# has no impairments. (The default loss, MSE up to a phase per symbol, reaches 0.041 in these 6 epochs.)
# Usage: keygen_model.sh PHYSEC SOURCE_DIR WORK_DIR
set -euo pipefail
physec=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$physec" dataset wiretap -q -c "$src/configs/keygen-model-regression.toml" -o "$work/wiretap.h5" > /dev/null
"$physec" keygen train -q -d "$work/wiretap.h5" --model cnn_ae_ssa --seed 2025 --set train.epochs=6 --set 'loss="mse"' \
  --set 'model.cnn.channels=[8,16,16]' --set latency_runs=5 --out "$work/train" > /dev/null
"$physec" keygen eval -q -d "$work/wiretap.h5" --seed 2025 --set 'features.symbols="first"' --out "$work/raw" > /dev/null
"$physec" keygen eval -q -d "$work/wiretap.h5" --seed 2025 --out "$work/probe" > /dev/null
"$physec" keygen eval -q -d "$work/wiretap.h5" --model "$work/train/checkpoint.pt" --seed 2025 \
  --set 'features.symbols="first"' --out "$work/model" > /dev/null
python3 - "$src/tests/regression/keygen_model_bound.txt" "$work" <<'PY'
import csv, sys
bound = float(open(sys.argv[1]).read().split()[0])
work = sys.argv[2]
hist = list(csv.DictReader(open(f"{work}/train/history.csv")))
best = min(float(r["val_loss"]) for r in hist)
first = float(hist[0]["val_loss"])
def kdr_at_top(path):
    rows = list(csv.DictReader(open(path)))
    top = max(float(r["snr_dB"]) for r in rows)
    return top, float(next(r for r in rows if float(r["snr_dB"]) == top)["kdr_ab"])
top, raw = kdr_at_top(f"{work}/raw/kdr.csv")
_, model = kdr_at_top(f"{work}/model/kdr.csv")
_, probe = kdr_at_top(f"{work}/probe/kdr.csv")
print(f"val loss: first epoch {first:.4g}, best {best:.4g} (bound {bound:.4g}); KDR(A,B) at {top:g} dB: raw symbol 0 "
      f"{raw:.4f}, model {model:.4f}, classical whole-probe denoiser {probe:.4f}")
ok = best < bound and best < first and model < raw
sys.exit(0 if ok else 1)
PY
