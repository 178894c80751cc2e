// SPDX-License-Identifier: Apache-2.0
// Private to api/: the server around each device as `cost`, `run` and `serve` take it
// (`--system CLASS --system-param NAME=VALUE`, cost/system_tco.h) and the JSON object that
// describes it (`system`: class, power terms and every parameter with its source).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/system_tco.h"

namespace xpusim::api::detail {

// The class named by --system (default: the hardware's, default_system_class) with the
// --system-param NAME=VALUE overrides. Bad input (unknown class or parameter, a value out of range
// or not a number) fails naming the flag.
SystemSpec load_system(const std::optional<std::string>& system,
                       const std::vector<std::string>& params, const HardwareSpec& hw);

// `system` of result type `type` at `record` ("economics.system" of run, "system" of serve and
// cost), built through its field table (report/result_json.h): the class, its power terms and a
// record per parameter (`params`: name, value, unit, description, source).
nlohmann::ordered_json system_json(std::string_view type, std::string_view record,
                                   const SystemSpec& s);

}  // namespace xpusim::api::detail
