"""physec.channel and physec.dataset: generation in process equals what the CLI writes (byte-equal arrays), the
readers return the same dicts, and bad configs raise physec.Error with the CLI's message."""
import subprocess

import h5py
import numpy as np
import pytest

import physec
from conftest import WIRETAP, WIRETAP_SEED as SEED, run_cli


def _h5_tree(group):
    """Every dataset of an HDF5 group as {name: array}, groups as nested dicts."""
    out = {}
    for name, item in group.items():
        out[name] = _h5_tree(item) if isinstance(item, h5py.Group) else item[()]
    return out


def _assert_same(py, h5, path=""):
    assert set(py) - {"attrs"} == set(h5), f"{path}: keys {sorted(py)} vs file {sorted(h5)}"
    for key, want in h5.items():
        got = py[key]
        if isinstance(want, dict):
            _assert_same(got, want, path + "/" + key)
        elif want.dtype.kind == "O":  # variable-length strings: h5py gives bytes
            assert list(got) == [w.decode() for w in want], path + "/" + key
        else:
            got = np.asarray(got)
            assert got.dtype == want.dtype and got.shape == want.shape, f"{path}/{key}: {got.dtype}{got.shape}"
            assert got.tobytes() == want.tobytes(), f"{path}/{key}: bytes differ"


def test_wiretap_in_python_is_byte_equal_to_the_cli_file(wiretap_file):
    py = physec.dataset.wiretap(WIRETAP, seed=SEED)
    with h5py.File(wiretap_file, "r") as f:
        h5 = _h5_tree(f)
        assert f.attrs["seed"] == py["attrs"]["seed"] == SEED
        assert f.attrs["schema"] == py["attrs"]["schema"]
    assert py["alice"].dtype == np.complex64 and py["alice"].shape == (80, 1, 1, 24, 4)
    _assert_same(py, h5)


def test_read_wiretap_returns_the_file(wiretap_file):
    read = physec.dataset.read_wiretap(str(wiretap_file))
    with h5py.File(wiretap_file, "r") as f:
        _assert_same(read, _h5_tree(f))
        assert read["attrs"]["config"] == f.attrs["config"]


def test_mobility_in_python_is_byte_equal_to_the_cli_file(tmp_path, cli):
    config = {"samples_per_transmitter": 200, "sequence_length": 20}
    run_cli(cli, "dataset", "mobility", "--set", "mobility.samples_per_transmitter=200",
            "--set", "mobility.sequence_length=20", "--seed", "3", "-o", "m.h5", "-q", cwd=tmp_path)
    py = physec.dataset.mobility(config, seed=3)
    assert py["sequences"].shape == (60, 24, 20) and py["csi"].shape == (60, 20, 3, 4)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        _assert_same(py, _h5_tree(f))
        assert f.attrs["nof_legal"] == py["attrs"]["nof_legal"]
    _assert_same(physec.dataset.read_mobility(str(tmp_path / "m.h5")), _h5_tree(h5py.File(tmp_path / "m.h5", "r")))


def test_channel_shapes_seed_and_power():
    cfg = {"profile": "CDL-C", "delay_spread_s": 300e-9, "speed_mps": 3.0,
           "tx": {"nof_cols": 4}, "rx": {"nof_cols": 2}}
    grid = {"nof_subcarriers": 36, "nof_symbols": 14}
    h = physec.channel.generate(cfg, grid, count=200, seed=1)
    assert h.dtype == np.complex128 and h.shape == (200, 2, 4, 36, 14)
    # Same seed, same bytes, whatever the thread count; another seed, another channel.
    assert physec.channel.generate(cfg, grid, count=200, seed=1, threads=1).tobytes() == h.tobytes()
    assert not np.array_equal(physec.channel.generate(cfg, grid, count=200, seed=2), h)
    # Realisation i comes from stream index first + i.
    tail = physec.channel.generate(cfg, grid, count=10, seed=1, first=190)
    assert tail.tobytes() == h[190:].tobytes()
    # normalise_power: E|H|^2 = 1 over port pairs. 200 realisations x ~24 clusters: the mean power of the
    # realisations has a relative standard error well below 0.1 (each |H|^2 ~ Exp(1) per resolvable path).
    assert np.mean(np.abs(h) ** 2) == pytest.approx(1.0, abs=0.15)
    # Doppler: at 3 m/s and 3.5 GHz, f_D = 35 Hz; over one slot (0.5 ms) the channel decorrelates only slightly.
    corr = np.abs(np.vdot(h[..., 0], h[..., -1])) / np.vdot(h[..., 0], h[..., 0]).real
    assert 0.9 < corr <= 1.0


