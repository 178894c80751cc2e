// SPDX-License-Identifier: Apache-2.0
// Token economics of one static-batch scenario: the performance model's achieved FLOP/s and bytes/s
// (perf/ StaticResult) -> average power per device (area/ power model, capped by the TDP) ->
// energy per output token, system power and cost per million output tokens (cost/ TCO). Called by
// `xpusim run` after simulate_static; the last step of the cost stage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/area/power_model.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/system_tco.h"
#include "xpusim/cost/tco.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Gross margin applied to the modelled cost per unit (manufacturing + NRE, cost/) when no device
// price is given: price = cost / (1 - margin). NVIDIA FY2025 (Jan 2025) 10-K: GAAP gross margin
// 75.0% (company-wide, all products; an assumption for any vendor). No preset carries a list price
// and none is invented here; pass a price (`--device-price`) to use a quoted one.
inline constexpr double kDefaultGrossMargin = 0.75;

struct TokenEconomicsAssumptions {
  // Electricity, lifetime and utilisation. Its system power terms, PUE and host, network and
  // facility capital are replaced by the server's (`system`).
  TcoAssumptions tco;
  // The server around each device (cost/system_tco.h, the model of `xpusim cost --system`):
  // default, the hardware's class (default_system_class: by its scale-up fabric). Its terms enter
  // the TCO through system_tco_assumptions at the device's TDP (without one, its modelled peak
  // power).
  std::optional<SystemSpec> system;
  std::optional<Usd> device_price;       // purchase price of one device; default: cost / (1 - m)
  double gross_margin = kDefaultGrossMargin;  // in [0, 1); used only without device_price
  CostAssumptions cost;                  // for the modelled cost per unit (default price)
};

// Average power of one device over one phase of the scenario.
struct PhasePower {
  PowerReport model;                     // the power model's estimate (may exceed the TDP)
  Watts power;                           // min(model.total, TDP): what the energy uses
  bool capped = false;                   // the model exceeded the TDP and was capped to it
};

struct TokenEconomics {
  Feasibility feasibility;               // the scenario's; infeasible: the values are unset
  PhasePower prefill;                    // while the prefill kernels run
  PhasePower decode;                     // while a decode step's kernels run
  Watts idle_power;                      // busy-idle baseline (overheads, pipeline bubbles)
  Watts average_power;                   // per device over the whole run (TTFT + decode)
  bool capped = false;                   // prefill or decode power was capped by the TDP
  Joules energy_per_output_token;        // all devices' chip energy / output tokens
  Joules system_energy_per_output_token; // (chip x system factor + fixed share) x PUE (the
                                         // server's terms, cost/system_tco.h)
  Watts system_power;                    // devices x (average x factor + fixed share) x PUE
  Usd device_price;                      // capital per device used in the TCO
  bool device_price_modelled = false;    // true: cost/ estimate with the gross margin
  Usd modelled_cost_per_unit;            // cost/ manufacturing + NRE per unit (when modelled)
  SystemSpec system;                     // the server the TCO counts
  TcoAssumptions tco_assumptions;        // the TCO's, with the server's terms
  TcoReport tco;                         // one device over the lifetime
  Usd tco_per_hour;                      // one device, per hour of use
  Usd cost_per_million_output_tokens;
};

// Work done by a group of devices over a run (a serving pool), summed over its devices: the
// serving simulator accumulates it step by step.
struct FleetWork {
  std::string pool;                      // "both", "prefill", "decode"
  int devices = 0;
  Seconds busy;                          // Σ over the devices of their kernel time
  FlopCount gemm_flop;                   // GEMMs in the precision plan's math format
  FlopCount expert_flop;                 // routed experts' GEMMs in the experts' math format
  FlopCount attention_flop;              // attention MMAs in the activation format
  FlopCount vector_flop;                 // SIMD work
  TrafficBytes bytes;
};

// Power, energy and cost of a serving run: every pool's devices draw their busy power (the power
// model at the pool's average activity while kernels run, capped by the TDP) for their busy time
// and the busy-idle baseline for the rest of `wall`. `prefill` and `decode` of the result are the
// prefill and decode pools (the same pool when not disaggregated). Errors as for the static one,
// and a pool without devices, a negative or non-finite time or token count. No output tokens (or
// no pool, no wall time) is an infeasible result (kNoOutput), not an error.
Result<TokenEconomics> serving_token_economics(const HardwareSpec& hw,
                                               const PrecisionPlan& precision,
                                               const std::vector<FleetWork>& pools, Seconds wall,
                                               double output_tokens,
                                               const TokenEconomicsAssumptions& assumptions = {});

// Power, energy and cost of `result` (from simulate_static(hw, model, scenario, ...)) on `hw`.
// Errors: the hardware's area cannot be estimated (missing process node), bad assumptions (negative
// price, margin outside [0, 1), PUE < 1, ...), a feasible `result` without a positive latency or
// sizes (not the result of simulate_static for `scenario`). An infeasible scenario is not an
// error: the result carries its feasibility and no values.
Result<TokenEconomics> token_economics(const HardwareSpec& hw, const StaticScenario& scenario,
                                       const StaticResult& result,
                                       const TokenEconomicsAssumptions& assumptions = {});

// The activity rates a phase achieves on one device: its FLOP by execution precision (GEMMs in the
// scenario's math precision, attention in the activation precision, other ops on the SIMD lanes)
// and its bytes per level, each divided by the phase time. Exposed for tests.
ActivityRates phase_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                             const PhaseBreakdown& phase);
// The same from totals: `work` done by one device in `time` of kernels.
ActivityRates work_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                            const FleetWork& work, Seconds time);

}  // namespace xpusim
