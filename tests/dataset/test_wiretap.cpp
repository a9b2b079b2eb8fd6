// The wiretap HDF5 schema: round trip and the one-line errors of bad files (nothing read half-way).
#include <cmath>
#include <limits>
#include <gtest/gtest.h>

#include "test_util.hpp"

#include <filesystem>

#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/dataset/wiretap_generator.hpp"
#include "wiretap_fixture.hpp"

namespace fs = std::filesystem;
using physec::dataset::wiretap_data;

namespace {

using physec::testing::message_of;
using physec::testing::temp_dir;



TEST(wiretap, round_trip) {
  const auto dir = temp_dir("rt");
  auto d = physec::testing::synthetic_wiretap(10, 0.1, {0.0, 0.9}, 3);
  d.eve_uplink = physec::ndarray<std::complex<float>>({10, 2, 1, 1, 8, 2}, std::complex<float>(0.5f, -1.0f));
  d.clean_downlink = d.bob;
  physec::dataset::write_wiretap(dir / "w.h5", d);
  const auto r = physec::dataset::read_wiretap(dir / "w.h5");
  EXPECT_EQ(r.alice, d.alice);
  EXPECT_EQ(r.bob, d.bob);
  EXPECT_EQ(r.eve, d.eve);
  EXPECT_EQ(r.clean, d.clean);
  EXPECT_EQ(r.clean_downlink, d.clean_downlink);
  EXPECT_EQ(r.eve_uplink, d.eve_uplink);
  EXPECT_EQ(r.snr_dB, d.snr_dB);
  EXPECT_EQ(r.profile, d.profile);
  EXPECT_EQ(r.split, d.split);
  EXPECT_EQ(r.eve_distance_wavelengths, d.eve_distance_wavelengths);
  EXPECT_EQ(r.seed, 3u);
  EXPECT_EQ(r.config_toml, d.config_toml);
  // Eve at position 1, probe 4, equals the slice of /eve.
  const auto e1 = physec::dataset::eve_at(r, 1);
  EXPECT_EQ(e1.data[4 * 16 + 5], r.eve.data[(4 * 2 + 1) * 16 + 5]);
}

fs::path broken_file(const fs::path& dir, const std::string& name,
                     const std::function<void(physec::h5::writer&, wiretap_data&)>& edit) {
  return physec::testing::write_broken_wiretap(dir / name, edit);
}

TEST(wiretap, bad_files_give_one_line_errors) {
  const auto dir = temp_dir("bad");
  auto p = broken_file(dir, "no_eve.h5", [](auto&, wiretap_data& d) { d.eve = {}; });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap(p); }),
            p.string() + ": /eve: missing dataset (expected a dataset at this path, got nothing)");

  p = broken_file(dir, "counts.h5", [](auto&, wiretap_data& d) {
    d.bob.shape[0] = 9;
    d.bob.data.resize(d.bob.data.size() / 10 * 9);
  });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap(p); }),
            p.string() + ": /bob: probe count differs from /alice (expected [10, 1, 1, 8, 2], got [9, 1, 1, 8, 2])");

  p = broken_file(dir, "nan.h5", [](auto&, wiretap_data& d) { d.alice.data[37] = {NAN, 0.0f}; });
  EXPECT_NE(message_of([&] { physec::dataset::read_wiretap(p); }).find(p.string() + ": /alice[37]: non-finite CSI value"),
            std::string::npos);

  p = broken_file(dir, "inf_eve.h5", [](auto&, wiretap_data& d) { d.eve.data[3] = {0.0f, INFINITY}; });
  EXPECT_NE(message_of([&] { physec::dataset::read_wiretap(p); }).find(": /eve[3]: non-finite CSI value"), std::string::npos);

  p = broken_file(dir, "rank.h5", [](auto&, wiretap_data& d) { d.alice.shape = {10, 16}; });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap(p); }),
            p.string() + ": /alice: wrong rank (expected [?, ?, ?, ?, ?], got [10, 16])");

  p = broken_file(dir, "labels.h5", [](auto&, wiretap_data& d) { d.snr_dB.pop_back(); d.delay_spread_s.pop_back(); d.speed_mps.pop_back(); d.split.pop_back(); d.profile.pop_back(); });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap(p); }),
            p.string() + ": /labels/snr_dB: probe count differs from /alice (expected 10 entries, got 9)");

  p = broken_file(dir, "clean_downlink.h5", [](auto& w, wiretap_data&) {
    w.write("/clean_downlink", physec::ndarray<std::complex<float>>({10, 1, 1, 4, 2}));
  });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap(p); }),
            p.string() + ": /clean_downlink: shape differs from /alice (expected [10, 1, 1, 8, 2], got [10, 1, 1, 4, 2])");
}