def test_tdl_is_single_port():
    h = physec.channel.generate({"profile": "TDL-B"}, {"nof_subcarriers": 12, "nof_symbols": 1}, count=3)
    assert h.shape == (3, 1, 1, 12, 1)


def test_bad_configs_raise_physec_error_with_the_cli_message(tmp_path, cli):
    with pytest.raises(physec.Error) as e:
        physec.dataset.wiretap({"probes_per_settings": 2})
    assert "probes_per_setting" in str(e.value)  # the suggestion
    (tmp_path / "bad.toml").write_text("[wiretap]\nprobes_per_settings = 2\n")
    r = subprocess.run([cli, "dataset", "wiretap", "-c", "bad.toml", "-o", "x.h5"], cwd=tmp_path, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert r.returncode == 3
    # The same words after the origin (the CLI names the file, Python the dict).
    assert str(e.value).split(": ", 1)[1] in r.stdout
    with pytest.raises(physec.Error, match="profile"):
        physec.channel.generate({"profile": "CDL-Z"})
    with pytest.raises(physec.Error, match="nof_subcarriers"):
        physec.channel.generate(grid={"nof_subcarriers": -3})
    with pytest.raises(physec.Error, match="no such file|cannot open|does not exist|w.h5"):
        physec.dataset.read_wiretap(str(tmp_path / "missing" / "w.h5"))


def _assert_dicts_equal(a, b, path=""):
    assert set(a) == set(b), path
    for key in a:
        if isinstance(a[key], dict):
            _assert_dicts_equal(a[key], b[key], path + "/" + key)
        elif isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype and a[key].tobytes() == b[key].tobytes(), path + "/" + key
        else:
            assert a[key] == b[key], path + "/" + key


def test_write_your_own_csi_for_the_cli(wiretap_file, tmp_path, cli):
    data = physec.dataset.read_wiretap(str(wiretap_file))
    physec.dataset.write_wiretap(str(tmp_path / "copy.h5"), data)
    _assert_dicts_equal(physec.dataset.read_wiretap(str(tmp_path / "copy.h5")), data)
    # Your own CSI in the layout (here: Bob's estimate replaced by Alice's, perfect reciprocity), then the CLI on it.
    own = dict(data, bob=data["alice"].astype(np.complex128))  # any complex dtype: stored as complex64
    physec.dataset.write_wiretap(str(tmp_path / "own.h5"), own)
    # Simultaneous estimates: no TDD gap to extrapolate across (the default meets two probes 14 symbols apart).
    out = run_cli(cli, "keygen", "eval", "-d", "own.h5", "--set", "features.extrapolate_symbols=0", "--out", "ev",
                  cwd=tmp_path)
    assert "KDR(A,B)" in out
    with open(tmp_path / "ev" / "kdr.csv") as f:
        assert all(line.split(",")[4] == "0" for line in list(f)[1:])  # kdr_ab: identical bits
    # A probe missing from Bob, or a missing label, is refused with the dataset named.
    with pytest.raises(physec.Error, match="/bob"):
        physec.dataset.write_wiretap(str(tmp_path / "bad.h5"), dict(data, bob=data["bob"][:-1]))
    labels = {k: v for k, v in data["labels"].items() if k != "split"}
    with pytest.raises(physec.Error, match="/labels/split"):
        physec.dataset.write_wiretap(str(tmp_path / "bad.h5"), dict(data, labels=labels))
    assert not (tmp_path / "bad.h5").exists()


def test_write_mobility_round_trips(tmp_path):
    data = physec.dataset.mobility({"samples_per_transmitter": 100, "sequence_length": 10}, seed=5)
    physec.dataset.write_mobility(str(tmp_path / "m.h5"), data)
    again = physec.dataset.read_mobility(str(tmp_path / "m.h5"))
    again["attrs"].pop("physec_version", None)
    _assert_dicts_equal(again, data)
