// SPDX-License-Identifier: Apache-2.0
// The line under the tables of run, serve and gemm that gives the p10-p90 interval of each
// headline figure (the JSON's `uncertainty` object; perf/calibration_file.h).
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "xpusim/base/text.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {

std::string uncertainty_note(const nlohmann::ordered_json& result,
                             const std::string& scenario_class) {
  const nlohmann::ordered_json& uncertainty = result.at("uncertainty");
  const nlohmann::ordered_json& basis = result.at("uncertainty_basis");
  std::string parts;
  for (auto it = uncertainty.begin(); it != uncertainty.end(); ++it) {
    if (!it->is_object()) continue;
    parts += fmt::format("{}{} {} .. {}", parts.empty() ? "" : "; ", it.key(),
                         sig((*it)["p10"].get<double>()), sig((*it)["p90"].get<double>()));
  }
  if (parts.empty()) return "";
  std::vector<std::string> families = basis.at("families").get<std::vector<std::string>>();
  std::string note = fmt::format(
      "p10-p90 (leave-one-family-out error of the {} rows{}; `xpusim validate` reports "
      "coverage): {}\n",
      scenario_class, families.empty() ? "" : " of " + join(families, ", "), parts);
  if (!basis.at("family_measured").get<bool>())
    note += fmt::format(
        "{} is of none of these families: the band is their error on hardware left out of the "
        "fit; another vendor's silicon and software, or a design no one measured, may err more\n",
        basis.at("hardware_family").get<std::string>());
  return note;
}

}  // namespace xpusim::cli
