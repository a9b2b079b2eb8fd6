// Config: TOML load, show -> load round trip, validation messages, unknown keys with suggestions, --set.
#include <gtest/gtest.h>

#include "test_util.hpp"

#include <cmath>

#include "physec/core/config.hpp"

namespace {

using physec::testing::message_of;

struct link_cfg {
  double snr_dB = 20.0;
  std::vector<double> gaps_s{0.0, 1e-3};
  std::string profile = "CDL-C";
  void describe(physec::config::schema& s) {
    s.add("snr_dB", snr_dB, "estimation SNR [dB]").range(-30, 60).source("ours");
    s.add("gaps_s", gaps_s, "up/down probe gaps [s]").range(0, 1).size(1, 8);
    s.add("profile", profile, "TR 38.901 profile").choices({"CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E"});
  }
};

struct sample_cfg {
  std::uint64_t seed = 42;
  int nof_samples = 100;
  bool plots = true;
  float ratio = 0.2f;
  std::string name = "a \"quoted\"\\ name\twith tab";
  std::vector<std::int64_t> sizes{1, 2, 3};
  std::vector<std::string> parties{"alice", "bob"};
  link_cfg link;
  void describe(physec::config::schema& s) {
    s.add("seed", seed, "master seed").range(0, 9.2e18).source("ours");
    s.add("nof_samples", nof_samples, "number of samples").range(1, 1e6);
    s.add("plots", plots, "write PNG plots");
    s.add("ratio", ratio, "pooling ratio").range(0, 1);
    s.add("name", name, "a name");
    s.add("sizes", sizes, "sizes").range(1, 100);
    s.add("parties", parties, "parties").choices({"alice", "bob", "eve"});
    s.section("link", link, "the radio link");
    s.check([this, &s](const std::string& file) {
      if (nof_samples < static_cast<int>(sizes.size()))
        physec::config::fail(file, "nof_samples", "must be at least the number of sizes",
                             ">= " + std::to_string(sizes.size()), std::to_string(nof_samples));
    });
  }
  bool operator==(const sample_cfg& o) const {
    return seed == o.seed && nof_samples == o.nof_samples && plots == o.plots && ratio == o.ratio &&
           name == o.name && sizes == o.sizes && parties == o.parties && link.snr_dB == o.link.snr_dB &&
           link.gaps_s == o.link.gaps_s && link.profile == o.link.profile;
  }
};


TEST(config, show_then_load_gives_identical_struct) {
  sample_cfg a;
  a.link.snr_dB = 0.1 + 0.2;  // a value with no short decimal form: must still round-trip bit-exactly
  a.ratio = 1.0f / 3.0f;
  a.link.gaps_s = {1e-300, 0.5};
  const std::string text = physec::config::show(a, "test");
  sample_cfg b;
  b.seed = 1;
  b.nof_samples = 7;
  b.link.profile = "CDL-A";
  b.name.clear();
  physec::config::apply_text(b, text, "shown.toml");
  EXPECT_TRUE(a == b) << text;
  // And showing the loaded struct prints the same text again.
  EXPECT_EQ(text, physec::config::show(b, "test"));
}

TEST(config, shown_text_documents_each_field) {
  sample_cfg a;
  const std::string text = physec::config::show(a, "test");
  EXPECT_NE(text.find("# estimation SNR [dB]; range [-30.0, 60.0]; default: ours"), std::string::npos) << text;
  EXPECT_NE(text.find("[link]"), std::string::npos);
  EXPECT_NE(text.find("one of: CDL-A, CDL-B, CDL-C, CDL-D, CDL-E"), std::string::npos);
  // Root keys come before the first table (a TOML requirement).
  EXPECT_LT(text.find("nof_samples = 100"), text.find("[link]"));
}

TEST(config, partial_file_keeps_defaults) {
  sample_cfg c;
  physec::config::apply_text(c, "nof_samples = 5\n[link]\nsnr_dB = 3\n", "f.toml");
  EXPECT_EQ(c.nof_samples, 5);
  EXPECT_DOUBLE_EQ(c.link.snr_dB, 3.0);  // integer accepted for a float field
  EXPECT_EQ(c.link.profile, "CDL-C");
}

TEST(config, unknown_key_suggests_nearest) {
  sample_cfg c;
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "nof_sampels = 5\n", "cfg.toml"); }),
            "cfg.toml: nof_sampels: unknown key (expected did you mean `nof_samples`?, got `nof_sampels`)");
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "[lnk]\nsnr_dB = 5\n", "cfg.toml"); }),
            "cfg.toml: lnk.snr_dB: unknown key (expected did you mean `link.snr_dB`?, got `lnk.snr_dB`)");
  // A right name in the wrong table.
  EXPECT_NE(message_of([&] { physec::config::apply_text(c, "snr_dB = 5\n", "cfg.toml"); }).find("`link.snr_dB`"),
            std::string::npos);
}

