// SPDX-License-Identifier: Apache-2.0
#include "xpusim/fab/buildout.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "xpusim/base/bounds.h"
#include "xpusim/base/text.h"
#include "xpusim/cost/package_cost.h"
#include "xpusim/cost/wafer.h"

namespace xpusim {
namespace {

constexpr double kUnbounded = 1e300;
constexpr CountRate kUnboundedRate{kUnbounded};

struct Field {
  const char* name;
  const char* unit;
  const char* source;
  bool fraction;
  std::function<double(const FabAssumptions&)> get;
  std::function<void(FabAssumptions&, double)> set;
};

template <class Member>
Field number(const char* name, const char* unit, const char* source, bool fraction, Member m) {
  return {name, unit, source, fraction,
          [m](const FabAssumptions& a) { return a.*m; },
          [m](FabAssumptions& a, double v) { a.*m = v; }};
}

// A typed assumption shown and set in `unit`: canonical value = shown value x scale.
template <class Q>
Field quantity(const char* name, const char* unit, const char* source, double scale,
               Q FabAssumptions::*m) {
  return {name, unit, source, false,
          [m, scale](const FabAssumptions& a) { return (a.*m).value() / scale; },
          [m, scale](FabAssumptions& a, double v) { a.*m = Q(v * scale); }};
}

// Scales from the shown unit to the canonical one (per second).
constexpr double kPerMonth = 1.0 / units::kSecondsPerMonth;
constexpr double kPerYear = 1.0 / units::kSecondsPerYear;
constexpr double kPerHour = 1.0 / units::kSecondsPerHour;

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      quantity("logic_fab_wafers_per_month", "wafers/month", "IBS (Dec 2023) 50k-WSPM fab class",
               kPerMonth, &FabAssumptions::logic_fab_wafers),
      number("logic_utilization", "fraction", "TrendForce late 2023 (N3 ~80%)", true,
             &FabAssumptions::logic_utilization),
      quantity("logic_fab_capex", "USD", "IBS via Nikkei (Dec 2023): $20B per 50k-WSPM N3 fab", 1.0,
               &FabAssumptions::logic_fab_capex),
      quantity("logic_fab_capex_n2", "USD", "IBS via Nikkei (Dec 2023): $28B per 50k-WSPM N2 fab",
               1.0, &FabAssumptions::logic_fab_capex_n2),
      quantity("fab_build_time", "years", "TSMC Arizona F1 announced 2020, volume late 2024",
               units::kSecondsPerYear, &FabAssumptions::fab_build_time),
      quantity("fab_starts_per_year", "fabs/year", "TSMC 6 new fabs/yr 2020-22 (Taiwan News 2022)",
               kPerYear, &FabAssumptions::fab_starts),
      quantity("cowos_wafers_per_month_existing", "wafers/month",
               "MoneyDJ via TechPowerUp (Oct 2024): ~80k in 2025", kPerMonth,
               &FabAssumptions::cowos_wafers_existing),
      quantity("cowos_capex_per_wafer_per_month", "USD",
               "derived, rough: 8% (TSMC advanced-packaging revenue share, Q3 2024) of $42B "
               "(TSMC 2025 capex) / ~40k wpm CoWoS added 2024->2025 (MoneyDJ)",
               units::kSecondsPerMonth, &FabAssumptions::cowos_capex_per_capacity),
      quantity("logic_wafers_per_month_existing", "wafers/month",
               "ttm-cas derived TSMC 5 nm rate (Q1 2023)", kPerMonth,
               &FabAssumptions::logic_wafers_existing),
      number("hbm_stack_yield", "fraction", "TrendForce 2024-05-06: HBM3E TSV yield 40-60%", true,
             &FabAssumptions::hbm_stack_yield),
      quantity("dram_die_capacity", "GB", "assumption: 16 Gb HBM3 core die", 1e9,
               &FabAssumptions::dram_die_capacity),
      quantity("dram_die_area", "mm2", "assumption (n/f)", 1.0, &FabAssumptions::dram_die_area),
      number("dram_die_yield", "fraction", "assumption (n/f)", true,
             &FabAssumptions::dram_die_yield),
      quantity("dram_fab_wafers_per_month", "wafers/month", "assumption (n/f)", kPerMonth,
               &FabAssumptions::dram_fab_wafers),
      quantity("dram_fab_capex", "USD", "assumption (n/f)", 1.0, &FabAssumptions::dram_fab_capex),
      quantity("hbm_stacks_per_year_existing", "stacks/year", "assumption (n/f)", kPerYear,
               &FabAssumptions::hbm_stacks_existing),
      quantity("euv_passes_per_hour", "passes/hour", "Dylan Patel podcast (Mar 2026) [L]",
               kPerHour, &FabAssumptions::euv_passes),
      number("euv_uptime", "fraction", "Dylan Patel podcast (Mar 2026) [L]", true,
             &FabAssumptions::euv_uptime),
      number("dram_euv_passes", "passes/wafer", "derived from Dylan Patel's 1 GW Rubin totals [L]",
             false, &FabAssumptions::dram_euv_passes),
      number("euv_tools_existing", "tools", "~700 installed by 2030 (Dylan Patel) [L]", false,
             &FabAssumptions::euv_tools_existing),
  };
  return kFields;
}

