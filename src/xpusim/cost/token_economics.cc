// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/token_economics.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/sustained_clock.h"

namespace xpusim {
namespace {

// The phase's average power on one device: the power model at the phase's activity, capped by the
// TDP (boards throttle clocks to stay within it; NVIDIA/AMD power management), with the cap noted.
Result<PhasePower> phase_power(const HardwareSpec& hw, const AreaReport& area,
                               const ActivityRates& activity) {
  auto report = estimate_power(hw, area, activity);
  if (!report) return tl::unexpected(report.error());
  PhasePower p;
  p.model = *report;
  p.power = report->total;
  if (report->tdp && report->total > *report->tdp) {
    p.power = *report->tdp;
    p.capped = true;
  }
  return p;
}

// Energy of one device over a stretch of `wall` seconds in which the kernels run `active` seconds
// at `busy` power and the rest (request/step overheads, pipeline bubbles) at the busy-idle power.
Joules stretch_energy(Seconds wall, Seconds active, Watts busy, Watts idle) {
  const Seconds on = min(max(active, Seconds(0)), max(wall, Seconds(0)));
  return busy * on + idle * (max(wall, Seconds(0)) - on);
}

Result<void> check_assumptions(const TokenEconomicsAssumptions& as) {
  Diagnostics d;
  if (as.device_price && (!(as.device_price->value() >= 0) || !as.device_price->is_finite()))
    d.push_back({.path = "device_price",
                 .message = fmt::format("device price must be >= 0 USD, got {}",
                                        as.device_price->value())});
  if (!(as.gross_margin >= 0 && as.gross_margin < 1))
    d.push_back({.path = "gross_margin",
                 .message = fmt::format("gross margin must be in [0, 1), got {}", as.gross_margin)});
  if (!d.empty()) return tl::unexpected(d);
  if (as.system)
    if (auto ok = check_system(*as.system); !ok) return tl::unexpected(ok.error());
  // Validates lifetime, PUE, overhead, utilisation and electricity price before any work.
  if (auto check = total_cost_of_ownership(Usd(0), Watts(0), as.tco); !check)
    return tl::unexpected(check.error());
  return {};
}

// The server (the given one, else the hardware's class) and the TCO assumptions with its terms
// (system_tco.h), the facility sized for the device's TDP, else for its modelled peak power.
Result<void> add_system(const HardwareSpec& hw, const AreaReport& area,
                        const TokenEconomicsAssumptions& as, TokenEconomics& e) {
  if (as.system) {
    e.system = *as.system;
  } else {
    auto s = builtin_system(default_system_class(hw));
    if (!s) return tl::unexpected(s.error());
    e.system = *s;
  }
  Watts limit = hw.physical.tdp;
  if (!(limit.value() > 0)) {
    auto peak = estimate_power(hw, area, peak_activity(hw));
    if (!peak) return tl::unexpected(peak.error());
    limit = peak->total;
  }
  auto t = system_tco_assumptions(e.system, limit, as.tco);
  if (!t) return tl::unexpected(t.error());
  e.tco_assumptions = *t;
  return {};
}

// Capital, TCO and cost per token of `e` (average_power and tco_assumptions set) at `per_device`
// tokens/s per device.
Result<void> add_costs(const HardwareSpec& hw, const AreaReport& area,
                       const TokenEconomicsAssumptions& as, Watts static_power,
                       TokensPerSecond per_device, TokenEconomics& e) {
  const TcoAssumptions& t = e.tco_assumptions;
  // Capital per device: the given price, else the modelled cost per unit (manufacturing + NRE,
  // economics.md §3-§4, §3.6) marked up by the gross margin.
  if (as.device_price) {
    e.device_price = *as.device_price;
  } else {
    auto cost = estimate_cost(hw, area, as.cost);
    if (!cost) return tl::unexpected(cost.error());
    // A chip the cost model cannot build (a die beyond the reticle, no die that yields) has no
    // price to model: `cost` says INFEASIBLE, so the economics are unavailable, not priced.
    if (!cost->feasibility.feasible())
      return tl::unexpected(Diagnostics{Diagnostic{
          .message = "no modelled price: the chip cannot be built (" +
                     cost->feasibility.to_string() + "); a device price (run --device-price) prices it"}});
    e.modelled_cost_per_unit = cost->total_per_unit;
    e.device_price = cost->total_per_unit / (1.0 - as.gross_margin);
    e.device_price_modelled = true;
  }
  // TCO per device = capital + lifetime energy (tco.cc); cost per token = TCO per hour of use /
  // tokens per hour of use (SemiAnalysis-style TCO per token).
  // Unutilised lifetime (utilisation < 1): the chip idles clock-gated at its static power.
  auto tco = total_cost_of_ownership(e.device_price, e.average_power, t, static_power);
  if (!tco) return tl::unexpected(tco.error());
  e.tco = *tco;
  const Seconds used = t.lifetime * t.utilization;
  e.tco_per_hour = e.tco.total * (units::kSecondsPerHour / used.value());
  auto per_m = cost_per_million_tokens(e.tco, per_device, t);
  if (!per_m) return tl::unexpected(per_m.error());
  e.cost_per_million_output_tokens = *per_m;
  return {};
}

}  // namespace

ActivityRates phase_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                             const PhaseBreakdown& phase) {
  return device_activity(hw, precision, phase_work(phase), phase.total);
}

