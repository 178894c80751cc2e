// SPDX-License-Identifier: Apache-2.0
// The line under the tables of run, serve and gemm that gives the p10-p90 interval of each
// headline figure (the JSON's `uncertainty` object; perf/calibration_file.h).
#include <fmt/format.h>

#include "cli/command.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {

std::string uncertainty_note(const nlohmann::ordered_json& uncertainty,
                             const std::string& scenario_class) {
  std::string parts;
  for (auto it = uncertainty.begin(); it != uncertainty.end(); ++it) {
    if (!it->is_object()) continue;
    parts += fmt::format("{}{} {} .. {}", parts.empty() ? "" : "; ", it.key(),
                         sig((*it)["p10"].get<double>()), sig((*it)["p90"].get<double>()));
  }
  if (parts.empty()) return "";
  return fmt::format(
      "p10-p90 (leave-one-family-out error of the {} rows; `xpusim validate` reports coverage): "
      "{}\n",
      scenario_class, parts);
}

}  // namespace xpusim::cli
