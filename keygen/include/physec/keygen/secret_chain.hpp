#pragma once
/// @file The secret-key chain of issue #15, per link (one evolving channel, one environment):
///
///   whole-probe features (denoise_probes, amplitudes) -> KLT fitted on the link's calibration probes (train split,
///   Alice's and Bob's together) -> per coefficient: A-B correlation ρ, a bit count from ρ, equiprobable Gray-coded
///   levels -> bits; and the public calibration of the PA length, from the link's validation probes:
///   H(X|E) per realisation = the mean surprisal −log2 P(x | Eve's observations) of Alice's levels under Eve's best
///   linear (LMMSE) estimator of Alice's coefficients from all her observations (both probes, all symbols, each
///   through the same features and KLT), with Gaussian residuals; its variance V (the second-order term); the A-B
///   bit error rate (Cascade's first block size, instead of revealing sample bits).
///
/// The calibration (KLT, bit counts, thresholds, Eve's estimator, H, V, error rate) is public: a calibration
/// campaign on the same link, before the key-generation probes (test split), which it never sees.

#include <complex>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/features.hpp"
#include "physec/keygen/protocol.hpp"

namespace physec::keygen {

/// chain.transform = key_encoder: the encoder trained for keys (issue #16; trained by `physec_keygen_models`, which
/// links LibTorch). One encoder per SNR (or per dataset), shared by Alice and Bob, trained on the calibration probes
/// of every link of the pool and selected on their validation probes.
struct key_encoder_config {
  int outputs = 12;                 ///< m, encoder outputs; the allocation keeps those whose A-B correlation is high
  int hidden = 64;                  ///< width of the hidden layer
  std::string pool = "all";         ///< all: one encoder for the whole dataset; snr: one per SNR (its links)
  int epochs = 150;                 ///< most training epochs
  int patience = 30;                ///< epochs without a lower validation loss before stopping
  int batch = 128;                  ///< (Alice, Bob) pairs per step
  double learning_rate = 1e-3;      ///< Adam, encoder and adversary
  std::string agreement = "information";  ///< information: −mean ½·log2(1 − ρ_j²); correlation: mean(1 − ρ_j)
  double weight_decorrelation = 10; ///< λ_d of the decorrelation term
  double weight_uniformity = 1;     ///< λ_u of the uniformity term
  double weight_secrecy = 1;        ///< λ_e of the adversarial Eve term (0: no adversary)
  void describe(config::schema& s);
};

/// One link's inputs for a learned map: each party's KLT coefficients standardised with the link's calibration
/// standard deviations, `[n, q]`, and Eve's regressors (the first chain.eve_regressors KLT coefficients of each of her
/// observations at every position, standardised) `[n, e]`; calibration (train) and validation probes.
struct learned_map_link {
  ndarray<double> alice_train, bob_train, eve_train;
  ndarray<double> alice_val, bob_val, eve_val;
};

/// A public map from one party's standardised KLT coefficients `[n, q]` to the values the allocation quantizes
/// `[n, m]`; the same map for both parties.
class learned_map {
 public:
  virtual ~learned_map() = default;
  virtual ndarray<double> apply(const ndarray<double>& x) const = 0;
};

/// Fits one learned map on the links of a pool (their order: ascending SNR, then link key).
using learned_map_trainer =
    std::function<std::shared_ptr<const learned_map>(const std::vector<learned_map_link>& links, double snr_dB)>;

struct chain_config {
  feature_config features;          ///< whole-probe features (symbols = probe); method is ignored (KLT below);
                                    ///< not a config section: the commands copy their [features] here
  std::string value = "phase_aligned";  ///< the chain's per-coefficient value (replaces [features].value): phase_aligned
                                        ///< (Re/Im after removing the probe's common phase) or amplitude
  bool normalise_power = false;     ///< the chain's [features].normalise_power (replaces it): false keeps each
                                    ///< probe's fading power, a reciprocal quantity the per-probe RMS removes
  bool slope_features = false;      ///< the chain's [features].slope_features (replaces it): each kept tap's drift over
                                    ///< the probe as more reciprocal coefficients (off: the quickstart's calibration bits
                                    ///< fail the SP 800-90B excursion test with them; docs/key-agreement.md)
  bool standardise_per_party = true;  ///< each party quantizes its coefficient standardised by its own calibration
                                      ///< mean and deviation (a fixed gain mismatch between the views cancels)
  int nof_components = 12;          ///< KLT components considered per link
  std::string transform = "klt";    ///< klt: the joint KLT's coefficients; cca: canonical variates of Alice's and Bob's
                                    ///< KLT coefficients (a map per party, ridge-regularised); key_encoder: the outputs
                                    ///< of an encoder trained for keys on the standardised KLT coefficients; baselines:
                                    ///< raw (every feature), pca (fitted on Bob's calibration features only), dct
  double cca_ridge = 0.1;           ///< cca: each party's covariance + ridge·(mean variance)·I before whitening
  std::string correlation = "pearson";  ///< calibrated A-B correlation: pearson | rank (Spearman -> 2 sin(πρ_s/6))
  int max_bits = 6;                 ///< most bits per coefficient
  double min_correlation = 0.5;     ///< coefficients whose calibrated A-B correlation is below are dropped
  double leak_factor = 1.25;        ///< reconciliation leakage / h(p) assumed when choosing bit counts (Cascade)
  std::string allocation = "auto";  ///< bit counts for hard decisions (m·(1 − leak_factor·h(p_m)), Cascade, ldpc) or
                                    ///< soft ones (m − soft_leak_factor·m·H_soft(ρ, m), ldpc_soft); auto: soft when the
                                    ///< command's agree.reconciliation is ldpc_soft (resolve_allocation), else hard
  double soft_leak_factor = 1.15;   ///< allocation = soft: syndrome bits / soft conditional entropy assumed
  int eve_regressors = 4;           ///< KLT components of each of Eve's two probes her estimator uses
  double entropy_confidence_z = 2.326;  ///< H(X|E) lower confidence bound: mean − z·sd/√n over validation probes
  bool redundancy_correction = true;    ///< H(X|E) − the kept coefficients' redundancy (chain_link_row::redundancy)
  key_encoder_config key_encoder;   ///< transform = key_encoder
  void describe(config::schema& s);
};

/// chain.allocation = auto -> soft for reconciliation = ldpc_soft (Bob decodes with his LLRs), hard otherwise.
void resolve_allocation(chain_config& chain, const std::string& reconciliation);

/// Whose features a projection is applied to (with CCA, Alice and Bob have their own maps).
enum class chain_party { alice, bob };

/// KLT (or KLT + CCA) + per-coefficient bit allocation of one link.
class coefficient_allocator {
 public:
  /// Fits on the link's calibration features `[n, d]` of Alice and Bob (same probes). transform = key_encoder: call
  /// set_learned_map() first.
  void fit(const ndarray<double>& alice, const ndarray<double>& bob, const chain_config& cfg);
  /// Fits only the joint KLT and the standard deviation of each of its coefficients (what fit() does first).
  void fit_klt(const ndarray<double>& alice, const ndarray<double>& bob, const chain_config& cfg);
  /// `[n, d]` -> `[n, q]`: KLT coefficients divided by their calibration standard deviations (after fit_klt).
  ndarray<double> standardised(const ndarray<double>& x) const;
  /// The learned map that transform = key_encoder applies to standardised().
  void set_learned_map(std::shared_ptr<const learned_map> map) { map_ = std::move(map); }
  /// `[n, d]` of one party -> `[n, kept]`: its kept coefficients (KLT, or canonical variates with CCA), each
  /// standardised by the party's own calibration mean and deviation when chain.standardise_per_party.
  ndarray<double> project(const ndarray<double>& x, chain_party p) const;
  /// `[n, d]` of one party -> `[n, all]`: every coefficient the allocation considered (KLT or canonical variates).
  ndarray<double> coefficients(const ndarray<double>& x, chain_party p) const;
  /// `[n, d]` -> `[n, all]`: every KLT coefficient considered (Eve's regressors).
  ndarray<double> project_all(const ndarray<double>& x) const { return klt_transform(x); }
  /// The last `columns` feature columns (the slope features) get a KLT of their own, whose coefficients follow the
  /// first block's: a joint KLT would mix a tap's level with its drift where their variances meet, and a coefficient
  /// mixing a reliable direction with a noisy one loses what the reliable one carried. Call before fit.
  void set_trailing_block(std::size_t columns) { trailing_ = columns; }
  /// Levels `[n, kept]` of kept coefficients `[n, kept]` (from project).
  ndarray<int> levels(const ndarray<double>& coeffs) const;
  /// Gray-coded bits of levels `[n, kept]`, probe by probe, bits_per_coefficient()[c] bits each, MSB first.
  std::vector<std::uint8_t> bits(const ndarray<int>& levels) const;
  /// Bob's LLR ln P(a = 0 | y)/P(a = 1 | y) of each of Alice's bits, in the order of bits(), from his kept
  /// coefficients `[n, kept]` (project(·, bob)): each coefficient pair bivariate normal with the calibrated means,
  /// standard deviations and correlation, Alice's level the interval between her thresholds, marginalised per Gray bit.
  std::vector<double> llr(const ndarray<double>& bob_coeffs) const;
  const std::vector<int>& bits_per_coefficient() const { return bits_; }
  const std::vector<double>& correlation() const { return rho_; }  ///< of the kept coefficients
  const std::vector<std::vector<double>>& thresholds() const { return thresholds_; }
  int bits_per_probe() const;

