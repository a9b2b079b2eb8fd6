// `physec keygen run` and `physec keygen agree` as a user meets them: the simulated chain writes its table; two
// processes agree over TCP on loopback; a dropped, silent, garbled or oversized peer ends the run with a one-line
// error and no key file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "cli_run.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/dataset/wiretap.hpp"
#include "wiretap_fixture.hpp"
#include "physec/keygen/messages.hpp"

namespace fs = std::filesystem;
namespace kg = physec::keygen;

namespace {

using result = physec::testing::cli_result;
const auto run = physec::testing::run_physec;

/// A synthetic wiretap dataset shared by the tests of this file (tests/dataset/wiretap_fixture.hpp): 8 independent
/// Gaussian subcarriers per probe, Bob's and Alice's estimates with noise variance 0.02, Eve independent; 2000 probes
/// at 10 and 20 dB. Independent subcarriers leave enough entropy for a key after Cascade's leakage, which the
/// strongly correlated bits of simulated CSI do not at test sizes.
const fs::path& dataset() {
  static const fs::path file = [] {
    const fs::path d = fs::temp_directory_path() / ("physec_cli_agree_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    physec::dataset::write_wiretap(d / "w.h5", physec::testing::synthetic_wiretap(2000, 0.02, {0.0}, 7));
    return d / "w.h5";
  }();
  return file;
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = dataset().parent_path() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}


TEST(cli_agree, keygen_run_writes_the_table) {
  const auto dir = temp_dir("run");
  const auto r = run("keygen run -q -d " + dataset().string() + " --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "agreement.csv"));
  EXPECT_TRUE(fs::exists(dir / "report.json"));
  EXPECT_NE(r.out.find("KDR before"), std::string::npos) << r.out;
  const std::string rep = physec::read_file(dir / "report.json");
  EXPECT_NE(rep.find("pa_formula"), std::string::npos);
}

TEST(cli_agree, missing_model_checkpoint_is_exit_3) {
  const auto dir = temp_dir("model");
  const auto r = run("keygen run -q -d " + dataset().string() + " --model m.pt --out " + dir.string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("m.pt"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "agreement.csv"));
}

/// Starts `physec keygen agree` in the background; the future holds its result.
std::future<result> start(const std::string& args) {
  return std::async(std::launch::async, [args] { return run("keygen agree " + args); });
}

int wait_port(const fs::path& port_file) {
  for (int i = 0; i < 600 && !fs::exists(port_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return std::stoi(physec::read_file(port_file));
}

/// Runs Bob (listening) and Alice (connecting) with the same `common` arguments into dir/bob and dir/alice and checks
/// that both confirm the same key of `key_bytes` bytes, written with mode 0600. Returns Alice's output.
std::string agree_on_loopback(const fs::path& dir, const std::string& common, std::size_t key_bytes) {
  auto bob = start("--role bob --listen 127.0.0.1:0 --port-file " + (dir / "port").string() + common + "--out " +
                   (dir / "bob").string());
  const int port = wait_port(dir / "port");
  auto alice = start("--role alice --connect 127.0.0.1:" + std::to_string(port) + common + "--out " +
                     (dir / "alice").string());
  const auto ra = alice.get(), rb = bob.get();
  EXPECT_EQ(ra.code, 0) << ra.out;
  EXPECT_EQ(rb.code, 0) << rb.out;
  const auto ka = physec::read_file(dir / "alice" / "key.bin"), kb = physec::read_file(dir / "bob" / "key.bin");
  EXPECT_EQ(ka.size(), key_bytes);
  EXPECT_EQ(ka, kb);
  for (const char* who : {"alice", "bob"}) {
    struct stat st {};
    EXPECT_EQ(::stat((dir / who / "key.bin").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << who;
  }
  return ra.out;
}

TEST(cli_agree, two_processes_agree_over_loopback) {
  const auto dir = temp_dir("loopback");
  const std::string common = " -d " + dataset().string() + " --set agree.key_bits=256 --set agree.timeout_s=60 --set agree.public_seed=2026 ";
  const auto out = agree_on_loopback(dir, common, 32);
  EXPECT_NE(out.find("key agreed and confirmed"), std::string::npos) << out;
}

// Issue #15, done-when: on a small dataset of the DEFAULT wiretap config (impairments on, probing in time; only fewer
// profiles, one SNR and one Eve position), two processes at 20 dB with a fixed public seed end with the same 128-bit
// key, mode 0600, after the finite-key PA at eps_PA = 2^-64.
TEST(cli_agree, default_config_dataset_agrees_at_20_dB_over_loopback) {
  const auto dir = temp_dir("default20");
  const auto gen = run("dataset wiretap -q --seed 15 --set 'wiretap.profiles=[\"CDL-A\",\"CDL-C\",\"TDL-A\",\"TDL-C\"]' "
                       "--set 'wiretap.snrs_dB=[20.0]' --set 'wiretap.eve_distances_wavelengths=[0.5]' -o " +
                       (dir / "w.h5").string());
  ASSERT_EQ(gen.code, 0) << gen.out;
  agree_on_loopback(dir, " -d " + (dir / "w.h5").string() + " --snr 20 --set agree.timeout_s=60 --set agree.public_seed=15 ", 16);
  const std::string rep = physec::read_file(dir / "alice" / "report-alice.json");
  EXPECT_NE(rep.find("2^-64"), std::string::npos) << rep.substr(0, 2000);
}

/// Listens as Bob; `peer` plays a misbehaving Alice on the connection.
void bad_peer(const std::string& name, const std::function<void(kg::transport&)>& peer, const std::string& expected) {
  const auto dir = temp_dir(name);
  auto bob = start("--role bob --listen 127.0.0.1:0 --port-file " + (dir / "port").string() + " -d " +
                   dataset().string() + " --set agree.timeout_s=2 --out " + (dir / "bob").string());
  kg::tcp_options o;
  o.timeout_s = 30;
  {
    auto t = kg::tcp_connect("127.0.0.1:" + std::to_string(wait_port(dir / "port")), o);
    try {
      peer(*t);
    } catch (const physec::error&) {  // Bob may close first
    }
  }
  const auto rb = bob.get();
  EXPECT_EQ(rb.code, 3) << rb.out;
  EXPECT_NE(rb.out.find(expected), std::string::npos) << rb.out;
  EXPECT_NE(rb.out.find("no key written"), std::string::npos) << rb.out;
  EXPECT_FALSE(fs::exists(dir / "bob" / "key.bin"));
}

TEST(cli_agree, dropped_peer_leaves_a_clear_error_and_no_key) {
  // Before the first message: Bob (a real process) is left alone.
  bad_peer("dropped", [](kg::transport&) {}, "connection closed by the peer");
  // Mid-protocol: a real Alice connects to a Bob played here, who reads her hello and vanishes.
  const auto dir = temp_dir("dropped_mid");
  std::promise<int> port;
  auto port_f = port.get_future();
  kg::tcp_options o;
  o.timeout_s = 30;
  std::thread bob([&] {
    auto t = kg::tcp_listen("127.0.0.1:0", o, [&](int p) { port.set_value(p); });
    EXPECT_EQ(t->receive().type, kg::msg_type::hello);
  });  // the connection closes here
  const auto ra = run("keygen agree --role alice --connect 127.0.0.1:" + std::to_string(port_f.get()) + " -d " +
                      dataset().string() + " --out " + (dir / "alice").string());
  bob.join();
  EXPECT_EQ(ra.code, 3) << ra.out;
  EXPECT_NE(ra.out.find("connection closed by the peer"), std::string::npos) << ra.out;
  EXPECT_NE(ra.out.find("no key written"), std::string::npos) << ra.out;
  EXPECT_FALSE(fs::exists(dir / "alice" / "key.bin"));
}

TEST(cli_agree, silent_peer_times_out) {
  bad_peer("silent", [](kg::transport&) { std::this_thread::sleep_for(std::chrono::seconds(3)); }, "timed out");
}

/// Connects a plain socket to the listening Bob and writes `bytes` (not a physec frame).
void raw_peer(const std::string& name, const std::string& bytes, const std::string& expected) {
  const auto dir = temp_dir(name);
  auto bob = start("--role bob --listen 127.0.0.1:0 --port-file " + (dir / "port").string() + " -d " +
                   dataset().string() + " --set agree.timeout_s=2 --out " + (dir / "bob").string());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(wait_port(dir / "port")));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  const auto rb = bob.get();
  ::close(fd);
  EXPECT_EQ(rb.code, 3) << rb.out;
  EXPECT_NE(rb.out.find(expected), std::string::npos) << rb.out;
  EXPECT_FALSE(fs::exists(dir / "bob" / "key.bin"));
}

TEST(cli_agree, garbled_and_oversized_messages_are_rejected) {
  raw_peer("http", "GET / HTTP/1.1\r\n\r\n", "not a physec key-agreement frame");
  raw_peer("version", std::string("PSKG\x01\x01\0\0\0\0", 10),
           "protocol version mismatch (expected " + std::to_string(kg::k_protocol_version) + ", got 1)");
  bad_peer("garbled", [](kg::transport& t) { t.send({kg::msg_type::hello, {1, 2, 3}}); }, "malformed message");
  bad_peer("oversized",
           [](kg::transport& t) { t.send({kg::msg_type::hello, std::vector<std::uint8_t>(2 << 20, 0)}); },
           "message too large");
}

}  // namespace

namespace {

TEST(cli_agree, bad_arguments_are_one_line_exit_3_and_write_nothing) {
  const auto dir = temp_dir("bad_args");
  const std::string ds = " -d " + dataset().string() + " --out " + (dir / "out").string();
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"--role carol --listen 127.0.0.1:0", "--role: unknown role (expected alice or bob, got carol)"},
           {"--role bob --connect 127.0.0.1:x", "bad port (expected 0..65535, got x)"},
           {"--role bob --listen 127.0.0.1:0 --connect 127.0.0.1:1", "give exactly one of --listen and --connect"},
           {"--role bob --listen 127.0.0.1:0 --snr 7", "--snr: no test probes at this SNR (expected one of 10, 20, got 7)"},
       }) {
    const auto r = run("keygen agree -q " + args + ds);
    EXPECT_EQ(r.code, 3) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(expected), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_FALSE(fs::exists(dir / "out" / "key.bin"));
  }
}

}  // namespace

/// Writes a pre-shared key file of `bytes` with permissions `mode`.
fs::path psk_file(const fs::path& dir, const std::string& name, const std::string& bytes, int mode) {
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  ::chmod(p.c_str(), static_cast<mode_t>(mode));
  return p;
}

// Issue #20: with agree.psk_file both parties agree; a peer with another pre-shared key (a man in the middle without
// it) ends with no key on either side; a pre-shared key readable by others is refused before anything runs. The key
// never appears in any output (stdout, stderr, reports).
TEST(cli_agree, pre_shared_key_authenticates_and_the_key_never_leaks) {
  const auto dir = temp_dir("psk");
  const auto good = psk_file(dir, "a.psk", std::string(32, 'k'), 0600);
  const auto other = psk_file(dir, "b.psk", std::string(32, 'm'), 0600);
  const auto open = psk_file(dir, "c.psk", std::string(32, 'k'), 0644);
  const auto pair = [&](const std::string& name, const fs::path& psk_a, const fs::path& psk_b) {
    const std::string common = " -d " + dataset().string() + " --set agree.timeout_s=60 --set agree.public_seed=7 ";
    auto bob = start("--role bob --listen 127.0.0.1:0 --port-file " + (dir / (name + ".port")).string() + common +
                     "--set agree.psk_file=" + psk_b.string() + " --out " + (dir / name / "bob").string());
    auto alice = start("--role alice --connect 127.0.0.1:" + std::to_string(wait_port(dir / (name + ".port"))) + common +
                       "--set agree.psk_file=" + psk_a.string() + " --out " + (dir / name / "alice").string());
    return std::make_pair(alice.get(), bob.get());
  };
  const auto [ra, rb] = pair("same", good, good);
  ASSERT_EQ(ra.code, 0) << ra.out;
  ASSERT_EQ(rb.code, 0) << rb.out;
  const auto key = physec::read_file(dir / "same" / "alice" / "key.bin");
  EXPECT_EQ(key, physec::read_file(dir / "same" / "bob" / "key.bin"));
  // Key hygiene: neither the key's bytes nor its hex appear in anything the runs printed or wrote besides key.bin.
  std::string hex;
  for (unsigned char c : key) hex += fmt::format("{:02x}", c);
  std::vector<std::string> outputs{ra.out, rb.out};
  for (const auto& e : fs::recursive_directory_iterator(dir / "same"))
    if (e.is_regular_file() && e.path().filename() != "key.bin") outputs.push_back(physec::read_file(e.path()));
  for (const auto& o : outputs) {
    EXPECT_EQ(o.find(key), std::string::npos);
    EXPECT_EQ(o.find(hex), std::string::npos);
  }
  const auto [xa, xb] = pair("other", good, other);
  EXPECT_EQ(xa.code, 3) << xa.out;
  EXPECT_EQ(xb.code, 3) << xb.out;
  EXPECT_FALSE(fs::exists(dir / "other" / "alice" / "key.bin"));
  EXPECT_FALSE(fs::exists(dir / "other" / "bob" / "key.bin"));
  const auto r = run("keygen agree --role bob --listen 127.0.0.1:0 -d " + dataset().string() +
                     " --set agree.psk_file=" + open.string() + " --out " + (dir / "open").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("c.psk: agree.psk_file: pre-shared key file is readable or writable by others (expected mode "
                       "0600, got mode 0644)"),
            std::string::npos)
      << r.out;
}
