#pragma once
/// @file Torch-free data preparation for TDGCN training: splits of the mobility dataset as `[n, D, T]` arrays, with
/// optional overlapping training windows (augmentation inside the training time ranges only).

#include <cstdint>
#include <vector>

#include "physec/core/ndarray.hpp"
#include "physec/dataset/mobility.hpp"

namespace physec::auth::models {

/// Sequences and their labels.
struct sequence_set {
  ndarray<float> x;    ///< `[n, D, T]`
  std::vector<int> y;  ///< `[n]`
};

/// The sequences with `code` in `split` (file order); when `stride` is in [1, T), also every window of length T
/// starting `stride` samples apart inside each run of such sequences that are consecutive on one transmitter's
/// trajectory (same transmitter, start_index advancing by exactly T). A window never leaves the run, so it never
/// includes samples of another split or of a gap. `stride` >= T or 0: the sequences only.
sequence_set split_windows(const dataset::mobility_data& d, const std::vector<std::uint8_t>& split,
                           std::uint8_t code, int stride);

}  // namespace physec::auth::models
