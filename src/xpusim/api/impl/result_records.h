// SPDX-License-Identifier: Apache-2.0
// Private to api/: the keys and records several commands share, built through their result
// type's table (report/result_json.h): feasibility, the precision a deployment asked for and what
// the hardware executes, and the clock a phase sustained under the TDP.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/report/result_json.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim::api::detail {

// The feasibility keys every command with an answer-or-not gives: feasible, infeasible_reason
// (the class, "reticle"), infeasible_detail (text); both null when feasible.
void add_feasibility_json(ResultJson& j, const Feasibility& f);

// `precision` of result type `type`: the requested plan and what the matrix engines execute
// (perf/step_model.h executed_precision_plan: a format the hardware lacks runs weight-only in 16
// bits), the stored bits per weight, and whether the weights are read as `model`'s released
// checkpoint stores them (workload/parallelism_plan.h runs_as_released).
nlohmann::ordered_json precision_json(std::string_view type, const HardwareSpec& hw,
                                      const ModelSpec& model, const PrecisionPlan& plan);

// The clock record `record` ("prefill", "decode") of `type`: the clock sustained under the TDP
// and whether the TDP limited it (perf/sustained_clock.h); both null without a clock (infeasible).
nlohmann::ordered_json clock_json(std::string_view type, std::string_view record,
                                  const PhaseClock* clock);

}  // namespace xpusim::api::detail
