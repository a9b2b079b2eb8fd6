#!/usr/bin/env python3
"""Where a mobility dataset's validation and test sequences lie relative to training (issue #19).

For each split (time, position, paper-like) and each of its validation and test sequences: the mean over the
sequence's samples of the distance to the nearest training position of the same transmitter [m].
    python3 docs/results/reproduce/revisit.py m.h5      (a file of `physec dataset mobility`; Debian's h5py, numpy)
"""
import sys

import h5py
import numpy as np

f = h5py.File(sys.argv[1], 'r')
pos = f['positions_m'][()]; L = f['labels']
tx = L['transmitter'][()]
for name in ['split_time', 'split_position', 'split_random']:
    split = L[name][()]
    for w, lab in [(1, 'validation'), (2, 'test')]:
        out = []
        for i in np.unique(tx):
            tr = pos[(tx == i) & (split == 0)].reshape(-1, 3)
            for s in np.where((tx == i) & (split == w))[0]:
                out.append(np.sqrt(((pos[s][:, None, :] - tr[None, :, :]) ** 2).sum(-1)).min(1).mean())
        d = np.array(out)
        print(f"{name:15s} {lab:10s} n={len(d):3d} distance to nearest training position [m]: "
              f"mean {d.mean():.3f} median {np.median(d):.3f} max {d.max():.3f}; share < 0.05 m {np.mean(d < 0.05):.2f}")
