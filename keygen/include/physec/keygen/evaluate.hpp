#pragma once
/// @file The PSKG evaluator: a wiretap dataset -> features -> quantizer -> bits of Alice, Bob and Eve -> the
/// key-agreement metrics per SNR and per Eve position.
///
/// Protocol assumptions, stated once: the feature transform (PCA directions, DCT size) and the quantizer
/// thresholds are fitted on Bob's training split — per SNR by default, as a deployment calibrates at its operating
/// point (fitted over all SNRs, the thresholds of the noisiest probes are biased and both parties output mostly
/// the same level by bias, not by reciprocity) — and are public; each party applies them to its own test-split CSI;
/// positions dropped by Alice or Bob (guard bands) are announced publicly, so Eve learns the mask too; where Eve's
/// own quantizer would drop a value she must still guess, and guesses with a fair coin.

#include <complex>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/table.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/keygen/features.hpp"
#include "physec/keygen/metrics.hpp"
#include "physec/keygen/quantizer.hpp"

namespace physec::keygen {

/// How a probe's CSI becomes quantizer input.
struct feature_config {
  std::string method = "raw";       ///< raw | pca | dct
  std::string value = "amplitude";  ///< amplitude | real_imag | phase_aligned (align_common_phase, then Re/Im)
  std::string symbols = "probe";    ///< probe: the whole probe denoised (denoise_probes), every method's input;
                                    ///< first: the first OFDM symbol only; all: every symbol, raw
  int delay_taps = 6;               ///< probe: delay taps kept from 0 (at 72 x 30 kHz a tap is 463 ns)
  int delay_guard_taps = 2;         ///< probe: taps kept before 0 (leakage of the earliest paths)
  /// probe: evaluate each probe's straight-line trend this many symbols past its centre toward the other party's probe
  /// (denoise_probes): the earlier (downlink) probe forward, the later (uplink) probe backward; 0 = the average;
  /// 7 = half the default 0.5 ms up/down gap (14 symbols at 30 kHz)
  double extrapolate_symbols = 7;
  bool shrink_slope = true;         ///< probe: the extrapolated slope times its Wiener gain (denoise_probes)
  std::string slope_gains = "probe";  ///< shrink_slope: probe (one gain per probe, its own lines) | tap (one gain per
                                      ///< delay tap, slope_tap_gains fitted on the probes fit() sees; one per probe
                                      ///< before fit())
  bool normalise_power = true;      ///< probe: divide every probe by its RMS (false: keep its fading power)
  bool slope_features = false;      ///< probe: append every kept tap's slope (Wiener-shrunk, scaled to its tap's power;
                                    ///< fitted by fit()) to the features: the channel's drift within the probe, which
                                    ///< both parties observe (probes of 3 symbols or more)
  int nof_components = 8;           ///< pca: kept principal components; dct: kept lowest coefficients per antenna pair
  void describe(config::schema& s);
};

/// Everything `physec keygen eval` is configured by (besides the run section).
struct eval_config {
  feature_config features;
  quantizer_config quantizer;
  double confidence = 0.95;  ///< KDR interval confidence
  int mi_max_dims = 8;       ///< MI estimated on at most this many leading principal components of the quantizer input
  bool fit_per_snr = true;   ///< fit transform and quantizer on the training probes of each SNR (else on all SNRs)
  void describe(config::schema& s);
};

/// Which probe of the TDD pair Eve's observation `k` of `d` is (the `when` of feature_pipeline::transform): /eve holds
/// the downlink (+1) when she stands near Bob, the uplink (−1) near Alice; `uplink` = true asks for /eve_uplink, the
/// other one.
int eve_probe_when(const dataset::wiretap_data& d, std::size_t k, bool uplink = false);

/// Fitted preprocessing: one party's CSI `[n, alice_ant, bob_ant, sc, sym]` -> features `[n, d]`.
class feature_pipeline {
 public:
  explicit feature_pipeline(feature_config cfg) : cfg_(std::move(cfg)) {}
  /// Fits on one party's training CSI (Bob's, or each party its own in the key chain): the per-tap slope gains
  /// (symbols = probe, slope_gains = tap, a line extrapolated) and the PCA directions.
  void fit(const ndarray<std::complex<float>>& train_csi);
  /// `when`: which probe of the TDD pair `csi` is — +1 the earlier (downlink: Bob's, and Eve's of Alice's probe when
  /// she stands near Bob), −1 the later (uplink: Alice's), 0 neither; it signs `extrapolate_symbols`.
  ndarray<double> transform(const ndarray<std::complex<float>>& csi, int when = 0) const;

