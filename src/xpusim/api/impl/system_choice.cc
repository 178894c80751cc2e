// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/system_choice.h"

#include <cmath>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/report/table.h"

namespace xpusim::api::detail {
namespace {

using Json = nlohmann::ordered_json;

// Six significant digits; non-finite values become null (as economics.cc's JSON).
Json num(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e299) return nullptr;
  return round6(v);
}

}  // namespace

// The server of the TCO: --system (default: the hardware's class) with --system-param overrides.
SystemSpec load_system(const std::optional<std::string>& system,
                       const std::vector<std::string>& params, const HardwareSpec& hw) {
  auto base = builtin_system(system.value_or(default_system_class(hw)));
  if (!base) input_error("--system", base.error().front().message);
  SystemSpec s = *base;
  Diagnostics diags;
  for (const auto& kv : params) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      diags.push_back({.file = "<command line>", .path = "--system-param",
                       .message = fmt::format("expected NAME=NUMBER, got '{}'", kv)});
      continue;
    }
    auto v = parse_bounded_real(std::string_view(kv).substr(eq + 1), bounds::kFabAssumption);
    if (!v) {
      diags.push_back({.file = "<command line>", .path = "--system-param " + kv.substr(0, eq),
                       .message = v.error()});
      continue;
    }
    if (auto r = set_system_param(s, kv.substr(0, eq), *v); !r) {
      for (auto d : r.error()) {
        d.file = "<command line>";
        d.path = "--system-param " + d.path;
        diags.push_back(d);
      }
    }
  }
  if (!diags.empty()) fail_with(diags);
  return s;
}

Json system_json(const SystemSpec& s) {
  const SystemPowerTerms t = system_power_terms(s);
  Json params = Json::array();
  for (const auto& p : list_system_params(s))
    params.push_back({{"name", p.name}, {"value", num(p.value)}, {"unit", p.unit},
                      {"description", p.description}, {"source", p.source}});
  return {{"class", s.name},
          {"description", s.description},
          {"power_factor", num(t.factor)},
          {"fixed_power_w", num(t.fixed.value())},
          {"params", params}};
}

}  // namespace xpusim::api::detail
