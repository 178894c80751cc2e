// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/result_records.h"

#include "xpusim/perf/step_model.h"
#include "xpusim/report/table.h"

namespace xpusim::api::detail {

using Json = nlohmann::ordered_json;

void add_feasibility_json(ResultJson& j, const Feasibility& f) {
  j.set("feasible", f.feasible());
  j.set("infeasible_reason", f.feasible() ? Json(nullptr) : Json(std::string(f.reason_name())));
  j.set("infeasible_detail", f.feasible() ? Json(nullptr) : Json(f.detail));
}

Json precision_json(std::string_view type, const HardwareSpec& hw, const ModelSpec& model,
                    const PrecisionPlan& plan) {
  const ExecutedMath executed = executed_math(hw, plan);
  const ExecutedMath experts = executed_expert_math(hw, plan);
  const bool mixed = plan.mixed();
  const std::optional<bool> released = runs_as_released(model, plan);
  auto expert_text = [&](Precision p) {
    return mixed ? Json(std::string(to_string(p))) : Json(nullptr);
  };
  return ResultJson(type, "precision")
      .set("weights", to_string(plan.weights))
      .set("activations", to_string(plan.activations))
      .set("kv_cache", to_string(plan.kv_cache))
      .set("math_execution", to_string(executed.math))
      .set("weight_only_fallback", executed.weight_only_fallback)
      .set("expert_weights", expert_text(plan.experts().weights))
      .set("expert_activations", expert_text(plan.experts().activations))
      .set("expert_math_execution", expert_text(experts.math))
      .set("expert_weight_only_fallback",
           mixed ? Json(experts.weight_only_fallback) : Json(nullptr))
      .set("weight_group_size", plan.weight_group > 0 ? Json(plan.weight_group) : Json(nullptr))
      .set("weight_bits", round6(8.0 * plan.weight_storage().value()))
      .set("expert_weight_bits",
           mixed ? Json(round6(8.0 * plan.experts().weight_storage().value())) : Json(nullptr))
      .set("as_released", released ? Json(*released) : Json(nullptr))
      .set("as_released_flags", released ? Json(checkpoint_flags(model)) : Json(nullptr))
      .json();
}

Json clock_json(std::string_view type, std::string_view record, const PhaseClock* clock) {
  return ResultJson(type, record)
      .set("sustained_clock_ghz",
           clock ? Json(round6(units::to_ghz(clock->sustained_clock))) : Json(nullptr))
      .set("power_limited", clock ? Json(clock->power_limited) : Json(nullptr))
      .json();
}

}  // namespace xpusim::api::detail
