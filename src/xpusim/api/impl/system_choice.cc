// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/system_choice.h"

#include <cmath>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/report/result_json.h"
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

Json system_json(std::string_view type, std::string_view record, const SystemSpec& s) {
  const SystemPowerTerms t = system_power_terms(s);
  const std::string params_record = std::string(record) + ".params";
  Json params = Json::array();
  for (const auto& p : list_system_params(s))
    params.push_back(ResultJson(type, params_record)
                         .set("name", p.name)
                         .set("value", num(p.value))
                         .set("unit", p.unit)
                         .set("description", p.description)
                         .set("source", p.source)
                         .json());
  return ResultJson(type, record)
      .set("class", s.name)
      .set("description", s.description)
      .set("power_factor", num(t.factor))
      .set("fixed_power_w", num(t.fixed.value()))
      .set("params", params)
      .json();
}

}  // namespace xpusim::api::detail
