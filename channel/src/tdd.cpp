#include "physec/channel/tdd.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <utility>

#include "parallel.hpp"
#include "physec/core/fftw.hpp"
#include "physec/core/trig.hpp"
#include "physec/core/units.hpp"

namespace physec::channel {

namespace {

device_state draw_device(std::size_t nof_ports, const impairments_config& imp, rng_stream rng) {
  device_state d;
  auto chain = [&](rng_stream& r) {
    if (!imp.rf_mismatch) return cdouble(1.0, 0.0);
    const double gain_dB = imp.rf_gain_std_dB * r.normal();
    const double phase = deg_to_rad(imp.rf_phase_std_deg) * r.normal();
    return std::polar(std::pow(10.0, gain_dB / 20.0), phase);
  };
  rng_stream tx = rng.derive("tx"), rx = rng.derive("rx"), lo = rng.derive("lo");
  for (std::size_t p = 0; p < nof_ports; ++p) {
    d.tx_gain.push_back(chain(tx));
    d.rx_gain.push_back(chain(rx));
  }
  if (imp.cfo) d.lo_offset_Hz = lo.uniform(-imp.cfo_max_Hz, imp.cfo_max_Hz);
  return d;
}

std::array<double, 3> offset_vector(const eve_config& e) { return {e.offset_m[0], e.offset_m[1], e.offset_m[2]}; }

// The FFTW plan of an n-point complex DFT (sign −1 forward, +1 inverse), out of place on unaligned arrays, made on
// first use under physec's planner lock and kept for the life of the process; executing it is thread-safe.
fftw_plan dft_plan(std::size_t n, int sign) {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  static std::map<std::pair<std::size_t, int>, fftw_plan> plans;
  if (auto it = plans.find({n, sign}); it != plans.end()) return it->second;
  std::vector<cdouble> in(n), out(n);  // FFTW_ESTIMATE does not touch them
  const fftw_plan plan = fftw_plan_dft_1d(static_cast<int>(n), reinterpret_cast<fftw_complex*>(in.data()),
                                          reinterpret_cast<fftw_complex*>(out.data()),
                                          sign > 0 ? FFTW_BACKWARD : FFTW_FORWARD, FFTW_ESTIMATE | FFTW_UNALIGNED);
  plans.emplace(std::make_pair(n, sign), plan);
  return plan;
}

// Unitary DFT of `x` into `y` (sign −1 forward, +1 inverse); std::complex<double> is FFTW's fftw_complex layout.
void unitary_dft(std::vector<cdouble>& x, std::vector<cdouble>& y, int sign) {
  fftw_execute_dft(dft_plan(x.size(), sign), reinterpret_cast<fftw_complex*>(x.data()),
                   reinterpret_cast<fftw_complex*>(y.data()));
  const double scale = 1.0 / std::sqrt(static_cast<double>(x.size()));
  for (auto& v : y) v *= scale;
}

}  // namespace

void impairments_config::describe(physec::config::schema& s) {
  s.add("estimation_noise", estimation_noise, "add LS channel-estimation noise").source("DESIGN.md 4");
  s.add("snr_dB", snr_dB, "per-resource-element probe SNR [dB]").range(-30.0, 80.0).source("ours");
  s.add("rf_mismatch", rf_mismatch, "per-port TX/RX RF-chain gain and phase mismatch").source("DESIGN.md 4");
  s.add("rf_gain_std_dB", rf_gain_std_dB, "RF-chain gain standard deviation [dB]").range(0.0, 10.0).source("ours");
  s.add("rf_phase_std_deg", rf_phase_std_deg, "RF-chain phase standard deviation [deg]")
      .range(0.0, 180.0)
      .source("ours");
  s.add("cfo", cfo, "residual carrier frequency offset of each device's LO").source("DESIGN.md 4");
  s.add("cfo_max_Hz", cfo_max_Hz, "residual LO offset bound (uniform in +-cfo_max_Hz) [Hz]")
      .range(0.0, 1e5)
      .source("3GPP TS 38.101-1 §6.4.1: UE frequency error within ±0.1 ppm, 350 Hz at 3.5 GHz");
  s.add("phase_noise", phase_noise, "Wiener phase noise, one common phase error per OFDM symbol")
      .source("DESIGN.md 4");
  s.add("phase_noise_std_deg", phase_noise_std_deg, "phase increment standard deviation per symbol [deg]")
      .range(0.0, 90.0)
      .source("ours");
  s.add("adc", adc, "quantise the received samples").source("DESIGN.md 4");
  s.add("adc_bits", adc_bits, "ADC resolution per real dimension [bits]").range(1, 24).source("ours");
  s.add("adc_clip_rms", adc_clip_rms, "ADC full scale relative to the signal RMS").range(0.5, 20.0).source("ours");
}

impairments_config impairments_config::none() {
  impairments_config c;
  c.estimation_noise = c.rf_mismatch = c.cfo = c.phase_noise = c.adc = false;
  return c;
}

void eve_config::describe(physec::config::schema& s) {
  s.add("enabled", enabled, "simulate the eavesdropper").source("DESIGN.md 4");
  s.add("near", near, "node Eve stands next to").choices({"bob", "alice"}).source("DESIGN.md 4");
  s.add("offset_m", offset_m, "Eve's position minus that node's (x, y, z) [m]")
      .range(-1e3, 1e3)
      .size(3, 3)
      .source("DESIGN.md 4 (half a wavelength at 3.5 GHz)");
}

void tdd_config::describe(physec::config::schema& s) {
  s.section("link", link, "propagation (tx = Alice, rx = Bob)");
  s.section("grid", grid, "probe resource grid");
  s.add("up_down_gap_s", up_down_gap_s, "uplink probe start minus downlink probe start [s]")
      .range(-1.0, 1.0)
      .source("ours (one slot at 30 kHz)");
  s.add("independent_events", independent_events, "a new channel realisation for every probe event")
      .source("ours");
  s.add("probe_period_s", probe_period_s, "time between events sharing one realisation [s]")
      .range(0.0, 1e3)
      .source("ours");
  s.section("impairments", impairments, "what breaks reciprocity");
  s.section("eve", eve, "the eavesdropper");
}

double quantise(double x, std::size_t bits, double full_scale) {
  const double levels = std::ldexp(1.0, static_cast<int>(bits));
  const double step = 2.0 * full_scale / levels;
  const double q = step * (std::floor(x / step) + 0.5);
  return std::clamp(q, -full_scale + step / 2, full_scale - step / 2);
}

ndarray<cdouble> transpose_link(const ndarray<cdouble>& h) {
  const std::size_t nt = h.shape[0], nr = h.shape[1], ns = h.shape[2], nk = h.shape[3];
  ndarray<cdouble> out({nt, ns, nr, nk});
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t r = 0; r < nr; ++r)
      for (std::size_t s = 0; s < ns; ++s)
        for (std::size_t k = 0; k < nk; ++k) out(t, s, r, k) = h(t, r, s, k);
  return out;
}

