#pragma once
/// @file Preprocessing: CSI -> real feature vectors, and the classical transforms the paper compares against
/// (PCA/KLT fitted on Bob's training data; DCT).

#include <complex>
#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::keygen {

/// CSI `[nof_samples, ...]` (any trailing shape) -> features `[nof_samples, d]`:
/// "amplitude": |h| (d = product of the trailing extents); "real_imag": Re h and Im h interleaved (2x that).
ndarray<double> csi_features(const ndarray<std::complex<float>>& csi, const std::string& mode);

/// Whole-probe denoising, the common input of every method (classical and learned): CSI
/// `[n, alice_ant, bob_ant, subcarriers, symbols]` -> `[n, alice_ant, bob_ant, subcarriers, 1]`.
/// Per probe and antenna pair: every symbol is derotated to symbol 0's common phase (CFO and phase noise turn the
/// whole symbol; the angle of Σ_k h_t,k·conj(h_0,k) estimates it), the symbols are averaged (T-fold noise
/// reduction), and the average is taken to the delay domain (unitary DFT over the subcarriers), where only the taps
/// 0..nof_taps-1 and the last nof_guard_taps (the leakage of early paths) are kept; back to frequency. Finally the
/// probe is divided by its RMS over antenna pairs and subcarriers (per-probe normalisation: RF gain mismatch and
/// large-scale power cancel, and so does the small-scale fading power, a reciprocal quantity); `normalise_power` =
/// false keeps the probe's level. `nof_taps` = 0 keeps every tap.
///
/// `extrapolate_symbols` ≠ 0 replaces the average by the least-squares straight line through the derotated symbols
/// (per subcarrier), evaluated that many symbol durations after the probe's centre (before it when negative). Across a
/// TDD gap the two parties can so meet at one instant: with adjacent 14-symbol probes, the earlier probe at +7 and the
/// later at −7. The line's slope is noisy (Var = σ²/Σ(t − t̄)², σ² the per-sample noise): the plain line's noise grows
/// 1 + 12x²/(T² − 1)-fold, 4.0x at x = 7, T = 14. With `shrink_slope` the slope (after the same delay-domain
/// truncation as the mean) is multiplied by g = max(0, 1 − N/P) per probe, P its power summed over antenna pairs and
/// subcarriers and N that sum's noise part, pairs·K·σ²/Σ(t − t̄)²·kept/K with σ² from the lines' residuals
/// (RSS/(pairs·K·(T − 2))): the Wiener gain of the slope, so a probe whose drift is buried in noise is averaged
/// (g → 0) and a clean one extrapolated (g → 1). With `tap_gains` (from slope_tap_gains, `[pairs·K]`) each delay tap's
/// slope is multiplied by its own gain instead: strong taps, whose drift stands far above the noise, are extrapolated
/// and weak ones averaged, which one gain per probe cannot do. `slopes`, when given, receives every probe's line
/// slopes per antenna pair and delay tap, `[n, pairs, K]` (unitary DFT over the subcarriers, DFT order, untruncated,
/// per symbol, in the probe's derotated frame; divided by the probe's RMS too when `normalise_power`).
ndarray<std::complex<float>> denoise_probes(const ndarray<std::complex<float>>& csi, std::size_t nof_taps,
                                            std::size_t nof_guard_taps, double extrapolate_symbols = 0,
                                            bool shrink_slope = true, bool normalise_power = true,
                                            const std::vector<double>& tap_gains = {},
                                            ndarray<std::complex<float>>* slopes = nullptr);

/// The Wiener gain of each delay tap's slope for denoise_probes, from one party's probes of one channel (its
/// calibration probes): per antenna pair and tap l (unitary DFT over the subcarriers, DFT order), g_l = q_l/(q_l + N)
/// with N = σ²/Σ(t − t̄)² the slope's noise (σ² the mean per-sample noise from the lines' residuals) and q_l =
/// max(0, mean |slope_l|² − N) its signal power; 0 for the taps the truncation cuts. `[pairs·K]`; needs T ≥ 3.
/// Whether delay tap `l` of `K` survives denoise_probes' truncation: taps 0..nof_taps-1 and the last nof_guard_taps
/// (nof_taps = 0 keeps every tap).
bool delay_tap_kept(std::size_t l, std::size_t K, std::size_t nof_taps, std::size_t nof_guard_taps);

/// What slope_tap_gains measures, per antenna pair and tap (`[pairs·K]` each): the mean power of the lines' means and
/// slopes over the probes, the slope noise N, and the gains.
struct probe_line_stats {
  std::vector<double> mean_power, slope_power, gains;
  double slope_noise = 0;
};
probe_line_stats fit_probe_line_stats(const ndarray<std::complex<float>>& csi, std::size_t nof_taps, std::size_t nof_guard_taps);
std::vector<double> slope_tap_gains(const ndarray<std::complex<float>>& csi, std::size_t nof_taps, std::size_t nof_guard_taps);

/// Removes the common phase of every probe, `[n, ...]` -> same shape: each probe is multiplied by conj(s)/|s| with
/// s = Σ of its first `reference_len` entries (after denoise_probes: antenna pair 0's subcarriers, i.e. √K times its
/// delay-0 tap). The LO phase of a reception (and CFO, phase noise) turns the whole probe, so what remains (the
/// phases across subcarriers and antenna pairs relative to pair 0) is reciprocal up to the fixed per-port RF
/// mismatch, a fixed linear map between Alice's and Bob's views. A probe with s = 0 is left as it is.
/// `also`, when given (`[n, ...]`, the same probes), has each probe turned by the same rotation in place.
ndarray<std::complex<float>> align_common_phase(const ndarray<std::complex<float>>& csi, std::size_t reference_len,
                                                ndarray<std::complex<float>>* also = nullptr);

/// Principal component analysis (Karhunen–Loève transform) on features `[n, d]`.
class pca {
 public:
  /// Keeps the `nof_components` directions of largest variance of `train`.
  void fit(const ndarray<double>& train, std::size_t nof_components);
  /// `[n, d]` -> `[n, nof_components]`, projections onto the fitted directions (mean removed).
  ndarray<double> transform(const ndarray<double>& x) const;
  /// Fraction of the training variance the kept components explain.
  double explained_variance() const { return explained_; }

 private:
  std::size_t d_ = 0, k_ = 0;
  std::vector<double> mean_;
  std::vector<double> components_;  // [k, d] row-major
  double explained_ = 0;
};

/// Orthonormal DCT-II along the feature axis: `[n, d]` -> `[n, nof_coefficients]` (the lowest frequencies), via FFTW.
ndarray<double> dct_features(const ndarray<double>& x, std::size_t nof_coefficients);

}  // namespace physec::keygen