 private:
  ndarray<double> base(const ndarray<std::complex<float>>& csi, int when) const;
  feature_config cfg_;
  pca pca_;
  std::vector<double> tap_gains_;    ///< slope_tap_gains of the training CSI (empty: not fitted or not used)
  std::vector<double> slope_scale_;  ///< slope_features: per antenna pair and tap, gain·sqrt(mean power / slope power)
};

/// One row: the test probes at one SNR, against Eve at one position.
struct eval_row {
  double snr_dB = 0;
  double eve_distance_wavelengths = 0;
  std::size_t nof_probes = 0;
  double bits_per_probe = 0;  ///< bits Alice and Bob keep per probe (after public drops)
  kdr_result ab, ae, be;      ///< bitwise Clopper–Pearson intervals (assume independent bits)
  double ab_probe_low = 0, ab_probe_high = 1;  ///< interval from the per-probe KDRs (bits of a probe are correlated)
  double ae_probe_low = 0, ae_probe_high = 1;  ///< the same for Alice-Eve
  double entropy_bits = 0;    ///< empirical entropy of Alice's levels [bits/symbol]
  double mi_ab = 0, mi_ae = 0, mi_be = 0;  ///< Gaussian MI estimates [bits/probe] on all probes of this SNR;
                                           ///< NaN when too few probes
  double bound = 0;           ///< max(0, I(A;B) − min(I(A;E), I(B;E))) [bits/probe]
  double efficiency = 0;      ///< bits_per_probe / bound
};

struct eval_result {
  std::vector<eval_row> rows;
  std::size_t nof_features = 0;  ///< quantizer input dimension d
  std::size_t mi_dims = 0;       ///< dimensions the MI estimate used
  std::string mi_estimator;      ///< one sentence: which estimator, on what
  std::vector<std::uint8_t> alice_bits_top_snr;  ///< Alice's kept bits at the highest SNR, test probes in order
  double top_snr_dB = 0;
  table to_table() const;
};

/// The test-split bits of one SNR group, in probe order, and the group's public calibration: what `keygen run`
/// feeds the key-agreement protocol.
struct snr_bits {
  double snr_dB = 0;
  std::vector<std::size_t> probe_offsets;         ///< probe i's bits are [probe_offsets[i], probe_offsets[i+1])
  std::vector<std::uint8_t> alice, bob;           ///< kept bits (public mask applied)
  std::vector<std::vector<std::uint8_t>> eve;     ///< per Eve position, same positions
  std::vector<double> eve_distance_wavelengths;   ///< per Eve position
  std::vector<double> mi_ae, bound;               ///< per Eve position [bits/probe] (NaN: too few probes)
  std::size_t nof_probes() const { return probe_offsets.empty() ? 0 : probe_offsets.size() - 1; }
};

/// Runs the evaluation on the dataset's test split (features and quantizer fitted on its train split).
/// `seed` drives only Eve's coin for values her quantizer drops. With `bits`, also returns every SNR group's bits.
eval_result evaluate_wiretap(const dataset::wiretap_data& d, const eval_config& cfg, std::uint64_t seed,
                             std::vector<snr_bits>* bits = nullptr);

}  // namespace physec::keygen
