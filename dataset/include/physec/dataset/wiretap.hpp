#pragma once
/// @file The PSKG wiretap dataset: what Alice, Bob and Eve measured, probe by probe, and its HDF5 schema.
///
/// HDF5 layout (docs/datasets.md); complex arrays are compound {r, i} float32 (h5py: complex64):
///   /alice   [nof_probes, nof_alice_ant, nof_bob_ant, nof_subcarriers, nof_symbols]  Alice's (gNB's) estimate of
///            Bob's uplink probe, H_ba^T in Alice-by-Bob port order
///   /bob     same shape: Bob's uplink estimate H_ab, stored transposed (H_ab^T) so that perfect reciprocity
///            means /alice == /bob element by element
///   /eve     [nof_probes, nof_eve, nof_alice_ant, nof_bob_ant, nof_subcarriers, nof_symbols]: Eve's estimates, one per
///            position (Eve near Bob hears Alice's uplink probe; the layout matches /alice)
///   /eve_uplink  optional, [nof_probes, nof_eve, nof_eve_ant, nof_bob_ant, nof_subcarriers, nof_symbols]: Eve's
///            estimates of Bob's uplink probe (she hears both directions)
///   /clean   optional, same shape as /alice: the noiseless reciprocal channel at Alice's probe time
///   /clean_downlink  optional, same shape as /alice: the noiseless channel during Bob's (downlink) probe, H_ab^T in
///            Alice-by-Bob port order like /bob (with /clean: the channel at both probe times, for the TDD-gap bound)
///   /labels/snr_dB, /labels/delay_spread_s, /labels/speed_mps  float64 [nof_probes]
///   /labels/profile  strings [nof_probes] ("CDL-C", "TDL-A", ...)
///   /labels/split    uint8 [nof_probes]: 0 train, 1 validation, 2 test (no channel realisation crosses splits)
///   /labels/link     optional int32 [nof_probes]: the link (setting) a probe belongs to; probes of one link share
///            one evolving channel (absent: every probe its own link)
///   /labels/time_s   optional float64 [nof_probes]: the probe's time on its link [s] (NaN: i.i.d. probes)
///   /labels/coherence_time_s  optional float64 [nof_probes]: the link's coherence time 0.423 λ/v [s]
///   /eve_distance_wavelengths  float64 [nof_eve]
///   /eve_near  optional strings [nof_eve]: "bob" or "alice", the node Eve stands near (absent: all "bob"). Near
///            Alice, /eve holds her estimate of Bob's uplink probe and /eve_uplink her estimate of Alice's probe
///   attributes on /: physec_version, seed, config (TOML), schema = "physec.wiretap/1"

#include <complex>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::dataset {

/// Split labels.
enum split_label : std::uint8_t { train = 0, validation = 1, test = 2 };

struct wiretap_data {
  ndarray<std::complex<float>> alice;            ///< [n, alice_ant, bob_ant, sc, sym]
  ndarray<std::complex<float>> bob;              ///< [n, alice_ant, bob_ant, sc, sym]
  ndarray<std::complex<float>> eve;              ///< [n, nof_eve, alice_ant, bob_ant, sc, sym]
  ndarray<std::complex<float>> eve_uplink;       ///< [n, nof_eve, eve_ant, bob_ant, sc, sym] or empty
  ndarray<std::complex<float>> clean;            ///< [n, alice_ant, bob_ant, sc, sym] or empty
  ndarray<std::complex<float>> clean_downlink;   ///< [n, alice_ant, bob_ant, sc, sym] or empty
  std::vector<double> snr_dB;                    ///< [n]
  std::vector<double> delay_spread_s;            ///< [n]
  std::vector<double> speed_mps;                 ///< [n]
  std::vector<std::string> profile;              ///< [n]
  std::vector<std::uint8_t> split;               ///< [n]
  std::vector<std::int32_t> link;                 ///< [n] or empty (then probe i is link i)
  std::vector<double> time_s;                    ///< [n] or empty; NaN for i.i.d. probes
  std::vector<double> coherence_time_s;          ///< [n] or empty
  std::vector<double> eve_distance_wavelengths;  ///< [nof_eve]
  std::vector<std::string> eve_near;             ///< [nof_eve] "bob" | "alice", or empty (all near Bob)
  std::uint64_t seed = 0;
  std::string config_toml;

  std::size_t nof_probes() const { return alice.shape.empty() ? 0 : alice.shape[0]; }
  std::size_t nof_eve() const { return eve_distance_wavelengths.size(); }
};

/// The schema name written into and checked on every file.
constexpr const char* k_wiretap_schema = "physec.wiretap/1";

/// Writes atomically. Throws physec::error if the parts are inconsistent (same checks as the reader).
void write_wiretap(const std::filesystem::path& path, const wiretap_data& d);

/// Writes a wiretap file block by block, so that a dataset larger than memory never is in memory (`physec dataset
/// wiretap --preset paper`): the CSI arrays are created at the first block with all `nof_probes` rows and filled
/// block by block; the labels (small) are kept and written by `finish()`. The file's content is what write_wiretap()
/// writes for the concatenated blocks (write_wiretap is this writer with one block).
class wiretap_writer {
 public:
  wiretap_writer(const std::filesystem::path& path, std::size_t nof_probes);
  ~wiretap_writer();
  wiretap_writer(const wiretap_writer&) = delete;
  wiretap_writer& operator=(const wiretap_writer&) = delete;

  /// Checks `block` (check_wiretap: shapes, labels, finite values; the same Eve positions as the first block) and
  /// writes its probes as the next rows.
  void append(const wiretap_data& block);
  /// Writes the labels, Eve's positions and the attributes (`seed`, `config_toml`) and commits the file. Throws
  /// physec::error when fewer than `nof_probes` probes were appended.
  void finish(std::uint64_t seed, const std::string& config_toml);

  /// Everything but the CSI of the probes appended so far (labels, Eve's positions; CSI arrays empty).
  const wiretap_data& labels() const { return labels_; }
  const shape_t& alice_shape() const { return alice_shape_; }  ///< [nof_probes, ...] of /alice (after an append)
  const shape_t& eve_shape() const { return eve_shape_; }      ///< [nof_probes, nof_eve, ...] of /eve

 private:
  struct impl;
  std::unique_ptr<impl> p_;
  std::size_t nof_probes_ = 0, written_ = 0;
  wiretap_data labels_;
  shape_t alice_shape_, eve_shape_;
};

/// Reads and checks a wiretap file: every dataset present with the right dtype and rank, the same probe count in
/// every party and label, Eve's positions matching /eve_distance_wavelengths, all values finite. Errors name the
/// file, the dataset and what was expected versus found.
wiretap_data read_wiretap(const std::filesystem::path& path);
/// Everything but the CSI: the arrays /alice, /bob, /eve, /clean, /eve_uplink get their shapes only (empty data), and
/// every check of read_wiretap runs except the CSI's finiteness. For readers that stream the CSI batch by batch.
wiretap_data read_wiretap_labels(const std::filesystem::path& path);

/// The same consistency checks on data in memory; `origin` names it in errors.
void check_wiretap(const wiretap_data& d, const std::string& origin);

/// One party's CSI of the probes in `index` (any order): `[index.size(), ...]`.
ndarray<std::complex<float>> select_probes(const ndarray<std::complex<float>>& csi, const std::vector<std::size_t>& index);

/// Eve's CSI at position `k`: `[n, alice_ant, bob_ant, sc, sym]`.
ndarray<std::complex<float>> eve_at(const wiretap_data& d, std::size_t k);

}  // namespace physec::dataset
