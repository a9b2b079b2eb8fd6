// Inputs a user (or an attacker) can hand any reader: folders, FIFOs and devices where a file is expected, files
// too large, damaged HDF5 metadata that crashes libhdf5 1.10, and datasets that claim more data than they hold.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <fstream>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using physec::testing::message_of;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST(HostileInputs, ReadersSayWhatThePathIsInsteadOfAFile) {
  const auto dir = PHYSEC_TEST_DIR();
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  // A FIFO would block a reader forever and /dev/zero never ends: both refused before opening.
  EXPECT_EQ(message_of([&] { physec::read_file(dir / "fifo"); }),
            (dir / "fifo").string() + ": not a regular file (expected a file, got a FIFO)");
  EXPECT_EQ(message_of([] { physec::read_file("/dev/zero"); }),
            "/dev/zero: not a regular file (expected a file, got a device)");
  EXPECT_EQ(message_of([&] { physec::read_file(dir); }),
            dir.string() + ": not a regular file (expected a file, got a folder)");
  EXPECT_EQ(message_of([&] { physec::read_file(dir / "none"); }),
            (dir / "none").string() + ": file not found (expected a file, got no such file)");
  EXPECT_TRUE(contains(message_of([&] { physec::h5::reader r(dir / "fifo"); }), "got a FIFO"));
  std::ofstream(dir / "ten") << "0123456789";
  EXPECT_EQ(physec::read_file(dir / "ten", 10), "0123456789");
  EXPECT_EQ(message_of([&] { physec::read_file(dir / "ten", 9); }),
            (dir / "ten").string() + ": file too large (expected at most 9 bytes, got 10 bytes)");
  EXPECT_EQ(physec::disk_full_reason(dir / "ten"), "");  // a folder with room says nothing
}

// HDF5 File Format Specification v3, §IV.A.2.j: a variable-length string in a dataset is stored as a 4-byte
// length, the global heap collection's address (8 bytes) and a 4-byte object index. An index past the collection
// made libhdf5 1.10.8 read out of bounds (SIGSEGV in H5HG_read); the reader must refuse it in one line instead.
TEST(HostileInputs, DamagedStringHeapIndexIsAnErrorNotACrash) {
  const auto dir = PHYSEC_TEST_DIR();
  {
    physec::h5::writer w(dir / "s.h5");
    w.write_strings("/names", {"CDL-A", "TDL-C", "CDL-E"});
    w.commit();
  }
  std::string bytes = physec::read_file(dir / "s.h5");
  const auto gcol = bytes.find("GCOL");
  ASSERT_NE(gcol, std::string::npos);
  std::string addr(8, '\0');
  for (int k = 0; k < 8; ++k) addr[k] = static_cast<char>((static_cast<std::uint64_t>(gcol) >> (8 * k)) & 0xff);
  // The three records: length 5, then the address, then the index. Point the second one at index 0x7fff.
  std::size_t at = bytes.find(addr);
  ASSERT_NE(at, std::string::npos);
  at = bytes.find(addr, at + 1);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 8] = '\xff';
  bytes[at + 9] = '\x7f';
  std::ofstream(dir / "bad.h5", std::ios::binary) << bytes;
  const physec::h5::reader ok(dir / "s.h5");
  EXPECT_EQ(ok.read_strings("/names"), (std::vector<std::string>{"CDL-A", "TDL-C", "CDL-E"}));
  const physec::h5::reader bad(dir / "bad.h5");
  const std::string what = message_of([&] { bad.read_strings("/names"); });
  EXPECT_TRUE(contains(what, "bad.h5: /names: damaged file")) << what;
  EXPECT_TRUE(contains(what, "string 1")) << what;
}

// The same references in an attribute (stored in the object header, §IV.A.2.m), and a global heap collection whose
// free-space object claims size 0 (§III.E: libhdf5 1.10's collection parser then loops forever). Both found by
// fuzz_wiretap / fuzz_mobility; both must be one-line errors.
TEST(HostileInputs, DamagedStringAttributeIsAnErrorNotACrashOrHang) {
  const auto dir = PHYSEC_TEST_DIR();
  {
    physec::h5::writer w(dir / "a.h5");
    const std::uint8_t one = 1;
    w.write("/x", physec::shape_t{1}, &one);
    w.attribute("/", "schema", std::string("physec.test/1"));
    w.commit();
  }
  const std::string bytes = physec::read_file(dir / "a.h5");
  const auto gcol = bytes.find("GCOL");
  ASSERT_NE(gcol, std::string::npos);
  std::string addr(8, '\0');
  for (int k = 0; k < 8; ++k) addr[k] = static_cast<char>((static_cast<std::uint64_t>(gcol) >> (8 * k)) & 0xff);
  const auto at = bytes.find(addr);  // the attribute's record: length (4), address (8), index (4)
  ASSERT_NE(at, std::string::npos);
  std::string bad_index = bytes;
  bad_index[at + 8] = '\xff';
  bad_index[at + 9] = '\x7f';
  std::ofstream(dir / "index.h5", std::ios::binary) << bad_index;
  // Walk the collection to its free-space object (index 0) and zero its size.
  const auto le = [&](std::size_t p, int n) {
    std::uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(bytes[p + static_cast<std::size_t>(k)]);
    return v;
  };
  std::size_t obj = gcol + 16;
  while (le(obj, 2) != 0) obj += 16 + (le(obj + 8, 8) + 7) / 8 * 8;
  std::string free_zero = bytes;
  for (int k = 0; k < 8; ++k) free_zero[obj + 8 + static_cast<std::size_t>(k)] = '\0';
  std::ofstream(dir / "free.h5", std::ios::binary) << free_zero;

  EXPECT_EQ(physec::h5::reader(dir / "a.h5").string_attribute("/", "schema"), "physec.test/1");
  std::string what = message_of([&] { physec::h5::reader(dir / "index.h5").string_attribute("/", "schema"); });
  EXPECT_TRUE(contains(what, "index.h5: /: damaged attribute `schema`: string 0 refers to a missing global heap object"))
      << what;
  what = message_of([&] { physec::h5::reader(dir / "free.h5").string_attribute("/", "schema"); });
  EXPECT_TRUE(contains(what, "free.h5: /: damaged attribute `schema`: string 0: global heap object 0 has a bad size")) << what;
}

// A chunked dataset can claim 2^40 elements while storing none: reading it must not try to allocate 4 TB.
TEST(HostileInputs, HugeClaimedShapeIsRefusedBeforeAllocating) {
  const auto dir = PHYSEC_TEST_DIR();
  {
    H5::H5File f((dir / "huge.h5").string(), H5F_ACC_TRUNC);
    hsize_t dims[1] = {hsize_t{1} << 40}, chunk[1] = {1024};
    H5::DSetCreatPropList dcpl;
    dcpl.setChunk(1, chunk);
    f.createDataSet("/x", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, dims), dcpl);
    hsize_t small_dims[1] = {4096};
    f.createDataSet("/y", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, small_dims), dcpl);  // unwritten: 16 KiB of 0
  }
  const physec::h5::reader r(dir / "huge.h5");
  const std::string what = message_of([&] { (void)r.read<float>("/x"); });
  EXPECT_TRUE(contains(what, "huge.h5: /x: dataset larger than this machine's memory")) << what;
  EXPECT_EQ(r.read<float>("/y").data.size(), 4096u);  // small and unwritten: read as fill values
}
