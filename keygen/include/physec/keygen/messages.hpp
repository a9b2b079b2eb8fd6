#pragma once
/// @file The public messages of key agreement: explicit, versioned, serialised structs in frames, the transport
/// they travel over (in-process queue or TCP), and the transcript both parties (and Eve) keep.
///
/// Frame (all integers big-endian):
///
///     offset 0  4 bytes  magic "PSKG"
///     offset 4  1 byte   protocol version (k_protocol_version)
///     offset 5  1 byte   message type (msg_type)
///     offset 6  4 bytes  payload length L (at most the receiver's limit, default 1 MiB)
///     offset 10 L bytes  payload (fields of the type, in the order of its struct)
///
/// A frame with another magic or version, an unknown type, a length over the limit, or a payload that does not
/// parse exactly (too short, trailing bytes, a count out of range) is rejected with a one-line physec::error.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "physec/keygen/cascade.hpp"
#include "physec/keygen/crypto.hpp"

namespace physec::keygen {

constexpr std::uint8_t k_protocol_version = 6;  ///< 2: amplify carries the finite-key inputs (issue #15); 3: Bob's
                                                ///< nonce in hello_ack, optional pre-shared key, accepted; 4: Cascade
                                                ///< blocks capped at half the string; 5: ldpc_soft's irregular code,
                                                ///< syndrome_more (rate-adaptive LDPC); 6: the first syndrome
                                                ///< carries a verification tag (agree.ldpc_verify_bits)
constexpr std::size_t k_frame_header_bytes = 10;
constexpr std::size_t k_default_max_message_bytes = 1 << 20;

enum class msg_type : std::uint8_t {
  hello = 1,         ///< Alice -> Bob: session, sizes, public seeds, her sample bits
  hello_ack = 2,     ///< Bob -> Alice: estimated error rate and Cascade's first block size
  parity_query = 3,  ///< Bob -> Alice: ranges whose parity Bob asks for
  parity_reply = 4,  ///< Alice -> Bob: the parities
  reconciled = 5,    ///< Bob -> Alice: no more queries
  amplify = 6,       ///< Alice -> Bob: PA length and its inputs, the Toeplitz seed
  confirm = 7,       ///< either way: HMAC tag
  abort = 8,         ///< either way: reason; both discard everything
  syndrome = 9,      ///< Alice -> Bob: LDPC syndrome of her bits (instead of Cascade's queries)
  accepted = 10,     ///< Alice -> Bob: Bob's tag verified; only now does Bob keep the key
  syndrome_more = 11,  ///< Bob -> Alice: LDPC decoding failed, send more syndrome bits (empty payload)
};
std::string to_string(msg_type t);

/// One decoded frame.
struct message {
  msg_type type = msg_type::abort;
  std::vector<std::uint8_t> payload;
};

/// Frame bytes of a message.
std::vector<std::uint8_t> encode_frame(const message& m);
/// Checks a 10-byte header; returns the type and the payload length. `origin` names the peer in errors.
std::pair<msg_type, std::size_t> decode_header(const std::uint8_t* header, std::size_t max_payload_bytes,
                                               const std::string& origin);

/// Appends big-endian fields to a payload.
class payload_writer {
 public:
  payload_writer& u8(std::uint8_t v);
  payload_writer& u32(std::uint32_t v);
  payload_writer& u64(std::uint64_t v);
  payload_writer& f64(double v);
  payload_writer& bytes(const std::uint8_t* p, std::size_t n);  ///< u32 length + bytes
  payload_writer& bits(const std::vector<std::uint8_t>& bits);  ///< u32 bit count + packed bits
  std::vector<std::uint8_t> take() { return std::move(b_); }

 private:
  std::vector<std::uint8_t> b_;
};

/// Reads big-endian fields; every read past the end, or a count above `max`, throws a physec::error naming the
/// message and the field. Holds a reference to the message: keep the message alive while reading.
class payload_reader {
 public:
  payload_reader(const message& m, std::string origin);
  std::uint8_t u8(const char* field);
  std::uint32_t u32(const char* field, std::uint32_t max = 0xffffffffu);
  std::uint64_t u64(const char* field);
  double f64(const char* field);
  std::vector<std::uint8_t> bytes(const char* field, std::size_t max);
  std::vector<std::uint8_t> bits(const char* field, std::size_t max_bits);
  /// Throws unless every byte was read.
  void finish();

 private:
  void need(std::size_t n, const char* field);
  const std::vector<std::uint8_t>& b_;
  std::size_t pos_ = 0;
  std::string origin_, type_;
};

/// Sends and receives whole frames. Implementations check headers with decode_header and enforce their limits.
class transport {
 public:
  virtual ~transport() = default;
  virtual void send(const message& m) = 0;
  /// The next message; throws physec::error on timeout, a closed or failed connection, or a malformed frame.
  virtual message receive() = 0;
  /// Who is at the other end, for errors ("peer 127.0.0.1:5000", "in-process peer").
  virtual std::string peer() const = 0;
};

/// Two connected in-process endpoints (for simulation): a frame sent on one is received on the other. Frames are
/// encoded and decoded exactly as over TCP. `close()` on either end makes the other's pending receive fail.
std::pair<std::unique_ptr<transport>, std::unique_ptr<transport>> make_in_process_pair(
    double timeout_s = 10.0, std::size_t max_message_bytes = k_default_max_message_bytes);

/// TCP transport (POSIX sockets, poll() timeouts, frames as above).
struct tcp_options {
  double timeout_s = 10.0;                                ///< every receive [s]
  double connect_timeout_s = 120.0;                       ///< connect retries / accept wait [s]
  std::size_t max_message_bytes = k_default_max_message_bytes;
};
/// Splits "host:port" (port 0..65535); throws a physec::error naming the address otherwise.
std::pair<std::string, std::string> parse_address(const std::string& address);

/// Listens on "host:port" (port 0: the system picks one; `on_listening` gets the bound port before accept), accepts
/// one peer and returns the connection.
std::unique_ptr<transport> tcp_listen(const std::string& address, const tcp_options& o,
                                      const std::function<void(int port)>& on_listening = {});
/// Connects to "host:port", retrying until the timeout (the listener may start later).
std::unique_ptr<transport> tcp_connect(const std::string& address, const tcp_options& o);

/// Which side sent a frame.
enum class direction : std::uint8_t { alice_to_bob = 0, bob_to_alice = 1 };

/// Every frame that crossed the public channel, in order. Eve gets a copy.
struct transcript {
  std::vector<std::pair<direction, message>> frames;
  /// SHA-256 over (direction byte || frame bytes) of every frame so far.
  digest hash() const;
  std::size_t nof_bytes() const;
};

}  // namespace physec::keygen
