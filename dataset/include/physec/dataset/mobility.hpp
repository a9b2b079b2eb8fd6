#pragma once
/// @file The PLA mobility dataset (TDGCN paper, Table I): CSI sequences of 4 legal transmitters and 2 spoofers
/// moving through an IRS-assisted industrial hall, as Bob measures them, and its HDF5 schema.
///
/// HDF5 layout; complex arrays are compound {r, i} float32 (h5py: complex64). Sequences are stored
/// transmitter-major (all sequences of transmitter 0 in time order, then 1, ...):
///   /sequences            float32 [nof_sequences, D, T]   features (see `feature_layout`), D = 2 * nof_rx * nof_tx
///   /csi                  complex64 [nof_sequences, T, nof_rx, nof_tx]  Bob's noisy estimate, unnormalised
///   /labels/transmitter   int32 [nof_sequences]  0..3 legal, 4..5 spoofers
///   /labels/split_time    uint8 [nof_sequences]  0 train, 1 validation, 2 test, 3 unused (gap)
///   /labels/split_position uint8 [nof_sequences] same codes, whole route arcs held out
///   /labels/split_random  uint8 [nof_sequences]  same codes and counts as split_time, sequences assigned at random:
///                         the paper-like protocol, where test sequences share stretches of trajectory with training
///                         ones (older files without it: derived from split_time by `random_split`)
///   /labels/start_index   int64 [nof_sequences]  index of the sequence's first sample on its transmitter's trajectory
///   /labels/snr_dB        float64 [nof_sequences, T]  per-sample SNR: mean |H|² over the ports / noise variance
///   /labels/los           uint8 [nof_sequences, T]  1 where the direct Tx -> Bob link is LOS
///   /positions_m          float64 [nof_sequences, T, 3]
///   /velocities_mps       float64 [nof_sequences, T, 3]
///   attributes on /: schema = "physec.mobility/1", physec_version, seed, config (TOML), nof_legal,
///   sample_rate_Hz, noise_variance, feature_layout

#include <complex>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::dataset {

/// Split codes of the mobility dataset (train/validation/test as wiretap's, plus sequences left out as a gap).
enum mobility_split : std::uint8_t { m_train = 0, m_validation = 1, m_test = 2, m_unused = 3 };

struct mobility_data {
  ndarray<float> sequences;                  ///< [n, D, T]
  ndarray<std::complex<float>> csi;          ///< [n, T, nof_rx, nof_tx]
  std::vector<std::int32_t> transmitter;     ///< [n]
  std::vector<std::uint8_t> split_time;      ///< [n]
  std::vector<std::uint8_t> split_position;  ///< [n]
  std::vector<std::uint8_t> split_random;    ///< [n] paper-like protocol (see the layout above)
  std::vector<std::int64_t> start_index;     ///< [n]
  ndarray<double> snr_dB;                    ///< [n, T]
  ndarray<std::uint8_t> los;                 ///< [n, T]
  ndarray<double> positions_m;               ///< [n, T, 3]
  ndarray<double> velocities_mps;            ///< [n, T, 3]
  int nof_legal = 4;                         ///< labels below are legal users
  double sample_rate_Hz = 100.0;             ///< CSI sampling rate [Hz]
  double noise_variance = 0.0;               ///< noise variance per CSI entry (unnormalised units)
  std::string feature_layout;                ///< how /sequences was made from /csi
  std::uint64_t seed = 0;
  std::string config_toml;

  std::size_t nof_sequences() const { return sequences.shape.empty() ? 0 : sequences.shape[0]; }
  std::size_t nof_dims() const { return sequences.shape.size() < 2 ? 0 : sequences.shape[1]; }
  std::size_t nof_steps() const { return sequences.shape.size() < 3 ? 0 : sequences.shape[2]; }
};

/// The schema name written into and checked on every file.
constexpr const char* k_mobility_schema = "physec.mobility/1";

/// Writes atomically. Throws physec::error if the parts are inconsistent (same checks as the reader).
void write_mobility(const std::filesystem::path& path, const mobility_data& d);

/// Reads and checks a mobility file: every dataset present with the right dtype and rank, one entry per sequence
/// everywhere, labels and split codes in range, all values finite. Errors name the file, the dataset and what
/// was expected versus found.
mobility_data read_mobility(const std::filesystem::path& path);

/// The same consistency checks on data in memory; `origin` names it in errors.
void check_mobility(const mobility_data& d, const std::string& origin);

/// The paper-like split: the codes of `split_time` (so the same numbers of training, validation, test and unused
/// sequences) shuffled over the sequences by a fixed public seed. Training and test sequences then interleave along
/// every trajectory (the PLA paper does not say how it split; its ~100 % needs such an overlap).
std::vector<std::uint8_t> random_split(const std::vector<std::uint8_t>& split_time);

/// The split labels of a protocol: "time" (later stretches of each route, with a gap), "position" (whole route arcs
/// held out) or "random" (the paper-like overlapping split). Throws physec::error naming `field` otherwise.
const std::vector<std::uint8_t>& split_labels(const mobility_data& d, const std::string& protocol,
                                              const std::string& field = "split");

/// The protocol names split_labels accepts.
const std::vector<std::string>& split_protocols();

/// Indices of the sequences with `code` in `split` (one of d.split_time / d.split_position), in file order.
std::vector<std::size_t> split_indices(const std::vector<std::uint8_t>& split, std::uint8_t code);

/// How far the sequences with `code` in `split` lie from trained places: for each such sequence, the mean over up to
/// five of its samples (first, quarters, last) of the distance to the nearest position of any training sequence of
/// the same transmitter [m]; `mean` and `max` over those sequences (NaN when there are none). Tells whether a split's
/// test or validation revisits places the training saw (issue #19: the default time split's test does, its
/// before-test validation does not).
struct place_distance {
  double mean = 0, max = 0;
  std::size_t nof_sequences = 0;
};
place_distance distance_to_training(const mobility_data& d, const std::vector<std::uint8_t>& split, std::uint8_t code);

/// Sequences `index` of `[n, D, T]` -> `[index.size(), D, T]`.
ndarray<float> select_sequences(const ndarray<float>& sequences, const std::vector<std::size_t>& index);

}  // namespace physec::dataset