 private:
  ndarray<double> klt_transform(const ndarray<double>& x) const;
  pca klt_, bob_pca_, klt_trailing_;
  std::size_t trailing_ = 0;
  std::string transform_ = "klt";
  bool interleaved_ = true;              // features are Re, Im interleaved (value = phase_aligned)
  std::size_t nof_components_ = 0;
  std::vector<double> klt_sd_;           // per KLT coefficient, calibration (Alice and Bob)
  std::shared_ptr<const learned_map> map_;
  bool cca_ = false;
  std::vector<double> mean_a_, mean_b_;  // cca: per-party mean of the KLT coefficients
  std::vector<double> w_a_, w_b_;        // cca: [q, q] row-major, KLT coefficients -> canonical variates
  std::vector<std::size_t> kept_;
  std::vector<int> bits_;
  std::vector<double> rho_;
  std::vector<double> mean_ka_, sd_ka_, mean_kb_, sd_kb_;  // per kept coefficient, calibration
  bool per_party_ = false;               // project() standardises with them; thresholds in standard units
  std::vector<std::vector<double>> thresholds_;
};

/// Expected bit disagreement per Gray bit of two m-bit equiprobable quantizers applied to standard bivariate normal
/// variables with correlation ρ (numerical integration). m = 1: arccos(ρ)/π (Sheppard).
double gray_bit_disagreement(double rho, int m);

/// Expected cross-entropy per Gray bit, E[−log2 P(a_b | y)] averaged over the m bits, of Alice's m-bit equiprobable
/// Gray-coded level of a standard normal x given Bob's continuous y, (x, y) standard bivariate normal with
/// correlation ρ (numerical integration over y): what soft-decision reconciliation with per-bit LLRs must disclose
/// per bit at best. m = 1: E_y[h(Φ(−ρy/√(1−ρ²)))].
double gray_bit_soft_entropy(double rho, int m);

/// One link's row of the report.
struct chain_link_row {
  std::string profile;
  double snr_dB = 0;
  std::size_t nof_calibration = 0, nof_validation = 0, nof_test = 0;
  std::size_t nof_coefficients = 0;  ///< kept
  int bits_per_probe = 0;
  double kdr_validation = 0;         ///< A-B bit disagreement on validation probes
  double kdr_test = 0;               ///< on test probes
  double h_cond = 0;                 ///< H(X|E) per realisation, lower confidence bound [bits]
  double v_cond = 0;                 ///< its variance V [bits²]
  double mi_ae = 0;                  ///< Gaussian I(A;E) of the kept coefficients [bits/realisation], Eve's best
  std::vector<double> rho_validation;  ///< A-B correlation of every coefficient considered, on the validation probes
  double h_soft = 0;                 ///< cross-entropy of Alice's bits given Bob's LLRs per realisation (validation)
  double i_ab_features = 0;          ///< −½ Σ log2(1 − ρ²) over rho_validation (ρ > 0): the Gaussian I(A;B) the
                                     ///< features carry [bits/realisation]
  double redundancy = 0;             ///< −½ log2 det(R), R the correlation matrix of Alice's kept coefficients on the
                                     ///< validation probes, less its small-sample bias: their Gaussian total
                                     ///< correlation [bits/realisation], what H(X|E), summed coefficient by
                                     ///< coefficient, may count twice; NaN when there are too few validation probes
  double i_ab_analytic = 0;          ///< I(A;B) of the complex Gaussian channel with the simulated covariance
                                     ///< at Alice's probe time, both parties observing it with the noise of a
                                     ///< T-symbol average (no TDD gap) [bits/realisation]
  double bound = 0;                  ///< i_ab_analytic − mi_ae [bits/realisation]
  double i_ab_analytic_tdd = 0;      ///< the same with the TDD frame: every symbol of Bob's (downlink) probe against
                                     ///< every symbol of Alice's (uplink) probe, each with the per-symbol noise, under
                                     ///< the separable covariance of separable_channel_mi_bits estimated from the
                                     ///< simulated channel at both probes (/clean, /clean_downlink); NaN without
                                     ///< /clean_downlink [bits/realisation]
  double bound_tdd = 0;              ///< i_ab_analytic_tdd − mi_ae [bits/realisation]
  double realisations_per_probe = 1; ///< min(1, probe interval / coherence time)
  double probe_interval_s = 0;       ///< NaN for i.i.d. probes
  std::vector<double> eve_kdr;       ///< per Eve position: her LMMSE bits vs Alice's on test probes
};

/// The test probes of one SNR, every link concatenated, with their public calibration.
struct chain_group {
  double snr_dB = 0;
  std::vector<std::size_t> probe_offsets;      ///< probe i's bits are [probe_offsets[i], probe_offsets[i+1])
  std::vector<std::uint8_t> alice, bob;        ///< Alice's and Bob's bits
  std::vector<std::vector<std::uint8_t>> eve;  ///< per Eve position: the bits of her LMMSE estimate of Alice's
  std::vector<double> eve_distance_wavelengths;
  std::vector<std::string> eve_near;           ///< per Eve position: "bob" | "alice"
  std::vector<double> h, v, weight;            ///< per test probe: H(X|E), V, realisations (≤ 1)
  std::vector<double> h_soft;                  ///< per test probe: its link's calibrated soft cross-entropy [bits]
  std::vector<double> bob_llr;                 ///< Bob's LLR of each of Alice's bits (aligned with bob)
  std::vector<int> bits_per_probe;             ///< per test probe
  double error_rate = 0;                       ///< calibrated A-B bit error rate (validation probes, all links)
  std::vector<std::uint8_t> calibration_alice; ///< Alice's bits of the calibration probes, link after link in time
                                               ///< (before reconciliation and PA; the SP 800-90B IID tests' input)
  std::vector<chain_link_row> links;
  std::size_t nof_probes() const { return probe_offsets.empty() ? 0 : probe_offsets.size() - 1; }
  /// The public calibration of test probes [p0, p1): sums over their realisations (the PA length's inputs).
  pa_calibration calibration(std::size_t p0, std::size_t p1) const;
};

/// Runs the chain on every link of the dataset; one group per SNR (ascending). transform = key_encoder needs
/// `trainer` (physec_keygen_models' key_encoder_trainer), called once per pool of links before the allocation.
std::vector<chain_group> build_secret_chain(const dataset::wiretap_data& d, const chain_config& cfg,
                                            const learned_map_trainer& trainer = {});

}  // namespace physec::keygen
