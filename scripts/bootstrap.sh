#!/usr/bin/env bash
# physec set-up in one step, for a fresh Debian 12 machine (as root) or an existing checkout:
#   bash scripts/bootstrap.sh quickstart   install what is missing, build (Release), run `physec quickstart`
#   bash scripts/bootstrap.sh test         install what is missing, build, run the whole test suite (CTest)
#   bash scripts/bootstrap.sh build        install what is missing and build only
# Environment: BUILD_DIR (default build), JOBS (default: cores), CMAKE_ARGS (extra cmake arguments),
#              CTEST_ARGS (extra ctest arguments, e.g. "-L unit").
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-quickstart}
case "$what" in quickstart|test|build) ;; *) echo "usage: $0 quickstart|test|build" >&2; exit 2 ;; esac

bash scripts/install-deps.sh

build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
# ccache: PCH-friendly settings (the torch precompiled header would otherwise defeat the cache).
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the checkout, so that another clone of the tree (CI's) reuses the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# torch takes the cores; OpenBLAS one thread (physec also pins it at start-up).
export OPENBLAS_NUM_THREADS=1

# The same configuration for quickstart, test and build, so that running the README's two commands one after the
# other builds once (a flag that differs, e.g. -Werror only for tests, changes every compile line: ccache misses).
# Warnings in physec's own code are errors on the supported platform (Debian 12, GCC 12).
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPHYSEC_WERROR=ON ${CMAKE_ARGS:-}
start=$(date +%s)
cmake --build "$build_dir" -j "$jobs"
echo "bootstrap: build took $(( $(date +%s) - start )) s"

case "$what" in
  quickstart)
    "$build_dir/physec" quickstart --out physec-out/quickstart
    ;;
  test)
    start=$(date +%s)
    # shellcheck disable=SC2086
    (cd "$build_dir" && ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-})
    echo "bootstrap: tests took $(( $(date +%s) - start )) s"
    ;;
esac