ActivityRates work_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                            const FleetWork& work, Seconds time) {
  return device_activity(hw, precision,
                         DeviceWork{work.gemm_flop, work.expert_flop, work.attention_flop,
                                    work.vector_flop, work.bytes},
                         time);
}

Result<TokenEconomics> token_economics(const HardwareSpec& hw, const StaticScenario& scenario,
                                       const StaticResult& result,
                                       const TokenEconomicsAssumptions& as) {
  if (auto ok = check_assumptions(as); !ok) return tl::unexpected(ok.error());

  TokenEconomics e;
  e.feasibility = result.feasibility;
  if (!result.feasibility.feasible()) return e;
  // A feasible result of simulate_static(hw, model, scenario) has all of these; a result made up
  // by the caller may not.
  if (scenario.devices < 1 || scenario.batch < 1 || scenario.output_len < 1 ||
      result.replicas < 1 || !(result.e2e_latency.value() > 0) || !result.e2e_latency.is_finite() ||
      !(result.ttft.value() >= 0) || !(result.tpot.value() >= 0))
    return fail(Diagnostic{
        .path = "result",
        .message = fmt::format("a feasible static result needs devices, batch, output_len and "
                               "replicas >= 1 and a finite positive latency (the result of "
                               "simulate_static for this scenario); got devices {}, batch {}, "
                               "output_len {}, replicas {}, e2e latency {} s",
                               scenario.devices, scenario.batch, scenario.output_len,
                               result.replicas, result.e2e_latency.value())});

  auto area = estimate_area(hw);
  if (!area) return tl::unexpected(area.error());
  auto pre = phase_power(hw, *area, phase_activity(hw, scenario.precision, result.prefill));
  if (!pre) return tl::unexpected(pre.error());
  auto dec = phase_power(hw, *area, phase_activity(hw, scenario.precision, result.decode));
  if (!dec) return tl::unexpected(dec.error());
  e.prefill = *pre;
  e.decode = *dec;
  e.capped = pre->capped || dec->capped;
  // Between kernels (request/step overheads, pipeline bubbles) the clocks keep running: the
  // busy-idle baseline (static + clock tree/control + DRAM background + SerDes idle; power_model.h),
  // never more than what the phases draw after capping.
  auto idle = busy_idle_power(hw, *area);
  if (!idle) return tl::unexpected(idle.error());
  e.idle_power = min(idle->total, min(pre->power, dec->power));

  // One run of the static batch on one device (static_sim.cc): the TTFT (request overhead + the
  // prefill of `microbatches` microbatches, each of which the breakdown describes) then
  // output_len - 1 decode steps of TPOT each. A device is busy for its own microbatches' kernels
  // and busy-idle for the rest: overheads and pipeline bubbles. Decode uses the step at
  // the mean context for every step (attention grows linearly with the context; ignores the
  // curvature the perf model's TPOT accounts for).
  const double mb = static_cast<double>(std::max(1, scenario.plan.microbatches));
  const double steps = static_cast<double>(std::max<int64_t>(0, scenario.output_len - 1));
  const Joules prefill_energy =
      stretch_energy(result.ttft, result.prefill.total * mb, e.prefill.power, e.idle_power);
  const Joules decode_energy =
      stretch_energy(result.tpot, result.decode.total * mb, e.decode.power, e.idle_power) * steps;
  const Joules device_energy = prefill_energy + decode_energy;
  e.average_power = device_energy / result.e2e_latency;

  const double devices = static_cast<double>(scenario.devices);
  const double tokens = static_cast<double>(result.replicas) * static_cast<double>(scenario.batch) *
                        static_cast<double>(scenario.output_len);
  // System overhead (system_tco.h, the server class): power delivery and fans in proportion to the
  // chip, plus a fixed share per device (host, NICs, switches, the network), drawn for the whole
  // run whatever the chip load; facility overhead by the PUE.
  if (auto sys = add_system(hw, *area, as, e); !sys) return tl::unexpected(sys.error());
  const TcoAssumptions& t = e.tco_assumptions;
  e.energy_per_output_token = device_energy * devices / tokens;
  e.system_energy_per_output_token =
      (device_energy * t.system_power_factor + t.system_fixed_power * result.e2e_latency) * t.pue *
      devices / tokens;
  e.system_power = (e.average_power * t.system_power_factor + t.system_fixed_power) * devices * t.pue;

  auto costs = add_costs(hw, *area, as, pre->model.static_power,
                         result.output_tokens_per_s / devices, e);
  if (!costs) return tl::unexpected(costs.error());
  return e;
}

