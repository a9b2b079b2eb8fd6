"""physec.keygen: the quantizer + KDR chain equals `physec keygen eval` on the same file; metrics against values
derived by hand; one key agreement in process."""
import csv

import h5py
import numpy as np
import pytest

import physec
from conftest import run_cli


@pytest.fixture(scope="module")
def evaluated(wiretap_file, cli):
    """The small wiretap file (conftest) and `physec keygen eval` on it (raw amplitude, quantile, m = 2)."""
    d = wiretap_file.parent
    run_cli(cli, "keygen", "eval", "-d", "w.h5", "--method", "raw", "--quantizer", "quantile", "--bits", "2",
            "--out", "ev", "-q", cwd=d)
    with open(d / "ev" / "kdr.csv") as f:
        rows = list(csv.DictReader(f))
    with h5py.File(d / "ev" / "alice_bits.h5", "r") as f:
        alice_bits = f["/keys"][()]
    return d / "w.h5", rows, alice_bits


def test_quantizer_and_kdr_equal_the_cli(evaluated):
    path, rows, cli_alice_bits = evaluated
    data = physec.dataset.read_wiretap(str(path))
    snr, split = data["labels"]["snr_dB"], data["labels"]["split"]
    top = snr.max()  # the CLI writes Alice's bits of the highest SNR
    train = np.flatnonzero((snr == top) & (split == 0))
    test = np.flatnonzero((snr == top) & (split == 2))
    # The evaluator's protocol (keygen/include/physec/keygen/evaluate.hpp): features and thresholds fitted on Bob's
    # training probes of this SNR, applied by each party to its own test probes; the union of drops is public.
    features = physec.keygen.FeaturePipeline({"method": "raw"})
    features.fit(data["bob"][train])
    quantizer = physec.keygen.Quantizer({"method": "quantile", "bits": 2})
    quantizer.fit(features.transform(data["bob"][train], when=+1))
    # Bob's probe is the earlier of the TDD pair (+1), Alice's the later (-1): each is taken toward the other.
    la = quantizer.levels(features.transform(data["alice"][test], when=-1))
    lb = quantizer.levels(features.transform(data["bob"][test], when=+1))
    assert la.dtype == np.int32 and la.shape == (len(test), 24) and la.min() >= 0 and la.max() <= 3
    mask = physec.keygen.common_mask([la, lb])
    bits_a, bits_b = quantizer.bits(la, mask), quantizer.bits(lb, mask)
    assert bits_a.tobytes() == cli_alice_bits.tobytes()
    kdr = physec.keygen.kdr(bits_a, bits_b)
    row = next(r for r in rows if float(r["snr_dB"]) == top)
    assert kdr["nof_bits"] == len(bits_a) == int(row["nof_probes"]) * int(row["bits_per_probe"])
    assert kdr["kdr"] == pytest.approx(float(row["kdr_ab"]), rel=1e-14)
    assert kdr["ci_low"] == pytest.approx(float(row["kdr_ab_low"]), rel=1e-12)
    assert kdr["ci_high"] == pytest.approx(float(row["kdr_ab_high"]), rel=1e-12)
    # The bound column is I(A;B) - min(I(A;E), I(B;E)) of the row's MI estimates.
    for r in rows:
        bound = physec.keygen.secrecy_bound_bits(float(r["mi_ab_bits"]), float(r["mi_ae_bits"]), float(r["mi_be_bits"]))
        assert bound == pytest.approx(float(r["bound_bits"]), rel=1e-12)


def test_kdr_against_clopper_pearson_by_hand():
    # 1 mismatch in 4 bits: KDR 0.25; the exact 95% interval solves Beta quantiles: [0.006309, 0.805880]
    # (Clopper & Pearson 1934; e.g. Beta(1, 4).ppf(0.025) and Beta(2, 3).ppf(0.975)).
    r = physec.keygen.kdr([0, 1, 1, 0], [0, 1, 0, 0])
    assert r["nof_bits"] == 4 and r["nof_mismatches"] == 1 and r["kdr"] == 0.25
    assert r["ci_low"] == pytest.approx(0.006309, abs=1e-6)
    assert r["ci_high"] == pytest.approx(0.805880, abs=1e-6)
    with pytest.raises(physec.Error):
        physec.keygen.kdr([0, 1], [0, 1, 1])


