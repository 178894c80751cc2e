// SPDX-License-Identifier: Apache-2.0
// Private to api/: the `uncertainty` object of run, serve and gemm ({metric: {"p10", "p90"}}),
// the headline predictions scaled by the leave-one-family-out error band of their scenario class
// (PerfCalibration::uncertainty, data/calibration/default.yaml; perf/calibration_file.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace xpusim::api::detail {

struct Headline {
  std::string metric;            // the key in `uncertainty` ("ttft_ms", "ttft_ms.mean")
  std::optional<double> value;   // the point prediction; nullopt (infeasible) gives null
  bool time_like = true;         // a duration; otherwise a rate (tokens/s, TFLOP/s)
};

// `uncertainty` of result type `type` ("run", "serve", "gemm"): {metric: {"p10": lo, "p90": hi}}
// for the band of `scenario_class` ("static", "serving", "gemm") in default_calibration(); each
// interval contains its point prediction. Each metric is a declared field
// (`uncertainty.<metric>`, XPUSIM_CHECK) and each interval is built through the field table
// (report/result_json.h).
nlohmann::ordered_json uncertainty_json(std::string_view type, const std::string& scenario_class,
                                        const std::vector<Headline>& metrics);

// `uncertainty_basis` of result type `type`: the hardware families whose held-out rows gave the
// band of `scenario_class` (UncertaintyBand::families), the family of `hardware_id`
// (perf/calibration_file.h hardware_family: a preset outside the measured NVIDIA generations,
// or a new design, is a family of its own) and whether it is among them. When it is not, the
// prediction extrapolates beyond the band's evidence (another vendor's silicon and software, a
// design no one measured) and its error may be wider than the band says.
nlohmann::ordered_json uncertainty_basis_json(std::string_view type,
                                              const std::string& scenario_class,
                                              const std::string& hardware_id);

}  // namespace xpusim::api::detail
