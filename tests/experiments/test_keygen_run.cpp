// experiments::run_key_agreement without the CLI: on the synthetic wiretap dataset of the CLI's tests
// (tests/dataset/wiretap_fixture.hpp: 2000 probes, independent Gaussian subcarriers, A-B noise variance 0.02, Eve
// independent), it writes links.csv and agreement.csv into the folder it is given, records them in the report's
// outputs, fills the report's results, and repeats itself byte for byte under the same seeds.
#include <gtest/gtest.h>

#include "physec/core/atomic_file.hpp"
#include "physec/experiments/keygen_run.hpp"
#include "test_util.hpp"
#include "wiretap_fixture.hpp"

namespace ex = physec::experiments;

TEST(keygen_run, writes_its_tables_into_the_folder_and_the_report) {
  const auto dir = PHYSEC_TEST_DIR();
  const auto d = physec::testing::synthetic_wiretap(2000, 0.02, {0.0}, 7);
  const physec::keygen::eval_config eval;
  ex::keygen_run_options o;
  o.iid_permutations = 0;     // the IID tests have their own; seconds here
  o.agree.public_seed = 2026;  // Bob's nonce fixed: the final keys (and Eve's agreement with them) repeat
  const auto once = [&](const std::string& name) {
    physec::run_report report("keygen run", 42);
    const auto s = ex::run_key_agreement(d, eval, o, 42, dir / name, report);
    return std::make_pair(s, report.to_json());
  };
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  const auto [s, rep] = once("a");
  EXPECT_EQ(rep["outputs"], (nlohmann::json{(dir / "a" / "links.csv").string(), (dir / "a" / "agreement.csv").string()}));
  ASSERT_EQ(s.agreement.rows().size(), 2u);  // 10 and 20 dB
  EXPECT_EQ(physec::read_file(dir / "a" / "agreement.csv"), s.agreement.to_csv());
  const auto& res = rep["results"]["keygen_run"];
  EXPECT_EQ(res["rows"], s.agreement.to_json());
  for (const char* key : {"links", "per_snr", "eve_key_agreement_test", "pa_length_formula"})
    EXPECT_TRUE(res.contains(key)) << key;
  EXPECT_FALSE(s.alice_pa_bits.empty());  // keys confirmed (the CLI's test of `keygen run` on the same data)
  const auto [again, rep_again] = once("b");
  EXPECT_EQ(physec::read_file(dir / "b" / "agreement.csv"), physec::read_file(dir / "a" / "agreement.csv"));
  EXPECT_EQ(physec::read_file(dir / "b" / "links.csv"), physec::read_file(dir / "a" / "links.csv"));
  EXPECT_EQ(again.alice_pa_bits, s.alice_pa_bits);
}
