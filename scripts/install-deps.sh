#!/usr/bin/env bash
# Installs every Debian 12 package physec needs that is not installed yet. Idempotent: safe to re-run.
# Nothing else is downloaded at build time. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git
  # LibTorch 1.13 (CPU) with the pthread OpenBLAS (reference BLAS is ~8x slower)
  libtorch-dev libopenblas0-pthread libopenblas-dev
  # numerics
  libeigen3-dev libfftw3-dev libboost-dev libboost-math-dev libgmp-dev libmpfr-dev
  # I/O and CLI
  libhdf5-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  # baselines and crypto
  libxgboost-dev libssl-dev libbz2-dev  # libbz2: the SP 800-90B compression statistic (keygen)
  # tests, benchmarks, plots
  libgtest-dev libgmock-dev googletest libbenchmark-dev gnuplot-nox python3-h5py python3-numpy
  pybind11-dev python3-dev python3-pytest  # the Python module (`import physec`) and its tests
)
# Bench-only, optional: PyTorch for the reference side of bench/auth/tdgcn_interleaved.sh and tdgcn_torch.py.
#   PHYSEC_BENCH_DEPS=1 bash scripts/install-deps.sh
if [ "${PHYSEC_BENCH_DEPS:-0}" = 1 ]; then packages+=(python3-torch); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi

# Make sure the pthread OpenBLAS is the BLAS/LAPACK that libtorch resolves to (not the reference BLAS).
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for alt in "libblas.so.3-${arch}" "liblapack.so.3-${arch}"; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n 1 || true)
  if [ -n "$target" ]; then
    $SUDO update-alternatives --set "$alt" "$target" >/dev/null
  fi
done
