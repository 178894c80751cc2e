// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/diagnostic.h"

#include "xpusim/base/text.h"

namespace xpusim {

namespace {
// Last line of defence against input text echoed unbounded or raw: sources quote values with
// quote() (80 bytes); these caps only bound what slipped through (a key path built from a
// megabyte-long key, a file name with control characters).
constexpr size_t kMaxFileBytes = 1024;
constexpr size_t kMaxPathBytes = 256;
constexpr size_t kMaxMessageBytes = 4096;
}  // namespace

std::string Diagnostic::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += printable(file, kMaxFileBytes);
    if (line > 0) out += ":" + std::to_string(line);
    if (line > 0 && column > 0) out += ":" + std::to_string(column);
    out += ": ";
  }
  if (!path.empty()) out += printable(path, kMaxPathBytes) + ": ";
  out += printable(message, kMaxMessageBytes);
  return out;
}

std::string to_string(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) out += d.to_string() + "\n";
  return out;
}

}  // namespace xpusim
