// SPDX-License-Identifier: Apache-2.0
// Errors in user input: one Diagnostic per problem, with where it is (file:line:column and the
// dotted path of the field), collected so that every problem of a file is reported at once.
// Library code returns Result<T>; only the CLI's main maps errors to exit codes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace xpusim {

struct Diagnostic {
  std::string file;     // path of the input file, "<command line>" for overrides, "" if none
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;       // 1-based; 0 when unknown
  std::string path;     // dotted field path ("memory.dram.bandwidth"), "" for the whole file
  std::string message;  // what is wrong: the value given and what is allowed

  // "file:line:column: path: message" with absent parts left out; control bytes and invalid
  // UTF-8 are escaped (\xNN) and over-long parts cut with "...", whatever the input held.
  [[nodiscard]] std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

template <class T>
using Result = tl::expected<T, Diagnostics>;

inline tl::unexpected<Diagnostics> fail(Diagnostic d) {
  return tl::unexpected(Diagnostics{std::move(d)});
}
inline tl::unexpected<Diagnostics> fail(std::string message) {
  return fail(Diagnostic{.message = std::move(message)});
}

// All diagnostics, one per line.
std::string to_string(const Diagnostics& diags);

}  // namespace xpusim