// The assumptions plan_fabs divides by (capacities, utilisations, yields, the HBM core die's size
// and capacity, fab starts a year): 0 is refused by name, where it would make a count infinite
// or meaningless (before 2026-12-07: dram_die_area 0 gave 13.5 DRAM wafers a year for 1M H100,
// fab_starts_per_year 0 printed years_to_build 3.2e292).
bool divides(std::string_view name) {
  static const std::vector<std::string_view> kDivisors = {
      "logic_fab_wafers_per_month", "logic_utilization", "hbm_stack_yield",
      "dram_die_capacity",          "dram_die_area",     "dram_die_yield",
      "dram_fab_wafers_per_month",  "euv_passes_per_hour", "euv_uptime",
      "fab_starts_per_year"};
  return std::find(kDivisors.begin(), kDivisors.end(), name) != kDivisors.end();
}

Precision fleet_precision(const HardwareSpec& hw) {
  return hw.compute.matrix.macs_per_cycle[index_of(Precision::kBf16)] > 0 ? Precision::kBf16
                                                                          : Precision::kFp16;
}

}  // namespace

std::vector<AssumptionInfo> list_assumptions(const FabAssumptions& a) {
  std::vector<AssumptionInfo> out;
  for (const auto& f : fields()) out.push_back({f.name, f.get(a), f.unit, f.source});
  return out;
}

Result<void> set_assumption(FabAssumptions& a, std::string_view name, double value) {
  std::vector<std::string> names;
  for (const auto& f : fields()) {
    names.push_back(f.name);
    if (f.name != name) continue;
    // Fractions in [0, 1]; everything else within bounds::kFabAssumption.
    const double hi = f.fraction ? 1.0 : bounds::kFabAssumption.hi;
    const bool positive = divides(name);
    if (!(value >= 0) || !std::isfinite(value) || value > hi || (positive && value == 0)) {
      const std::string allowed =
          f.fraction ? (positive ? "a fraction in (0, 1] (the plan divides by it)"
                                 : "a fraction in [0, 1]")
                     : std::string(positive ? "a finite value in (0, 1e15] (the plan divides by "
                                              "it; "
                                            : "a finite value in 0 .. 1e15 (") +
                           std::string(bounds::kFabAssumption.reason) + ")";
      return fail(Diagnostic{.path = std::string(name),
                             .message = fmt::format("{} must be {}, got {}", name, allowed,
                                                    value)});
    }
    f.set(a, value);
    return {};
  }
  std::string msg = fmt::format("unknown assumption '{}'; known: {}", name, join(names));
  if (auto m = closest_match(name, names)) msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = std::string(name), .message = msg});
}

double euv_passes_per_wafer(ProcessNode node) {
  switch (node) {
    case ProcessNode::kN16:
    case ProcessNode::kN7: return 0;
    case ProcessNode::kN6: return 5;
    case ProcessNode::kN5:
    case ProcessNode::kN4: return 15;
    case ProcessNode::kN3: return 20;
    case ProcessNode::kN2: return 25;
  }
  return 0;
}

