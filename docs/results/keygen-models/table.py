"""Prints the markdown tables of docs/keygen-models.md (issue #16) from summary.csv: python3 table.py.
Secret bits: redundancy-corrected (the chain's default since issue #16; runs *_rc) first, then as issue #15 computed
H(X|E) (runs without the suffix)."""
import csv
import math
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = {(r["method"], float(r["snr_dB"])): r for r in csv.DictReader(open(os.path.join(here, "summary.csv")))}
names = {"raw": "raw (every feature)", "pca": "PCA (Bob's calibration)", "dct": "DCT", "klt": "KLT (default chain)",
         "cca": "CCA", "dense_ae": "dense AE", "cnn_ae": "CNN-AE", "cnn_ae_ssa": "CNN-AE-SSA",
         "key_encoder": "key encoder", "key_encoder_first": "key encoder, first try (correlation, λ_d 1, per SNR)",
         "key_encoder_per_snr": "key encoder, one per SNR", "klt_amplitude": "KLT, amplitude",
         "dense_ae_measured": "dense AE, CSI as measured", "cnn_ae_measured": "CNN-AE, CSI as measured",
         "cnn_ae_ssa_measured": "CNN-AE-SSA, CSI as measured",
         "dense_ae_mse": "dense AE, plain MSE (paper's loss)", "cnn_ae_mse": "CNN-AE, plain MSE (paper's loss)",
         "cnn_ae_ssa_mse": "CNN-AE-SSA, plain MSE (paper's loss)",
         "dense_ae_mse_amplitude": "dense AE, plain MSE, amplitude", "cnn_ae_mse_amplitude": "CNN-AE, plain MSE, amplitude",
         "cnn_ae_ssa_mse_amplitude": "CNN-AE-SSA, plain MSE, amplitude"}


def fmt(r, c, digits):
    if r is None:
        return "–"
    m, s = float(r[c + "_mean"]), float(r[c + "_sd"])
    if math.isnan(m):
        return "–"
    return f"{m:.{digits}f}" + (f" ± {s:.{digits}f}" if int(r["nof_seeds"]) > 1 else "")


main = ["raw", "pca", "dct", "klt", "cca", "dense_ae", "cnn_ae", "cnn_ae_ssa", "key_encoder"]
for title, methods in (("main", main), ("ablations", [m for m in names if m not in main])):
    print(f"\n{title}:\n")
    print("| features | SNR | KDR(A,B) | bits / realisation | secret bits / realisation | realisations per key "
          "| secret bits, uncorrected (#15) | realisations per key, uncorrected | Eve best KDR |")
    print("|---|---|---|---|---|---|---|---|---|")
    for snr in (0.0, 10.0, 20.0, 30.0):
        for m in methods:
            r, rc = rows.get((m, snr)), rows.get((m + "_rc", snr))
            if r is None:
                print(f"| {names[m]} | {snr:.0f} dB | no coefficient kept | 0 | 0 | – | 0 | – | – |")
                continue
            bits = f"{float(r['nof_bits_mean']) / 480:.1f}"
            print(f"| {names[m]} | {snr:.0f} dB | {fmt(r, 'kdr_before', 3)} | {bits} | "
                  f"{fmt(rc, 'secret_bits_per_realisation', 2)} | {fmt(rc, 'realisations_per_key', 0)} | "
                  f"{fmt(r, 'secret_bits_per_realisation', 2)} | {fmt(r, 'realisations_per_key', 0)} | "
                  f"{fmt(r, 'eve_best_kdr', 3)} |")
