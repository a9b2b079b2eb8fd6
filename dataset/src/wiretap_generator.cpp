#include "physec/dataset/wiretap_generator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace physec::dataset {

void wiretap_config::describe(config::schema& s) {
  const std::vector<std::string> all{"CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E", "TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E"};
  s.add("profiles", profiles, "TR 38.901 link-level profiles").choices(all).size(1, 10).source("TR 38.901 §7.7.1, §7.7.2 (all)");
  s.add("delay_spreads_s", delay_spreads_s, "desired RMS delay spreads [s]").range(1e-9, 5e-6).size(1, 16)
      .source("TR 38.901 Table 7.7.3-1 (nominal 100 ns)");
  s.add("speeds_mps", speeds_mps, "UE (Bob) speeds [m/s]").range(0, 150).size(1, 16).source("ours (pedestrian, low-mobility IoT)");
  s.add("snrs_dB", snrs_dB, "probe SNRs [dB]").range(-30, 60).size(1, 64).source("issue #6 (-5..30 dB, 5 dB steps)");
  s.add("eve_distances_wavelengths", eve_distances_wavelengths, "Eve's distances from Bob [wavelengths]")
      .range(0, 1000).size(1, 32).source("DESIGN.md §4 (0.5..20 λ)");
  s.add("eve_near_alice_wavelengths", eve_near_alice_wavelengths, "Eve's distances from Alice [wavelengths]")
      .range(0, 1000)
      .size(0, 32)
      .source("issue #15 (Eve near Alice as well as near Bob)");
  s.add("eve_azimuth_deg", eve_azimuth_deg, "direction of Eve's offset from Bob [deg azimuth]").range(-360, 360).source("ours");
  s.add("probes_per_setting", probes_per_setting, "probe events per (profile, delay spread, speed, SNR)").range(1, 1e6).source("ours (small: trains in minutes)");
  s.add("iid_probes", iid_probes, "a fresh channel realisation per probe, instead of one channel per link probed in time")
      .source("issue #15 (kept as an option)");
  s.add("probe_interval_s", probe_interval_s, "time between probes of one link [s]; 0: one coherence time 0.423 lambda/v")
      .range(0, 10)
      .source("Rappaport eq. 5.40.c (coherence time)");
  s.add("train_fraction", train_fraction, "share of probe events in the training split").range(0.01, 0.98).source("ours");
  s.add("validation_fraction", validation_fraction, "share in the validation split; the rest is test").range(0, 0.98).source("ours");
  s.add("carrier_Hz", carrier_Hz, "carrier frequency [Hz]").range(0.5e9, 100e9).source("DESIGN.md §4 (3.5 GHz)");
  s.add("up_down_gap_s", up_down_gap_s, "uplink probe start minus downlink probe start [s]").range(0, 1).source("ours (one slot at 30 kHz)");
  s.section("grid", grid, "NR resource grid of a probe");
  s.section("alice_array", alice_array, "Alice's (gNB's) antenna array");
  s.section("bob_array", bob_array, "Bob's (UE's) antenna array; Eve has the same");
  s.section("impairments", impairments, "what breaks reciprocity; snr_dB is replaced by each value of snrs_dB");
  s.check([this, key = s.key("probe_interval_s")](const std::string& file) {
    for (double v : speeds_mps)
      if (!iid_probes && probe_interval_s == 0 && v == 0)
        config::fail(file, key, "a static UE has no coherence time to probe at", "> 0 (or speeds > 0, or iid_probes)", "0");
  });
  s.check([this, key = s.key("validation_fraction")](const std::string& file) {
    if (train_fraction + validation_fraction >= 1.0)
      config::fail(file, key, "train and validation fractions leave no test split", "train + validation < 1",
                   config::format_real(train_fraction + validation_fraction));
  });
}

std::size_t wiretap_config::nof_eve() const { return eve_distances_wavelengths.size() + eve_near_alice_wavelengths.size(); }

std::size_t wiretap_config::nof_probes() const {
  return profiles.size() * delay_spreads_s.size() * speeds_mps.size() * snrs_dB.size() *
         static_cast<std::size_t>(probes_per_setting);
}

double coherence_time_s(double speed_mps, double carrier_Hz) {
  if (speed_mps <= 0) return std::numeric_limits<double>::infinity();
  return 0.423 * wavelength_m(carrier_Hz) / speed_mps;  // 0.423 / f_D, f_D = v / λ
}

void apply_paper_preset(wiretap_config& cfg) {
  cfg.delay_spreads_s = {10e-9, 30e-9, 100e-9, 300e-9};
  cfg.probes_per_setting = 100;
}

