// The mobility dataset: shapes, labels, splits (disjoint, with gaps), features, determinism, HDF5 round trip and
// the errors a bad file gives.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "physec/core/hdf5.hpp"
#include "physec/dataset/mobility_generator.hpp"
#include "test_util.hpp"

namespace ds = physec::dataset;
using physec::testing::message_of;

namespace {

// 20 sequences of 10 samples per transmitter; a 2 x 2 IRS keeps it fast.
ds::mobility_config tiny() {
  ds::mobility_config c;
  c.samples_per_transmitter = 200;
  c.sequence_length = 10;
  c.irs_ny = c.irs_nz = 2;
  return c;
}

const ds::mobility_data& tiny_data() {
  static const ds::mobility_data d = ds::generate_mobility(tiny(), physec::rng_stream(5), 2, nullptr);
  return d;
}

}  // namespace

TEST(mobility, shapes_and_labels) {
  const auto& d = tiny_data();
  EXPECT_EQ(d.sequences.shape, (physec::shape_t{120, 24, 10}));
  EXPECT_EQ(d.csi.shape, (physec::shape_t{120, 10, 3, 4}));
  EXPECT_EQ(d.positions_m.shape, (physec::shape_t{120, 10, 3}));
  EXPECT_EQ(d.snr_dB.shape, (physec::shape_t{120, 10}));
  EXPECT_EQ(d.nof_legal, 4);
  for (std::size_t q = 0; q < 120; ++q) {
    EXPECT_EQ(d.transmitter[q], static_cast<int>(q / 20));  // transmitter-major
    EXPECT_EQ(d.start_index[q], static_cast<std::int64_t>((q % 20) * 10));
  }
  // 2 m/s: consecutive positions 2 cm apart; speed from the stored velocity.
  for (std::size_t t = 0; t + 1 < 10; ++t) {
    const double dx = d.positions_m(0, t + 1, 0) - d.positions_m(0, t, 0),
                 dy = d.positions_m(0, t + 1, 1) - d.positions_m(0, t, 1);
    EXPECT_NEAR(std::hypot(dx, dy), 0.02, 1e-4);
    EXPECT_NEAR(std::hypot(d.velocities_mps(0, t, 0), d.velocities_mps(0, t, 1)), 2.0, 1e-3);
  }
}

TEST(mobility, time_split_is_ordered_disjoint_and_gapped) {
  // 20 sequences: training part round(0.6 * 20) = 12, validation max(1, round(0.1 * 20)) = 2, gap 1:
  // train 0..8, gap 9, validation 10..11, gap 12, test 13..19 (typed by hand).
  const auto& d = tiny_data();
  const std::vector<std::uint8_t> expected = {0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 1, 3, 2, 2, 2, 2, 2, 2, 2};
  for (std::size_t q = 0; q < 120; ++q) EXPECT_EQ(d.split_time[q], expected[q % 20]) << q;
}

TEST(mobility, time_validation_after_test_takes_the_end_of_the_trajectory) {
  // 20 sequences, training part 12, validation 2, gap 1 (as above): train 0..11, gap 12, test 13..16, gap 17,
  // validation 18..19 (typed by hand). The test stretch starts where it does in the default layout.
  auto c = tiny();
  c.time_validation = "after_test";
  const auto d = ds::generate_mobility(c, physec::rng_stream(5), 2, nullptr);
  const std::vector<std::uint8_t> expected = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 2, 2, 2, 3, 1, 1};
  for (std::size_t q = 0; q < 120; ++q) EXPECT_EQ(d.split_time[q], expected[q % 20]) << q;
}