Result<FabPlan> plan_fabs(const HardwareSpec& hw, const CostBreakdown& cost, CountRate units,
                          const FabAssumptions& a) {
  if (!(units.value() > 0) || !units.is_finite())
    return fail(Diagnostic{.path = "units",
                           .message = fmt::format("units per year must be > 0, got {}",
                                                  units::to_per_year(units))});
  for (const auto& f : fields()) {
    double v = f.get(a);
    if (!(v >= 0) || (f.fraction && v > 1))
      return fail(Diagnostic{.path = f.name, .message = fmt::format("{} out of range: {}", f.name, v)});
    if (v == 0 && divides(f.name))
      return fail(Diagnostic{.path = f.name,
                             .message = fmt::format("{} must be > 0 (the plan divides by it), "
                                                    "got 0",
                                                    f.name)});
  }

  FabPlan p;
  p.units = units;
  if (!cost.feasibility.feasible()) {
    p.feasibility = cost.feasibility;
    return p;
  }
  // Known-good chips (dies, HBM stacks) are tested before bonding, so a good package consumes
  // count / assembly_yield of each (not a compound of their own yields); dies hybrid-bonded into
  // stacks (soic_cowos) also go with failed stacks: / stack_yield. Interposers are made
  // 1 / (y1 y2 y3) times per good package (package_cost.h).
  const double assembly = cost.package.assembly_yield > 0 ? cost.package.assembly_yield : 1.0;
  const double stack =
      cost.package.kind == PackageKind::kStackedOnSiliconInterposer && cost.package.stack_yield > 0
          ? cost.package.stack_yield
          : 1.0;
  CountRate euv_exposures;
  bool n2 = false;
  // W_logic = N_units · k_die / G_die / Y_pkg (economics.md §7.3).
  for (const auto& d : cost.dies) {
    LogicWafers lw;
    lw.die = d.name;
    lw.node = d.node;
    lw.good_dies_per_wafer = d.full_dies * d.sellable_yield;
    if (lw.good_dies_per_wafer <= 0) {
      FabPlan none;
      none.units = units;
      none.feasibility.mark(InfeasibleReason::kWafer,
                            fmt::format("no good {} dies per wafer: the design cannot be built",
                                        d.name));
      return none;
    }
    lw.wafers = units * (d.count / lw.good_dies_per_wafer / assembly / stack);
    p.logic_wafers += lw.wafers;
    euv_exposures += lw.wafers * euv_passes_per_wafer(d.node);
    n2 |= d.node == ProcessNode::kN2;
    p.logic.push_back(lw);
  }
  // CoWoS wafers = N · interposers per good package / interposers per wafer.
  if (cost.package.interposer_area.value() > 0)
    p.interposer_wafers =
        units * (cost.package.interposer_starts / cost.package.interposers_per_wafer);
  // Known-good HBM stacks = N · stacks / Y_assembly; each is stacked from DRAM core dies with the
  // stacking (TSV) yield, a failed stack scrapping its dies: dies = stacks · height / Y_stack
  // (stack height from capacity) -> DRAM wafers.
  const int stacks = hw.memory.dram.type.rfind("hbm", 0) == 0 ? hw.memory.dram.stacks : 0;
  if (stacks > 0) {
    p.hbm_stacks = units * (stacks / assembly);
    const double dies_per_stack =
        std::ceil(hw.memory.dram.capacity.value() / stacks / a.dram_die_capacity.value());
    p.dram_dies = p.hbm_stacks * (dies_per_stack / a.hbm_stack_yield);
    WaferSpec w;
    const double side = std::sqrt(a.dram_die_area.value());
    const double dies_per_wafer =
        std::max(1.0, gross_dies_formula({Millimeters(side), Millimeters(side)}, w));
    p.dram_wafers = p.dram_dies / (dies_per_wafer * a.dram_die_yield);
    euv_exposures += p.dram_wafers * a.dram_euv_passes;
  }
  // fabs = wafers per time / (WSPM · utilisation); capex = fabs · capex per fab.
  p.logic_fabs = p.logic_wafers / (a.logic_fab_wafers * a.logic_utilization);
  p.dram_fabs = p.dram_wafers / (a.dram_fab_wafers * a.logic_utilization);
  p.logic_capex = (n2 ? a.logic_fab_capex_n2 : a.logic_fab_capex) * p.logic_fabs;
  p.dram_capex = a.dram_fab_capex * p.dram_fabs;
  p.packaging_capex = a.cowos_capex_per_capacity * p.interposer_wafers;
  p.total_capex = p.logic_capex + p.dram_capex + p.packaging_capex;
  p.cowos_capacity_share = a.cowos_wafers_existing.value() > 0
                               ? p.interposer_wafers / a.cowos_wafers_existing
                               : kUnbounded;
  p.production_cost = cost.manufacturing * units;
  // EUV tools busy = exposures per time / (exposures per tool-time · uptime).
  p.euv_tool_years = euv_exposures / (a.euv_passes * a.euv_uptime);
  // Logic (foundry) and DRAM (memory makers) fabs are built in parallel, each at the ramp.
  const double fabs = std::ceil(std::max(p.logic_fabs, p.dram_fabs) - 1e-9);
  p.years_to_build = a.fab_build_time + (a.fab_starts.value() > 0 ? fabs / a.fab_starts
                                                                  : Seconds(kUnbounded));
  p.fleet_peak_per_year = peak_matrix_rate(hw, fleet_precision(hw)) * units::to_per_year(units);
  // Which input binds first with today's capacity: capacity / (input per unit).
  const double logic_per_unit = p.logic_wafers / units;
  p.units_by_logic_capacity = logic_per_unit > 0
                                  ? a.logic_wafers_existing * a.logic_utilization / logic_per_unit
                                  : kUnboundedRate;
  p.units_by_cowos_capacity = p.interposer_wafers.value() > 0
                                  ? a.cowos_wafers_existing / (p.interposer_wafers / units)
                                  : kUnboundedRate;
  p.units_by_hbm_capacity = p.hbm_stacks.value() > 0
                                ? a.hbm_stacks_existing / (p.hbm_stacks / units)
                                : kUnboundedRate;
  p.binding_input = "logic wafers";
  CountRate least = p.units_by_logic_capacity;
  if (p.units_by_cowos_capacity < least) { least = p.units_by_cowos_capacity; p.binding_input = "CoWoS"; }
  if (p.units_by_hbm_capacity < least) p.binding_input = "HBM";
  return p;
}

