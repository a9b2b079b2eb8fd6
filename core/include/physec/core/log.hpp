#pragma once
/// @file Console output with one verbosity switch. Everything human-readable goes to stderr except the results
/// a command prints on purpose (tables, summaries), which go to stdout.

#include <fmt/format.h>

#include <cstdio>
#include <string_view>

namespace physec::log {

/// Silences info() and progress lines (errors and results still print).
void set_quiet(bool quiet);
bool quiet();

void write_info(std::string_view line);
void write_warning(std::string_view line);

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (!quiet()) write_info(fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write_warning(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace physec::log