TEST(mobility, time_splits_validation_lies_where_its_test_does_only_after_the_test) {
  // Default route (2 m/s on a 4 m circle: 25.13 m per lap; 40 sequences of 0.5 s = 40 m, 1.59 laps; samples 2 cm
  // apart). Time split: training covers route metres 0-19 (before_test) or 0-24 (after_test); the test stretch,
  // metres 25-40, is lap 2's metres 0-15: every test sample lies within one sample step (2 cm) of a training one.
  // The before_test validation, metres 20-24, lies on an arc the training never reached: >= 1 m (its gap sequence)
  // from every training sample; the after_test validation, metres 36-40 = lap 2's 11-15, within 2 cm like the test.
  auto mean_distance = [](const ds::mobility_data& d, std::uint8_t code) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t a = 0; a < d.nof_sequences(); ++a) {
      if (d.split_time[a] != code) continue;
      for (std::size_t t = 0; t < d.nof_steps(); ++t, ++n) {
        double dmin = 1e9;
        for (std::size_t b = 0; b < d.nof_sequences(); ++b)
          if (d.transmitter[b] == d.transmitter[a] && d.split_time[b] == ds::m_train)
            for (std::size_t u = 0; u < d.nof_steps(); ++u)
              dmin = std::min(dmin, std::hypot(d.positions_m(a, t, 0) - d.positions_m(b, u, 0),
                                               d.positions_m(a, t, 1) - d.positions_m(b, u, 1)));
        sum += dmin;
      }
    }
    return sum / static_cast<double>(n);
  };
  ds::mobility_config c;
  c.irs_ny = c.irs_nz = 1;
  c.nof_spoofers = 0;
  const auto before = ds::generate_mobility(c, physec::rng_stream(9), 2, nullptr);
  EXPECT_LE(mean_distance(before, ds::m_test), 0.02);
  EXPECT_GE(mean_distance(before, ds::m_validation), 1.0);
  c.time_validation = "after_test";
  const auto after = ds::generate_mobility(c, physec::rng_stream(9), 2, nullptr);
  EXPECT_LE(mean_distance(after, ds::m_test), 0.02);
  EXPECT_LE(mean_distance(after, ds::m_validation), 0.02);
  // The library's summary (five samples per sequence) meets the same bounds on average. Its largest test sequence
  // value is the first test sequence's: it starts at metre 25.0, 0.13 m before lap 1 closes at 25.13 m, so one of its
  // five samples lies 0.13 m from training and the others within a sample step (0.02 m): <= 0.13 / 5 + 0.02.
  const auto before_test = ds::distance_to_training(before, before.split_time, ds::m_test);
  EXPECT_LE(before_test.mean, 0.02);
  EXPECT_LE(before_test.max, 0.13 / 5 + 0.02);
  EXPECT_GE(ds::distance_to_training(before, before.split_time, ds::m_validation).mean, 1.0);
  EXPECT_LE(ds::distance_to_training(after, after.split_time, ds::m_validation).max, 0.02);
  EXPECT_EQ(ds::distance_to_training(after, after.split_time, ds::m_validation).nof_sequences, 4u * 4u);
  EXPECT_TRUE(std::isnan(ds::distance_to_training(after, after.split_time, 7).mean));  // no such sequence
}

TEST(mobility, random_split_is_the_time_splits_codes_shuffled_and_overlaps_along_each_route) {
  ds::mobility_config c;
  c.irs_ny = c.irs_nz = 1;
  const auto d = ds::generate_mobility(c, physec::rng_stream(9), 2, nullptr);
  ASSERT_EQ(d.split_random.size(), d.nof_sequences());
  // The same numbers of training, validation, test and unused sequences as the time split, a function of it alone.
  for (std::uint8_t code = 0; code < 4; ++code)
    EXPECT_EQ(std::count(d.split_random.begin(), d.split_random.end(), code),
              std::count(d.split_time.begin(), d.split_time.end(), code));
  EXPECT_EQ(ds::random_split(d.split_time), d.split_random);
  EXPECT_NE(d.split_random, d.split_time);
  // Documented as overlapping: along every legal route some test sequence lies between two training sequences
  // (the time split never has one: all its test sequences come after its training ones).
  for (int tx = 0; tx < d.nof_legal; ++tx) {
    std::int64_t first_train = 1 << 30, last_train = -1;
    for (std::size_t q = 0; q < d.nof_sequences(); ++q)
      if (d.transmitter[q] == tx && d.split_random[q] == ds::m_train) {
        first_train = std::min(first_train, d.start_index[q]);
        last_train = std::max(last_train, d.start_index[q]);
      }
    bool interleaved = false;
    for (std::size_t q = 0; q < d.nof_sequences(); ++q)
      interleaved |= d.transmitter[q] == tx && d.split_random[q] == ds::m_test && d.start_index[q] > first_train &&
                     d.start_index[q] < last_train;
    EXPECT_TRUE(interleaved) << "transmitter " << tx;
  }
  // split_labels names the protocols and refuses others naming the field.
  EXPECT_EQ(&ds::split_labels(d, "time"), &d.split_time);
  EXPECT_EQ(&ds::split_labels(d, "position"), &d.split_position);
  EXPECT_EQ(&ds::split_labels(d, "random"), &d.split_random);
  const auto m = message_of([&] { ds::split_labels(d, "shuffled", "--split"); });
  EXPECT_NE(m.find("--split"), std::string::npos) << m;
  EXPECT_NE(m.find("time, position or random"), std::string::npos) << m;
}