namespace {

/// Copies a [T, A, B, K] array (or [T, B, A, K] with `swap_ends`) into the dataset layout [A, B, K, T].
void store(const ndarray<channel::cdouble>& src, bool swap_ends, std::complex<float>* dst, std::size_t nof_a,
           std::size_t nof_b) {
  const std::size_t T = src.shape[0], K = src.shape[3];
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t a = 0; a < nof_a; ++a)
      for (std::size_t b = 0; b < nof_b; ++b)
        for (std::size_t k = 0; k < K; ++k) {
          const auto v = swap_ends ? src(t, b, a, k) : src(t, a, b, k);
          dst[((a * nof_b + b) * K + k) * T + t] = std::complex<float>(v);
        }
}

}  // namespace

void generate_wiretap_blocks(const wiretap_config& cfg_in, const rng_stream& stream, unsigned nof_threads,
                             progress* bar, const std::function<void(const wiretap_data& block)>& sink) {
  wiretap_config cfg = cfg_in;
  config::validate(cfg, "dataset wiretap");
  const double lambda = wavelength_m(cfg.carrier_Hz);
  const double az = deg_to_rad(cfg.eve_azimuth_deg);

  // One TDD link per Eve distance: same stream, so Alice's and Bob's probes are the same realisations.
  channel::tdd_config base;
  base.link.carrier_Hz = cfg.carrier_Hz;
  base.link.tx = cfg.alice_array;
  base.link.rx = cfg.bob_array;
  base.grid = cfg.grid;
  base.up_down_gap_s = cfg.up_down_gap_s;
  base.independent_events = cfg.iid_probes;
  base.impairments = cfg.impairments;
  base.eve.enabled = true;
  base.eve.near = "bob";

  const std::size_t ne_bob = cfg.eve_distances_wavelengths.size(), ne = cfg.nof_eve();
  const std::size_t K = cfg.grid.nof_subcarriers, T = cfg.grid.nof_symbols;

  wiretap_data d;  // one setting's block
  d.eve_distance_wavelengths = cfg.eve_distances_wavelengths;
  d.eve_distance_wavelengths.insert(d.eve_distance_wavelengths.end(), cfg.eve_near_alice_wavelengths.begin(),
                                    cfg.eve_near_alice_wavelengths.end());
  d.eve_near.assign(ne_bob, "bob");
  d.eve_near.resize(ne, "alice");
  const rng_stream split_stream = stream.derive("split");
  std::size_t setting = 0, written = 0;
  for (const auto& profile : cfg.profiles)
    for (double ds : cfg.delay_spreads_s)
      for (double speed : cfg.speeds_mps)
        for (double snr : cfg.snrs_dB) {
          channel::tdd_config tc = base;
          tc.link.profile = profile;
          tc.link.delay_spread_s = ds;
          tc.link.speed_mps = speed;
          tc.impairments.snr_dB = snr;
          const double t_coh = coherence_time_s(speed, cfg.carrier_Hz);
          tc.probe_period_s = cfg.probe_interval_s > 0 ? cfg.probe_interval_s : t_coh;
          const rng_stream s = stream.at(setting++);
          const auto count = static_cast<std::size_t>(cfg.probes_per_setting);
          std::vector<std::vector<channel::probe_event>> by_eve;
          for (std::size_t e = 0; e < ne; ++e) {
            const double r = d.eve_distance_wavelengths[e] * lambda;
            tc.eve.near = d.eve_near[e];
            tc.eve.offset_m = {r * std::cos(az), r * std::sin(az), 0.0};
            channel::tdd_link link(tc, s);
            by_eve.push_back(link.probe_batch(0, count, nof_threads));
          }
          const auto& first = by_eve[0];
          // The channel layer decides the port counts; take them from the first event.
          const std::size_t a = first[0].alice.shape[1], b = first[0].alice.shape[2];
          if (first[0].alice.shape[3] != K || first[0].alice.shape[0] != T)
            throw error("channel returned an unexpected grid", {"", "dataset wiretap", {}}, shape_string({T, a, b, K}),
                        shape_string(first[0].alice.shape));
          const std::size_t per = a * b * K * T;
          if (ne > ne_bob && a != b)
            throw error("Eve near Alice needs equal port counts at Alice and Bob", {"", "wiretap.eve_near_alice_wavelengths", {}},
                        "Alice ports == Bob ports (or no Eve near Alice)", std::to_string(a) + " vs " + std::to_string(b));
          d.alice = ndarray<std::complex<float>>({count, a, b, K, T});
          d.bob = d.alice;
          d.clean = d.alice;
          d.clean_downlink = d.alice;
          d.eve = ndarray<std::complex<float>>({count, ne, a, b, K, T});
          const auto& up = first[0].eve_from_bob.shape;  // [T, E, B, K]
          d.eve_uplink = ndarray<std::complex<float>>({count, ne, up[1], up[2], K, T});
          const std::size_t per_up = d.eve_uplink.size() / (count * ne);
          for (auto* labels : {&d.snr_dB, &d.delay_spread_s, &d.speed_mps, &d.time_s, &d.coherence_time_s})
            labels->clear();
          d.profile.clear();
          d.link.clear();
          d.split.clear();
          for (std::size_t i = 0; i < count; ++i, ++written) {
            const auto& ev = first[i];
            store(ev.alice, false, d.alice.ptr() + i * per, a, b);  // [T, A, B, K]
            store(ev.bob, true, d.bob.ptr() + i * per, a, b);       // [T, B, A, K] -> transposed
            store(ev.clean_ba, false, d.clean.ptr() + i * per, a, b);
            store(ev.clean_ab, true, d.clean_downlink.ptr() + i * per, a, b);  // [T, B, A, K] -> transposed
            for (std::size_t e = 0; e < ne_bob; ++e) {  // Eve near Bob hears Alice: [T, E, A, K] -> [A, E, K, T]
              store(by_eve[e][i].eve_from_alice, true, d.eve.ptr() + (i * ne + e) * per, a, b);
              // ... and Bob's uplink probe: [T, E, B, K] -> [E, B, K, T]
              store(by_eve[e][i].eve_from_bob, false, d.eve_uplink.ptr() + (i * ne + e) * per_up,
                    d.eve_uplink.shape[2], d.eve_uplink.shape[3]);
            }
            for (std::size_t e = ne_bob; e < ne; ++e) {
              // Eve near Alice: /eve holds what shares rays with the A-B link, her estimate of Bob's uplink probe
              // ([T, E = A ports, B, K] -> [A, B, K, T]); /eve_uplink her estimate of Alice's probe over her own
              // short link ([T, E, A, K] -> [E, A, K, T]).
              store(by_eve[e][i].eve_from_bob, false, d.eve.ptr() + (i * ne + e) * per, a, b);
              store(by_eve[e][i].eve_from_alice, false, d.eve_uplink.ptr() + (i * ne + e) * per_up,
                    d.eve_uplink.shape[2], d.eve_uplink.shape[3]);
            }
            d.snr_dB.push_back(snr);
            d.delay_spread_s.push_back(ds);
            d.speed_mps.push_back(speed);
            d.profile.push_back(profile);
            d.link.push_back(static_cast<std::int32_t>(setting - 1));
            d.time_s.push_back(cfg.iid_probes ? std::nan("") : ev.time_down_s);
            d.coherence_time_s.push_back(t_coh);
            // i.i.d. probes: a random split; probes in time: contiguous blocks, so no realisation crosses splits.
            const double u = cfg.iid_probes ? split_stream.at(written).uniform()
                                            : (static_cast<double>(i) + 0.5) / static_cast<double>(count);
            d.split.push_back(u < cfg.train_fraction ? split_label::train
                              : u < cfg.train_fraction + cfg.validation_fraction ? split_label::validation
                                                                                : split_label::test);
          }
          by_eve.clear();  // before the sink: one setting's events in memory at a time
          sink(d);
          if (bar) bar->advance(count);
        }
}

