#pragma once
/// @file Suite-level analysis of SP 800-22 rev1a §4.2 over many sequences: the proportion of sequences passing each
/// test at level α against the interval p̂ ± 3·√(p̂(1 − p̂)/m), p̂ = 1 − α (§4.2.1), and the uniformity of the
/// P-values, χ² over 10 bins with P-value_T = igamc(9/2, χ²/2) >= 0.0001 (§4.2.2). The report has the layout of
/// the reference suite's finalAnalysisReport.

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "physec/core/table.hpp"
#include "physec/randomness/nist_tests.hpp"

namespace physec::randomness {

/// §4.2.2 asks for at least 55 sequences before the uniformity of P-values is judged.
inline constexpr std::size_t min_sequences_for_uniformity = 55;

/// One row of the final analysis report: one P-value series (a test, or a sub-test such as a template) over the
/// sequences on which it was computed.
struct suite_row {
  std::string test;                         ///< reference name, e.g. "NonOverlappingTemplate"
  std::string label;                        ///< sub-test, e.g. "000000001", "x=+1", "forward"; "" when single
  std::array<std::size_t, 10> histogram{};  ///< C1 … C10: P-values in [0, 0.1), …, [0.9, 1]
  std::size_t nof_sequences = 0;            ///< m: sequences with a P-value for this row (skipped ones excluded)
  std::size_t nof_passed = 0;               ///< sequences with P-value >= α
  double proportion = 0;                    ///< nof_passed / nof_sequences
  double proportion_low = 0;                ///< §4.2.1 interval, lower end
  double proportion_high = 0;               ///< §4.2.1 interval, upper end
  double p_value_uniformity = 0;            ///< §4.2.2 P-value_T
  bool uniformity_applicable = false;       ///< nof_sequences >= 55 (§4.2.2)

  /// Proportion within the §4.2.1 interval (the upper end is not a failure: it is >= 1 for usual m).
  bool proportion_ok() const { return nof_sequences > 0 && proportion >= proportion_low; }
  /// P-value_T >= 0.0001 (§4.2.2), or too few sequences to judge.
  bool uniformity_ok() const { return !uniformity_applicable || p_value_uniformity >= 0.0001; }
  /// Both criteria hold.
  bool passed() const { return proportion_ok() && uniformity_ok(); }
};

/// The report over a set of sequences.
struct suite_report {
  double alpha = 0.01;                         ///< significance level of each test
  std::size_t nof_sequences = 0;               ///< sequences analysed
  std::size_t sequence_length = 0;             ///< bits per sequence [bits]
  std::vector<suite_row> rows;                 ///< in the order the tests ran, sub-tests in their order
  std::map<std::string, std::size_t> skipped;  ///< per test: sequences on which it was skipped

  /// One table row per suite_row: test, label, C1 … C10, p_value_T, passed, tested, proportion, result.
  table to_table() const;
  /// Text in the layout of the reference suite's finalAnalysisReport.
  std::string final_analysis_report() const;
  /// {"alpha", "nof_sequences", "sequence_length", "all_passed", "skipped": {test: count}, "rows": to_table()}.
  nlohmann::json to_json() const;
  /// Every row passed.
  bool all_passed() const;
  /// The row of a test (and sub-test label); throws physec::error when absent.
  const suite_row& row(const std::string& test, const std::string& label = {}) const;
};

/// Collects the P-values of many sequences, one sequence at a time.
class suite_accumulator {
 public:
  explicit suite_accumulator(double alpha = 0.01) : alpha_(alpha) {}
  /// Adds the results of all tests on one sequence.
  void add(const std::vector<test_result>& results);
  /// The §4.2 analysis of everything added so far.
  suite_report report(std::size_t sequence_length) const;

 private:
  double alpha_;
  std::size_t nof_sequences_ = 0;
  std::vector<std::pair<std::string, std::string>> keys_;  // (test, label) in first-seen order
  std::map<std::pair<std::string, std::string>, std::vector<double>> p_values_;
  std::map<std::string, std::size_t> skipped_;
};

/// The results of all tests on one sequence, one row per P-value: test, label, p_value, result ("pass" when
/// P-value >= α, "FAIL", or "skipped"), recommendation_met, note (the skip reason or the unmet recommendation).
table single_sequence_table(const std::vector<test_result>& results, double alpha);

/// §4.2.1 interval p̂ ± 3·√(p̂(1 − p̂)/m), p̂ = 1 − α: {low, high}.
std::pair<double, double> proportion_interval(double alpha, std::size_t nof_sequences);
/// §4.2.2: P-value_T of a set of P-values (10 bins, χ² with 9 degrees of freedom).
double uniformity_p_value(const std::vector<double>& p_values);

/// Splits `bits` into `nof_sequences` consecutive sequences of `sequence_length` bits, runs all 15 tests on each
/// and analyses them (§4.2). Throws physec::error when `bits` is too short.
suite_report run_suite(bit_view bits, std::size_t sequence_length, std::size_t nof_sequences,
                       const nist_config& cfg = {});

}  // namespace physec::randomness
