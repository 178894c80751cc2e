// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/uncertainty.h"

#include <algorithm>
#include <cmath>

#include "xpusim/base/check.h"
#include "xpusim/perf/calibration_file.h"
#include "xpusim/report/result_json.h"

namespace xpusim::api::detail {

nlohmann::ordered_json uncertainty_json(std::string_view type, const std::string& scenario_class,
                                        const std::vector<Headline>& metrics) {
  const auto& bands = default_calibration().uncertainty;
  const auto it = bands.find(scenario_class);
  const UncertaintyBand band = it == bands.end() ? UncertaintyBand{} : it->second;
  const ResultType* result = find_result_type(type);
  XPUSIM_CHECK(result != nullptr, "uncertainty of an undeclared result type");
  // Keyed by the metric's name as declared (`uncertainty.ttft_ms.mean` of serve: the key is
  // "ttft_ms.mean", one name, as the JSON has always written it); each interval is a record of
  // the field table, built through it.
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& m : metrics) {
    const std::string record = "uncertainty." + m.metric;
    XPUSIM_CHECK(find_field(*result, record) != nullptr, record.c_str());
    if (!m.value) {
      j[m.metric] = nullptr;
      continue;
    }
    const Interval i = uncertainty_interval(band, *m.value, m.time_like);
    // Rounded outwards so that the printed interval still contains the printed prediction.
    j[m.metric] = ResultJson(type, record)
                      .set("p10", std::floor(i.p10 * 1e6) / 1e6)
                      .set("p90", std::ceil(i.p90 * 1e6) / 1e6)
                      .json();
  }
  return j;
}

nlohmann::ordered_json uncertainty_basis_json(std::string_view type,
                                              const std::string& scenario_class,
                                              const std::string& hardware_id) {
  const auto& bands = default_calibration().uncertainty;
  const auto it = bands.find(scenario_class);
  const std::vector<std::string> families =
      it == bands.end() ? std::vector<std::string>{} : band_families(it->second);
  const std::string family = hardware_family(hardware_id);
  const bool measured = std::find(families.begin(), families.end(), family) != families.end();
  return ResultJson(type, "uncertainty_basis")
      .set("families", families)
      .set("hardware_family", family)
      .set("family_measured", measured)
      .json();
}

}  // namespace xpusim::api::detail
