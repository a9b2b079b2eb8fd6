#!/usr/bin/python3
"""Cue ablation for the mobility baselines (numpy re-implementation of physec's Gaussian NB, var_smoothing 0.1, on
physec's six per-dimension sequence features: mean, std, min, max, lag-1 autocorrelation, mean |diff|).
Variants: all features; dims shuffled per sequence (destroys which dimension is which); level-free (each sequence's
per-dimension mean removed before the features); level only (the mean feature alone). Prints one CSV row each.
Check of the re-implementation: on the seed-42 datasets its "all" rows equal `physec auth eval --model nb
--set 'features=["sequence"]'` to four decimals (0 dB time 0.6111, 15 dB time 0.7556, 15 dB position 0.3505).
Usage: nb_cue_ablation.py MOBILITY.h5 time|position [SHUFFLE_SEED]
       nb_cue_ablation.py --level-only IN.h5 OUT.h5   (a copy whose /sequences hold each sequence's per-dimension
                                                       mean at every sample: TDGCN's level-only input)"""
import sys
import h5py
import numpy as np

def feats(x):  # x [n, D, T] -> [n, D*6]
    mean = x.mean(2)
    c = x - mean[..., None]
    var = (c ** 2).mean(2)
    lag1 = (c[..., :-1] * c[..., 1:]).sum(2) / np.where(var > 0, var * x.shape[2], 1)
    lag1 = np.where(var > 0, lag1, 0)
    mad = np.abs(np.diff(x, axis=2)).mean(2)
    f = np.stack([mean, np.sqrt(var), x.min(2), x.max(2), lag1, mad], 2)
    return f.reshape(len(x), -1)

def nb(xtr, ytr, xte, smoothing=0.1):
    classes = np.unique(ytr)
    mu = np.stack([xtr[ytr == c].mean(0) for c in classes])
    var = np.stack([xtr[ytr == c].var(0) for c in classes])
    var = var + smoothing * max(xtr.var(0).max(), 1e-300)
    prior = np.log(np.array([(ytr == c).mean() for c in classes]))
    ll = -0.5 * (np.log(2 * np.pi * var)[None] + (xte[:, None, :] - mu[None]) ** 2 / var[None]).sum(2) + prior
    return classes[ll.argmax(1)]

if sys.argv[1] == "--level-only":
    import shutil
    shutil.copyfile(sys.argv[2], sys.argv[3])
    with h5py.File(sys.argv[3], "r+") as f:
        x = f["sequences"][()].astype(np.float64)
        f["sequences"][...] = np.repeat(x.mean(2, keepdims=True), x.shape[2], 2).astype(np.float32)
    sys.exit(0)

path, split = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
with h5py.File(path, "r") as f:
    x = f["sequences"][()].astype(np.float64)
    y = f["labels/transmitter"][()]
    s = f["labels/split_" + split][()]
tr, te = s == 0, s == 2
rng = np.random.default_rng(seed)
perm = np.stack([rng.permutation(x.shape[1]) for _ in range(len(x))])
variants = {
    "all": x,
    "dims_shuffled": np.take_along_axis(x, perm[:, :, None], 1),
    "level_free": x - x.mean(2, keepdims=True),
}
for name, v in variants.items():
    f = feats(v)
    print(f"{path},{split},{name},{(nb(f[tr], y[tr], f[te]) == y[te]).mean():.4f}")
f = feats(x).reshape(len(x), x.shape[1], 6)[:, :, 0]
print(f"{path},{split},level_only,{(nb(f[tr], y[tr], f[te]) == y[te]).mean():.4f}")