TEST(mobility, no_sample_in_two_splits_and_gaps_hold) {
  // Default size (40 sequences of 50) with a 1-element IRS, both splits: the sample indices of train, validation
  // and test are disjoint per transmitter; in time, every test sample is >= 1 sequence (50 samples) after every
  // training or validation sample; in position, every test position is >= the guard chord from every training
  // position (guard: one sequence of travel, 1 m of arc on a 4 m circle: chord 2 r sin(0.125) = 0.997 m).
  ds::mobility_config c;
  c.irs_ny = c.irs_nz = 1;
  const auto d = ds::generate_mobility(c, physec::rng_stream(9), 2, nullptr);
  const std::size_t T = d.nof_steps();
  for (const auto* split : {&d.split_time, &d.split_position})
    for (int tx = 0; tx < 6; ++tx) {
      std::set<std::int64_t> seen[3];
      std::int64_t last_train = -1, first_test = 1 << 30;
      std::vector<std::size_t> train_q, test_q;
      for (std::size_t q = 0; q < d.nof_sequences(); ++q) {
        if (d.transmitter[q] != tx || (*split)[q] == ds::m_unused) continue;
        const auto s = (*split)[q];
        for (std::size_t t = 0; t < T; ++t) {
          const auto idx = d.start_index[q] + static_cast<std::int64_t>(t);
          for (int o = 0; o < 3; ++o)
            if (o != s) {
              ASSERT_EQ(seen[o].count(idx), 0u) << "sample " << idx << " of transmitter " << tx;
            }
          seen[s].insert(idx);
        }
        if (s != ds::m_test) last_train = std::max(last_train, d.start_index[q] + static_cast<std::int64_t>(T) - 1);
        if (s == ds::m_test) first_test = std::min<std::int64_t>(first_test, d.start_index[q]);
        (s == ds::m_train ? train_q : s == ds::m_test ? test_q : train_q).push_back(q);
      }
      EXPECT_FALSE(seen[0].empty());
      EXPECT_FALSE(seen[1].empty());
      EXPECT_FALSE(seen[2].empty());
      if (split == &d.split_time) {
        EXPECT_GE(first_test - last_train - 1, static_cast<std::int64_t>(T)) << "transmitter " << tx;
      } else {
        double dmin = 1e9;
        for (auto a : test_q)
          for (auto b : train_q)
            for (std::size_t t = 0; t < T; ++t)
              for (std::size_t u = 0; u < T; ++u)
                dmin = std::min(dmin, std::hypot(d.positions_m(a, t, 0) - d.positions_m(b, u, 0),
                                                 d.positions_m(a, t, 1) - d.positions_m(b, u, 1)));
        EXPECT_GE(dmin, 0.99) << "transmitter " << tx;
      }
    }
}

TEST(mobility, features_are_phase_referenced_and_globally_scaled) {
  const auto& d = tiny_data();
  // Global: features * sqrt(P_ref) reproduce |csi| entry by entry; H[0][0] real positive after rotation.
  for (std::size_t q = 0; q < 120; q += 7)
    for (std::size_t t = 0; t < 10; ++t) {
      EXPECT_NEAR(d.sequences(q, 12, t), 0.0f, 1e-6f);
      EXPECT_GT(d.sequences(q, 0, t), 0.0f);
      double ratio = -1;
      for (std::size_t e = 0; e < 12; ++e) {
        const double f = std::hypot(d.sequences(q, e, t), d.sequences(q, 12 + e, t));
        const double h = std::abs(d.csi.data[(q * 10 + t) * 12 + e]);
        if (ratio < 0) ratio = h / f;
        EXPECT_NEAR(h / f, ratio, 1e-4 * ratio);  // one scale for every entry and sample
      }
    }
  // Per-sample: unit mean power per entry in every sample.
  auto c = tiny();
  c.normalisation = "per_sample";
  const auto p = ds::generate_mobility(c, physec::rng_stream(5), 1, nullptr);
  for (std::size_t q = 0; q < 120; q += 11) {
    double s = 0;
    for (std::size_t e = 0; e < 24; ++e) s += p.sequences(q, e, 3) * p.sequences(q, e, 3);
    EXPECT_NEAR(s / 12.0, 1.0, 1e-4);
  }
  EXPECT_EQ(p.csi, tiny_data().csi);  // the CSI itself does not depend on the feature scaling
}

