"""physec: physical-layer security from Python, over the same C++ library as the `physec` CLI.

Submodules (numpy arrays in and out; complex CSI as complex64/complex128):
  physec.nist     NIST SP 800-22 rev1a: the 15 tests on a bit array, the §4.2 suite analysis
  physec.keygen   CSI features, quantizers (fit/levels/bits), KDR, MI, secrecy bound, agreement, model checkpoints
  physec.channel  TR 38.901 CDL/TDL links -> CSI [count, rx, tx, subcarriers, symbols]
  physec.dataset  wiretap / mobility datasets as dicts of arrays (generated, read from or written to HDF5)
  physec.auth     the seven PLA baselines (fit/predict on [n, D, T]), metrics, TDGCN checkpoints
See docs/python.md for every function with its shapes and units.

Errors in the input (bad shapes, values, config keys) raise physec.Error, a ValueError whose message is physec's
one-line message: what, where (field, index) and expected versus found. Long calls release the GIL.
Importing physec never loads LibTorch; only loading a trained model does.
"""
import sys as _sys

from . import _physec
from ._physec import Error, __version__, git_describe

nist = _physec.nist
channel = _physec.channel
dataset = _physec.dataset
# keygen and auth are pure-Python modules over the compiled ones: they add load_checkpoint, which alone loads LibTorch.
from . import auth, keygen  # noqa: E402

# `import physec.nist` and `from physec.nist import frequency` work as for pure-Python submodules.
for _name in ("nist", "channel", "dataset"):
    _sys.modules[__name__ + "." + _name] = getattr(_physec, _name)

__all__ = ["Error", "__version__", "git_describe", "nist", "keygen", "channel", "dataset", "auth"]
