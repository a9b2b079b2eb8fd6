#!/usr/bin/env bash
# Builds bench/gpu (physec's LibTorch layer against the LibTorch this machine has) and runs gpu_check.
#
#   bash bench/gpu/run.sh OUTDIR [gpu_check options, e.g. --quick]
#
# Run from the repository root. Writes OUTDIR/build.log (configure and build), OUTDIR/gpu_check.jsonl (one JSON line
# per check, then a summary), OUTDIR/gpu_check.stderr and OUTDIR/env.txt. Exit code: gpu_check's (0 iff no check
# failed), or 3 when configuring or building failed.
# LibTorch: python3's torch (torch.utils.cmake_prefix_path) when importable, else what CMake finds on the system
# (Debian's libtorch-dev). If find_package(Torch) fails (e.g. on CUDA toolkit discovery), it configures again with the
# include and library folders python3's torch reports (no CUDA toolkit needed to link).
# A build that fails on "C++20 or later" is configured again with -DPHYSEC_GPU_CXX_STANDARD=20.
# Environment: BUILD_DIR (default build-gpu-check/, ignored by git), JOBS (default: all cores), CUDA_ARCH (default 90),
# CHECK_TIMEOUT (seconds, default 420), CMAKE_EXTRA_ARGS (more -D options, split on spaces).
set -uo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash bench/gpu/run.sh OUTDIR [gpu_check options]" >&2
  exit 2
fi
mkdir -p "$1" && out=$(cd "$1" && pwd)
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$root/build-gpu-check}
jobs=${JOBS:-$(nproc)}
log=$out/build.log
: > "$log"
say() { echo "run.sh: $*" | tee -a "$log" >&2; }

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -a)"
  echo "cpus: $(nproc)"
  echo "compiler: $(${CXX:-c++} --version 2>/dev/null | head -1)"
  echo "cmake: $(cmake --version 2>/dev/null | head -1)"
  echo "ninja: $(ninja --version 2>/dev/null)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  python3 -c 'import torch;print("python torch", torch.__version__, "cuda", torch.version.cuda, "cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI)' 2>&1
  [ -f "$root/.devdeps/VERSIONS" ] && cat "$root/.devdeps/VERSIONS"
} > "$out/env.txt" 2>&1