TEST(mobility, deterministic_for_any_thread_count) {
  const auto one = ds::generate_mobility(tiny(), physec::rng_stream(5), 1, nullptr);
  EXPECT_EQ(one.csi, tiny_data().csi);
  EXPECT_EQ(one.sequences, tiny_data().sequences);
  EXPECT_EQ(one.split_position, tiny_data().split_position);
  const auto other = ds::generate_mobility(tiny(), physec::rng_stream(6), 3, nullptr);
  EXPECT_FALSE(other.csi == tiny_data().csi);
}

TEST(mobility, near_spoofers_shadow_their_legal_transmitter) {
  auto c = tiny();
  c.spoofer_placement = "near";
  c.spoofer_offset_m = 0.5;
  const auto d = ds::generate_mobility(c, physec::rng_stream(5), 2, nullptr);
  for (std::size_t k = 0; k < 2; ++k)
    for (std::size_t q = 0; q < 20; ++q)
      for (std::size_t t = 0; t < 10; ++t) {
        const std::size_t legal = k * 20 + q, spoof = (4 + k) * 20 + q;
        EXPECT_NEAR(std::hypot(d.positions_m(spoof, t, 0) - d.positions_m(legal, t, 0),
                               d.positions_m(spoof, t, 1) - d.positions_m(legal, t, 1)),
                    0.5, 1e-9);
      }
}

TEST(mobility, routes_keep_the_minimum_distance) {
  auto c = tiny();
  c.min_distance_m = 2.0;
  const auto d = ds::generate_mobility(c, physec::rng_stream(3), 2, nullptr);
  double dmin = 1e9;
  for (std::size_t a = 0; a < 6; ++a)
    for (std::size_t b = a + 1; b < 6; ++b)
      for (std::size_t q = 0; q < 20; ++q)
        for (std::size_t t = 0; t < 10; ++t)
          dmin = std::min(dmin, std::hypot(d.positions_m(a * 20 + q, t, 0) - d.positions_m(b * 20 + q, t, 0),
                                           d.positions_m(a * 20 + q, t, 1) - d.positions_m(b * 20 + q, t, 1)));
  EXPECT_GE(dmin, 2.0 - 1e-3);  // chords cut inside the circle by < 1 mm
}

TEST(mobility, bad_config_names_the_field) {
  auto c = tiny();
  c.min_distance_m = 30;
  EXPECT_NE(message_of([&] { ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr); }).find("min_distance_m"),
            std::string::npos);
  c = tiny();
  c.samples_per_transmitter = 40;  // 4 sequences: no room for train, validation, test and two gaps
  EXPECT_NE(
      message_of([&] { ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr); }).find("samples_per_transmitter"),
      std::string::npos);
  // 20 sequences, train_fraction 0.9: the test starts at 18 + 1 gap. before_test: training 0..14, validation 16..17,
  // test 19 (accepted); after_test: the test would need 2 validation and 2 gap sequences after it: 20 - 18 - 2 - 2
  // = -2 test sequences, refused with the counts.
  c = tiny();
  c.train_fraction = 0.9;
  EXPECT_NO_THROW(ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr));
  c.time_validation = "after_test";
  const auto m_after = message_of([&] { ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr); });
  EXPECT_NE(m_after.find("samples_per_transmitter"), std::string::npos) << m_after;
  EXPECT_NE(m_after.find("got 20 sequences: 18 training, -2 test (after_test)"), std::string::npos) << m_after;
  // 5 m/s on the 4 m route: a sequence (50 samples at 100 Hz) covers 2.5 m = 0.625 rad; the position split's arcs
  // (test 0.4 * 2 pi = 2.513, validation max(0.1 * 2 pi, 2 * 0.625) = 1.25, three guards of 0.625) leave
  // 2 pi - 5.638 = 0.645 rad, 1.03 sequences of training arc: refused, naming the speed. 3.5 m/s leaves 3.6.
  c = tiny();
  c.sequence_length = 50;
  c.samples_per_transmitter = 1000;
  c.speed_mps = 5.0;
  const auto m = message_of([&] { ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr); });
  EXPECT_NE(m.find("speed_mps"), std::string::npos) << m;
  EXPECT_NE(m.find("got 1.03 sequences"), std::string::npos) << m;
  c.speed_mps = 3.5;
  EXPECT_NO_THROW(ds::generate_mobility(c, physec::rng_stream(1), 1, nullptr));
}

