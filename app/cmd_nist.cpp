// physec nist FILE: the NIST SP 800-22 rev1a suite on a bit file (raw binary, ASCII 0/1, or a physec HDF5 key set).
#include <fmt/format.h>

#include "cli.hpp"
#include "stages.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/log.hpp"
#include "physec/randomness/nist_tests.hpp"
#include "physec/randomness/read_bits.hpp"
#include "physec/randomness/suite.hpp"

namespace physec::app {

namespace {

struct nist_command_config {
  run_config run;
  randomness::nist_config nist;
  void describe(config::schema& s) {
    s.section("nist", nist, "NIST SP 800-22 rev1a test parameters");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr const char* k_nist_title = "physec nist configuration";

struct nist_options {
  common_options common;
  std::string file;
  std::string format = "auto";
  std::string dataset = "/keys";
  std::size_t length = 0;
  std::size_t count = 0;
};

void run_nist(nist_options& o) {
  log::set_quiet(o.common.quiet);
  auto cfg = load_config<nist_command_config>(o.common);
  run_context ctx("nist", o.common, cfg.run.seed, config::show(cfg, k_nist_title), cfg.run.device);
  randomness::bit_file in;
  {
    auto t = ctx.report().time("read");
    randomness::read_bits_options ro;
    ro.dataset = o.dataset;
    in = randomness::read_bits(o.file, randomness::parse_bit_format(o.format), ro);
  }
  const std::size_t total = in.bits.size();
  // Default: sequences of 10^6 bits (SP 800-22 §4's size) or the whole input when shorter.
  const std::size_t length = o.length ? o.length : std::min<std::size_t>(total, 1000000);
  if (length == 0 || length > total)
    throw error("sequence length exceeds the bits in the file", {o.file, "--length", {}},
                "at most " + std::to_string(total), std::to_string(length));
  const std::size_t count = o.count ? o.count : total / length;
  if (count * length > total)
    throw error("not enough bits for the requested sequences", {o.file, "--count", {}},
                "at most " + std::to_string(total / length) + " sequences of " + std::to_string(length),
                std::to_string(count));
  log::info("{}: {} bits; {} sequence(s) of {} bits", o.file, total, count, length);
  ctx.report().results()["file"] = o.file;
  ctx.report().results()["nof_bits"] = total;
  nist_stage(ctx, in.bits, length, count, cfg.nist);
  ctx.finish();
}

}  // namespace

std::size_t nist_stage(run_context& ctx, const std::vector<std::uint8_t>& bits, std::size_t length, std::size_t count,
                       const randomness::nist_config& cfg, bool print) {
  std::size_t failed = 0;
  if (count == 1) {
    std::vector<randomness::test_result> results;
    {
      auto t = ctx.report().time("nist tests");
      results = randomness::run_all_tests(randomness::bit_view(bits.data(), length), cfg);
    }
    const table tab = randomness::single_sequence_table(results, cfg.alpha);
    tab.write_csv(ctx.output("nist.csv"));
    ctx.report().results()["nist"] = tab.to_json();
    for (const auto& r : results)
      for (double p : r.p_values) failed += p < cfg.alpha;
    if (print) fmt::print("{}", tab.to_text(6));
  } else {
    randomness::suite_report rep;
    {
      auto t = ctx.report().time("nist tests");
      rep = randomness::run_suite(randomness::bit_view(bits.data(), count * length), length, count, cfg);
    }
    rep.to_table().write_csv(ctx.output("nist.csv"));
    write_file_atomic(ctx.output("finalAnalysisReport.txt"), rep.final_analysis_report());
    ctx.report().results()["nist"] = rep.to_json();
    for (const auto& row : rep.to_json()["rows"])
      if (row.contains("result") && row["result"] != "pass") ++failed;
    if (print) fmt::print("{}", rep.final_analysis_report());
  }
  return failed;
}

void register_nist(CLI::App& app) {
  register_config<nist_command_config>("nist", k_nist_title);
  auto* n = app.add_subcommand("nist", "NIST SP 800-22 rev1a: all 15 tests on a bit file; with many sequences, the "
                                       "suite-level proportion and uniformity analysis (§4.2)");
  auto o = std::make_shared<nist_options>();
  n->add_option("file", o->file, "bits: raw binary (MSB first), ASCII 0/1, or HDF5 (uint8 0/1)")->required();
  n->add_option("--format", o->format, "auto, binary, ascii or hdf5")->capture_default_str();
  n->add_option("--dataset", o->dataset, "HDF5 dataset of the bits")->capture_default_str();
  n->add_option("--length", o->length, "bits per sequence (default: 10^6 or all bits)");
  n->add_option("--count", o->count, "number of sequences (default: as many as fit)");
  add_common_options(*n, o->common, "physec-out/nist");
  n->callback([o] { run_nist(*o); });
}

}  // namespace physec::app
