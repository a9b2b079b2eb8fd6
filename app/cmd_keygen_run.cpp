// physec keygen run | agree: key agreement after quantization. `run` simulates the whole chain per SNR on a wiretap
// dataset (Alice and Bob in process, Eve replaying the transcript); `agree` is one party of a real two-process
// agreement over TCP, reading its own CSI.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cli.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/table.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/experiments/keygen_run.hpp"
#include "physec/keygen/protocol.hpp"
#include "physec/keygen/secret_chain.hpp"

namespace physec::app {

namespace {

struct keygen_run_config {
  run_config run;
  keygen::eval_config eval;
  keygen_run_options agreement;
  randomness::nist_config nist;
  void describe(config::schema& s) {
    agreement.describe_sessions(s);  // root keys first, then the tables
    eval.describe(s);
    s.section("chain", agreement.chain, "per-link KLT, bit allocation and H(X|E) calibration (as `keygen agree`)");
    s.section("agree", agreement.agree, "the key-agreement protocol (as `keygen agree`)");
    s.section("nist", nist, "NIST SP 800-22 on the concatenated privacy-amplification outputs");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr std::size_t k_min_nist_bits = 1000;
constexpr const char* k_run_title = "physec keygen run configuration";
constexpr const char* k_agree_title = "physec keygen agree configuration";

struct run_options {
  common_options common;
  std::string dataset, method, quantizer, model;
  int bits = 0;
};

/// The learned map of chain.transform = key_encoder (LibTorch: physec-neural), else none.
keygen::learned_map_trainer chain_trainer(run_context& ctx, const keygen::chain_config& chain, std::uint64_t seed) {
  return chain.transform == "key_encoder" ? key_encoder_trainer(ctx, chain.key_encoder, seed)
                                          : keygen::learned_map_trainer();
}

void run_run(run_options& o) {
  if (!o.model.empty()) require_neural("keygen run --model");
  log::set_quiet(o.common.quiet);
  add_quantizer_shortcuts(o.common, o.method, o.quantizer, o.bits);
  auto cfg = load_config<keygen_run_config>(o.common);
  if (cfg.agreement.chain.transform == "key_encoder") require_neural("chain.transform = key_encoder");
  run_context ctx("keygen run", o.common, cfg.run.seed, config::show(cfg, k_run_title), cfg.run.device);
  dataset::wiretap_data d = read_wiretap_stage(ctx, o.dataset);
  if (!o.model.empty()) d = apply_keygen_model(ctx, o.model, d, cfg.run.device);
  const auto summary =
      blame_file(o.dataset, [&] { return keygen_run_stage(ctx, d, cfg.eval, cfg.agreement, cfg.run.seed); });
  // The final keys are HKDF outputs (uniform by construction of the hash); what must be uniform is what feeds it.
  const std::size_t n = summary.alice_pa_bits.size();
  if (n >= k_min_nist_bits) {
    fmt::print("\nNIST SP 800-22 on the {} concatenated PA output bits of the confirmed sessions\n", n);
    nist_stage(ctx, summary.alice_pa_bits, n, 1, cfg.nist);
  } else {
    fmt::print("NIST SP 800-22 not run: {} PA output bits from confirmed sessions, fewer than {}\n", n, k_min_nist_bits);
    ctx.report().results()["nist"] = fmt::format("not run: {} bits < {}", n, k_min_nist_bits);
  }
  ctx.finish();
}

}  // namespace

keygen_run_summary keygen_run_stage(run_context& ctx, const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                    const keygen_run_options& o, std::uint64_t seed) {
  auto summary = experiments::run_key_agreement(d, eval, o, seed, ctx.out_dir(), ctx.report(),
                                                chain_trainer(ctx, o.chain, seed));
  const auto& res = ctx.report().results()["keygen_run"];
  table shown({"SNR dB", "real.", "bits", "KDR before", "95 % low", "95 % high", "KDR after", "p cal.", "leak/bit",
               "H(X|E)/real.", "PA bits", "secret/real.", "asympt./real.", "real./key", "s/key", "bound/real.", "eff.",
               "eff. asympt.", "TDD bound/real.", "TDD eff.", "keyed", "Eve best KDR", "Eve PA agr.", "Eve key agr."});
  for (const auto& row : summary.agreement.rows())
    shown.add_row({row[0], row[3], row[4], row[5], row[24], row[25], row[6], row[7], row[9], row[10], row[11], row[12],
                   row[26], row[13], row[14], row[15], row[16], row[27], row[28], row[29], row[18], row[20], row[22], row[23]});
  fmt::print("features: whole probe, {} taps + {} guard · per-link KLT, <= {} bits/coefficient · {} · eps_PA = 2^-{} · "
             "key {} bits\n{}",
             eval.features.delay_taps, eval.features.delay_guard_taps, o.chain.max_bits, o.agree.reconciliation,
             o.agree.eps_pa_log2, o.agree.key_bits, shown.to_text());
  fmt::print("real. = independent channel realisations (test probes x min(1, interval / coherence time)); secret/real. = "
             "PA bits / realisations (this session); asympt./real. = H(X|E) - leak per realisation (the finite-key terms vanish "
             "as sessions grow); KDR 95 %: over probes (cluster-robust); real./key and s/key: the smallest session whose finite-key length reaches a key, "
             "at this SNR's averages; bound = I(A;B) of the simulated channel covariance - Eve's I(A;E), both parties "
             "observing the channel at one instant; TDD bound = the same with each party's probe at its own time (the "
             "up/down gap) and every symbol; Eve: her "
             "LMMSE bits at her best position; agreement of her PA output / final key with Alice's (0.5 = nothing).\n{}\n",
             res["pa_length_formula"].get<std::string>());
  const auto& et = res["eve_key_agreement_test"];
  if (et.contains("values"))
    fmt::print("Eve's final-key agreement, {} values (SNR x position), family-wise alpha = 0.05: {} outside 0.5 +- "
               "Bonferroni interval; per position pooled over SNRs: {} outside\n",
               et["nof_values"].get<std::size_t>(), et["values_outside_bonferroni_interval"].get<std::size_t>(),
               et["pooled_outside_bonferroni_interval"].get<std::size_t>());
  std::string iid_lines;
  for (const auto& s : res["per_snr"])
    if (const auto& iid = s["sp800_90b_iid_calibration_bits"]; iid.is_object())
      iid_lines += fmt::format("  {} dB: {} calibration bits, {}\n", s["snr_dB"].get<double>(),
                               iid["nof_bits"].get<std::size_t>(), iid["verdict"].get<std::string>());
  if (!iid_lines.empty()) fmt::print("SP 800-90B IID tests (§5.1 permutation, §5.2 chi-square) on Alice's calibration bits:\n{}", iid_lines);
  return summary;
}

namespace {

/// The pre-shared key of `agree.psk_file`: a regular file that only its owner can read, 16..4096 bytes.
keygen::secure_bytes read_psk(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    throw error("pre-shared key file is readable or writable by others", {path, "agree.psk_file", {}}, "mode 0600",
                fmt::format("mode {:04o}", st.st_mode & 0777));
  keygen::secure_bytes psk;
  {
    std::string bytes = read_file(path, 4096);
    psk.vec().assign(bytes.begin(), bytes.end());
    std::fill(bytes.begin(), bytes.end(), '\0');
  }
  if (psk.size() < 16)
    throw error("pre-shared key too short", {path, "agree.psk_file", {}}, "at least 16 bytes", std::to_string(psk.size()) + " bytes");
  return psk;
}

struct agree_options {
  common_options common;
  std::string dataset, role, listen, connect, key_out, port_file;
  double snr_dB = std::nan("");
  int nof_probes = 0;
};

struct keygen_agree_config {
  run_config run;
  keygen::eval_config eval;
  keygen::chain_config chain;
  keygen::agree_config agree = keygen::agree_config::for_chain();
  void describe(config::schema& s) {
    eval.describe(s);
    s.section("chain", chain, "per-link KLT, bit allocation and H(X|E) calibration");
    s.section("agree", agree, "the key-agreement protocol");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

void run_agree(agree_options& o) {
  log::set_quiet(o.common.quiet);
  if (o.role != "alice" && o.role != "bob")
    throw error("unknown role", {"", "--role", {}}, "alice or bob", o.role);
  if (o.listen.empty() == o.connect.empty())
    throw error("give exactly one of --listen and --connect", {"", "--listen/--connect", {}}, "one", o.listen.empty() ? "none" : "both");
  keygen::parse_address(o.listen.empty() ? o.connect : o.listen);  // fail before the (slow) quantization
  auto cfg = load_config<keygen_agree_config>(o.common);
  if (cfg.chain.transform == "key_encoder") require_neural("chain.transform = key_encoder");
  const std::string protection = keygen::protect_process_secrets();  // before any secret exists
  log::info("key hygiene: {}", protection);
  if (!cfg.agree.psk_file.empty()) cfg.agree.psk = read_psk(cfg.agree.psk_file);
  run_context ctx("keygen agree", o.common, cfg.run.seed, config::show(cfg, k_agree_title), cfg.run.device,
                  "report-" + o.role + ".json");
  // The key's folder is checked now, not after the session: a party must not confirm a key it cannot store.
  if (!o.key_out.empty())
    require_writable_folder(std::filesystem::path(o.key_out).has_parent_path() ? std::filesystem::path(o.key_out).parent_path()
                                                                               : std::filesystem::path("."));
  const dataset::wiretap_data d = read_wiretap_stage(ctx, o.dataset);
  const auto groups = blame_file(o.dataset, [&] {
    return experiments::secret_chain_by_snr(d, cfg.eval, cfg.chain, cfg.agree.reconciliation,
                                            chain_trainer(ctx, cfg.chain, cfg.run.seed), ctx.report());
  });
  if (groups.empty()) throw error("no test probes", {o.dataset, "/labels/split", {}}, "some", "none");
  const keygen::chain_group* g = &groups.back();
  if (!std::isnan(o.snr_dB)) {
    g = nullptr;
    std::string have;
    for (const auto& x : groups) {
      have += (have.empty() ? "" : ", ") + fmt::format("{}", x.snr_dB);
      if (std::abs(x.snr_dB - o.snr_dB) < 1e-9) g = &x;
    }
    if (!g) throw error("no test probes at this SNR", {o.dataset, "--snr", {}}, "one of " + have, fmt::format("{}", o.snr_dB));
  }
  std::size_t np = g->nof_probes();
  if (o.nof_probes > 0) np = std::min(np, static_cast<std::size_t>(o.nof_probes));
  // Only this party's bits are used; the other parties' are dropped at once.
  const auto& bits = o.role == "alice" ? g->alice : g->bob;
  keygen::secure_bytes mine(
      std::vector<std::uint8_t>(bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(g->probe_offsets[np])));
  log::info("{}: {} bits from {} test probes at {} dB", o.role, mine.size(), np, g->snr_dB);

  keygen::tcp_options tcp;
  tcp.timeout_s = cfg.agree.timeout_s;
  tcp.connect_timeout_s = cfg.agree.connect_timeout_s;
  tcp.max_message_bytes = static_cast<std::size_t>(cfg.agree.max_message_kib) * 1024;
  std::unique_ptr<keygen::transport> link;
  {
    auto t = ctx.report().time("connect");
    if (!o.listen.empty()) {
      link = keygen::tcp_listen(o.listen, tcp, [&](int port) {
        fmt::print("listening on port {}\n", port);
        std::fflush(stdout);
        if (!o.port_file.empty()) write_file_atomic(o.port_file, std::to_string(port) + "\n");
      });
    } else {
      link = keygen::tcp_connect(o.connect, tcp);
    }
  }
  keygen::party_outcome r;
  {
    auto t = ctx.report().time("key agreement");
    if (o.role == "alice") {
      std::uint64_t public_seed = cfg.agree.public_seed;
      if (public_seed == 0)
        for (auto b : keygen::secure_random_bytes(8)) public_seed = (public_seed << 8) | b;
      r = keygen::run_alice(*link, mine.vec(), cfg.agree, g->calibration(0, np), public_seed);
    } else {
      // Bob's LLRs come from his own coefficients only (secret_chain.hpp); the other parties' were dropped.
      std::vector<double> llr(g->bob_llr.begin(), g->bob_llr.begin() + static_cast<std::ptrdiff_t>(g->probe_offsets[np]));
      r = keygen::run_bob(*link, mine.vec(), cfg.agree, g->calibration(0, np), llr);
      // His soft measurements are as secret as his bits: zeroed through volatile stores (a plain fill before the
      // vector dies may be optimised away).
      volatile double* v = llr.data();
      for (std::size_t i = 0; i < llr.size(); ++i) v[i] = 0.0;
    }
  }
  mine.wipe();
  auto& res = ctx.report().results()["keygen_agree"];
  res = {{"role", o.role},
         {"peer", link->peer()},
         {"snr_dB", g->snr_dB},
         {"nof_probes", np},
         {"nof_bits", r.nof_bits_in},
         {"sample_bits", r.sample_bits},
         {"kdr_estimate", r.kdr_estimate},
         {"parity_bits", r.cascade.leaked_bits},
         {"round_trips", r.cascade.nof_rounds},
         {"wrong_codewords_caught", r.cascade.nof_wrong_codewords},
         {"leaked_bits", r.leaked_bits},
         {"pa_length", r.pa.length},
         {"pa_formula", r.pa.formula},
         {"transcript_messages", r.tr.frames.size()},
         {"transcript_bytes", r.tr.nof_bytes()},
         {"confirmed", r.ok}};
  if (!r.ok) {
    res["failure"] = r.failure;
    ctx.finish();
    throw error("key agreement failed, no key written: " + r.failure, {"", "keygen agree", {}});
  }
  const std::string key_path = o.key_out.empty() ? ctx.output("key.bin").string() : o.key_out;
  write_file_atomic(key_path, std::string_view(reinterpret_cast<const char*>(r.key.data()), r.key.size()), 0600);
  if (!o.key_out.empty()) ctx.report().add_output(key_path);
  r.key.wipe();
  r.pa_bits.wipe();
  r.reconciled.wipe();
  fmt::print("{}: key agreed and confirmed with {}: {} bits written to {} (mode 0600); {} bits leaked, PA length {}, "
             "{} messages\n",
             o.role, link->peer(), cfg.agree.key_bits, key_path, r.leaked_bits, r.pa.length, r.tr.frames.size());
  ctx.finish();
}

}  // namespace

void register_keygen_run(CLI::App& kg) {
  register_config<keygen_run_config>("keygen run", k_run_title);
  register_config<keygen_agree_config>("keygen agree", k_agree_title);
  auto* run = kg.add_subcommand("run", "the whole key-agreement chain per SNR in simulation: quantized bits -> "
                                       "reconciliation (soft-decision LDPC; agree.reconciliation) -> privacy amplification -> "
                                       "HKDF -> confirmation, with Eve");
  auto o = std::make_shared<run_options>();
  run->add_option("-d,--dataset", o->dataset, "wiretap dataset (HDF5)")->required();
  run->add_option("--method", o->method, "feature transform: raw, pca or dct (sets features.method)");
  run->add_option("--quantizer", o->quantizer, "quantile, mean, guard or multibit (sets quantizer.method)");
  run->add_option("--bits", o->bits, "bits per value m (sets quantizer.bits)");
  run->add_option("--model", o->model, "checkpoint of `physec keygen train`: every party's CSI goes through the model before the quantizer");
  add_common_options(*run, o->common, "physec-out/keygen-run");
  run->callback([o] { run_run(*o); });

  auto* ag = kg.add_subcommand("agree", "one party of a key agreement over TCP: reads its own CSI from a wiretap "
                                        "dataset, quantizes it, and agrees on a key with the peer");
  auto a = std::make_shared<agree_options>();
  ag->add_option("--role", a->role, "alice or bob")->required();
  ag->add_option("-d,--dataset", a->dataset, "wiretap dataset (HDF5); this party uses only its own CSI")->required();
  ag->add_option("--listen", a->listen, "wait for the peer on HOST:PORT (port 0: any free port, printed)");
  ag->add_option("--connect", a->connect, "connect to the peer at HOST:PORT (retries until agree.connect_timeout_s)");
  ag->add_option("--snr", a->snr_dB, "use the test probes of this SNR [dB] (default: the highest)");
  ag->add_option("--probes", a->nof_probes, "use the first N test probes of that SNR (default: all)");
  ag->add_option("--key-out", a->key_out, "key file (raw bytes, mode 0600; default <out>/key.bin), written only "
                                          "after confirmation");
  ag->add_option("--port-file", a->port_file, "with --listen: write the bound port here (for scripts and tests)");
  add_common_options(*ag, a->common, "physec-out/keygen-agree");
  ag->callback([a] { run_agree(*a); });
}

}  // namespace physec::app
