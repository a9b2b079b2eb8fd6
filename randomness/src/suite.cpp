// The list of tests and the suite-level analysis of SP 800-22 rev1a §4.2.

#include "physec/randomness/suite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common.hpp"

namespace physec::randomness {

double test_result::statistic(const std::string& key) const {
  for (const auto& [k, v] : statistics)
    if (k == key) return v;
  throw error("no such statistic", {"", name, std::nullopt}, "a statistic the test reports", key);
}

double test_result::p_value(const std::string& label) const {
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return p_values[i];
  throw error(skipped ? "test skipped: " + skip_reason : "no such P-value label", {"", name, std::nullopt},
              "a label the test reports", label);
}

const std::vector<nist_test>& all_tests() {
  // The order of the reference suite's finalAnalysisReport.
  static const std::vector<nist_test> tests = {
      {"Frequency", frequency_test},
      {"BlockFrequency", block_frequency_test},
      {"CumulativeSums", cumulative_sums_test},
      {"Runs", runs_test},
      {"LongestRun", longest_run_test},
      {"Rank", rank_test},
      {"FFT", dft_test},
      {"NonOverlappingTemplate", non_overlapping_template_test},
      {"OverlappingTemplate", overlapping_template_test},
      {"Universal", universal_test},
      {"ApproximateEntropy", approximate_entropy_test},
      {"RandomExcursions", random_excursions_test},
      {"RandomExcursionsVariant", random_excursions_variant_test},
      {"Serial", serial_test},
      {"LinearComplexity", linear_complexity_test},
  };
  return tests;
}

std::vector<test_result> run_all_tests(bit_view bits, const nist_config& cfg) {
  std::vector<test_result> out;
  out.reserve(all_tests().size());
  for (const auto& t : all_tests()) out.push_back(t.run(bits, cfg));
  return out;
}

std::pair<double, double> proportion_interval(double alpha, std::size_t nof_sequences) {
  const double p = 1 - alpha, m = static_cast<double>(nof_sequences);
  const double half = 3 * std::sqrt(p * (1 - p) / m);  // §4.2.1
  return {p - half, p + half};
}

double uniformity_p_value(const std::vector<double>& p_values) {
  std::array<double, 10> f{};
  for (double p : p_values) f[std::min<std::size_t>(static_cast<std::size_t>(std::max(p, 0.0) * 10), 9)] += 1;
  const double expected = static_cast<double>(p_values.size()) / 10;
  double chi2 = 0;
  for (double c : f) chi2 += (c - expected) * (c - expected) / expected;  // §4.2.2
  return detail::igamc(4.5, chi2 / 2);
}

void suite_accumulator::add(const std::vector<test_result>& results) {
  ++nof_sequences_;
  for (const auto& r : results) {
    if (r.skipped) {
      ++skipped_[r.name];
      continue;
    }
    for (std::size_t i = 0; i < r.p_values.size(); ++i) {
      auto key = std::make_pair(r.name, r.labels[i]);
      auto [it, inserted] = p_values_.try_emplace(key);
      if (inserted) keys_.push_back(key);
      it->second.push_back(r.p_values[i]);
    }
  }
}

suite_report suite_accumulator::report(std::size_t sequence_length) const {
  suite_report rep;
  rep.alpha = alpha_;
  rep.nof_sequences = nof_sequences_;
  rep.sequence_length = sequence_length;
  rep.skipped = skipped_;
  for (const auto& key : keys_) {
    const auto& ps = p_values_.at(key);
    suite_row row;
    row.test = key.first;
    row.label = key.second;
    row.nof_sequences = ps.size();
    for (double p : ps) {
      ++row.histogram[std::min<std::size_t>(static_cast<std::size_t>(std::max(p, 0.0) * 10), 9)];
      row.nof_passed += p >= alpha_;
    }
    row.proportion = static_cast<double>(row.nof_passed) / static_cast<double>(row.nof_sequences);
    std::tie(row.proportion_low, row.proportion_high) = proportion_interval(alpha_, row.nof_sequences);
    row.p_value_uniformity = uniformity_p_value(ps);
    row.uniformity_applicable = row.nof_sequences >= min_sequences_for_uniformity;
    rep.rows.push_back(std::move(row));
  }
  return rep;
}

table suite_report::to_table() const {
  table t({"test", "label", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "p_value_T", "passed",
           "tested", "proportion", "proportion_low", "result"});
  for (const auto& r : rows) {
    std::vector<table::cell> cells = {r.test, r.label};
    for (std::size_t c : r.histogram) cells.emplace_back(static_cast<std::int64_t>(c));
    cells.emplace_back(r.p_value_uniformity);
    cells.emplace_back(static_cast<std::int64_t>(r.nof_passed));
    cells.emplace_back(static_cast<std::int64_t>(r.nof_sequences));
    cells.emplace_back(r.proportion);
    cells.emplace_back(r.proportion_low);
    cells.emplace_back(std::string(r.passed() ? "pass" : "FAIL"));
    t.add_row(std::move(cells));
  }
  return t;
}

std::string suite_report::final_analysis_report() const {
  std::string s;
  s += "------------------------------------------------------------------------------\n";
  s += fmt::format("RESULTS FOR THE UNIFORMITY OF P-VALUES AND THE PROPORTION OF PASSING SEQUENCES\n");
  s += fmt::format("{} sequences of {} bits, alpha = {}\n", nof_sequences, sequence_length, alpha);
  s += "------------------------------------------------------------------------------\n";
  s += " C1  C2  C3  C4  C5  C6  C7  C8  C9 C10  P-VALUE  PROPORTION  STATISTICAL TEST\n";
  s += "------------------------------------------------------------------------------\n";
  for (const auto& r : rows) {
    for (std::size_t c : r.histogram) s += fmt::format("{:3d} ", c);
    s += r.uniformity_applicable ? fmt::format("{:9.6f}{}", r.p_value_uniformity, r.uniformity_ok() ? ' ' : '*')
                                 : std::string("    ----  ");
    s += fmt::format("{:>7}/{:<4}{}  {}{}\n", r.nof_passed, r.nof_sequences, r.proportion_ok() ? ' ' : '*', r.test,
                     r.label.empty() ? "" : " " + r.label);
  }
  s += "------------------------------------------------------------------------------\n";
  s += fmt::format("Proportion interval (SP 800-22 §4.2.1): p-hat +/- 3 sqrt(p-hat (1 - p-hat) / m), p-hat = {}.\n",
                   1 - alpha);
  s += "Uniformity (§4.2.2): P-value_T >= 0.0001, judged with at least 55 sequences. '*' marks a failure.\n";
  for (const auto& [test, count] : skipped) s += fmt::format("{}: skipped on {} sequence(s)\n", test, count);
  return s;
}

nlohmann::json suite_report::to_json() const {
  return {{"alpha", alpha},
          {"nof_sequences", nof_sequences},
          {"sequence_length", sequence_length},
          {"all_passed", all_passed()},
          {"skipped", skipped},
          {"rows", to_table().to_json()}};
}

table single_sequence_table(const std::vector<test_result>& results, double alpha) {
  table t({"test", "label", "p_value", "result", "recommendation_met", "note"});
  for (const auto& r : results) {
    const std::string note = r.recommendation_met ? r.skip_reason : "recommended: " + r.recommendation;
    if (r.skipped) {
      t.add_row({r.name, std::string(), std::string(), std::string("skipped"),
                 std::string(r.recommendation_met ? "yes" : "no"), r.skip_reason});
      continue;
    }
    for (std::size_t i = 0; i < r.p_values.size(); ++i)
      t.add_row({r.name, r.labels[i], r.p_values[i], std::string(r.p_values[i] >= alpha ? "pass" : "FAIL"),
                 std::string(r.recommendation_met ? "yes" : "no"), note});
  }
  return t;
}

bool suite_report::all_passed() const {
  return std::all_of(rows.begin(), rows.end(), [](const suite_row& r) { return r.passed(); });
}

const suite_row& suite_report::row(const std::string& test, const std::string& label) const {
  for (const auto& r : rows)
    if (r.test == test && r.label == label) return r;
  throw error("no such row in the suite report", {"", test, std::nullopt}, "a test that ran", label);
}

suite_report run_suite(bit_view bits, std::size_t sequence_length, std::size_t nof_sequences, const nist_config& cfg) {
  if (sequence_length == 0 || nof_sequences == 0 || bits.size / sequence_length < nof_sequences)
    throw error("not enough bits for the requested sequences", {"", "bits", std::nullopt},
                std::to_string(nof_sequences) + " x " + std::to_string(sequence_length) + " bits",
                std::to_string(bits.size) + " bits");
  nist_config checked = cfg;
  config::validate(checked);
  suite_accumulator acc(cfg.alpha);
  for (std::size_t i = 0; i < nof_sequences; ++i)
    acc.add(run_all_tests(bits.sub(i * sequence_length, sequence_length), cfg));
  return acc.report(sequence_length);
}

}  // namespace physec::randomness
