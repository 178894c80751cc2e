// SPDX-License-Identifier: Apache-2.0
// Fab build-out, the last economics stage: forward (N accelerators per year -> logic wafers per
// die type, interposer wafers, HBM stacks and DRAM wafers, fabs, capex, EUV tool-years, years to
// build) and inverse (a budget -> accelerators per year, fabs, fleet FLOP/s, which input binds
// first). Formulas: economics.md §7.3. Every assumption is named, sourced, dated and overridable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

struct FabAssumptions {
  // Logic fabs.
  CountRate logic_fab_wafers = units::per_month(50000);  // IBS fab class 50k WSPM (Dec 2023)
  double logic_utilization = 0.8;             // TrendForce late 2023: N3 ~80%, N5/4 75-80%
  Usd logic_fab_capex{20e9};                  // IBS via Nikkei: $20B per 50k-WSPM N3 fab (2023);
                                              // $28B for N2 (used when the die is n2)
  Usd logic_fab_capex_n2{28e9};
  Seconds fab_build_time = units::years(4.0);  // TSMC Arizona F1: May 2020 -> late 2024
  CountRate fab_starts = units::per_year(6);  // TSMC: 6 new fabs/yr 2020-22 (Taiwan News, 2022)
  // Advanced packaging (CoWoS-class interposers).
  CountRate cowos_wafers_existing = units::per_month(80000);  // MoneyDJ via TechPowerUp: ~80k
                                                              // (2025)
  // Derived, rough (no published figure): 8% (TSMC advanced packaging share of revenue, Q3 2024
  // call) of $42B (TSMC 2025 capex, TechPowerUp) / ~40k wpm of CoWoS added 2024 -> 2025 (MoneyDJ).
  UsdPerCountRate cowos_capex_per_capacity = units::usd(0.085e6) / units::per_month(1);
  // Logic capacity available today for the die's node family (ttm-cas derived TSMC rate, Q1 2023:
  // 5 nm ~102k wpm).
  CountRate logic_wafers_existing = units::per_month(102000);
  // HBM and DRAM.
  double hbm_stack_yield = 0.5;               // TrendForce 20240506: HBM3E TSV yield 40-60%;
                                              // DRAM dies per known-good stack = height / it
  Bytes dram_die_capacity = units::gib(2.0);  // 16 Gbit core dies (HBM3; assumption, unverified)
  SquareMillimeters dram_die_area{110.0};     // assumption: HBM core die incl. TSV area (n/f)
  double dram_die_yield = 0.9;                // assumption (n/f)
  CountRate dram_fab_wafers = units::per_month(100000);  // assumption (n/f): a large DRAM fab
  Usd dram_fab_capex{15e9};                   // assumption (n/f): $15B per 100k-WSPM DRAM fab
  CountRate hbm_stacks_existing = units::per_year(3e7);  // assumption (n/f): HBM stacks made
  // EUV (Dylan Patel / SemiAnalysis podcast, Mar 2026, [L]): ~20 passes per N3 wafer, 75 passes
  // per hour, 90% uptime; N5 ~15 and DRAM ~5 passes are derived from the same summary's totals
  // (2M passes for 55k N3 + 6k N5 + 170k DRAM wafers).
  CountRate euv_passes = units::per_hour(75);   // exposures per tool
  double euv_uptime = 0.9;
  double dram_euv_passes = 5;
  double euv_tools_existing = 700;            // ~700 installed by 2030 (same source)
};

// One named assumption for listings and overrides (`--assume name=value`). The names keep the
// unit they are given in (logic_fab_wafers_per_month, ...): they are the CLI contract.
struct AssumptionInfo {
  std::string name;
  double value = 0;             // in `unit`
  std::string unit;
  std::string source;           // with the year
};
std::vector<AssumptionInfo> list_assumptions(const FabAssumptions& a);
// Sets assumption `name` to `value` (in the unit list_assumptions shows). Unknown name: error with
// the known names and a "did you mean"; a negative value or a fraction above 1 is an error.
Result<void> set_assumption(FabAssumptions& a, std::string_view name, double value);

// EUV exposures per logic wafer by node (Dylan Patel [L] for N3; others assumptions: N7 0 (DUV),
// N6 5, N5/N4 15, N2 25).
double euv_passes_per_wafer(ProcessNode node);

struct LogicWafers {
  std::string die;
  ProcessNode node = ProcessNode::kN7;
  double good_dies_per_wafer = 0;
  CountRate wafers;
};

struct FabPlan {
  // The design's (CostBreakdown::feasibility: a die beyond the reticle, no good dies): nothing can
  // be built, and every figure below but `units` is zero (not a prediction).
  Feasibility feasibility;
  CountRate units;                     // accelerators produced
  std::vector<LogicWafers> logic;
  CountRate logic_wafers;
  CountRate interposer_wafers;
  CountRate hbm_stacks;                // known-good stacks: units x stacks / assembly yield
  CountRate dram_dies;                 // core dies: stacks x height / HBM stack (TSV) yield
  CountRate dram_wafers;
  double logic_fabs = 0;               // fractional: capacity / one fab's capacity
  double dram_fabs = 0;
  double cowos_capacity_share = 0;     // of today's CoWoS capacity
  Usd logic_capex;
  Usd dram_capex;
  Usd packaging_capex;
  Usd total_capex;
  UsdPerSecond production_cost;        // units x manufacturing cost per package
  double euv_tool_years = 0;           // EUV tools busy for one year
  Seconds years_to_build;              // build time + fab starts at the ramp (logic and DRAM
                                       // fabs in parallel)
  FlopRate fleet_peak_per_year;        // dense bf16 (else fp16) peak added per year of output
  // Accelerators each input supports with today's capacity; the smallest binds first.
  CountRate units_by_logic_capacity;
  CountRate units_by_cowos_capacity;   // infinite (1e300 per second) without an interposer
  CountRate units_by_hbm_capacity;
  std::string binding_input;           // "logic wafers" | "CoWoS" | "HBM"
};

// Forward: `units` (> 0) accelerators per time of `hw` whose cost build-up is `cost`. Errors: units
// not > 0, assumptions out of range. An infeasible design is an infeasible plan, not an error.
Result<FabPlan> plan_fabs(const HardwareSpec& hw, const CostBreakdown& cost, CountRate units,
                          const FabAssumptions& a = {});

struct BudgetPlan {
  Usd budget;
  Usd design_nre;                      // paid first
  UsdPerCountRate cost_per_unit_rate;  // per unit/year of output: capacity capex + one year's
                                       // production
  FabPlan plan;                        // for the units the budget affords (feasible only)
  // kBudget: the budget does not cover the design NRE (then `shortfall` says by how much); or the
  // design's own infeasibility. Either way no unit is built and `plan` holds no figures.
  Feasibility feasibility;
  Usd shortfall;                       // kBudget: design NRE - budget
};

// Inverse: a budget (> 0) pays the design NRE, then builds capacity and one year of production:
// units/year = (budget − NRE) / (capex per unit/year + one year x manufacturing cost per unit).
Result<BudgetPlan> plan_for_budget(const HardwareSpec& hw, const CostBreakdown& cost, Usd budget,
                                   const FabAssumptions& a = {});

}  // namespace xpusim