TEST(wiretap, writer_refuses_inconsistent_data_and_leaves_no_file) {
  const auto dir = temp_dir("w");
  auto d = physec::testing::synthetic_wiretap(10, 0.1, {0.0}, 3);
  d.split[2] = 7;
  EXPECT_NE(message_of([&] { physec::dataset::write_wiretap(dir / "x.h5", d); }).find("/labels/split[2]: unknown split label"),
            std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir));
  // /clean_downlink must match /alice's shape: one-line error naming it, no file left.
  d = physec::testing::synthetic_wiretap(10, 0.1, {0.0}, 3);
  d.clean_downlink = physec::ndarray<std::complex<float>>({10, 1, 1, 8, 1});
  EXPECT_EQ(message_of([&] { physec::dataset::write_wiretap(dir / "y.h5", d); }),
            (dir / "y.h5").string() + ": /clean_downlink: shape differs from /alice (expected [10, 1, 1, 8, 2], got [10, 1, 1, 8, 1])");
  EXPECT_TRUE(fs::is_empty(dir));
}

// Audit item 12: NaN/Inf in any real label, or no Eve position, is refused at once (it failed late, in gnuplot).
TEST(wiretap, non_finite_labels_and_no_eve_are_refused) {
  const auto dir = temp_dir("nan");
  const auto base = physec::testing::synthetic_wiretap(10, 0.1, {0.0}, 3);
  auto d = base;
  d.eve_distance_wavelengths[0] = std::nan("");
  EXPECT_NE(message_of([&] { physec::dataset::write_wiretap(dir / "x.h5", d); })
                .find("/eve_distance_wavelengths[0]: non-finite label"),
            std::string::npos);
  d = base;
  d.delay_spread_s[4] = std::numeric_limits<double>::infinity();
  EXPECT_NE(message_of([&] { physec::dataset::write_wiretap(dir / "x.h5", d); })
                .find("/labels/delay_spread_s[4]: non-finite label"),
            std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir));
}

// keygen train streams the CSI: it reads labels and shapes first, with every check but the CSI's finiteness (audit
// item 8: it skipped them), and checks each batch's CSI as it reads it.
TEST(wiretap, labels_are_checked_without_reading_the_csi) {
  const auto dir = temp_dir("labels");
  auto p = broken_file(dir, "nan.h5", [](auto&, wiretap_data& d) { d.alice.data[37] = {NAN, 0.0f}; });
  const auto d = physec::dataset::read_wiretap_labels(p);
  EXPECT_EQ(d.alice.shape, (physec::shape_t{10, 1, 1, 8, 2}));
  EXPECT_TRUE(d.alice.data.empty());
  EXPECT_EQ(d.eve.shape, (physec::shape_t{10, 1, 1, 1, 8, 2}));
  EXPECT_EQ(d.split.size(), 10u);
  p = broken_file(dir, "split.h5", [](auto&, wiretap_data& d) { d.split[4] = 7; });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap_labels(p); }),
            p.string() + ": /labels/split[4]: unknown split label (expected 0 (train), 1 (validation) or 2 (test), got 7)");
  p = broken_file(dir, "counts.h5", [](auto&, wiretap_data& d) { d.speed_mps.pop_back(); });
  EXPECT_EQ(message_of([&] { physec::dataset::read_wiretap_labels(p); }),
            p.string() + ": /labels/speed_mps: probe count differs from /alice (expected 10 entries, got 9)");
}

}  // namespace

