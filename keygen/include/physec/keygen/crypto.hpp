#pragma once
/// @file The cryptographic primitives of key agreement, all from OpenSSL's libcrypto: SHA-256, HMAC-SHA256,
/// HKDF-SHA256 (RFC 5869), a constant-time compare, secure random bytes, and a byte buffer that is wiped
/// (OPENSSL_cleanse) when it dies — every key, PA output and reconciled bit string lives in one.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace physec::keygen {

/// A byte (or 0/1 bit) buffer whose contents are cleansed before its memory is released.
class secure_bytes {
 public:
  secure_bytes() = default;
  explicit secure_bytes(std::size_t n, std::uint8_t value = 0) : v_(n, value) {}
  explicit secure_bytes(std::vector<std::uint8_t> v) : v_(std::move(v)) {}
  secure_bytes(const secure_bytes&) = default;
  secure_bytes& operator=(const secure_bytes& o) {
    if (this != &o) {
      wipe();
      v_ = o.v_;
    }
    return *this;
  }
  secure_bytes(secure_bytes&& o) noexcept : v_(std::move(o.v_)) {}
  secure_bytes& operator=(secure_bytes&& o) noexcept {
    if (this != &o) {
      wipe();
      v_ = std::move(o.v_);
    }
    return *this;
  }
  ~secure_bytes() { wipe(); }

  std::size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  std::uint8_t* data() { return v_.data(); }
  const std::uint8_t* data() const { return v_.data(); }
  std::uint8_t& operator[](std::size_t i) { return v_[i]; }
  std::uint8_t operator[](std::size_t i) const { return v_[i]; }
  const std::vector<std::uint8_t>& vec() const { return v_; }
  std::vector<std::uint8_t>& vec() { return v_; }
  /// Cleanses and empties.
  void wipe() noexcept;

 private:
  std::vector<std::uint8_t> v_;
};

using digest = std::array<std::uint8_t, 32>;

/// SHA-256 of a byte string (FIPS 180-4).
digest sha256(const std::uint8_t* data, std::size_t n);

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
digest hmac_sha256(const std::uint8_t* key, std::size_t key_len, const std::uint8_t* msg, std::size_t msg_len);

/// HKDF-SHA256 (RFC 5869): extract with `salt` (empty = HashLen zeros), expand with `info` to `length` bytes
/// (at most 255·32).
secure_bytes hkdf_sha256(const std::uint8_t* ikm, std::size_t ikm_len, const std::vector<std::uint8_t>& salt,
                         const std::vector<std::uint8_t>& info, std::size_t length);

/// Constant-time equality of two equal-length byte strings: every byte is read and OR-accumulated, there is no
/// early exit and no data-dependent branch; lengths are public. (CRYPTO_memcmp does the same; this one is
/// written out so its shape can be tested.)
bool equal_constant_time(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept;

/// `n` cryptographically secure random bytes (RAND_bytes); throws physec::error if the generator fails.
std::vector<std::uint8_t> secure_random_bytes(std::size_t n);

/// Packs 0/1 bytes MSB-first into bytes (the last byte zero-padded); unpacks `nof_bits` back.
secure_bytes pack_bits(const std::uint8_t* bits, std::size_t nof_bits);
secure_bytes unpack_bits(const std::uint8_t* bytes, std::size_t nof_bits);

/// For a process that will hold keys: no core dump can be written (RLIMIT_CORE 0, and not dumpable, which also
/// keeps other processes of the same user from attaching a debugger). Returns what it could set, for the report.
/// Key buffers are wiped (secure_bytes) but not mlock()ed: they live in std::vector, which moves on growth.
std::string protect_process_secrets();

}  // namespace physec::keygen
