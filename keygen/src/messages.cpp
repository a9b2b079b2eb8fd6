#include "physec/keygen/messages.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "physec/core/error.hpp"

namespace physec::keygen {

namespace {

constexpr std::uint8_t k_magic[4] = {'P', 'S', 'K', 'G'};

std::string hex_bytes(const std::uint8_t* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

}  // namespace

std::string to_string(msg_type t) {
  switch (t) {
    case msg_type::hello: return "hello";
    case msg_type::hello_ack: return "hello_ack";
    case msg_type::parity_query: return "parity_query";
    case msg_type::parity_reply: return "parity_reply";
    case msg_type::reconciled: return "reconciled";
    case msg_type::amplify: return "amplify";
    case msg_type::confirm: return "confirm";
    case msg_type::abort: return "abort";
    case msg_type::syndrome: return "syndrome";
    case msg_type::accepted: return "accepted";
    case msg_type::syndrome_more: return "syndrome_more";
  }
  return "type " + std::to_string(static_cast<int>(t));
}

std::vector<std::uint8_t> encode_frame(const message& m) {
  std::vector<std::uint8_t> f(k_frame_header_bytes + m.payload.size());
  std::memcpy(f.data(), k_magic, 4);
  f[4] = k_protocol_version;
  f[5] = static_cast<std::uint8_t>(m.type);
  const auto n = static_cast<std::uint32_t>(m.payload.size());
  for (int i = 0; i < 4; ++i) f[6 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  if (!m.payload.empty()) std::memcpy(f.data() + k_frame_header_bytes, m.payload.data(), m.payload.size());
  return f;
}

std::pair<msg_type, std::size_t> decode_header(const std::uint8_t* h, std::size_t max_payload_bytes,
                                               const std::string& origin) {
  if (std::memcmp(h, k_magic, 4) != 0)
    throw error("not a physec key-agreement frame", {origin, "frame.magic", {}}, "50534b47 (\"PSKG\")", hex_bytes(h, 4));
  if (h[4] != k_protocol_version)
    throw error("protocol version mismatch", {origin, "frame.version", {}}, std::to_string(k_protocol_version),
                std::to_string(h[4]));
  if (h[5] < 1 || h[5] > static_cast<std::uint8_t>(msg_type::syndrome_more))
    throw error("unknown message type", {origin, "frame.type", {}}, "1..11", std::to_string(h[5]));
  std::size_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | h[6 + i];
  if (n > max_payload_bytes)
    throw error("message too large", {origin, "frame.length", {}}, "at most " + std::to_string(max_payload_bytes) + " bytes",
                std::to_string(n));
  return {static_cast<msg_type>(h[5]), n};
}

// ---- payload codec ----

payload_writer& payload_writer::u8(std::uint8_t v) {
  b_.push_back(v);
  return *this;
}
payload_writer& payload_writer::u32(std::uint32_t v) {
  for (int i = 3; i >= 0; --i) b_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return *this;
}
payload_writer& payload_writer::u64(std::uint64_t v) {
  for (int i = 7; i >= 0; --i) b_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return *this;
}
payload_writer& payload_writer::f64(double v) {
  std::uint64_t u = 0;
  std::memcpy(&u, &v, 8);
  return u64(u);
}
payload_writer& payload_writer::bytes(const std::uint8_t* p, std::size_t n) {
  u32(static_cast<std::uint32_t>(n));
  b_.insert(b_.end(), p, p + n);
  return *this;
}
payload_writer& payload_writer::bits(const std::vector<std::uint8_t>& bits) {
  u32(static_cast<std::uint32_t>(bits.size()));
  const auto packed = pack_bits(bits.data(), bits.size());
  b_.insert(b_.end(), packed.vec().begin(), packed.vec().end());
  return *this;
}

payload_reader::payload_reader(const message& m, std::string origin)
    : b_(m.payload), origin_(std::move(origin)), type_(to_string(m.type)) {}

void payload_reader::need(std::size_t n, const char* field) {
  if (b_.size() - pos_ < n)
    throw error("malformed message: payload too short", {origin_, type_ + "." + field, {}},
                std::to_string(n) + " more byte(s)", std::to_string(b_.size() - pos_));
}
std::uint8_t payload_reader::u8(const char* field) {
  need(1, field);
  return b_[pos_++];
}
std::uint32_t payload_reader::u32(const char* field, std::uint32_t max) {
  need(4, field);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | b_[pos_++];
  if (v > max)
    throw error("malformed message: value out of range", {origin_, type_ + "." + field, {}}, "at most " + std::to_string(max),
                std::to_string(v));
  return v;
}
std::uint64_t payload_reader::u64(const char* field) {
  need(8, field);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b_[pos_++];
  return v;
}
double payload_reader::f64(const char* field) {
  const std::uint64_t u = u64(field);
  double v = 0;
  std::memcpy(&v, &u, 8);
  return v;
}
std::vector<std::uint8_t> payload_reader::bytes(const char* field, std::size_t max) {
  const std::uint32_t n = u32(field, static_cast<std::uint32_t>(std::min<std::size_t>(max, 0xffffffffu)));
  need(n, field);
  std::vector<std::uint8_t> v(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return v;
}
std::vector<std::uint8_t> payload_reader::bits(const char* field, std::size_t max_bits) {
  const std::uint32_t n = u32(field, static_cast<std::uint32_t>(std::min<std::size_t>(max_bits, 0xffffffffu)));
  const std::size_t nb = (static_cast<std::size_t>(n) + 7) / 8;
  need(nb, field);
  auto out = unpack_bits(b_.data() + pos_, n);
  pos_ += nb;
  return std::move(out.vec());
}
void payload_reader::finish() {
  if (pos_ != b_.size())
    throw error("malformed message: trailing bytes", {origin_, type_, {}}, std::to_string(pos_) + " bytes",
                std::to_string(b_.size()));
}

// ---- transcript ----

digest transcript::hash() const {
  std::vector<std::uint8_t> all;
  for (const auto& [dir, m] : frames) {
    all.push_back(static_cast<std::uint8_t>(dir));
    const auto f = encode_frame(m);
    all.insert(all.end(), f.begin(), f.end());
  }
  return sha256(all.data(), all.size());
}

std::size_t transcript::nof_bytes() const {
  std::size_t n = 0;
  for (const auto& f : frames) n += k_frame_header_bytes + f.second.payload.size();
  return n;
}

// ---- in-process transport ----

namespace {

struct in_process_link {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<std::uint8_t>> queue[2];  // frames waiting for endpoint 0 / 1
  bool closed = false;
};

class in_process_transport final : public transport {
 public:
  in_process_transport(std::shared_ptr<in_process_link> link, int side, double timeout_s, std::size_t max_bytes)
      : link_(std::move(link)), side_(side), timeout_s_(timeout_s), max_bytes_(max_bytes) {}
  ~in_process_transport() override {
    std::lock_guard<std::mutex> lk(link_->mu);
    link_->closed = true;
    link_->cv.notify_all();
  }
  void send(const message& m) override {
    auto f = encode_frame(m);
    std::lock_guard<std::mutex> lk(link_->mu);
    if (link_->closed) throw error("connection closed by the peer", {peer(), "send", {}});
    link_->queue[1 - side_].push_back(std::move(f));
    link_->cv.notify_all();
  }
  message receive() override {
    std::unique_lock<std::mutex> lk(link_->mu);
    auto& q = link_->queue[side_];
    const bool got = link_->cv.wait_for(lk, std::chrono::duration<double>(timeout_s_),
                                        [&] { return !q.empty() || link_->closed; });
    if (q.empty()) {
      if (!got) throw error("peer timed out", {peer(), "receive", {}}, "a message within " + std::to_string(timeout_s_) + " s", "none");
      throw error("connection closed by the peer", {peer(), "receive", {}});
    }
    auto f = std::move(q.front());
    q.pop_front();
    lk.unlock();
    if (f.size() < k_frame_header_bytes)
      throw error("malformed message: truncated frame", {peer(), "frame", {}}, ">= 10 bytes", std::to_string(f.size()));
    const auto [type, n] = decode_header(f.data(), max_bytes_, peer());
    if (f.size() != k_frame_header_bytes + n)
      throw error("malformed message: frame length mismatch", {peer(), "frame.length", {}}, std::to_string(n),
                  std::to_string(f.size() - k_frame_header_bytes));
    return {type, std::vector<std::uint8_t>(f.begin() + k_frame_header_bytes, f.end())};
  }
  std::string peer() const override { return "in-process peer"; }

 private:
  std::shared_ptr<in_process_link> link_;
  int side_;
  double timeout_s_;
  std::size_t max_bytes_;
};

}  // namespace

std::pair<std::unique_ptr<transport>, std::unique_ptr<transport>> make_in_process_pair(double timeout_s,
                                                                                      std::size_t max_message_bytes) {
  auto link = std::make_shared<in_process_link>();
  return {std::make_unique<in_process_transport>(link, 0, timeout_s, max_message_bytes),
          std::make_unique<in_process_transport>(link, 1, timeout_s, max_message_bytes)};
}

// ---- TCP transport ----

std::pair<std::string, std::string> parse_address(const std::string& address) {
  const auto c = address.rfind(':');
  if (c == std::string::npos || c == 0 || c + 1 == address.size())
    throw error("bad address", {"", "address", {}}, "HOST:PORT, e.g. 127.0.0.1:5000", address);
  const std::string port = address.substr(c + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535)
    throw error("bad port", {"", "address", {}}, "0..65535", port);
  return {address.substr(0, c), port};
}

namespace {

[[noreturn]] void sys_fail(const std::string& what, const std::string& where) {
  throw error(what + ": " + std::strerror(errno), {where, "socket", {}});
}

class fd_guard {
 public:
  explicit fd_guard(int fd = -1) : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

class tcp_transport final : public transport {
 public:
  tcp_transport(int fd, std::string peer, tcp_options o) : fd_(fd), peer_(std::move(peer)), o_(o) {}
  void send(const message& m) override {
    const auto f = encode_frame(m);
    std::size_t off = 0;
    while (off < f.size()) {
      const ssize_t w = ::send(fd_.get(), f.data() + off, f.size() - off, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw error(std::string("connection lost while sending: ") + std::strerror(errno), {peer_, "send", {}});
      }
      off += static_cast<std::size_t>(w);
    }
  }
  message receive() override {
    std::uint8_t h[k_frame_header_bytes];
    read_exact(h, sizeof h, "frame header");
    const auto [type, n] = decode_header(h, o_.max_message_bytes, peer_);
    message m{type, std::vector<std::uint8_t>(n)};
    if (n) read_exact(m.payload.data(), n, "frame payload");
    return m;
  }
  std::string peer() const override { return peer_; }

 private:
  void read_exact(std::uint8_t* p, std::size_t n, const char* what) {
    std::size_t got = 0;
    while (got < n) {
      pollfd pfd{fd_.get(), POLLIN, 0};
      const int r = ::poll(&pfd, 1, static_cast<int>(o_.timeout_s * 1000));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) sys_fail("poll failed", peer_);
      if (r == 0)
        throw error("peer timed out", {peer_, what, {}}, "data within " + std::to_string(o_.timeout_s) + " s", "none");
      const ssize_t k = ::recv(fd_.get(), p + got, n - got, 0);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) throw error(std::string("connection lost: ") + std::strerror(errno), {peer_, what, {}});
      if (k == 0)
        throw error("connection closed by the peer", {peer_, what, {}}, std::to_string(n) + " bytes",
                    std::to_string(got));
      got += static_cast<std::size_t>(k);
    }
  }
  fd_guard fd_;
  std::string peer_;
  tcp_options o_;
};

addrinfo* resolve(const std::string& host, const std::string& port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) throw error(std::string("cannot resolve address: ") + gai_strerror(rc), {host + ":" + port, "address", {}});
  return res;
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::unique_ptr<transport> tcp_listen(const std::string& address, const tcp_options& o,
                                      const std::function<void(int port)>& on_listening) {
  const auto [host, port] = parse_address(address);
  addrinfo* res = resolve(host, port, true);
  fd_guard ls;
  for (addrinfo* a = res; a; a = a->ai_next) {
    ls.reset(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
    if (ls.get() < 0) continue;
    int one = 1;
    ::setsockopt(ls.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(ls.get(), a->ai_addr, a->ai_addrlen) == 0 && ::listen(ls.get(), 1) == 0) break;
    ls.reset(-1);
  }
  ::freeaddrinfo(res);
  if (ls.get() < 0) sys_fail("cannot listen", address);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(ls.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  const int bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (on_listening) on_listening(bound);
  pollfd pfd{ls.get(), POLLIN, 0};
  int r = 0;
  do r = ::poll(&pfd, 1, static_cast<int>(o.connect_timeout_s * 1000));
  while (r < 0 && errno == EINTR);
  if (r == 0)
    throw error("no peer connected", {host + ":" + std::to_string(bound), "accept", {}},
                "a connection within " + std::to_string(o.connect_timeout_s) + " s", "none");
  sockaddr_storage peer{};
  socklen_t plen = sizeof peer;
  const int fd = ::accept(ls.get(), reinterpret_cast<sockaddr*>(&peer), &plen);
  if (fd < 0) sys_fail("accept failed", address);
  set_nodelay(fd);
  char name[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
  ::getnameinfo(reinterpret_cast<sockaddr*>(&peer), plen, name, sizeof name, serv, sizeof serv,
                NI_NUMERICHOST | NI_NUMERICSERV);
  return std::make_unique<tcp_transport>(fd, std::string("peer ") + name + ":" + serv, o);
}

std::unique_ptr<transport> tcp_connect(const std::string& address, const tcp_options& o) {
  const auto [host, port] = parse_address(address);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.connect_timeout_s);
  int last_errno = 0;
  while (true) {
    addrinfo* res = resolve(host, port, false);
    for (addrinfo* a = res; a; a = a->ai_next) {
      fd_guard fd(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
      if (fd.get() < 0) continue;
      if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) {
        ::freeaddrinfo(res);
        set_nodelay(fd.get());
        return std::make_unique<tcp_transport>(fd.release(), "peer " + address, o);
      }
      last_errno = errno;
    }
    ::freeaddrinfo(res);
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  errno = last_errno;
  throw error(std::string("cannot connect: ") + std::strerror(last_errno), {address, "connect", {}},
              "a listener within " + std::to_string(o.connect_timeout_s) + " s", "none");
}

}  // namespace physec::keygen
