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
  apply_overrides("--system-param", params, [&](const std::string& name, double value) {
    return set_system_param(s, name, value);
  }, true);
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