TEST(config, type_errors_name_field_and_types) {
  sample_cfg c;
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "nof_samples = 2.5\n", "cfg.toml"); }),
            "cfg.toml: nof_samples: wrong type (expected an integer, got float 2.5)");
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "plots = \"yes\"\n", "cfg.toml"); }),
            "cfg.toml: plots: wrong type (expected a boolean (true or false), got string \"yes\")");
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "sizes = [1, \"x\"]\n", "cfg.toml"); }),
            "cfg.toml: sizes[1]: wrong type (expected an integer, got string \"x\")");
  EXPECT_EQ(message_of([&] { physec::config::apply_text(c, "seed = -1\n", "cfg.toml"); }),
            "cfg.toml: seed: wrong type (expected a non-negative integer, got integer -1)");
}

TEST(config, syntax_error_names_line) {
  sample_cfg c;
  const std::string m = message_of([&] { physec::config::apply_text(c, "a = 1\nb = = 2\n", "cfg.toml"); });
  EXPECT_EQ(m.rfind("cfg.toml: line 2, column", 0), 0u) << m;
  EXPECT_NE(m.find("TOML syntax error"), std::string::npos);
}

TEST(config, validation_messages) {
  sample_cfg c;
  c.link.snr_dB = 99;
  EXPECT_EQ(message_of([&] { physec::config::validate(c, "cfg.toml"); }),
            "cfg.toml: link.snr_dB: out of range (expected a value in [-30.0, 60.0], got 99.0)");
  c = sample_cfg{};
  c.link.profile = "CDL-F";
  EXPECT_EQ(message_of([&] { physec::config::validate(c, "cfg.toml"); }),
            "cfg.toml: link.profile: not an allowed value (did you mean \"CDL-A\"?) (expected one of CDL-A, CDL-B, "
            "CDL-C, CDL-D, CDL-E, got \"CDL-F\")");
  c = sample_cfg{};
  c.sizes = {1, 200};
  EXPECT_EQ(message_of([&] { physec::config::validate(c, "cfg.toml"); }),
            "cfg.toml: sizes[1]: out of range (expected a value in [1, 100], got 200)");
  c = sample_cfg{};
  c.link.gaps_s = {};
  EXPECT_EQ(message_of([&] { physec::config::validate(c, "cfg.toml"); }),
            "cfg.toml: link.gaps_s: wrong list length (expected 1 to 8 element(s), got 0)");
  c = sample_cfg{};
  c.parties = {"alice", "mallory"};
  EXPECT_NE(message_of([&] { physec::config::validate(c, "cfg.toml"); }).find("parties[1]: not an allowed value"),
            std::string::npos);
  c = sample_cfg{};
  c.nof_samples = 2;
  EXPECT_EQ(message_of([&] { physec::config::validate(c, "cfg.toml"); }),
            "cfg.toml: nof_samples: must be at least the number of sizes (expected >= 3, got 2)");
  c = sample_cfg{};
  c.link.snr_dB = std::nan("");
  EXPECT_NE(message_of([&] { physec::config::validate(c, "cfg.toml"); }).find("got nan"), std::string::npos);
  sample_cfg defaults;
  EXPECT_EQ(message_of([&] { physec::config::validate(defaults, "cfg.toml"); }), "<no error>");
}

TEST(config, overrides) {
  sample_cfg c;
  physec::config::apply_overrides(c, {"link.snr_dB=-5", "link.profile=CDL-E", "sizes=[4, 5]", "plots = false",
                                      "name=\"x y\""});
  EXPECT_DOUBLE_EQ(c.link.snr_dB, -5.0);
  EXPECT_EQ(c.link.profile, "CDL-E");  // bare word accepted for strings
  EXPECT_EQ(c.sizes, (std::vector<std::int64_t>{4, 5}));
  EXPECT_FALSE(c.plots);
  EXPECT_EQ(c.name, "x y");
  EXPECT_EQ(message_of([&] { physec::config::apply_overrides(c, {"link.snr=3"}); }),
            "--set: link.snr: unknown key (expected did you mean `link.snr_dB`?, got `link.snr`)");
  EXPECT_EQ(message_of([&] { physec::config::apply_overrides(c, {"nof_samples=many"}); }),
            "--set: nof_samples: cannot parse value (expected integer, got `many`)");
  EXPECT_EQ(message_of([&] { physec::config::apply_overrides(c, {"nof_samples"}); }),
            "--set: override is not key=value (expected key=value, got `nof_samples`)");
}

TEST(config, missing_file) {
  sample_cfg c;
  EXPECT_EQ(message_of([&] { physec::config::apply_file(c, "/nonexistent/x.toml"); }),
            "/nonexistent/x.toml: file not found (expected a readable TOML file, got no such file)");
}

}  // namespace