Result<BudgetPlan> plan_for_budget(const HardwareSpec& hw, const CostBreakdown& cost, Usd budget,
                                   const FabAssumptions& a) {
  if (!(budget.value() > 0) || !budget.is_finite())
    return fail(Diagnostic{.path = "budget",
                           .message = fmt::format("budget must be > 0 USD, got {}", budget.value())});
  const CountRate one = units::per_year(1.0);
  auto unit = plan_fabs(hw, cost, one, a);  // capex and cost are linear in units
  if (!unit) return tl::unexpected(unit.error());
  BudgetPlan b;
  b.budget = budget;
  b.design_nre = cost.design_nre;
  if (!unit->feasibility.feasible()) {  // the design cannot be built at any budget
    b.feasibility = unit->feasibility;
    b.plan.feasibility = unit->feasibility;
    return b;
  }
  b.cost_per_unit_rate = unit->total_capex / one + cost.manufacturing * units::years(1.0);
  const Usd left = budget - cost.design_nre;
  if (left.value() <= 0 || b.cost_per_unit_rate.value() <= 0) {
    b.shortfall = max(cost.design_nre - budget, Usd(0));
    b.feasibility.mark(InfeasibleReason::kBudget,
                       fmt::format("the budget of ${:.3g} does not cover the design NRE of "
                                   "${:.3g} (short by ${:.3g})",
                                   budget.value(), cost.design_nre.value(), b.shortfall.value()));
    b.plan.feasibility = b.feasibility;
    return b;
  }
  auto plan = plan_fabs(hw, cost, left / b.cost_per_unit_rate, a);
  if (!plan) return tl::unexpected(plan.error());
  b.plan = *plan;
  return b;
}

}  // namespace xpusim
