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

# `import physec` from then on: a physec.pth in the site folder of the interpreter the module was built for (Debian's
# /usr/bin/python3: /usr/local/lib/python3.11/dist-packages as root, else the user's site folder) naming
# <build>/python, so the module stays the one this checkout just built. Re-running rewrites the same file.
if [ -d "$build_dir/python/physec" ]; then
  python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
  site=$("$python" -c 'import os, site; d = site.getsitepackages()[0]
print(d if os.access(d, os.W_OK) or not os.path.exists(d) and os.access(os.path.dirname(d), os.W_OK)
      else site.getusersitepackages())')
  module_dir=$(cd "$build_dir/python" && pwd)
  mkdir -p "$site"
  echo "$module_dir" > "$site/physec.pth"
  echo "bootstrap: $site/physec.pth -> $module_dir ($python -c 'import physec')"
fi

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