args=(-S "$root/bench/gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release)
# shellcheck disable=SC2206
[ -n "${CMAKE_EXTRA_ARGS:-}" ] && args+=(${CMAKE_EXTRA_ARGS})
torch_prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
if [ -n "$torch_prefix" ]; then
  args+=("-DCMAKE_PREFIX_PATH=$torch_prefix")
  say "LibTorch from python3's torch: $torch_prefix"
else
  say "python3 has no torch: LibTorch from the system (CMake's default search)"
fi

# CUDA toolkit discovery for Torch's CMake files (they look for nvcc and enable CUDA).
nvcc=$(command -v nvcc || true)
if [ -z "$nvcc" ]; then
  for c in /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc /opt/cuda/bin/nvcc; do
    [ -x "$c" ] && { nvcc=$c; break; }
  done
fi
if [ -n "$nvcc" ] && [ -n "$torch_prefix" ]; then
  cuda_root=$(cd "$(dirname "$nvcc")/.." && pwd)
  export PATH="$cuda_root/bin:$PATH" CUDA_HOME="${CUDA_HOME:-$cuda_root}"
  arch=${CUDA_ARCH:-90}  # 90: H100/H200; TORCH_CUDA_ARCH_LIST wants "9.0"
  args+=("-DCMAKE_CUDA_COMPILER=$nvcc" "-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root"
         "-DCMAKE_CUDA_ARCHITECTURES=$arch" "-DTORCH_CUDA_ARCH_LIST=${arch%?}.${arch: -1}")
  say "CUDA toolkit: $cuda_root ($("$nvcc" --version | tail -1))"
elif [ -n "$torch_prefix" ]; then
  say "no nvcc found: Torch's CMake files may fail to configure a CUDA LibTorch; the fallback below needs none"
fi

configure() {  # configure BUILD_DIR [extra cmake args]
  local dir=$1 rc
  shift
  say "cmake ${args[*]} -B $dir $*"
  cmake "${args[@]}" -B "$dir" "$@" >> "$log" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then  # CMake's own logs of the failed configure (3.26+: CMakeConfigureLog.yaml)
    for f in CMakeConfigureLog.yaml CMakeError.log CMakeOutput.log; do
      [ -f "$dir/CMakeFiles/$f" ] && cp "$dir/CMakeFiles/$f" "$out/$(basename "$dir").$f"
    done
  fi
  return $rc
}

# LibTorch's folders from python3's torch, without Torch's CMake files (-DPHYSEC_GPU_TORCH_MANUAL=ON).
manual_mode=0
configure_manual() {
  local info inc libdir abi
  info=$(python3 - <<'EOF' 2>/dev/null
import os, torch
root = os.path.dirname(torch.__file__)  # what torch.utils.cpp_extension.include_paths() gives on the CPU side
print(os.path.join(root, "include") + ";" + os.path.join(root, "include", "torch", "csrc", "api", "include"))
print(os.path.join(root, "lib"))
print(int(torch._C._GLIBCXX_USE_CXX11_ABI))
EOF
)
  [ -n "$info" ] || return 1
  inc=$(sed -n 1p <<< "$info")
  libdir=$(sed -n 2p <<< "$info")
  abi=$(sed -n 3p <<< "$info")
  say "LibTorch by hand: $libdir (C++11 ABI $abi)"
  manual_mode=1
  build="$build-manual"
  rm -rf "$build"
  configure "$build" -DPHYSEC_GPU_TORCH_MANUAL=ON "-DTORCH_MANUAL_INCLUDE_DIRS=$inc" \
    "-DTORCH_MANUAL_LIB_DIR=$libdir" "-DTORCH_MANUAL_CXX11_ABI=$abi"
}

if ! configure "$build"; then
  tail -30 "$log" >&2
  say "configuring with Torch's CMake files failed: trying LibTorch's folders from python3"
  configure_manual || { say "configure failed (see $log)"; exit 3; }
fi
grep -E '^-- physec gpu:' "$log" >&2

start=$(date +%s)
build_it() {
  say "building with $jobs jobs in $build"
  cmake --build "$build" -j "$jobs" >> "$log" 2>&1
}
if ! build_it; then
  if grep -q 'C++20 or later' "$log"; then
    say "this LibTorch needs C++20: configuring again with -DPHYSEC_GPU_CXX_STANDARD=20"
    configure "$build" -DPHYSEC_GPU_CXX_STANDARD=20 && build_it
  elif [ "$manual_mode" = 0 ] && grep -qE 'undefined reference|collect2|cannot find -l|/ld: ' "$log"; then
    say "linking through Torch's CMake targets failed: trying LibTorch's folders from python3"
    configure_manual && build_it
  else
    false
  fi || {
    grep -E 'error|Error' "$log" | head -40 >&2
    say "build failed after $(( $(date +%s) - start )) s (see $log)"
    exit 3
  }
fi
say "built in $(( $(date +%s) - start )) s; warnings in the log: $(grep -c 'warning:' "$log")"

require=()
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  require=(--require-cuda)  # a GPU is here: a LibTorch that cannot use it is a failure, not a skip
fi
say "running $build/gpu_check ${require[*]} $*"
timeout "${CHECK_TIMEOUT:-420}" "$build/gpu_check" "${require[@]}" --workdir "$build/work" "$@" \
  2> "$out/gpu_check.stderr" | tee "$out/gpu_check.jsonl"
rc=${PIPESTATUS[0]}
say "gpu_check exit code $rc"

# bench/auth/bench_tdgcn.cpp against this LibTorch (it uses the profiler's internals): build, then a short CPU run
# with two profiled steps. Reported in OUTDIR/bench_tdgcn.txt; it does not change the exit code.
if cmake --build "$build" -j "$jobs" --target bench_tdgcn >> "$log" 2>&1; then
  say "bench_tdgcn built; warnings in the log now: $(grep -c 'warning:' "$log")"
  timeout 240 "$build/bench_tdgcn" --dims 24 --steps 50 --classes 6 --epochs 3 --warmup 1 --latency-runs 20 \
    --profile 2 > "$out/bench_tdgcn.txt" 2>&1
  say "bench_tdgcn exit code $? (OUTDIR/bench_tdgcn.txt)"
else
  grep -E 'error' "$log" | tail -20 >&2
  say "bench_tdgcn did not build against this LibTorch (see $log)"
fi
exit "$rc"
