#pragma once
/// @file Quantizers: real-valued channel features -> levels -> Gray-coded bits.
///
/// - quantile (Alashqar et al., IEEE Access 2025): 2^m equiprobable levels from the empirical quantiles of the
///   training data, fitted once and applied identically by every party to its own data;
/// - mean threshold: 1 bit, x > mean of the party's own block (per feature);
/// - guard band (Mathur et al., MobiCom 2008): 1 bit, thresholds mean ± alpha·std of the party's own block; values
///   in between are dropped and their indices announced, so all parties drop the union;
/// - multibit (Jana et al., MobiCom 2009, adaptive secret bit generation): per block of the party's own data,
///   2^m equiprobable intervals with a guard band of a fraction alpha of each interval's probability mass around
///   its edges; values in a guard band are dropped.
///
/// Shapes: features are `[nof_samples, nof_features]` row-major (physec::ndarray<double>); levels have the same
/// shape, with k_dropped where a value falls in a guard band.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/ndarray.hpp"

namespace physec::keygen {

/// Level index of a dropped value.
constexpr int k_dropped = -1;

/// Binary-reflected Gray code of k, and its inverse: neighbouring levels differ in exactly one bit.
constexpr std::uint32_t gray_encode(std::uint32_t k) { return k ^ (k >> 1); }
std::uint32_t gray_decode(std::uint32_t g);

/// Configuration of every quantizer (one struct: the CLI picks the method by name).
struct quantizer_config {
  std::string method = "quantile";  ///< quantile | mean | guard | multibit
  int bits = 1;                     ///< m: bits per value (quantile, multibit); mean and guard give 1
  bool per_feature = true;          ///< quantile: thresholds per feature (true) or pooled over features
  double guard_alpha = 0.5;         ///< guard: band half-width in std; multibit: dropped mass fraction
  int block_size = 0;               ///< guard/mean/multibit: samples per adaptive block, 0 = all at once
  void describe(config::schema& s);
};

/// A quantizer: fit (where it learns from training data), then levels of any data of the same width.
class quantizer {
 public:
  virtual ~quantizer() = default;
  virtual std::string name() const = 0;
  /// Bits emitted per kept value.
  virtual int bits_per_value() const = 0;
  /// Learns from training features [n, d]; block-adaptive quantizers only record d.
  virtual void fit(const ndarray<double>& train) = 0;
  /// Levels [n, d] of features [n, d]; k_dropped where a value is not used.
  virtual ndarray<int> levels(const ndarray<double>& x) const = 0;
};

/// Builds the quantizer named by `cfg.method` (validated).
std::unique_ptr<quantizer> make_quantizer(const quantizer_config& cfg);

/// The quantile quantizer, exposed for its thresholds.
class quantile_quantizer final : public quantizer {
 public:
  quantile_quantizer(int bits, bool per_feature);
  std::string name() const override { return "quantile"; }
  int bits_per_value() const override { return bits_; }
  void fit(const ndarray<double>& train) override;
  ndarray<int> levels(const ndarray<double>& x) const override;
  /// Thresholds [nof_features or 1][2^m - 1], ascending.
  const std::vector<std::vector<double>>& thresholds() const { return thresholds_; }

 private:
  int bits_;
  bool per_feature_;
  std::size_t nof_features_ = 0;
  std::vector<std::vector<double>> thresholds_;
};

/// Keeps only positions kept by every party: `mask[i] = 1` where no level array has k_dropped. Same shapes.
std::vector<std::uint8_t> common_mask(const std::vector<const ndarray<int>*>& levels);

/// Gray-coded bits of the levels at kept positions, in row-major order, `bits_per_value` bits each, MSB first.
std::vector<std::uint8_t> to_bits(const ndarray<int>& levels, int bits_per_value, const std::vector<std::uint8_t>& mask);

}  // namespace physec::keygen