namespace {

// Issue #17: `physec dataset wiretap` streams setting by setting into the file; the file holds what the in-memory
// path writes.
TEST(wiretap, streamed_file_equals_the_in_memory_file) {
  const auto dir = PHYSEC_TEST_DIR();
  physec::dataset::wiretap_config c;
  c.profiles = {"CDL-C", "TDL-A"};
  c.snrs_dB = {0, 20};
  c.eve_distances_wavelengths = {0.5, 2};
  c.eve_near_alice_wavelengths = {0.5};
  c.probes_per_setting = 3;
  c.grid.nof_symbols = 2;
  const physec::rng_stream stream(11);

  wiretap_data d = physec::dataset::generate_wiretap(c, stream, 1, nullptr);
  d.seed = 11;
  d.config_toml = "# config";
  physec::dataset::write_wiretap(dir / "memory.h5", d);

  std::size_t blocks = 0;
  physec::dataset::wiretap_writer w(dir / "streamed.h5", c.nof_probes());
  physec::dataset::generate_wiretap_blocks(c, stream, 2, nullptr, [&](const wiretap_data& b) {
    EXPECT_EQ(b.nof_probes(), 3u);
    w.append(b);
    ++blocks;
  });
  EXPECT_EQ(blocks, 4u);  // one per (profile, SNR)
  w.finish(11, "# config");
  EXPECT_EQ(w.alice_shape(), d.alice.shape);
  EXPECT_EQ(w.eve_shape(), d.eve.shape);

  const auto m = physec::dataset::read_wiretap(dir / "memory.h5");
  const auto s = physec::dataset::read_wiretap(dir / "streamed.h5");
  EXPECT_EQ(s.alice, m.alice);
  EXPECT_EQ(s.bob, m.bob);
  EXPECT_EQ(s.eve, m.eve);
  EXPECT_EQ(s.clean, m.clean);
  EXPECT_EQ(s.clean_downlink, m.clean_downlink);
  EXPECT_FALSE(m.clean_downlink.shape.empty());
  EXPECT_EQ(s.eve_uplink, m.eve_uplink);
  EXPECT_EQ(s.snr_dB, m.snr_dB);
  EXPECT_EQ(s.profile, m.profile);
  EXPECT_EQ(s.split, m.split);
  EXPECT_EQ(s.link, m.link);
  EXPECT_EQ(s.eve_near, m.eve_near);
  EXPECT_EQ(s.seed, m.seed);
  EXPECT_EQ(s.config_toml, m.config_toml);
  // One row read back by itself is the row of the whole array.
  physec::h5::reader r(dir / "streamed.h5");
  const auto row = r.read_rows<std::complex<float>>("/eve", {7});
  const std::size_t per = m.eve.size() / m.eve.shape[0];
  EXPECT_TRUE(std::equal(row.data.begin(), row.data.end(), m.eve.data.begin() + 7 * per));
}

TEST(wiretap, streamed_writer_left_short_writes_no_file) {
  const auto dir = PHYSEC_TEST_DIR();
  physec::dataset::wiretap_config c;
  c.profiles = {"TDL-A"};
  c.snrs_dB = {10};
  c.probes_per_setting = 2;
  c.grid.nof_symbols = 2;
  const auto d = physec::dataset::generate_wiretap(c, physec::rng_stream(3), 1, nullptr);
  {
    physec::dataset::wiretap_writer w(dir / "short.h5", 5);
    w.append(d);
    EXPECT_NE(message_of([&] { w.finish(3, ""); }).find("fewer probes than the file was made for"), std::string::npos);
    EXPECT_NE(message_of([&] { w.append(d); w.append(d); }).find("more probes than the file was made for"),
              std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir / "short.h5"));
}

}  // namespace