wiretap_data generate_wiretap(const wiretap_config& cfg, const rng_stream& stream, unsigned nof_threads,
                              progress* bar) {
  const std::size_t n = cfg.nof_probes();
  wiretap_data all;
  std::size_t written = 0;
  const auto copy_rows = [&written, n](ndarray<std::complex<float>>& to, const ndarray<std::complex<float>>& from) {
    if (to.shape.empty()) {
      shape_t s = from.shape;
      s[0] = n;
      to = ndarray<std::complex<float>>(s);
    }
    std::copy(from.data.begin(), from.data.end(),
              to.data.begin() + static_cast<std::ptrdiff_t>(written * (from.size() / from.shape[0])));
  };
  const auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  generate_wiretap_blocks(cfg, stream, nof_threads, bar, [&](const wiretap_data& b) {
    copy_rows(all.alice, b.alice);
    copy_rows(all.bob, b.bob);
    copy_rows(all.clean, b.clean);
    copy_rows(all.clean_downlink, b.clean_downlink);
    copy_rows(all.eve, b.eve);
    copy_rows(all.eve_uplink, b.eve_uplink);
    append(all.snr_dB, b.snr_dB);
    append(all.delay_spread_s, b.delay_spread_s);
    append(all.speed_mps, b.speed_mps);
    append(all.profile, b.profile);
    append(all.split, b.split);
    append(all.link, b.link);
    append(all.time_s, b.time_s);
    append(all.coherence_time_s, b.coherence_time_s);
    all.eve_distance_wavelengths = b.eve_distance_wavelengths;
    all.eve_near = b.eve_near;
    written += b.nof_probes();
  });
  return all;
}

}  // namespace physec::dataset
