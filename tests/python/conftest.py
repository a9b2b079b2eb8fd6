"""Shared fixtures of the Python module's tests (run by CTest test `python_module` against the build tree)."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import physec


# A small wiretap config (80 probes, 24 subcarriers x 4 symbols): a second to generate. Typed twice on purpose:
# once as the dict Python takes, once as the TOML file the CLI takes.
WIRETAP = {"profiles": ["CDL-C", "TDL-A"], "snrs_dB": [10.0, 30.0], "probes_per_setting": 20,
           "grid": {"nof_subcarriers": 24, "nof_symbols": 4}}
WIRETAP_TOML = """[wiretap]
profiles = ["CDL-C", "TDL-A"]
snrs_dB = [10.0, 30.0]
probes_per_setting = 20
grid = { nof_subcarriers = 24, nof_symbols = 4 }
"""
WIRETAP_SEED = 7


@pytest.fixture(scope="session")
def cli():
    """Path of the built `physec` CLI (CTest sets PHYSEC_CLI); tests that compare with it skip without it."""
    path = os.environ.get("PHYSEC_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("PHYSEC_CLI not set (torch-free build: no CLI to compare with)")
    return path


@pytest.fixture(scope="session")
def wiretap_file(tmp_path_factory, cli):
    """The CLI's wiretap file for WIRETAP_TOML and WIRETAP_SEED."""
    d = tmp_path_factory.mktemp("wiretap")
    (d / "w.toml").write_text(WIRETAP_TOML)
    run_cli(cli, "dataset", "wiretap", "-c", "w.toml", "--seed", str(WIRETAP_SEED), "-o", "w.h5", "-q", cwd=d)
    return d / "w.h5"


def run_cli(cli, *args, cwd):
    """Runs the CLI quietly; fails the test with its output when it exits non-zero."""
    r = subprocess.run([cli, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout
    return r.stdout


def random_bits(n, seed):
    """n fair bits (numpy's PCG64, independent of physec's generators), uint8 [n]."""
    return np.random.default_rng(seed).integers(0, 2, n, dtype=np.uint8)


def test_module_is_the_build_tree():
    # The tests must exercise the module just built, never an installed copy.
    assert os.environ.get("PYTHONPATH", "") and os.path.dirname(os.path.dirname(physec.__file__)) in \
        os.environ["PYTHONPATH"].split(os.pathsep)
