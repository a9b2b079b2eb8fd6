#pragma once
/// @file The LibTorch runtime as the rest of physec sees it, without including any torch header: versions,
/// device availability, thread set-up. (Modules and trainers, which need torch types, live in other headers.)

#include <string>

namespace physec::nn {

/// What this build and machine offer.
struct runtime_info {
  std::string torch_version;      ///< e.g. "1.13.1"
  bool cuda_available = false;    ///< torch::cuda::is_available()
  int cuda_device_count = 0;
  int intra_op_threads = 0;       ///< torch's intra-op thread pool size
  int blas_threads = -1;          ///< OpenBLAS threads, -1 when the BLAS in use is not OpenBLAS
  std::string blas;               ///< openblas_get_config(), e.g. "OpenBLAS 0.3.21 ...", or "unknown"
};

runtime_info query_runtime();

/// Gives torch `nof_threads` intra-op threads (0 = every core) and pins OpenBLAS to one thread: with both pools at
/// full width on 2 cores, training ran 3-4x slower (oversubscription). Also sets glibc's allocator to keep
/// batch-sized buffers on the heap (M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 128 MiB). Call once, early in main().
void configure_threads(int nof_threads);

/// Checks a device string: "cpu", "cuda" or "cuda:N". Throws physec::error (naming `field`) when the syntax is
/// wrong or the device is not available in this build/machine.
void check_device(const std::string& device, const std::string& field = "run.device");

/// Multiplies two n x n float matrices on `device` `repeats` times; returns the achieved GFLOP/s (2n^3 per product).
/// A smoke test of the BLAS/device set-up that `physec quickstart` reports.
double matmul_gflops(const std::string& device, int n, int repeats);

}  // namespace physec::nn
