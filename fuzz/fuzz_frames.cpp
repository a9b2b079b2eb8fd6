// Fuzz target: the key-agreement protocol's frame parser and state machines. The input is what a peer sends over
// the public channel (frames back to back, as over TCP); the first byte picks the role under attack (Bob or Alice)
// and options (reconciliation, error-rate sample, pre-shared key). The party must finish (key or abort) with at
// most a physec::error, within its loop bounds; then Eve replays the transcript of the session.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "frames_setup.hpp"
#include "physec/core/error.hpp"
#include "physec/keygen/messages.hpp"
#include "physec/keygen/protocol.hpp"

namespace {

using namespace physec::keygen;

/// A peer that replays the fuzz input: receive() decodes the next frame of it; what the party sends is dropped.
class scripted_peer final : public transport {
 public:
  scripted_peer(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  void send(const message&) override {}
  message receive() override {
    if (static_cast<std::size_t>(end_ - p_) < k_frame_header_bytes)
      throw physec::error("connection closed by the peer", {"fuzz peer", "", {}});
    const auto [type, length] = decode_header(p_, 4096, peer());
    p_ += k_frame_header_bytes;
    if (static_cast<std::size_t>(end_ - p_) < length)
      throw physec::error("connection closed by the peer", {"fuzz peer", "", {}});
    message m{type, std::vector<std::uint8_t>(p_, p_ + length)};
    p_ += length;
    return m;
  }
  std::string peer() const override { return "fuzz peer"; }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t options = data[0];
  const agree_config cfg = physec::fuzz::frames_config(options);
  const pa_calibration cal = physec::fuzz::frames_calibration();
  const auto mine = physec::fuzz::fixed_bits(physec::fuzz::k_frames_bits, physec::fuzz::k_party_seed);
  scripted_peer peer(data + 1, size - 1);
  party_outcome out;
  try {
    out = (options & 1) ? run_alice(peer, mine, cfg, cal, physec::fuzz::k_alice_public_seed) : run_bob(peer, mine, cfg, cal);
  } catch (const physec::error&) {
    return 0;
  }
  if (std::getenv("PHYSEC_FUZZ_VERBOSE"))  // to check that a seed drives a whole session
    std::fprintf(stderr, "fuzz_frames: %s: %s\n", (options & 1) ? "alice" : "bob", out.ok ? "key" : out.failure.c_str());
  try {
    (void)run_eve(out.tr, physec::fuzz::fixed_bits(physec::fuzz::k_frames_bits, physec::fuzz::k_eve_seed), mine, cfg);
  } catch (const physec::error&) {
  }
  return 0;
}
