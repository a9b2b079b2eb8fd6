#pragma once
/// @file The 15 tests of NIST SP 800-22 rev1a (§2.1–§2.15), each on one bit sequence.
///
/// Every test returns a test_result: its P-value(s) (§2.x.5: the sequence is judged non-random at level α when
/// P-value < α), the intermediate statistics the document prints in its worked examples (§2.x.4, §2.x.8), whether
/// the input-size recommendation of §2.x.7 was met, and a skipped state with its reason where the test cannot be
/// computed (e.g. random excursions with fewer than 500 cycles, §2.14.7). Special functions: erfc and the
/// regularised upper incomplete gamma function igamc(a, x) = Γ(a, x)/Γ(a) (§5.5.3) from Boost.Math; the DFT test
/// uses FFTW.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "physec/randomness/bits.hpp"
#include "physec/randomness/nist_config.hpp"

namespace physec::randomness {

/// What one SP 800-22 test found on one sequence.
struct test_result {
  std::string name;                                        ///< reference-suite name, e.g. "BlockFrequency"
  std::vector<double> p_values;                            ///< one per sub-test; empty when skipped
  std::vector<std::string> labels;                         ///< per P-value: "", "forward", "x=+1", "000000001"
  std::vector<std::pair<std::string, double>> statistics;  ///< intermediate values, e.g. {"chi2", 7.2}
  bool recommendation_met = true;                          ///< the input-size recommendation of §2.x.7 held
  std::string recommendation;                              ///< that recommendation, in words (for reports)
  bool skipped = false;                                    ///< the test could not be computed on this sequence
  std::string skip_reason;                                 ///< why, when skipped

  /// The named intermediate statistic; throws physec::error when absent.
  double statistic(const std::string& key) const;
  /// The P-value with this label; throws physec::error when absent.
  double p_value(const std::string& label) const;
};

/// §2.1 Frequency (monobit) test. P = erfc(|S_n|/√(2n)).
test_result frequency_test(bit_view bits, const nist_config& cfg = {});
/// §2.2 Frequency test within a block (block length cfg.block_frequency_M). P = igamc(N/2, χ²/2).
test_result block_frequency_test(bit_view bits, const nist_config& cfg = {});
/// §2.3 Runs test. P = 0 when the frequency prerequisite |π − 1/2| < 2/√n fails (§2.3.4 step 2).
test_result runs_test(bit_view bits, const nist_config& cfg = {});
/// §2.4 Test for the longest run of ones in a block (M = 8, 128 or 10⁴ by the table of §2.4.2).
test_result longest_run_test(bit_view bits, const nist_config& cfg = {});
/// §2.5 Binary matrix rank test (M × Q matrices over GF(2); rank probabilities of §3.5).
test_result rank_test(bit_view bits, const nist_config& cfg = {});
/// §2.6 Discrete Fourier transform (spectral) test, rev1a threshold T = √(ln(1/0.05)·n) and variance n·0.95·0.05/4.
test_result dft_test(bit_view bits, const nist_config& cfg = {});
/// §2.7 Non-overlapping template matching test, one P-value per aperiodic template of length m (148 for m = 9),
/// labelled by the template's bits, in increasing binary order (the order of the reference suite's template files).
test_result non_overlapping_template_test(bit_view bits, const nist_config& cfg = {});
/// §2.8 Overlapping template matching test (template of m ones, K = 5; class probabilities per
/// nist_config::reference_probabilities).
test_result overlapping_template_test(bit_view bits, const nist_config& cfg = {});
/// §2.9 Maurer's "universal statistical" test (L, Q from the table of §2.9.7 unless set).
test_result universal_test(bit_view bits, const nist_config& cfg = {});
/// §2.10 Linear complexity test (Berlekamp–Massey on blocks of M bits, K = 6; π_0 per
/// nist_config::reference_probabilities).
test_result linear_complexity_test(bit_view bits, const nist_config& cfg = {});
/// §2.11 Serial test; two P-values, labelled "1" (∇ψ²_m) and "2" (∇²ψ²_m).
test_result serial_test(bit_view bits, const nist_config& cfg = {});
/// §2.12 Approximate entropy test.
test_result approximate_entropy_test(bit_view bits, const nist_config& cfg = {});
/// §2.13 Cumulative sums test; two P-values, labelled "forward" and "reverse".
test_result cumulative_sums_test(bit_view bits, const nist_config& cfg = {});
/// §2.14 Random excursions test; eight P-values for the states x = −4…−1, +1…+4, labelled "x=-4" … "x=+4".
test_result random_excursions_test(bit_view bits, const nist_config& cfg = {});
/// §2.15 Random excursions variant test; 18 P-values for x = −9…−1, +1…+9, labelled "x=-9" … "x=+9".
test_result random_excursions_variant_test(bit_view bits, const nist_config& cfg = {});

/// One entry of the suite: the reference name and the function.
struct nist_test {
  std::string name;                                              ///< e.g. "Frequency"
  std::function<test_result(bit_view, const nist_config&)> run;  ///< the test
};
/// The 15 tests, in the order of the reference suite's finalAnalysisReport.
const std::vector<nist_test>& all_tests();
/// Runs all 15 tests on one sequence.
std::vector<test_result> run_all_tests(bit_view bits, const nist_config& cfg = {});

/// All aperiodic templates of length m (§2.7.1: no proper prefix equals the suffix of the same length, so two
/// occurrences cannot overlap), as m-bit integers with the first template bit most significant, in increasing order.
std::vector<std::uint32_t> aperiodic_templates(std::size_t m);

/// The default-probability tables of §3.5: probability that a random M × Q matrix over GF(2) has rank r.
double rank_probability(std::size_t rows, std::size_t columns, std::size_t rank);

}  // namespace physec::randomness
