"""physec.keygen: secret key generation from reciprocal channels.

CSI features, quantizers (fit / levels / bits), KDR, mutual information and the secrecy bound, and one key-agreement
session in process, from the torch-free core; load_checkpoint() (a trained CNN-AE-SSA / CNN-AE / dense AE) is the
only function that loads LibTorch.
"""
from . import _physec
from ._lazy_torch import torch_module as _torch_module

_core = _physec.keygen
__all__ = [name for name in dir(_core) if not name.startswith("_")] + ["load_checkpoint"]
globals().update({name: getattr(_core, name) for name in __all__ if name != "load_checkpoint"})


def load_checkpoint(path, device="cpu", threads=0):
    """A trained PSKG model (`physec keygen train`, checkpoint.pt) ready for inference: returns a KeygenModel whose
    apply(csi) maps one party's CSI complex [n, alice_ant, bob_ant, sc, sym] to the model's output complex64 of the
    same shape (feed it to FeaturePipeline / Quantizer as raw CSI, as `physec keygen eval --model` does); .meta holds
    the checkpoint's metadata, .target what it was trained to output.
    device: 'cpu', 'cuda' or 'cuda:N'; threads: torch intra-op threads (0: every core). Loads LibTorch on first use.
    Raises physec.Error when the file is not a keygen checkpoint."""
    return _torch_module().load_keygen_model(str(path), device, threads)
