#include "physec/keygen/models/data.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/keygen/models/apply.hpp"
#include "physec/keygen/models/config.hpp"
#include "physec/keygen/models/modules.hpp"
#include "physec/nn/device.hpp"

namespace physec::keygen::models {

namespace {

using csi_t = ndarray<std::complex<float>>;

void check_csi_rank(const shape_t& s, const std::string& what) {
  if (s.size() < 5)
    throw error("CSI must be [..., alice_ant, bob_ant, subcarriers, symbols]", {"", what, {}}, "rank >= 5",
                shape_string(s));
}

/// One probe's CSI (P·F·T complex values at `src`, F·T row-major: subcarrier-major) -> P samples `[2, F, T]` at
/// `dst` divided by `scale`; with `align_phase`, every symbol of every pair is turned by conj(s)/|s|, s the sum of its
/// F subcarriers (its common phase; left as it is where s = 0).
void write_sample(const std::complex<float>* src, std::size_t pairs, std::size_t f, std::size_t t, float scale,
                  bool align_phase, float* dst) {
  const std::size_t ft = f * t;
  std::vector<std::complex<float>> turn(t, std::complex<float>(1.0f / scale, 0.0f));
  std::vector<std::complex<double>> sum(align_phase ? t : 0);
  for (std::size_t p = 0; p < pairs; ++p) {
    const std::complex<float>* h = src + p * ft;
    if (align_phase) {
      std::fill(sum.begin(), sum.end(), std::complex<double>());
      for (std::size_t k = 0; k < ft; ++k) sum[k % t] += std::complex<double>(h[k]);
      for (std::size_t j = 0; j < t; ++j) {
        const double a = std::abs(sum[j]);
        turn[j] = a > 0 ? std::complex<float>(std::conj(sum[j]) / (a * scale)) : std::complex<float>(1.0f / scale, 0.0f);
      }
    }
    for (std::size_t k = 0; k < ft; ++k) {
      const std::complex<float> v = h[k] * turn[k % t];
      dst[(2 * p) * ft + k] = v.real();
      dst[(2 * p + 1) * ft + k] = v.imag();
    }
  }
}

/// A streamed batch's CSI must be finite, as read_wiretap checks for a whole file: a NaN would otherwise surface as a
/// diverging loss, blamed on the learning rate. The error names the probe (its row in the file).
void check_finite_rows(const csi_t& a, const std::vector<std::size_t>& probes, const std::string& file, const char* name) {
  const std::size_t per_probe = a.size() / std::max<std::size_t>(1, probes.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(a.data[i].real()) || !std::isfinite(a.data[i].imag()))
      throw error("non-finite CSI value", {file, name, probes[i / per_probe]}, "finite numbers", "nan/inf");
}

float probe_rms(const std::complex<float>* src, std::size_t count) {
  double power = 0;
  for (std::size_t k = 0; k < count; ++k) power += std::norm(src[k]);
  const double rms = std::sqrt(power / static_cast<double>(count));
  return rms > 0 && std::isfinite(rms) ? static_cast<float>(rms) : 1.0f;
}

}  // namespace

model_input to_model_input(const csi_t& csi, bool align_phase) {
  check_csi_rank(csi.shape, "csi");
  const std::size_t r = csi.shape.size();
  const std::size_t pairs = csi.shape[r - 4] * csi.shape[r - 3], f = csi.shape[r - 2], t = csi.shape[r - 1];
  const std::size_t per_probe = pairs * f * t, probes = csi.size() / std::max<std::size_t>(1, per_probe);
  model_input m;
  m.pairs_per_probe = pairs;
  m.x = torch::empty({static_cast<std::int64_t>(probes * pairs), 2, static_cast<std::int64_t>(f), static_cast<std::int64_t>(t)});
  m.rms = torch::empty({static_cast<std::int64_t>(probes)});
  float* x = m.x.data_ptr<float>();
  float* rms = m.rms.data_ptr<float>();
  for (std::size_t g = 0; g < probes; ++g) {
    const std::complex<float>* src = csi.ptr() + g * per_probe;
    rms[g] = probe_rms(src, per_probe);
    write_sample(src, pairs, f, t, rms[g], align_phase, x + g * 2 * per_probe);
  }
  return m;
}

csi_t from_model_output(const torch::Tensor& y, const torch::Tensor& rms, const shape_t& shape) {
  check_csi_rank(shape, "csi");
  const torch::Tensor yc = y.to(torch::kCPU, torch::kFloat).contiguous();
  const torch::Tensor rc = rms.to(torch::kCPU, torch::kFloat).contiguous();
  csi_t out(shape);
  const std::size_t r = shape.size();
  const std::size_t pairs = shape[r - 4] * shape[r - 3], ft = shape[r - 2] * shape[r - 1], per_probe = pairs * ft;
  const std::size_t probes = out.size() / std::max<std::size_t>(1, per_probe);
  if (static_cast<std::size_t>(yc.numel()) != 2 * out.size() || static_cast<std::size_t>(rc.numel()) != probes)
    throw error("model output does not match the CSI", {"", "model output", {}}, "2 x " + shape_string(shape),
                c10::str(yc.sizes()));
  const float* py = yc.data_ptr<float>();
  const float* pr = rc.data_ptr<float>();
  for (std::size_t g = 0; g < probes; ++g)
    for (std::size_t p = 0; p < pairs; ++p)
      for (std::size_t k = 0; k < ft; ++k) {
        const float* s = py + (g * pairs + p) * 2 * ft;
        out.data[g * per_probe + p * ft + k] = std::complex<float>(s[k], s[ft + k]) * pr[g];
      }
  return out;
}

csi_t apply_model(const nn::model_handle& model, const csi_t& csi, torch::Device device, bool align_phase) {
  if (csi.size() == 0) return csi;
  const model_input in = to_model_input(csi, align_phase);
  return from_model_output(nn::predict(model, in.x, device), in.rms, csi.shape);
}

dataset::wiretap_data apply_model(const nn::model_handle& model, const dataset::wiretap_data& d, torch::Device device,
                                  bool align_phase) {
  dataset::wiretap_data out = d;
  out.alice = apply_model(model, d.alice, device, align_phase);
  out.bob = apply_model(model, d.bob, device, align_phase);
  out.eve = apply_model(model, d.eve, device, align_phase);
  out.eve_uplink = apply_model(model, d.eve_uplink, device, align_phase);
  return out;
}

probes_used probes_used_by(const std::vector<std::size_t>& rows, std::size_t pairs_per_probe, const std::string& target) {
  probes_used u;
  for (const std::size_t row : rows) {
    const std::size_t probe = row / (2 * pairs_per_probe), party = row / pairs_per_probe % 2;
    (party == 0 ? u.alice : u.bob).push_back(probe);  // the input
    if (target == "clean")
      u.clean.push_back(probe);
    else
      (party == 0 ? u.bob : u.alice).push_back(probe);  // the cross target
  }
  for (auto* v : {&u.alice, &u.bob, &u.clean}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return u;
}

nn::example_batch make_examples(const csi_t& alice, const csi_t& bob, const csi_t& clean, const probes_used& used,
                                const std::vector<std::size_t>& rows, const std::string& target, bool align_phase) {
  // The arrays hold different probes, so only their per-probe shapes [A, B, F, T] must agree; an array no example
  // of the batch reads is empty.
  const csi_t& ref = !alice.data.empty() ? alice : !bob.data.empty() ? bob : clean;
  check_csi_rank(ref.shape, "/alice");
  const shape_t& s = ref.shape;
  for (const auto* a : {&alice, &bob, &clean})
    if (!a->data.empty() && (a->shape.size() != 5 || !std::equal(s.begin() + 1, s.end(), a->shape.begin() + 1)))
      throw error("CSI arrays of different shapes", {"", "/bob", {}}, shape_string(s), shape_string(a->shape));
  const std::size_t pairs = s[1] * s[2], f = s[3], t = s[4];
  const std::size_t ft = f * t, per_probe = pairs * ft;
  const auto n = static_cast<std::int64_t>(rows.size());
  nn::example_batch b{torch::empty({n, 2, static_cast<std::int64_t>(f), static_cast<std::int64_t>(t)}),
                      torch::empty({n, 2, static_cast<std::int64_t>(f), static_cast<std::int64_t>(t)})};
  float* x = b.inputs.data_ptr<float>();
  float* y = b.targets.data_ptr<float>();
  // Where probe `probe` starts in an array holding the probes `held`.
  auto offset = [&](const std::vector<std::size_t>& held, std::size_t probe, std::size_t i) {
    const auto it = std::lower_bound(held.begin(), held.end(), probe);
    if (it == held.end() || *it != probe)
      throw error("example row of a probe not loaded", {"", "rows", i}, "a loaded probe", std::to_string(probe));
    return static_cast<std::size_t>(it - held.begin()) * per_probe;
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t probe = rows[i] / (2 * pairs), party = rows[i] / pairs % 2, pair = rows[i] % pairs;
    const csi_t& in = party == 0 ? alice : bob;
    const std::size_t in_at = offset(party == 0 ? used.alice : used.bob, probe, i);
    const bool clean_target = target == "clean";
    const csi_t& out = clean_target ? clean : (party == 0 ? bob : alice);
    const std::size_t out_at = offset(clean_target ? used.clean : (party == 0 ? used.bob : used.alice), probe, i);
    const float scale = probe_rms(in.ptr() + in_at, per_probe);
    write_sample(in.ptr() + in_at + pair * ft, 1, f, t, scale, align_phase, x + i * 2 * ft);
    write_sample(out.ptr() + out_at + pair * ft, 1, f, t, scale, align_phase, y + i * 2 * ft);
  }
  return b;
}

nn::example_batch make_examples(const csi_t& alice, const csi_t& bob, const csi_t& clean,
                                const std::vector<std::size_t>& probes, const std::vector<std::size_t>& rows,
                                const std::string& target, bool align_phase) {
  if (alice.shape.size() == 5 && (bob.shape != alice.shape || (target == "clean" && clean.shape != alice.shape)))
    throw error("CSI arrays of different shapes", {"", "/bob", {}}, shape_string(alice.shape), shape_string(bob.shape));
  return make_examples(alice, bob, clean, probes_used{probes, probes, target == "clean" ? probes : std::vector<std::size_t>{}},
                       rows, target, align_phase);
}

std::vector<std::size_t> example_rows(const std::vector<std::uint8_t>& split, dataset::split_label label,
                                      std::size_t pairs_per_probe) {
  std::vector<std::size_t> rows;
  for (std::size_t p = 0; p < split.size(); ++p)
    if (split[p] == label)
      for (std::size_t k = 0; k < 2 * pairs_per_probe; ++k) rows.push_back(2 * pairs_per_probe * p + k);
  return rows;
}

namespace {

void check_target(const std::string& target, bool has_clean, const std::string& file) {
  if (std::find(target_names().begin(), target_names().end(), target) == target_names().end())
    throw error("unknown training target", {file, "target", {}}, "clean or cross", target);
  if (target == "clean" && !has_clean)
    throw error("target \"clean\" needs the noiseless channel (set target = \"cross\" for measured data)",
                {file, "/clean", {}}, "the dataset /clean", "none");
}

void check_rows(const std::vector<std::size_t>& rows, dataset::split_label split, const std::string& file) {
  if (rows.empty())
    throw error("no probes in this split", {file, "/labels/split", {}}, "some probes labelled " + std::to_string(split),
                "none");
}

}  // namespace

nn::tensor_source wiretap_tensor_source(const dataset::wiretap_data& d, dataset::split_label split,
                                        const std::string& target, bool align_phase) {
  check_target(target, !d.clean.data.empty(), "dataset");
  const auto rows = example_rows(d.split, split, d.alice.shape.at(1) * d.alice.shape.at(2));
  check_rows(rows, split, "dataset");
  std::vector<std::size_t> probes(d.nof_probes());
  for (std::size_t i = 0; i < probes.size(); ++i) probes[i] = i;
  auto b = make_examples(d.alice, d.bob, d.clean, probes, rows, target, align_phase);
  return nn::tensor_source(b.inputs, b.targets);
}

std::unique_ptr<nn::h5_source> wiretap_h5_source(const std::filesystem::path& file, dataset::split_label split,
                                                 const std::string& target, bool align_phase) {
  std::vector<std::size_t> rows;
  std::size_t pairs = 1;
  (void)dataset::read_wiretap_labels(file);  // schema, shapes, labels and splits: every check of read_wiretap but the CSI's
  {
    h5::reader r(file);
    check_target(target, r.has("/clean"), file.string());
    const shape_t shape = r.shape("/alice");
    check_csi_rank(shape, file.string() + ": /alice");
    pairs = shape[1] * shape[2];
    rows = example_rows(r.read<std::uint8_t>("/labels/split").data, split, pairs);
  }
  check_rows(rows, split, file.string());
  // One reader for the source's life (not one per batch): HDF5 reads the file's chunk index once, not every batch.
  auto reader = std::make_shared<std::shared_ptr<h5::reader>>();
  auto load = [target, pairs, reader, align_phase](const std::filesystem::path& f, const std::vector<std::size_t>& batch_rows) {
    // Only the rows the batch's examples use: an example reads its input party's probe and its target's.
    const probes_used used = probes_used_by(batch_rows, pairs, target);
    if (!*reader) *reader = std::make_shared<h5::reader>(f);
    const h5::reader& r = **reader;
    auto read = [&](const char* name, const std::vector<std::size_t>& probes) {
      if (probes.empty()) return csi_t{};
      csi_t a = r.read_rows<std::complex<float>>(name, probes);
      check_finite_rows(a, probes, f.string(), name);
      return a;
    };
    const csi_t alice = read("/alice", used.alice), bob = read("/bob", used.bob), clean = read("/clean", used.clean);
    return make_examples(alice, bob, clean, used, batch_rows, target, align_phase);
  };
  return std::make_unique<nn::h5_source>(file, std::move(rows), load);
}

std::unique_ptr<nn::tensor_source> read_all(const nn::example_source& source) {
  std::vector<std::size_t> all(source.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  nn::example_batch b = source.batch(all);
  return std::make_unique<nn::tensor_source>(b.inputs, b.targets);
}

std::string model_extra_json(const std::string& target, std::size_t nof_subcarriers, std::size_t nof_symbols,
                             bool align_phase) {
  return nlohmann::json{{"kind", "physec.keygen.model/1"},
                        {"target", target},
                        {"input_phase", align_phase ? "aligned" : "measured"},
                        {"nof_subcarriers", nof_subcarriers},
                        {"nof_symbols", nof_symbols},
                        {"input", "[B, 2, F, T]: real/imag of one antenna pair's CSI over subcarriers x symbols"},
                        {"normalisation", "per probe: CSI / RMS over antenna pairs x subcarriers x symbols; "
                                          "outputs x the same RMS"}}
      .dump();
}

loaded_model load_keygen_model(const std::filesystem::path& ckpt, torch::Device device) {
  loaded_model m;
  m.meta = nn::read_checkpoint_meta(ckpt);
  nlohmann::json extra;
  try {
    extra = nlohmann::json::parse(m.meta.extra_json);
  } catch (const std::exception&) {
  }
  if (!extra.is_object() || extra.value("kind", "") != "physec.keygen.model/1")
    throw error("not a keygen model checkpoint", {ckpt.string(), "extra_json.kind", {}}, "physec.keygen.model/1",
                m.meta.model_name.empty() ? "none" : "a \"" + m.meta.model_name + "\" checkpoint");
  m.target = extra.value("target", "");
  m.align_phase = extra.value("input_phase", "measured") == "aligned";  // checkpoints before the option: measured
  m.nof_subcarriers = extra.value("nof_subcarriers", std::size_t{0});
  m.nof_symbols = extra.value("nof_symbols", std::size_t{0});
  m.model = make_keygen_model(m.meta.model_name, m.meta.model_options_json, ckpt.string());
  nn::load_model(ckpt, m.model, device);
  m.model.module->eval();
  return m;
}

dataset::wiretap_data apply_checkpoint(const std::filesystem::path& ckpt, const dataset::wiretap_data& d,
                                       const std::string& device) {
  const torch::Device dev = nn::parse_device(device);
  const loaded_model m = load_keygen_model(ckpt, dev);
  const std::size_t f = d.alice.shape.at(3), t = d.alice.shape.at(4);
  if (m.meta.model_name == "dense_ae" && (f != m.nof_subcarriers || t != m.nof_symbols))
    throw error("the dense AE was trained on another CSI size", {ckpt.string(), "nof_subcarriers x nof_symbols", {}},
                std::to_string(m.nof_subcarriers) + " x " + std::to_string(m.nof_symbols),
                std::to_string(f) + " x " + std::to_string(t) + " in the dataset");
  return apply_model(m.model, d, dev, m.align_phase);
}

std::string checkpoint_model_name(const std::filesystem::path& ckpt) { return nn::read_checkpoint_meta(ckpt).model_name; }

}  // namespace physec::keygen::models
