// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/uncertainty.h"

#include <cmath>

#include "xpusim/perf/calibration_file.h"

namespace xpusim::api::detail {

nlohmann::ordered_json uncertainty_json(const std::string& scenario_class,
                                        const std::vector<Headline>& metrics) {
  const auto& bands = default_calibration().uncertainty;
  const auto it = bands.find(scenario_class);
  const UncertaintyBand band = it == bands.end() ? UncertaintyBand{} : it->second;
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& m : metrics) {
    if (!m.value) {
      j[m.metric] = nullptr;
      continue;
    }
    const Interval i = uncertainty_interval(band, *m.value, m.time_like);
    // Rounded outwards so that the printed interval still contains the printed prediction.
    j[m.metric] = {{"p10", std::floor(i.p10 * 1e6) / 1e6}, {"p90", std::ceil(i.p90 * 1e6) / 1e6}};
  }
  return j;
}

}  // namespace xpusim::api::detail
