// SHA-256 behind the six OpenSSL EVP calls nn/src/checkpoint.cpp makes, for a machine without libcrypto (bench/gpu
// only; the main build links OpenSSL). The declarations come from OpenSSL's own <openssl/evp.h>, so a signature that
// differs fails to compile. Only SHA-256 exists here: EVP_DigestInit_ex rejects any other EVP_MD. FIPS 180-4 §6.2.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <new>

struct evp_md_st {
  int id;
};

struct evp_md_ctx_st {
  std::array<std::uint32_t, 8> h{};
  std::array<unsigned char, 64> block{};
  std::size_t used = 0;      // bytes in `block`
  std::uint64_t length = 0;  // message bytes so far
  bool ready = false;
};

namespace {

const evp_md_st k_sha256{672};  // NID_sha256

constexpr std::array<std::uint32_t, 64> k_round{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(evp_md_ctx_st& c, const unsigned char* p) {
  std::array<std::uint32_t, 64> w{};
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) | (std::uint32_t(p[4 * i + 2]) << 8) |
           std::uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = c.h[0], b = c.h[1], cc = c.h[2], d = c.h[3], e = c.h[4], f = c.h[5], g = c.h[6], h = c.h[7];
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k_round[i] + w[i];
    const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2;
  }
  c.h[0] += a, c.h[1] += b, c.h[2] += cc, c.h[3] += d, c.h[4] += e, c.h[5] += f, c.h[6] += g, c.h[7] += h;
}

}  // namespace

extern "C" {

EVP_MD_CTX* EVP_MD_CTX_new(void) { return new (std::nothrow) evp_md_ctx_st(); }

void EVP_MD_CTX_free(EVP_MD_CTX* ctx) { delete ctx; }

const EVP_MD* EVP_sha256(void) { return &k_sha256; }

int EVP_DigestInit_ex(EVP_MD_CTX* ctx, const EVP_MD* type, ENGINE* impl) {
  if (!ctx || type != &k_sha256 || impl) return 0;
  ctx->h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  ctx->used = 0;
  ctx->length = 0;
  ctx->ready = true;
  return 1;
}

int EVP_DigestUpdate(EVP_MD_CTX* ctx, const void* d, size_t cnt) {
  if (!ctx || !ctx->ready) return 0;
  const auto* p = static_cast<const unsigned char*>(d);
  ctx->length += cnt;
  while (cnt > 0) {
    const std::size_t take = std::min<std::size_t>(cnt, 64 - ctx->used);
    std::memcpy(ctx->block.data() + ctx->used, p, take);
    ctx->used += take, p += take, cnt -= take;
    if (ctx->used == 64) {
      compress(*ctx, ctx->block.data());
      ctx->used = 0;
    }
  }
  return 1;
}

int EVP_DigestFinal_ex(EVP_MD_CTX* ctx, unsigned char* md, unsigned int* s) {
  if (!ctx || !ctx->ready) return 0;
  const std::uint64_t bits = ctx->length * 8;
  const unsigned char one = 0x80, zero = 0;
  (void)EVP_DigestUpdate(ctx, &one, 1);
  while (ctx->used != 56) (void)EVP_DigestUpdate(ctx, &zero, 1);
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  (void)EVP_DigestUpdate(ctx, len, 8);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) md[4 * i + j] = static_cast<unsigned char>(ctx->h[i] >> (24 - 8 * j));
  if (s) *s = 32;
  ctx->ready = false;
  return 1;
}

}  // extern "C"
