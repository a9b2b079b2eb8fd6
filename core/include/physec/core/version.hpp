#pragma once
/// @file physec's version and the git description of the tree it was built from.

#include <string>

namespace physec {

/// Semantic version of physec, e.g. "0.1.0".
std::string version();
/// `git describe --always --dirty --tags` of the source tree at build time ("unknown" outside git).
std::string git_describe();

}  // namespace physec
