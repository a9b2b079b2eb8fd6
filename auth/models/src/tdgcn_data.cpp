#include "physec/auth/models/tdgcn_data.hpp"

#include <algorithm>

namespace physec::auth::models {

sequence_set split_windows(const dataset::mobility_data& d, const std::vector<std::uint8_t>& split,
                           std::uint8_t code, int stride) {
  const std::size_t n = d.nof_sequences(), D = d.nof_dims(), T = d.nof_steps();
  sequence_set out;
  std::vector<float> data;
  auto append = [&](const std::vector<std::size_t>& run, std::size_t offset) {  // window starting `offset` into run
    for (std::size_t k = 0; k < D; ++k)
      for (std::size_t t = 0; t < T; ++t) {
        const std::size_t pos = offset + t, seq = run[pos / T];
        data.push_back(d.sequences(seq, k, pos % T));
      }
    out.y.push_back(d.transmitter[run.front()]);
  };
  std::size_t i = 0;
  while (i < n) {
    if (split[i] != code) {
      ++i;
      continue;
    }
    std::vector<std::size_t> run{i};
    while (i + 1 < n && split[i + 1] == code && d.transmitter[i + 1] == d.transmitter[i] &&
           d.start_index[i + 1] == d.start_index[i] + static_cast<std::int64_t>(T))
      run.push_back(++i);
    ++i;
    const std::size_t len = run.size() * T;
    const std::size_t step = (stride >= 1 && static_cast<std::size_t>(stride) < T) ? stride : T;
    for (std::size_t off = 0; off + T <= len; off += step) append(run, off);
  }
  out.x = ndarray<float>({out.y.size(), D, T}, std::move(data));
  return out;
}

}  // namespace physec::auth::models
