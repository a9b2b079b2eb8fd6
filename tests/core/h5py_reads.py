"""An independent reader of physec's HDF5 layout: h5py must see complex dtypes and the exact values."""
import subprocess
import sys

import h5py
import numpy as np

writer, path = sys.argv[1], sys.argv[2]
subprocess.run([writer, path], check=True)
with h5py.File(path, "r") as f:
    a = f["/alice"][...]
    assert a.dtype == np.complex64, a.dtype
    assert a.shape == (2, 3, 4, 2, 1), a.shape
    flat = a.reshape(-1)
    expected = np.arange(flat.size, dtype=np.float32) * (1 - 0.5j)
    assert np.array_equal(flat, expected.astype(np.complex64)), (flat[:4], expected[:4])
    z = f["/z"][...]
    assert z.dtype == np.complex128, z.dtype
    assert np.array_equal(z, np.array([1 + 2j, -3 + 0.25j, complex(0.0, -1e-300)])), z
    profiles = [s.decode() if isinstance(s, bytes) else s for s in f["/profiles"][...]]
    assert profiles == ["CDL-A", "TDL-C"], profiles
    assert int(f.attrs["seed"]) == 42
    cfg = f.attrs["config"]
    assert (cfg.decode() if isinstance(cfg, bytes) else cfg) == "seed = 42", cfg
print("h5py read complex64/complex128 {r,i} datasets, strings and attributes: OK")
