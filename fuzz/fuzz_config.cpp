// Fuzz target: the TOML config loader (parse, unknown-key rejection, type and range checks, cross-field checks)
// on the configs a user hands the CLI: the two dataset generators, key-generation evaluation and key agreement.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "physec/core/config.hpp"
#include "physec/core/error.hpp"
#include "physec/dataset/mobility_generator.hpp"
#include "physec/dataset/wiretap_generator.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/protocol.hpp"
#include "physec/randomness/nist_config.hpp"

namespace {

template <class C>
void load(std::string_view text) {
  C cfg;
  try {
    physec::config::apply_text(cfg, text, "fuzz.toml");
    physec::config::validate(cfg, "fuzz.toml");
    (void)physec::config::show(cfg, "fuzz");  // what `physec config show` prints of it
  } catch (const physec::error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  load<physec::dataset::wiretap_config>(text);
  load<physec::dataset::mobility_config>(text);
  load<physec::keygen::eval_config>(text);
  load<physec::keygen::agree_config>(text);
  load<physec::randomness::nist_config>(text);
  return 0;
}