def test_quantile_quantizer_on_a_known_distribution():
    x = np.random.default_rng(4).standard_normal((20000, 1))
    q = physec.keygen.Quantizer({"method": "quantile", "bits": 2}).fit(x)
    # Quartiles of N(0, 1): -0.6745, 0, +0.6745; with n = 20,000 the sample quartiles are within ~0.03 (4 sigma).
    np.testing.assert_allclose(q.thresholds[0], [-0.6745, 0.0, 0.6745], atol=0.04)
    levels = q.levels(np.array([[-2.0], [-0.3], [0.3], [2.0]]))
    assert levels[:, 0].tolist() == [0, 1, 2, 3]
    # Gray code (MSB first): 0 -> 00, 1 -> 01, 2 -> 11, 3 -> 10.
    assert q.bits(levels).tolist() == [0, 0, 0, 1, 1, 1, 1, 0]
    assert physec.keygen.gray_encode(2) == 3
    # Guard band (block-adaptive: thresholds from the block itself): mean 0, std sqrt(2/3) = 0.816, alpha 0.5 ->
    # band +-0.408; the middle value falls in it and is dropped (-1).
    guard = physec.keygen.Quantizer({"method": "guard", "guard_alpha": 0.5}).fit(x)
    assert guard.levels(np.array([[-1.0], [0.0], [1.0]]))[:, 0].tolist() == [0, -1, 1]


def test_gaussian_mi_and_bound():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((20000, 1))
    b = 0.9 * a + np.sqrt(1 - 0.81) * rng.standard_normal((20000, 1))
    exact = -0.5 * np.log2(1 - 0.81)  # 1.198 bits
    assert physec.keygen.gaussian_mi_from_correlation(0.9) == pytest.approx(exact, rel=1e-12)
    # Standard error of the estimate ~ rho^2 ... < 0.01 bits at n = 20,000.
    assert physec.keygen.gaussian_mi_bits(a, b) == pytest.approx(exact, abs=0.03)
    assert physec.keygen.secrecy_bound_bits(3.0, 1.0, 2.0) == 2.0
    assert physec.keygen.secrecy_bound_bits(1.0, 2.0, 3.0) == 0.0


def test_channel_mi_closed_forms():
    # Scalars h_a = (1, 1), h_b = (c + s, c - s) with c^2 + s^2 = 1: correlation c, unit powers, so
    # I = log2((1 + s2)^2 / ((1 + s2)^2 - c^2)) (complex Gaussian) for both models.
    c, s, s2 = 0.8, 0.6, 0.1
    a = np.array([[[1.0]], [[1.0]]], dtype=np.complex64)
    b = np.array([[[c + s]], [[c - s]]], dtype=np.complex64)
    q = (1 + s2) ** 2
    exact = np.log2(q / (q - c * c))
    assert physec.keygen.channel_mi_bits(a, b, s2) == pytest.approx(exact, abs=1e-6)
    assert physec.keygen.channel_mi_bits(a, b, s2, separable=True) == pytest.approx(exact, abs=1e-6)
    with pytest.raises(physec.Error):
        physec.keygen.channel_mi_bits(a, b, 0.0)


def test_features_shapes():
    csi = (np.arange(2 * 2 * 3 * 4 * 5) + 1j).reshape(2, 2, 3, 4, 5).astype(np.complex64)
    f = physec.keygen.csi_features(csi)
    assert f.shape == (2, 120) and f.dtype == np.float64
    np.testing.assert_allclose(f, np.abs(csi).reshape(2, 120), rtol=1e-6)
    assert physec.keygen.csi_features(csi, "real_imag").shape == (2, 240)
    assert physec.keygen.denoise_probes(csi, 2, 1).shape == (2, 2, 3, 4, 1)
    with pytest.raises(physec.Error, match="csi"):
        physec.keygen.denoise_probes(csi[0], 2, 1)


def test_key_agreement_in_process():
    rng = np.random.default_rng(11)
    n = 4000
    alice = rng.integers(0, 2, n, dtype=np.uint8)
    bob = alice ^ (rng.random(n) < 0.03).astype(np.uint8)   # 3 % disagreement
    eve = alice ^ (rng.random(n) < 0.45).astype(np.uint8)   # nearly independent
    r = physec.keygen.agree(alice, bob, [eve], {"key_bits": 128}, nof_realisations=n, h_total=0.9 * n,
                            max_bits_per_realisation=1, error_rate=0.03)
    assert r["alice"]["ok"] and r["bob"]["ok"], (r["alice"]["failure"], r["bob"]["failure"])
    assert r["alice"]["key"] == r["bob"]["key"] and len(r["alice"]["key"]) == 16
    assert (r["bob"]["reconciled"] == r["alice"]["reconciled"]).all()
    assert 0 < r["alice"]["leaked_bits"] < n and r["alice"]["pa_length"] >= 128
    assert r["eve"][0]["key"] != r["alice"]["key"]
    assert r["eve"][0]["kdr_before"]["kdr"] > 0.4
    # Too little entropy for a 128-bit key: no key, with the reason.
    none = physec.keygen.agree(alice, bob, [], nof_realisations=n, h_total=200.0, error_rate=0.03)
    assert not none["alice"]["ok"] and none["alice"]["failure"]
