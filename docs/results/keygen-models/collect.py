"""Collects run.sh's outputs into results.csv, summary.csv and complexity.csv (issue #16)."""
import csv
import glob
import json
import os
import re
import statistics
import sys

work, out = sys.argv[1], sys.argv[2]
base = ["raw", "pca", "dct", "klt", "cca", "dense_ae", "cnn_ae", "cnn_ae_ssa", "key_encoder", "key_encoder_first",
        "key_encoder_per_snr", "dense_ae_measured", "cnn_ae_measured", "cnn_ae_ssa_measured", "dense_ae_mse", "cnn_ae_mse", "cnn_ae_ssa_mse", "klt_amplitude",
        "dense_ae_mse_amplitude", "cnn_ae_mse_amplitude", "cnn_ae_ssa_mse_amplitude"]
order = base + [b + "_rc" for b in base]
cols = ["kdr_before", "secret_bits_per_realisation", "realisations_per_key", "eve_best_kdr", "nof_bits",
        "leaked_per_bit", "h_cond_per_realisation"]
rows = []
for d in sorted(glob.glob(os.path.join(work, "run-*-s*"))):
    m = re.match(r"run-(.+)-s(\d+)$", os.path.basename(d))
    if m.group(1) not in order:
        continue
    with open(os.path.join(d, "agreement.csv")) as f:
        for r in csv.DictReader(f):
            rows.append({"method": m.group(1), "seed": int(m.group(2)), "snr_dB": float(r["snr_dB"]),
                         **{c: float(r[c]) if r[c] not in ("", "nan") else float("nan") for c in cols}})
# Rows of results.csv whose (method, seed) has no run in WORK_DIR are kept: run.sh can be re-run in parts.
found = {(r["method"], r["seed"]) for r in rows}
old_path = os.path.join(out, "results.csv")
if os.path.exists(old_path):
    for r in csv.DictReader(open(old_path)):
        if r["method"] in order and (r["method"], int(r["seed"])) not in found:
            rows.append({"method": r["method"], "seed": int(r["seed"]), "snr_dB": float(r["snr_dB"]),
                         **{c: float(r[c]) for c in cols}})
rows.sort(key=lambda r: (order.index(r["method"]), r["seed"], r["snr_dB"]))
with open(os.path.join(out, "results.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, ["method", "seed", "snr_dB"] + cols)
    w.writeheader()
    w.writerows(rows)
summary = []
for method in order:
    for snr in sorted({r["snr_dB"] for r in rows}):
        sel = [r for r in rows if r["method"] == method and r["snr_dB"] == snr]
        if not sel:
            continue
        s = {"method": method, "snr_dB": snr, "nof_seeds": len(sel)}
        for c in cols:
            v = [r[c] for r in sel if r[c] == r[c]]
            s[c + "_mean"] = statistics.mean(v) if v else float("nan")
            s[c + "_sd"] = statistics.stdev(v) if len(v) > 1 else float("nan")
        summary.append(s)
with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, list(summary[0].keys()))
    w.writeheader()
    w.writerows(summary)
# Complexity: the autoencoders from keygen train's report, the key encoder from keygen run's (per SNR pool).
cx = []
trainings = [(m + v, s, f"train-{m}{f}-s{s}") for m in ["dense_ae", "cnn_ae", "cnn_ae_ssa"] for s in (1, 2, 3)
             for v, f in (("", ""), ("_measured", "-measured"))]
trainings += [(m + "_mse", 42, f"train-{m}-mse") for m in ["dense_ae", "cnn_ae", "cnn_ae_ssa"]]
for m, seed, folder in trainings:
    p = os.path.join(work, folder, "report.json")
    if os.path.exists(p):
        k = json.load(open(p))["results"]["keygen_train"]
        cx.append({"method": m, "seed": seed, "snr_dB": "all", "parameters": k["parameters"], "macs": k["macs"],
                   "latency_p50_ms": k["latency_p50_ms"], "latency_p90_ms": k["latency_p90_ms"],
                   "epochs_run": k["epochs_run"], "best_epoch": k["best_epoch"], "best_val_loss": k["best_val_loss"],
                   "train_seconds": k["train_seconds"]})
for p in sorted(glob.glob(os.path.join(work, "run-key_encoder-s[0-9]*", "report.json"))):
    seed = int(re.search(r"-s(\d+)", p).group(1))
    for k in json.load(open(p))["results"]["key_encoder"]:
        cx.append({"method": "key_encoder", "seed": seed, "snr_dB": k["snr_dB"], "parameters": k["parameters"],
                   "macs": k["macs"], "latency_p50_ms": k["latency_p50_ms"], "latency_p90_ms": k["latency_p90_ms"],
                   "epochs_run": k["epochs_run"], "best_epoch": k["best_epoch"], "best_val_loss": k["best_val_loss"],
                   "train_seconds": k["train_seconds"]})
found = {(c["method"], str(c["seed"])) for c in cx}
old_path = os.path.join(out, "complexity.csv")
if os.path.exists(old_path):
    cx += [c for c in csv.DictReader(open(old_path)) if (c["method"], c["seed"]) not in found]
with open(os.path.join(out, "complexity.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, ["method", "seed", "snr_dB", "parameters", "macs", "latency_p50_ms", "latency_p90_ms",
                           "epochs_run", "best_epoch", "best_val_loss", "train_seconds"])
    w.writeheader()
    w.writerows(cx)
print("wrote", out)
