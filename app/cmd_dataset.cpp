// physec dataset ...: generate the datasets the pipelines learn from, as HDF5 files h5py and MATLAB read.
#include <fmt/format.h>

#include <cmath>
#include <thread>

#include "cli.hpp"
#include "stages.hpp"
#include "physec/core/log.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/table.hpp"
#include "physec/dataset/mobility_generator.hpp"
#include "physec/dataset/wiretap_generator.hpp"

namespace physec::app {

namespace {

struct wiretap_command_config {
  run_config run;
  dataset::wiretap_config wiretap;
  void describe(config::schema& s) {
    s.section("wiretap", wiretap, "PSKG wiretap dataset: TDD probes of Alice (gNB), Bob (UE) and Eve near Bob");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr const char* k_wiretap_title = "physec dataset wiretap configuration";

struct wiretap_options {
  common_options common;
  std::string output;
  std::string preset;
};

void run_wiretap(wiretap_options& o) {
  log::set_quiet(o.common.quiet);
  wiretap_command_config start;
  if (o.preset == "paper") dataset::apply_paper_preset(start.wiretap);
  auto cfg = load_config(o.common, start);  // the preset is the starting point; -c, --set, --seed on top

  const std::filesystem::path out = o.output;
  common_options where = o.common;
  where.out_dir = out.parent_path().empty() ? "." : out.parent_path().string();
  const std::string toml = config::show(cfg, k_wiretap_title);
  run_context ctx("dataset wiretap", where, cfg.run.seed, toml, cfg.run.device, out.filename().string() + ".report.json");
  wiretap_file_stage(ctx, cfg.wiretap, cfg.run.seed, cfg.run.threads, toml, out);  // streamed: bounded memory
  ctx.finish();
}

struct mobility_command_config {
  run_config run;
  dataset::mobility_config mobility;
  void describe(config::schema& s) {
    s.section("mobility", mobility,
              "PLA mobility dataset: 4 legal transmitters + 2 spoofers moving in an IRS-assisted hall");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr const char* k_mobility_title = "physec dataset mobility configuration";

void run_mobility(wiretap_options& o) {
  log::set_quiet(o.common.quiet);
  mobility_command_config start;
  if (o.preset == "paper") dataset::apply_paper_preset(start.mobility);
  auto cfg = load_config(o.common, start);
  const std::filesystem::path out = o.output;
  common_options where = o.common;
  where.out_dir = out.parent_path().empty() ? "." : out.parent_path().string();
  const std::string toml = config::show(cfg, k_mobility_title);
  run_context ctx("dataset mobility", where, cfg.run.seed, toml, cfg.run.device,
                  out.filename().string() + ".report.json");
  mobility_stage(ctx, cfg.mobility, cfg.run.seed, cfg.run.threads, toml, out);
  ctx.finish();
}

}  // namespace

dataset::mobility_data mobility_stage(run_context& ctx, const dataset::mobility_config& cfg, std::uint64_t seed,
                                      int threads, const std::string& config_toml, const std::filesystem::path& file) {
  const unsigned nof_threads = thread_count(threads);
  dataset::mobility_data d;
  {
    auto t = ctx.report().time("generate mobility dataset");
    progress bar("mobility samples",
                 static_cast<std::size_t>(cfg.nof_transmitters()) *
                     static_cast<std::size_t>(cfg.sequences_per_transmitter()) *
                     static_cast<std::size_t>(cfg.sequence_length),
                 "samples");
    d = dataset::generate_mobility(cfg, rng_stream(seed).derive("dataset/mobility"), nof_threads, &bar);
  }
  d.seed = seed;
  d.config_toml = config_toml;
  if (!file.empty()) {
    auto t = ctx.report().time("write mobility dataset");
    dataset::write_mobility(file, d);
    ctx.report().add_output(file.string());
  }
  std::size_t tc[4] = {0, 0, 0, 0}, pc[4] = {0, 0, 0, 0};
  for (auto s : d.split_time) ++tc[s];
  for (auto s : d.split_position) ++pc[s];
  ctx.report().results()["mobility"] = {
      {"file", file.string()},
      {"nof_sequences", d.nof_sequences()},
      {"shape_sequences", d.sequences.shape},
      {"split_time", {{"train", tc[0]}, {"validation", tc[1]}, {"test", tc[2]}, {"unused", tc[3]}}},
      {"split_position", {{"train", pc[0]}, {"validation", pc[1]}, {"test", pc[2]}, {"unused", pc[3]}}}};
  // Per protocol: how far validation and test lie from trained places (revisited or new), stated with the file.
  std::string places;
  for (const auto& protocol : dataset::split_protocols()) {
    const auto& split = dataset::split_labels(d, protocol);
    const auto v = dataset::distance_to_training(d, split, dataset::m_validation);
    const auto t = dataset::distance_to_training(d, split, dataset::m_test);
    ctx.report().results()["mobility"]["distance_to_training_m"][protocol] = {
        {"validation_mean", v.mean}, {"validation_max", v.max}, {"test_mean", t.mean}, {"test_max", t.max}};
    places += fmt::format("{}{} {:.2f} / {:.2f}", places.empty() ? "" : ", ", protocol, v.mean, t.mean);
  }
  // Per transmitter: where it drives and what Bob receives (the large-scale cue the classifiers can use).
  table per_tx({"transmitter", "role", "route_x_m", "route_y_m", "snr_mean_dB", "snr_std_dB", "los_fraction"});
  for (int i = 0; i < cfg.nof_transmitters(); ++i) {
    double s1 = 0, s2 = 0, los = 0, n = 0;
    for (std::size_t q = 0; q < d.nof_sequences(); ++q) {
      if (d.transmitter[q] != i) continue;
      for (std::size_t t = 0; t < d.nof_steps(); ++t) {
        s1 += d.snr_dB(q, t);
        s2 += d.snr_dB(q, t) * d.snr_dB(q, t);
        los += d.los(q, t);
        n += 1;
      }
    }
    const auto c = dataset::route_centre(cfg, i);
    per_tx.add_row({static_cast<std::int64_t>(i), std::string(i < cfg.nof_legal ? "legal" : "spoofer"), c[0], c[1],
                    s1 / n, std::sqrt(std::max(0.0, s2 / n - (s1 / n) * (s1 / n))), los / n});
  }
  ctx.report().results()["mobility"]["transmitters"] = per_tx.to_json();
  if (!log::quiet()) fmt::print("{}", per_tx.to_text(3));
  if (!file.empty())
    fmt::print(
        "wrote {}: {} sequences {} of {} transmitters; time split train/val/test/gap {}/{}/{}/{}, position "
        "split {}/{}/{}/{}\n",
        file.string(), d.nof_sequences(), shape_string(d.sequences.shape), cfg.nof_transmitters(), tc[0], tc[1], tc[2],
        tc[3], pc[0], pc[1], pc[2], pc[3]);
  if (!log::quiet())
    fmt::print("mean distance of validation / test sequences from the nearest trained place [m]: {}\n", places);
  return d;
}

namespace {

/// The report's results and the console line of a written wiretap file.
void report_wiretap(run_context& ctx, const std::filesystem::path& file, const dataset::wiretap_data& labels,
                    const shape_t& shape_alice, const shape_t& shape_eve) {
  ctx.report().add_output(file.string());
  std::size_t counts[3] = {0, 0, 0};
  for (auto s : labels.split) ++counts[s];
  ctx.report().results()["wiretap"] = {{"file", file.string()},
                                       {"nof_probes", labels.split.size()},
                                       {"shape_alice", shape_alice},
                                       {"shape_eve", shape_eve},
                                       {"split", {{"train", counts[0]}, {"validation", counts[1]}, {"test", counts[2]}}}};
  fmt::print("wrote {}: {} probes {} (train {}, validation {}, test {}), Eve at {} distance(s)\n", file.string(),
             labels.split.size(), shape_string(shape_alice), counts[0], counts[1], counts[2], labels.nof_eve());
}

}  // namespace

dataset::wiretap_data wiretap_stage(run_context& ctx, const dataset::wiretap_config& cfg, std::uint64_t seed,
                                    int threads, const std::string& config_toml, const std::filesystem::path& file) {
  dataset::wiretap_data d;
  {
    auto t = ctx.report().time("generate wiretap dataset");
    progress bar("wiretap probes", cfg.nof_probes(), "probes");
    d = dataset::generate_wiretap(cfg, rng_stream(seed).derive("dataset/wiretap"), thread_count(threads), &bar);
  }
  d.seed = seed;
  d.config_toml = config_toml;
  {
    auto t = ctx.report().time("write wiretap dataset");
    dataset::write_wiretap(file, d);
  }
  report_wiretap(ctx, file, d, d.alice.shape, d.eve.shape);
  return d;
}

void wiretap_file_stage(run_context& ctx, const dataset::wiretap_config& cfg, std::uint64_t seed, int threads,
                        const std::string& config_toml, const std::filesystem::path& file) {
  dataset::wiretap_writer w(file, cfg.nof_probes());
  {
    auto t = ctx.report().time("generate and write wiretap dataset");
    progress bar("wiretap probes", cfg.nof_probes(), "probes");
    dataset::generate_wiretap_blocks(cfg, rng_stream(seed).derive("dataset/wiretap"), thread_count(threads), &bar,
                                     [&w](const dataset::wiretap_data& block) { w.append(block); });
    w.finish(seed, config_toml);
  }
  report_wiretap(ctx, file, w.labels(), w.alice_shape(), w.eve_shape());
}

void register_dataset(CLI::App& app) {
  register_config<wiretap_command_config>("dataset wiretap", k_wiretap_title);
  auto* ds = app.add_subcommand("dataset", "generate datasets (HDF5, readable by h5py and MATLAB)");
  ds->require_subcommand(1);
  auto* w = ds->add_subcommand("wiretap", "PSKG dataset: Alice, Bob and Eve probing TR 38.901 CDL/TDL channels in "
                                          "TDD, with impairments that break reciprocity");
  auto o = std::make_shared<wiretap_options>();
  w->add_option("-o,--output", o->output, "output HDF5 file")->capture_default_str();
  o->output = "physec-out/wiretap.h5";
  w->add_option("--preset", o->preset, "start from a preset: paper (full-size sweep)")->check(CLI::IsMember({"paper"}));
  add_common_options(*w, o->common, "");
  w->callback([o] { run_wiretap(*o); });

  register_config<mobility_command_config>("dataset mobility", k_mobility_title);
  auto* m = ds->add_subcommand("mobility",
                               "PLA dataset: CSI sequences of 4 legal transmitters and 2 spoofers moving "
                               "at 2 m/s through an IRS-assisted industrial hall (TDGCN paper, Table I)");
  auto mo = std::make_shared<wiretap_options>();
  m->add_option("-o,--output", mo->output, "output HDF5 file")->capture_default_str();
  mo->output = "physec-out/mobility.h5";
  m->add_option("--preset", mo->preset, "start from a preset: paper (50,000 samples per transmitter)")
      ->check(CLI::IsMember({"paper"}));
  add_common_options(*m, mo->common, "");
  m->callback([mo] { run_mobility(*mo); });
}

}  // namespace physec::app
