"""Checkpoint inference: `import physec` never loads LibTorch; physec.auth / physec.keygen.load_checkpoint load it
on first use and give the CLI's predictions for the same checkpoint and data."""
import glob
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import physec
from conftest import run_cli

# Skipped only when the torch extension was not built; one that was built must import.
torch_built = pytest.mark.skipif(
    not glob.glob(os.path.join(os.path.dirname(physec.__file__), "_physec_torch*.so")),
    reason="built without LibTorch (PHYSEC_WITH_TORCH=OFF)")

PROBE = """
import sys
import physec
physec.nist.frequency([0, 1] * 50)
physec.channel.generate(count=1)
def torch_loaded():
    return any("libtorch" in line for line in open("/proc/self/maps"))
print(torch_loaded(), "physec._physec_torch" in sys.modules)
try:
    physec.auth.load_checkpoint("no-such-checkpoint.pt")
except physec.Error as e:
    print(torch_loaded(), type(e).__name__, str(e).splitlines()[0])
"""


@torch_built
def test_import_never_loads_torch_until_a_checkpoint_is_loaded(tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, check=True, capture_output=True,
                         text=True).stdout.splitlines()
    assert out[0] == "False False"  # after import and calls into the torch-free module: no LibTorch mapped
    loaded, kind, message = out[1].split(" ", 2)
    assert loaded == "True" and kind == "Error" and "no-such-checkpoint.pt" in message


# A tiny TDGCN (seconds to train): the point is the same predictions, not accuracy.
TDGCN_SETS = ["--set", "train.max_steps=3", "--set", "model.tcn_channels=[4, 8, 8]", "--set", "model.embedding_dim=4"]


@torch_built
def test_tdgcn_checkpoint_predicts_as_the_cli(tmp_path, cli):
    run_cli(cli, "dataset", "mobility", "--set", "mobility.samples_per_transmitter=400",
            "--set", "mobility.sequence_length=20", "--seed", "3", "-o", "m.h5", "-q", cwd=tmp_path)
    run_cli(cli, "auth", "train", "-d", "m.h5", *TDGCN_SETS, "--out", "at", "-q", cwd=tmp_path)
    cli_confusion = np.loadtxt(tmp_path / "at" / "confusion.csv", delimiter=",", skiprows=1, dtype=np.int64)[:, 1:]
    model = physec.auth.load_checkpoint(tmp_path / "at" / "checkpoint.pt", threads=1)
    assert model.meta["model"] == "tdgcn" and model.meta["seed"] == 42
    data = physec.dataset.read_mobility(str(tmp_path / "m.h5"))
    test = data["labels"]["split_time"] == 2
    predicted = model.predict(data["sequences"][test])
    assert predicted.dtype == np.int32 and predicted.shape == (test.sum(),)
    confusion = physec.auth.confusion_matrix(data["labels"]["transmitter"][test], predicted, 6)
    assert (confusion == cli_confusion).all()
    with pytest.raises(physec.Error, match="dimensions"):
        model.predict(data["sequences"][0])


@torch_built
def test_keygen_checkpoint_gives_the_cli_bits(wiretap_file, cli):
    d = wiretap_file.parent
    run_cli(cli, "keygen", "train", "-d", "w.h5", "--model", "cnn_ae", "--set", "train.epochs=1",
            "--set", "train.max_steps=3", "--set", "latency_runs=1", "--out", "kt", "-q", cwd=d)
    run_cli(cli, "keygen", "eval", "-d", "w.h5", "--model", "kt/checkpoint.pt", "--bits", "1", "--out", "kev", "-q",
            cwd=d)
    with h5py.File(d / "kev" / "alice_bits.h5", "r") as f:
        cli_bits = f["/keys"][()]
    model = physec.keygen.load_checkpoint(d / "kt" / "checkpoint.pt", threads=1)
    assert model.meta["model"] == "cnn_ae" and model.target == "clean"
    data = physec.dataset.read_wiretap(str(wiretap_file))
    alice, bob = model.apply(data["alice"]), model.apply(data["bob"])
    assert alice.shape == data["alice"].shape and alice.dtype == np.complex64
    snr, split = data["labels"]["snr_dB"], data["labels"]["split"]
    train = np.flatnonzero((snr == snr.max()) & (split == 0))
    test = np.flatnonzero((snr == snr.max()) & (split == 2))
    features = physec.keygen.FeaturePipeline()
    features.fit(bob[train])
    # as the CLI: Bob's probe is the earlier of the TDD pair (+1), Alice's the later (-1)
    quantizer = physec.keygen.Quantizer({"bits": 1}).fit(features.transform(bob[train], 1))
    la = quantizer.levels(features.transform(alice[test], -1))
    lb = quantizer.levels(features.transform(bob[test], 1))
    bits = quantizer.bits(la, physec.keygen.common_mask([la, lb]))
    assert bits.tobytes() == cli_bits.tobytes()