tdd_link::tdd_link(tdd_config cfg, const rng_stream& stream)
    : cfg_(std::move(cfg)),
      stream_(stream),
      model_(make_link_model(cfg_.link)),
      eve_array_(cfg_.eve.near == "bob" ? cfg_.link.rx : cfg_.link.tx) {
  cfg_.validate();
  const auto& imp = cfg_.impairments;
  alice_ = draw_device(model_->tx_array().size(), imp, stream_.derive("device/alice"));
  bob_ = draw_device(model_->rx_array().size(), imp, stream_.derive("device/bob"));
  eve_ = draw_device(eve_array_.size(), imp, stream_.derive("device/eve"));
  if (!cfg_.independent_events) {
    rng_stream r = stream_.derive("rays"), e = stream_.derive("eve-link");
    shared_rays_ = model_->draw(r);
    eve_link_rays_ = model_->draw(e);
  }
}

ndarray<cdouble> tdd_link::receive(const ndarray<cdouble>& clean, const device_state& rx, const device_state& tx,
                                   double t0_s, rng_stream rng) const {
  const auto& imp = cfg_.impairments;
  const std::size_t nt = clean.shape[0], nr = clean.shape[1], ns = clean.shape[2], nk = clean.shape[3];
  ndarray<cdouble> y = clean;
  // Common phase per symbol: the receiver's LO phase relative to the transmitter's at the probe start (unknown and
  // different at every reception: the two oscillators are not phase-locked), the residual CFO of the two LOs at the
  // symbol's absolute time, and the receiver's Wiener phase noise. No symbol, symbol 0 included, escapes it.
  std::vector<cdouble> rot(nt, 1.0);
  if (imp.cfo || imp.phase_noise) {
    rng_stream pn = rng.derive("phase-noise");
    const double phase0 = pn.uniform(-pi, pi);
    double wiener = 0;
    for (std::size_t t = 0; t < nt; ++t) {
      if (imp.phase_noise) wiener += deg_to_rad(imp.phase_noise_std_deg) * pn.normal();
      const double ts = t0_s + static_cast<double>(t) * cfg_.grid.symbol_duration_s();
      rot[t] = std::polar(1.0, phase0 + 2.0 * pi * (tx.lo_offset_Hz - rx.lo_offset_Hz) * ts + wiener);
    }
  }
  const double noise_var = imp.estimation_noise ? 1.0 / db_to_linear(imp.snr_dB) : 0.0;
  rng_stream noise = rng.derive("noise"), pilots = rng.derive("pilots");
  std::vector<cdouble> buf(nk), time(nk);
  std::vector<double> pilot_phase(nk), pilot_sin(nk), pilot_cos(nk);
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t r = 0; r < nr; ++r)
      for (std::size_t s = 0; s < ns; ++s) {
        cdouble* row = &y(t, r, s, 0);
        if (imp.rf_mismatch || imp.cfo || imp.phase_noise) {
          const cdouble g = rx.rx_gain[r] * tx.tx_gain[s] * rot[t];
          for (std::size_t k = 0; k < nk; ++k) row[k] *= g;
        }
        if (!imp.adc) {
          if (noise_var > 0)
            for (std::size_t k = 0; k < nk; ++k) row[k] += noise.complex_normal(noise_var);
          continue;
        }
        // Time-domain samples of this port's probe with unit-modulus random-phase pilots X_k (noise-like, as a
        // real sounding sequence); the unitary DFT keeps the per-sample noise variance.
        for (auto& a : pilot_phase) a = pilots.uniform(-pi, pi);
        sincos_batch(pilot_phase.data(), pilot_sin.data(), pilot_cos.data(), nk);
        for (std::size_t k = 0; k < nk; ++k) buf[k] = row[k] * cdouble(pilot_cos[k], pilot_sin[k]);
        unitary_dft(buf, time, +1);
        double power = 0;
        for (auto& v : time) {
          if (noise_var > 0) v += noise.complex_normal(noise_var);
          power += std::norm(v);
        }
        const double full_scale = imp.adc_clip_rms * std::sqrt(power / static_cast<double>(nk) / 2.0);
        if (full_scale > 0)
          for (auto& v : time)
            v = {quantise(v.real(), imp.adc_bits, full_scale), quantise(v.imag(), imp.adc_bits, full_scale)};
        unitary_dft(time, buf, -1);
        // LS: Ĥ_k = Y_k / X_k = Y_k conj(X_k), |X_k| = 1.
        for (std::size_t k = 0; k < nk; ++k) row[k] = buf[k] * cdouble(pilot_cos[k], -pilot_sin[k]);
      }
  return y;
}

