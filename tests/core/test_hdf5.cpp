// HDF5: round trips, h5py-compatible complex layout, atomic writes, byte reproducibility, one-line errors.
#include <gtest/gtest.h>

#include "test_util.hpp"

#include <H5Cpp.h>

#include <filesystem>
#include <fstream>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/rng.hpp"

namespace fs = std::filesystem;

namespace {

using physec::testing::message_of;
using physec::testing::temp_dir;



physec::ndarray<std::complex<float>> random_csi(std::uint64_t seed) {
  physec::ndarray<std::complex<float>> a({3, 2, 4, 5, 6});  // [samples, rx, tx, subcarriers, symbols]
  auto rng = physec::rng_stream(seed).derive("csi");
  for (auto& x : a.data) x = std::complex<float>(rng.complex_normal());
  return a;
}

TEST(hdf5, complex_5d_round_trip_with_attributes) {
  const auto dir = temp_dir("rt");
  const auto csi = random_csi(1);
  physec::ndarray<std::complex<double>> z({2, 3});
  for (std::size_t i = 0; i < z.size(); ++i) z.data[i] = {double(i), -double(i) / 3.0};
  physec::ndarray<std::int32_t> labels({3}, 7);
  {
    physec::h5::writer w(dir / "a.h5");
    w.write("/alice", csi);
    w.write("/meta/z", z);
    w.write("/meta/labels", labels);
    w.write_strings("/meta/profiles", {"CDL-A", "TDL-E", ""});
    w.attribute("/", "seed", std::int64_t{42});
    w.attribute("/", "config", std::string("a = 1\n"));
    w.attribute("/alice", "snr_dB", 10.5);
    w.attribute("/meta", "snr_list_dB", std::vector<double>{0, 5, 10});
    w.commit();
  }
  physec::h5::reader r(dir / "a.h5");
  EXPECT_EQ(r.read<std::complex<float>>("/alice"), csi);
  EXPECT_EQ(r.read<std::complex<double>>("/meta/z"), z);
  EXPECT_EQ(r.read<std::int32_t>("/meta/labels"), labels);
  EXPECT_EQ(r.read_strings("/meta/profiles"), (std::vector<std::string>{"CDL-A", "TDL-E", ""}));
  EXPECT_EQ(r.number_attribute("/", "seed"), 42.0);
  EXPECT_EQ(r.string_attribute("/", "config"), "a = 1\n");
  EXPECT_EQ(r.number_attribute("/alice", "snr_dB"), 10.5);
  EXPECT_EQ(r.attribute("/meta", "snr_list_dB").reals, (std::vector<double>{0, 5, 10}));
  EXPECT_EQ(r.list("/meta"), (std::vector<std::string>{"labels", "profiles", "z"}));
  EXPECT_EQ(r.type("/alice"), physec::h5::dtype::complex64);
  EXPECT_TRUE(r.has("/meta/z"));
  EXPECT_FALSE(r.has("/nope/z"));
}

TEST(hdf5, complex_layout_is_compound_r_i) {
  // The exact layout h5py maps to complex: a compound of two floats named "r" and "i" at offsets 0 and size.
  const auto dir = temp_dir("layout");
  physec::ndarray<std::complex<double>> z(physec::shape_t{4}, std::complex<double>{1.0, -2.0});
  {
    physec::h5::writer w(dir / "c.h5");
    w.write("/z", z);
    w.commit();
  }
  H5::H5File f((dir / "c.h5").string(), H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet("/z");
  ASSERT_EQ(ds.getTypeClass(), H5T_COMPOUND);
  H5::CompType ct = ds.getCompType();
  ASSERT_EQ(ct.getNmembers(), 2);
  EXPECT_EQ(ct.getMemberName(0), "r");
  EXPECT_EQ(ct.getMemberName(1), "i");
  EXPECT_EQ(ct.getMemberOffset(0), 0u);
  EXPECT_EQ(ct.getMemberOffset(1), 8u);
  EXPECT_EQ(ct.getMemberClass(0), H5T_FLOAT);
  EXPECT_EQ(ct.getMemberFloatType(1).getSize(), 8u);
  EXPECT_EQ(ct.getSize(), 16u);
}

TEST(hdf5, same_content_gives_identical_bytes) {
  const auto dir = temp_dir("bytes");
  for (const char* name : {"a.h5", "b.h5"}) {
    physec::h5::writer w(dir / name);
    w.write("/alice", random_csi(3));
    w.write_strings("/p", {"x", "y"});
    w.attribute("/", "seed", std::int64_t{3});
    w.commit();
  }
  EXPECT_EQ(physec::read_file(dir / "a.h5"), physec::read_file(dir / "b.h5"));
}

TEST(hdf5, large_dataset_is_compressed_and_round_trips) {
  const auto dir = temp_dir("big");
  physec::ndarray<double> a({512, 600});  // 2.4 MB: chunked + deflate
  for (std::size_t i = 0; i < a.size(); ++i) a.data[i] = double(i % 97);
  {
    physec::h5::writer w(dir / "big.h5");
    w.write("/a", a);
    w.commit();
  }
  EXPECT_LT(fs::file_size(dir / "big.h5"), a.size() * sizeof(double) / 4);
  EXPECT_EQ(physec::h5::reader(dir / "big.h5").read<double>("/a"), a);
}

TEST(hdf5, writer_that_throws_midway_leaves_no_file) {
  const auto dir = temp_dir("atomic");
  try {
    physec::h5::writer w(dir / "half.h5");
    w.write("/alice", random_csi(1));
    throw std::runtime_error("simulated failure while generating /bob");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "a temporary or partial file was left behind";
  // The same for plain files.
  try {
    physec::atomic_file f(dir / "x.txt");
    std::ofstream(f.temp_path()) << "partial";
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(fs::is_empty(dir));
  // And an overwrite that fails keeps the old complete file.
  physec::write_file_atomic(dir / "keep.txt", "complete\n");
  try {
    physec::atomic_file f(dir / "keep.txt");
    std::ofstream(f.temp_path()) << "partial";
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(physec::read_file(dir / "keep.txt"), "complete\n");
}

TEST(hdf5, errors_name_file_dataset_expected_and_found) {
  const auto dir = temp_dir("errors");
  const std::string file = (dir / "e.h5").string();
  {
    physec::h5::writer w(file);
    w.write("/alice", random_csi(1));
    w.write("/snr", physec::ndarray<float>({3}, 1.0f));
    w.commit();
  }
  physec::h5::reader r(file);
  EXPECT_EQ(message_of([&] { r.read<std::complex<float>>("/eve"); }),
            file + ": /eve: missing dataset (expected a dataset at this path, got nothing)");
  EXPECT_EQ(message_of([&] { r.read<std::complex<float>>("/alice", {std::nullopt, 2, 4, 5}); }),
            file + ": /alice: wrong rank (expected [?, 2, 4, 5], got [3, 2, 4, 5, 6])");
  EXPECT_EQ(message_of([&] { r.read<std::complex<float>>("/alice", {std::nullopt, 3, 4, 5, 6}); }),
            file + ": /alice: wrong shape (expected [?, 3, 4, 5, 6], got [3, 2, 4, 5, 6])");
  EXPECT_EQ(message_of([&] { r.read<std::complex<double>>("/alice"); }),
            file + ": /alice: wrong dtype (expected complex128 {r,i}, got complex64 {r,i})");
  EXPECT_EQ(message_of([&] { r.read<double>("/snr"); }), file + ": /snr: wrong dtype (expected float64, got float32)");
  EXPECT_EQ(message_of([&] { r.string_attribute("/", "config"); }),
            file + ": /: missing attribute `config` (expected an attribute of this name, got none)");

  const std::string not_h5 = (dir / "plain.txt").string();
  physec::write_file_atomic(not_h5, "hello");
  EXPECT_EQ(message_of([&] { physec::h5::reader x(not_h5); }),
            not_h5 + ": not an HDF5 file (expected an HDF5 (or MATLAB v7.3) file, got other content)");
  EXPECT_EQ(message_of([&] { physec::h5::reader x(dir / "none.h5"); }),
            (dir / "none.h5").string() + ": file not found (expected an HDF5 file, got no such file)");
}

TEST(hdf5, writer_rejects_relative_dataset_path) {
  const auto dir = temp_dir("rel");
  physec::h5::writer w(dir / "r.h5");
  EXPECT_NE(message_of([&] { w.write("alice", random_csi(1)); }).find("dataset path must be absolute"),
            std::string::npos);
}

}  // namespace
