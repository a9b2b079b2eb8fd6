// Writes a small file for h5py_reads.py: complex64 and complex128 arrays with values the script knows.
#include <cstdio>

#include "physec/core/hdf5.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  physec::ndarray<std::complex<float>> a({2, 3, 4, 2, 1});
  for (std::size_t i = 0; i < a.size(); ++i) a.data[i] = {float(i), -0.5f * float(i)};
  physec::ndarray<std::complex<double>> b({3}, {{1.0, 2.0}, {-3.0, 0.25}, {0.0, -1e-300}});
  physec::h5::writer w(argv[1]);
  w.write("/alice", a);
  w.write("/z", b);
  w.write_strings("/profiles", {"CDL-A", "TDL-C"});
  w.attribute("/", "seed", std::int64_t{42});
  w.attribute("/", "config", std::string("seed = 42"));
  w.commit();
  return 0;
}
