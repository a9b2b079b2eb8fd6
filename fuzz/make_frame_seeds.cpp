// Writes the seeds of fuzz_frames: for each option set, an honest in-process session between the party under attack
// and a peer whose bits differ in 1 of 25, and what the peer sent, as the options byte followed by the frames.
// Usage: make_frame_seeds <folder>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frames_setup.hpp"

int main(int argc, char** argv) {
  using namespace physec::keygen;
  namespace fz = physec::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_frame_seeds <folder>\n");
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  const auto party = fz::fixed_bits(fz::k_frames_bits, fz::k_party_seed);
  const auto peer = fz::fixed_bits(fz::k_frames_bits, fz::k_party_seed, 25);
  for (int options = 0; options < 16; ++options) {
    const bool attack_alice = options & 1;
    const auto cfg = fz::frames_config(static_cast<std::uint8_t>(options));
    const auto& alice_bits = attack_alice ? party : peer;
    const auto& bob_bits = attack_alice ? peer : party;
    const auto r = simulate_session(alice_bits, bob_bits, {}, cfg, fz::frames_calibration(), fz::k_alice_public_seed);
    std::vector<char> bytes{static_cast<char>(options)};
    const direction from_peer = attack_alice ? direction::bob_to_alice : direction::alice_to_bob;
    for (const auto& [d, m] : r.alice.tr.frames) {
      if (d != from_peer) continue;
      const auto f = encode_frame(m);
      bytes.insert(bytes.end(), f.begin(), f.end());
    }
    const auto name = dir / ("honest-" + std::to_string(options));
    std::ofstream(name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::printf("%s: %zu bytes, alice %s, bob %s\n", name.c_str(), bytes.size(), r.alice.ok ? "key" : r.alice.failure.c_str(),
                r.bob.ok ? "key" : r.bob.failure.c_str());
  }
  return 0;
}
