// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/input_failure.h"

#include <algorithm>

#include <fmt/format.h>

#include "xpusim/base/text.h"
#include "xpusim/config/presets.h"

namespace xpusim::api::detail {

void input_error(const std::string& flag, const std::string& message) {
  fail_with(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

void name_flags(Diagnostics& d) {
  for (auto& e : d) {
    e.file = "<command line>";
    if (!e.path.empty() && e.path.find('.') == std::string::npos) {
      std::replace(e.path.begin(), e.path.end(), '_', '-');
      e.path = "--" + e.path;
    }
  }
}

Precision parse_precision(const std::string& flag, const std::string& text) {
  if (auto p = precision_from_string(text)) return *p;
  std::string msg = fmt::format("unknown precision \"{}\"; allowed: {}", text,
                                join(precision_names()));
  if (auto m = closest_match(text, precision_names()))
    msg += fmt::format(" (did you mean \"{}\"?)", *m);
  input_error(flag, msg);
}

std::vector<std::string> hardware_only_overrides(const std::vector<std::string>& overrides) {
  SplitOverrides split = split_overrides(overrides);
  if (!split.model.empty())
    input_error("--set", fmt::format("model.{}: this command loads no model; --set model.PATH=VALUE "
                                     "applies to run, serve and compare",
                                     split.model.front()));
  return split.hardware;
}

void BoundChecks::check(const std::string& flag, int64_t v, const IntBound& b) {
  if (auto msg = check_bound(v, b))
    diags_.push_back(Diagnostic{.file = "<command line>", .path = flag, .message = *msg});
}

void BoundChecks::check(const std::string& flag, double v, const RealBound& b) {
  if (auto msg = check_bound(v, b))
    diags_.push_back(Diagnostic{.file = "<command line>", .path = flag, .message = *msg});
}

void BoundChecks::fail_if_any() {
  if (!diags_.empty()) fail_with(std::move(diags_));
}

}  // namespace xpusim::api::detail