Result<TokenEconomics> serving_token_economics(const HardwareSpec& hw,
                                               const PrecisionPlan& precision,
                                               const std::vector<FleetWork>& pools, Seconds wall,
                                               double output_tokens,
                                               const TokenEconomicsAssumptions& as) {
  if (auto ok = check_assumptions(as); !ok) return tl::unexpected(ok.error());
  for (size_t i = 0; i < pools.size(); ++i)
    if (pools[i].devices < 1 || !(pools[i].busy.value() >= 0) || !pools[i].busy.is_finite())
      return fail(Diagnostic{.path = fmt::format("pools[{}]", i),
                             .message = fmt::format("a pool needs >= 1 device and a finite busy "
                                                    "time >= 0, got {} devices, {} s",
                                                    pools[i].devices, pools[i].busy.value())});
  if (!(wall.value() >= 0) || !wall.is_finite() || !(output_tokens >= 0) ||
      !std::isfinite(output_tokens))
    return fail(Diagnostic{.path = "wall",
                           .message = fmt::format("the wall time and the output tokens must be "
                                                  "finite and >= 0, got {} s and {}",
                                                  wall.value(), output_tokens)});
  TokenEconomics e;
  if (pools.empty() || wall.value() <= 0 || output_tokens <= 0) {
    e.feasibility.mark(InfeasibleReason::kNoOutput, "the run produced no output tokens");
    return e;
  }
  auto area = estimate_area(hw);
  if (!area) return tl::unexpected(area.error());
  auto idle = busy_idle_power(hw, *area);
  if (!idle) return tl::unexpected(idle.error());
  // Each pool: its devices' busy power while their kernels run, the busy-idle baseline otherwise
  // (host scheduling between iterations, waiting for arrivals: the clocks keep running).
  Joules energy;
  int devices = 0;
  Watts static_power;
  for (size_t i = 0; i < pools.size(); ++i) {
    const FleetWork& w = pools[i];
    const Seconds busy_per_device = w.busy / static_cast<double>(w.devices);
    FleetWork per_device = w;
    per_device.gemm_flop = w.gemm_flop / static_cast<double>(w.devices);
    per_device.expert_flop = w.expert_flop / static_cast<double>(w.devices);
    per_device.attention_flop = w.attention_flop / static_cast<double>(w.devices);
    per_device.vector_flop = w.vector_flop / static_cast<double>(w.devices);
    per_device.bytes = w.bytes * (1.0 / static_cast<double>(w.devices));
    auto p = phase_power(hw, *area, work_activity(hw, precision, per_device, busy_per_device));
    if (!p) return tl::unexpected(p.error());
    if (i == 0) e.prefill = *p;
    if (i + 1 == pools.size()) e.decode = *p;
    e.capped = e.capped || p->capped;
    const Watts idle_w = min(idle->total, p->power);
    energy += stretch_energy(wall, busy_per_device, p->power, idle_w) * static_cast<double>(w.devices);
    devices += w.devices;
    static_power = p->model.static_power;
  }
  e.idle_power = min(idle->total, min(e.prefill.power, e.decode.power));
  const double n = static_cast<double>(devices);
  e.average_power = energy / wall / n;
  if (auto sys = add_system(hw, *area, as, e); !sys) return tl::unexpected(sys.error());
  const TcoAssumptions& t = e.tco_assumptions;
  e.energy_per_output_token = energy / output_tokens;
  e.system_energy_per_output_token =
      (energy * t.system_power_factor + t.system_fixed_power * wall * n) * t.pue / output_tokens;
  e.system_power = (e.average_power * t.system_power_factor + t.system_fixed_power) * n * t.pue;
  const TokensPerSecond per_device(output_tokens / wall.value() / n);
  auto costs = add_costs(hw, *area, as, static_power, per_device, e);
  if (!costs) return tl::unexpected(costs.error());
  return e;
}

}  // namespace xpusim
