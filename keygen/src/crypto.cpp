#include "physec/keygen/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <memory>

#include "physec/core/error.hpp"

namespace physec::keygen {

void secure_bytes::wipe() noexcept {
  if (!v_.empty()) OPENSSL_cleanse(v_.data(), v_.size());
  v_.clear();
}

digest sha256(const std::uint8_t* data, std::size_t n) {
  digest d{};
  if (!SHA256(data, n, d.data())) throw error("SHA-256 failed", {"", "openssl", {}});
  return d;
}

digest hmac_sha256(const std::uint8_t* key, std::size_t key_len, const std::uint8_t* msg, std::size_t msg_len) {
  digest d{};
  unsigned int len = 0;
  static const std::uint8_t empty = 0;
  if (!HMAC(EVP_sha256(), key_len ? key : &empty, static_cast<int>(key_len), msg_len ? msg : &empty, msg_len,
            d.data(), &len) ||
      len != d.size())
    throw error("HMAC-SHA256 failed", {"", "openssl", {}});
  return d;
}

secure_bytes hkdf_sha256(const std::uint8_t* ikm, std::size_t ikm_len, const std::vector<std::uint8_t>& salt,
                         const std::vector<std::uint8_t>& info, std::size_t length) {
  if (length == 0 || length > 255 * 32)
    throw error("HKDF output length out of range", {"", "hkdf", {}}, "1..8160 bytes", std::to_string(length));
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr),
                                                                   &EVP_PKEY_CTX_free);
  static const std::uint8_t zeros[32] = {};
  secure_bytes out(length);
  std::size_t out_len = length;
  const bool ok =
      ctx && EVP_PKEY_derive_init(ctx.get()) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) > 0 &&
      (salt.empty() ? EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), zeros, 32)
                    : EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size()))) > 0 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm_len ? ikm : zeros, static_cast<int>(ikm_len)) > 0 &&
      (info.empty() || EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), info.data(), static_cast<int>(info.size())) > 0) &&
      EVP_PKEY_derive(ctx.get(), out.data(), &out_len) > 0 && out_len == length;
  if (!ok) throw error("HKDF-SHA256 failed", {"", "openssl", {}});
  return out;
}

bool equal_constant_time(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  // volatile keeps the compiler from turning the accumulation into an early-exit comparison.
  volatile std::uint8_t acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc = static_cast<std::uint8_t>(acc | (a[i] ^ b[i]));
  return acc == 0;
}

std::vector<std::uint8_t> secure_random_bytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw error("the system random generator failed", {"", "RAND_bytes", {}});
  return out;
}

secure_bytes pack_bits(const std::uint8_t* bits, std::size_t nof_bits) {
  secure_bytes out((nof_bits + 7) / 8);
  for (std::size_t i = 0; i < nof_bits; ++i)
    if (bits[i] & 1) out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | (0x80u >> (i % 8)));
  return out;
}

secure_bytes unpack_bits(const std::uint8_t* bytes, std::size_t nof_bits) {
  secure_bytes out(nof_bits);
  for (std::size_t i = 0; i < nof_bits; ++i) out[i] = (bytes[i / 8] >> (7 - i % 8)) & 1u;
  return out;
}

std::string protect_process_secrets() {
  const rlimit no_core{0, 0};
  const bool core = ::setrlimit(RLIMIT_CORE, &no_core) == 0;
  const bool dumpable = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
  return std::string(core ? "core dumps off" : "core dumps: could not turn off") +
         (dumpable ? ", not dumpable" : ", dumpable (prctl refused)");
}

}  // namespace physec::keygen