probe_event tdd_link::probe(std::uint64_t index) const {
  probe_event ev;
  const rng_stream event = stream_.at(index);
  ray_set drawn, drawn_eve;
  if (cfg_.independent_events) {
    rng_stream r = event.derive("rays"), e = event.derive("eve-link");
    drawn = model_->draw(r);
    if (cfg_.eve.enabled) drawn_eve = model_->draw(e);
  } else {
    ev.time_down_s = static_cast<double>(index) * cfg_.probe_period_s;
  }
  const ray_set& rays = cfg_.independent_events ? drawn : shared_rays_;
  const ray_set& eve_rays = cfg_.independent_events ? drawn_eve : eve_link_rays_;
  ev.time_up_s = ev.time_down_s + cfg_.up_down_gap_s;
  const auto t_down = cfg_.grid.symbol_times_s(ev.time_down_s), t_up = cfg_.grid.symbol_times_s(ev.time_up_s);
  const auto f = cfg_.grid.subcarrier_offsets_Hz();
  const auto& a_arr = model_->tx_array();
  const auto& b_arr = model_->rx_array();

  ev.clean_ab = frequency_response(rays, b_arr, a_arr, t_down, f);
  // Reciprocity: the uplink is the transpose of the same propagation at the uplink instants.
  ev.clean_ba = transpose_link(frequency_response(rays, b_arr, a_arr, t_up, f));
  ev.bob = receive(ev.clean_ab, bob_, alice_, ev.time_down_s, event.derive("rx/bob"));
  ev.alice = receive(ev.clean_ba, alice_, bob_, ev.time_up_s, event.derive("rx/alice"));
  if (!cfg_.eve.enabled) return ev;

  displacement d;
  if (cfg_.eve.near == "bob") {
    d.rx_m = offset_vector(cfg_.eve);
    ev.clean_eve_from_alice = frequency_response(rays, eve_array_, a_arr, t_down, f, d);
    ev.clean_eve_from_bob = frequency_response(eve_rays, eve_array_, b_arr, t_up, f);
  } else {
    d.tx_m = offset_vector(cfg_.eve);
    ev.clean_eve_from_bob = transpose_link(frequency_response(rays, b_arr, eve_array_, t_up, f, d));
    ev.clean_eve_from_alice = frequency_response(eve_rays, eve_array_, a_arr, t_down, f);
  }
  ev.eve_from_alice = receive(ev.clean_eve_from_alice, eve_, alice_, ev.time_down_s, event.derive("rx/eve-from-alice"));
  ev.eve_from_bob = receive(ev.clean_eve_from_bob, eve_, bob_, ev.time_up_s, event.derive("rx/eve-from-bob"));
  return ev;
}

std::vector<probe_event> tdd_link::probe_batch(std::uint64_t first, std::size_t count, unsigned nof_threads) const {
  std::vector<probe_event> out(count);
  detail::parallel_for(count, nof_threads, [&](std::size_t i) { out[i] = probe(first + i); });
  return out;
}

}  // namespace physec::channel