TEST(mobility, hdf5_round_trip) {
  const auto dir = physec::testing::temp_dir("mobility_rt");
  auto d = tiny_data();
  d.seed = 5;
  d.config_toml = "[mobility]\nspeed_mps = 2.0\n";
  ds::write_mobility(dir / "m.h5", d);
  const auto r = ds::read_mobility(dir / "m.h5");
  EXPECT_EQ(r.sequences, d.sequences);
  EXPECT_EQ(r.csi, d.csi);
  EXPECT_EQ(r.transmitter, d.transmitter);
  EXPECT_EQ(r.split_time, d.split_time);
  EXPECT_EQ(r.split_position, d.split_position);
  EXPECT_EQ(r.split_random, d.split_random.empty() ? ds::random_split(d.split_time) : d.split_random);
  EXPECT_EQ(r.start_index, d.start_index);
  EXPECT_EQ(r.snr_dB, d.snr_dB);
  EXPECT_EQ(r.los, d.los);
  EXPECT_EQ(r.positions_m, d.positions_m);
  EXPECT_EQ(r.velocities_mps, d.velocities_mps);
  // A file from before the paper-like split (no /labels/split_random) gets the same labels, derived on reading.
  {
    physec::h5::writer w(dir / "old.h5");
    const physec::shape_t n{d.nof_sequences()};
    w.write("/sequences", d.sequences);
    w.write("/csi", d.csi);
    w.write("/labels/transmitter", n, d.transmitter.data());
    w.write("/labels/split_time", n, d.split_time.data());
    w.write("/labels/split_position", n, d.split_position.data());
    w.write("/labels/start_index", n, d.start_index.data());
    w.write("/labels/snr_dB", d.snr_dB);
    w.write("/labels/los", d.los);
    w.write("/positions_m", d.positions_m);
    w.write("/velocities_mps", d.velocities_mps);
    w.attribute("/", "schema", std::string(ds::k_mobility_schema));
    w.commit();
  }
  EXPECT_EQ(ds::read_mobility(dir / "old.h5").split_random, r.split_random);
  EXPECT_EQ(r.seed, 5u);
  EXPECT_EQ(r.config_toml, d.config_toml);
  EXPECT_EQ(r.nof_legal, 4);
  EXPECT_EQ(r.noise_variance, d.noise_variance);
  EXPECT_EQ(r.feature_layout, d.feature_layout);
}

