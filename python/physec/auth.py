"""physec.auth: physical-layer authentication.

The seven classical baselines (Classifier: dt, knn, nb, wv, gbdt, rgbo, igbo), sequence features and the metrics
come from the torch-free core. load_checkpoint() is the only function that loads LibTorch: it imports the second
extension, physec._physec_torch, on first use.
"""
from . import _physec
from ._lazy_torch import torch_module as _torch_module

_core = _physec.auth
Classifier = _core.Classifier
accuracy = _core.accuracy
classifier_names = _core.classifier_names
confusion_matrix = _core.confusion_matrix
default_config = _core.default_config
sequence_features = _core.sequence_features
spoofer_rates = _core.spoofer_rates


def load_checkpoint(path, device="cpu", threads=0):
    """A trained TDGCN (`physec auth train`, checkpoint.pt) ready for inference: returns a TdgcnModel whose
    predict(x) maps CSI sequences float [n, D, T] to transmitter labels int32 [n]; .meta holds the checkpoint's
    metadata (model, config, seed, epochs, best validation metric, versions).
    device: 'cpu', 'cuda' or 'cuda:N'; threads: torch intra-op threads (0: every core; OpenBLAS pinned to one).
    Loads LibTorch on first use. Raises physec.Error when the file is not a TDGCN checkpoint."""
    return _torch_module().load_tdgcn(str(path), device, threads)


__all__ = ["Classifier", "accuracy", "classifier_names", "confusion_matrix", "default_config", "load_checkpoint",
           "sequence_features", "spoofer_rates"]
