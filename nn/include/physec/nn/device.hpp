#pragma once
/// @file Device strings to torch::Device. Includes torch: only for translation units that already need it.

#include <c10/core/Device.h>

#include <string>

namespace physec::nn {

/// "cpu", "cuda", "cuda:N" -> c10::Device (== torch::Device); validated by check_device().
c10::Device parse_device(const std::string& device, const std::string& field = "run.device");

}  // namespace physec::nn
