// e_bits N FILE: writes the first N bits of the binary expansion of e (e = 10.1011011111…₂, integer bits included,
// SP 800-22 Appendix B's "data.e") as ASCII 0/1 to FILE, computed with MPFR (tests/common/e_expansion.hpp): an input
// for `physec nist` that no physec code produced.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "e_expansion.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: e_bits N FILE\n");
    return 2;
  }
  const unsigned long n = std::strtoul(argv[1], nullptr, 10);
  if (n < 2) {
    std::fprintf(stderr, "e_bits: N must be at least 2\n");
    return 2;
  }
  std::string text;
  for (const auto b : physec::testing::e_bits(n)) text += b ? '1' : '0';
  FILE* f = std::fopen(argv[2], "wb");
  if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
    std::perror(argv[2]);
    return 1;
  }
  return 0;
}