TEST(mobility, bad_files_give_one_line_errors) {
  const auto dir = physec::testing::temp_dir("mobility_bad");
  const auto& good = tiny_data();
  {  // not a mobility file
    physec::h5::writer w(dir / "other.h5");
    w.write("/x", physec::shape_t{1}, std::vector<double>{1.0}.data());
    w.attribute("/", "schema", std::string("physec.wiretap/1"));
    w.commit();
  }
  auto m = message_of([&] { ds::read_mobility(dir / "other.h5"); });
  EXPECT_NE(m.find("not a mobility dataset"), std::string::npos) << m;
  EXPECT_NE(m.find("physec.mobility/1"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  // Missing file.
  m = message_of([&] { ds::read_mobility(dir / "missing.h5"); });
  EXPECT_NE(m.find("missing.h5"), std::string::npos) << m;
  // Inconsistent parts are refused before anything is written.
  auto bad = good;
  bad.transmitter.pop_back();
  m = message_of([&] { ds::write_mobility(dir / "bad.h5", bad); });
  EXPECT_NE(m.find("/labels/transmitter"), std::string::npos) << m;
  EXPECT_NE(m.find("120"), std::string::npos) << m;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.h5"));
  bad = good;
  bad.split_position[3] = 7;
  m = message_of([&] { ds::check_mobility(bad, "mem"); });
  EXPECT_NE(m.find("/labels/split_position"), std::string::npos) << m;
  bad = good;
  bad.sequences.data[5] = std::nanf("");
  m = message_of([&] { ds::check_mobility(bad, "mem"); });
  EXPECT_NE(m.find("/sequences"), std::string::npos) << m;
  bad = good;
  bad.positions_m = physec::ndarray<double>({120, 9, 3});
  m = message_of([&] { ds::check_mobility(bad, "mem"); });
  EXPECT_NE(m.find("/positions_m"), std::string::npos) << m;
  // A truncated dataset on disk (one fewer label) is caught by the reader, naming the file.
  {
    physec::h5::writer w(dir / "short.h5");
    w.write("/sequences", good.sequences);
    w.write("/csi", good.csi);
    std::vector<std::int32_t> tx(good.transmitter.begin(), good.transmitter.end() - 1);
    w.write("/labels/transmitter", physec::shape_t{tx.size()}, tx.data());
    w.write("/labels/split_time", physec::shape_t{120}, good.split_time.data());
    w.write("/labels/split_position", physec::shape_t{120}, good.split_position.data());
    w.write("/labels/start_index", physec::shape_t{120}, good.start_index.data());
    w.write("/labels/snr_dB", good.snr_dB);
    w.write("/labels/los", good.los);
    w.write("/positions_m", good.positions_m);
    w.write("/velocities_mps", good.velocities_mps);
    w.attribute("/", "schema", std::string(ds::k_mobility_schema));
    w.commit();
  }
  m = message_of([&] { ds::read_mobility(dir / "short.h5"); });
  EXPECT_NE(m.find("short.h5"), std::string::npos) << m;
  EXPECT_NE(m.find("/labels/transmitter"), std::string::npos) << m;
}

TEST(mobility, rf_signatures_are_a_fixed_per_chain_factor) {
  // With the switch on, transmitter i's CSI is the same channel times a fixed complex gain per TX chain: the
  // ratio between the two datasets' entries is constant over time for each (transmitter, chain).
  auto c = tiny();
  c.snr_dB = 60;
  const auto off = ds::generate_mobility(c, physec::rng_stream(5), 2, nullptr);
  c.rf_signatures = true;
  const auto on = ds::generate_mobility(c, physec::rng_stream(5), 2, nullptr);
  EXPECT_EQ(on.positions_m, off.positions_m);
  for (std::size_t tx = 0; tx < 6; ++tx)
    for (std::size_t s = 0; s < 4; ++s) {
      const std::size_t q0 = tx * 20;
      const auto ref =
          std::complex<double>(on.csi.data[q0 * 120 + s]) / std::complex<double>(off.csi.data[q0 * 120 + s]);
      EXPECT_GT(std::abs(ref - 1.0), 1e-4);  // σ 0.5 dB, 5°: never exactly 1 (tolerance below: CSI noise at 60 dB)
      for (std::size_t q = q0; q < q0 + 20; q += 5)
        for (std::size_t t = 0; t < 10; t += 3) {
          const std::size_t i = (q * 10 + t) * 12 + 2 * 4 + s;  // rx 2, tx chain s
          const auto r = std::complex<double>(on.csi.data[i]) / std::complex<double>(off.csi.data[i]);
          EXPECT_LT(std::abs(r - ref), 0.05 * std::abs(ref)) << "transmitter " << tx << " chain " << s;
        }
    }
}

// Audit item 12: more legal transmitters than transmitters is refused (every one would count as legal).
TEST(mobility, nof_legal_above_the_transmitters_is_refused) {
  const auto dir = physec::testing::temp_dir("mobility_legal");
  auto d = tiny_data();
  d.nof_legal = 7;  // 6 transmitters
  EXPECT_NE(message_of([&] { ds::write_mobility(dir / "m.h5", d); })
                .find("more legal transmitters than transmitters (expected at most 6, got 7)"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "m.h5"));
}
