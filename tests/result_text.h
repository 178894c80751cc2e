// SPDX-License-Identifier: Apache-2.0
// Shared by the tests: the diagnostics of a failed Result as the command line prints them, one per
// line, without the last newline ("(no error)" for a value).
#pragma once

#include <string>

#include "xpusim/base/diagnostic.h"

namespace xpusim::testing {

template <class T>
std::string error_text(const Result<T>& r) {
  if (r) return "(no error)";
  std::string text = to_string(r.error());
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace xpusim::testing
