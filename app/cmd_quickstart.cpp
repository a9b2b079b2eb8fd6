// physec quickstart: a small end-to-end run of everything physec has, in minutes on 2 cores.
// Each stage times itself into the report; later pipelines add their stages here.
#include <fmt/format.h>

#include "cli.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/log.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/table.hpp"
#include "physec/nn/runtime.hpp"

namespace physec::app {

namespace {

/// The config of `physec quickstart`: small sizes, so the whole run takes minutes on 2 cores.
struct quickstart_config {
  run_config run;
  /// Linear-algebra check of the torch/BLAS set-up.
  struct blas_check {
    int matrix_size = 512;
    int repeats = 10;
    void describe(config::schema& s) {
      s.add("matrix_size", matrix_size, "n of the n x n float32 matrix product").range(16, 8192).source("ours");
      s.add("repeats", repeats, "timed products").range(1, 1000).source("ours");
    }
  } blas;
  /// HDF5 layout check: a CSI-shaped complex array written and read back.
  struct io_check {
    int nof_samples = 64;
    int nof_rx = 3;
    int nof_tx = 4;
    int nof_subcarriers = 72;
    void describe(config::schema& s) {
      s.add("nof_samples", nof_samples, "samples").range(1, 100000).source("ours");
      s.add("nof_rx", nof_rx, "receive antennas").range(1, 64).source("TDGCN paper Table I (Bob: 3)");
      s.add("nof_tx", nof_tx, "transmit antennas").range(1, 64).source("TDGCN paper Table I (4 per transmitter)");
      s.add("nof_subcarriers", nof_subcarriers, "subcarriers").range(1, 3300).source("DESIGN.md §4 (72)");
    }
  } io;

  void describe(config::schema& s) {
    s.section("run", run, "how to run: seed, device, threads");
    s.section("blas", blas, "torch/BLAS throughput check");
    s.section("io", io, "HDF5 round trip of a CSI-shaped complex array");
  }
};

constexpr const char* k_title = "physec quickstart configuration";

void stage_environment(run_context& ctx) {
  auto t = ctx.report().time("environment");
  const auto rt = nn::query_runtime();
  log::info("LibTorch {} · CUDA {} · {} · BLAS threads {} · torch threads {}", rt.torch_version,
            rt.cuda_available ? "available" : "not available", rt.blas, rt.blas_threads, rt.intra_op_threads);
  if (rt.blas_threads > 1)
    log::warn("OpenBLAS runs {} threads beside torch's pool: expect oversubscription", rt.blas_threads);
}

void stage_blas(run_context& ctx, const quickstart_config& cfg) {
  auto t = ctx.report().time("blas check");
  const double gflops = nn::matmul_gflops(cfg.run.device, cfg.blas.matrix_size, cfg.blas.repeats);
  ctx.report().results()["blas_check"] = {{"matrix_size", cfg.blas.matrix_size}, {"gflops", gflops}};
  log::info("float32 {0}x{0} matrix product on {1}: {2:.1f} GFLOP/s", cfg.blas.matrix_size, cfg.run.device, gflops);
}

void stage_io(run_context& ctx, const quickstart_config& cfg) {
  auto t = ctx.report().time("hdf5 round trip");
  const auto& io = cfg.io;
  ndarray<std::complex<float>> csi(
      {std::size_t(io.nof_samples), std::size_t(io.nof_rx), std::size_t(io.nof_tx), std::size_t(io.nof_subcarriers)});
  const rng_stream stream = rng_stream(cfg.run.seed).derive("quickstart/io");
  for (std::size_t i = 0; i < csi.shape[0]; ++i) {  // one stream per sample: order-independent, parallel-safe
    auto s = stream.at(i);
    const std::size_t per = csi.size() / csi.shape[0];
    for (std::size_t k = 0; k < per; ++k) csi.data[i * per + k] = std::complex<float>(s.complex_normal());
  }
  const auto path = ctx.output("io_check.h5");
  {
    h5::writer w(path);
    w.write("/csi", csi);
    w.attribute("/", "seed", static_cast<std::int64_t>(cfg.run.seed));
    w.attribute("/csi", "layout", std::string("[nof_samples, nof_rx, nof_tx, nof_subcarriers]"));
    w.commit();
  }
  const auto back = h5::reader(path).read<std::complex<float>>(
      "/csi", {std::nullopt, csi.shape[1], csi.shape[2], csi.shape[3]});
  if (!(back == csi)) throw error("HDF5 round trip changed the data", {path.string(), "/csi", {}});
  double power = 0;
  for (const auto& x : csi.data) power += std::norm(x);
  power /= static_cast<double>(csi.size());
  ctx.report().results()["io_check"] = {{"file", path.string()}, {"shape", csi.shape}, {"mean_power", power}};
  log::info("wrote and re-read {} {} (mean power {:.4f})", path.string(), shape_string(csi.shape), power);
}

void run(const common_options& o) {
  log::set_quiet(o.quiet);
  auto cfg = load_config<quickstart_config>(o);
  nn::configure_threads(cfg.run.threads);
  run_context ctx("quickstart", o, cfg.run.seed, config::show(cfg, k_title), cfg.run.device);
  stage_environment(ctx);
  stage_blas(ctx, cfg);
  stage_io(ctx, cfg);
  ctx.finish();
}

}  // namespace

void register_quickstart(CLI::App& app) {
  register_config<quickstart_config>("quickstart", k_title);
  auto* cmd = app.add_subcommand("quickstart", "small end-to-end run of everything physec has (minutes on 2 cores)");
  auto opts = std::make_shared<common_options>();
  add_common_options(*cmd, *opts, "physec-out/quickstart");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace physec::app
