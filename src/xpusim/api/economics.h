// SPDX-License-Identifier: Apache-2.0
// The silicon-economics questions as library calls (stage 11): die area and peak power
// (`xpusim area`), dies per wafer and yield (`xpusim wafer`), the cost build-up and TCO
// (`xpusim cost`) and the fab build-out (`xpusim fab`). Requests hold the flags' values (the
// field names are the flags'); the answers carry the document `--format json` prints, with the
// result structs the table forms are drawn from. An infeasible design is an answer (feasible:
// false with its reason), bad input is an error naming the flag.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/area/area_model.h"
#include "xpusim/area/power_model.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/system_tco.h"
#include "xpusim/cost/tco.h"
#include "xpusim/cost/wafer.h"
#include "xpusim/fab/buildout.h"

namespace xpusim::api {

// ---- area -------------------------------------------------------------------------------------
struct AreaRequest {
  std::string hardware;                 // preset id or YAML/JSON file
  std::vector<std::string> overrides;   // --set path=value
  std::optional<int> units_on_die;      // compute units on the dies, incl. disabled ones
  std::optional<int> dram_phys_on_die;  // DRAM PHY sites on the die, incl. unpopulated ones
};

struct AreaOutcome {
  HardwareSpec hw;
  AreaReport area;
  PowerReport power;                    // at peak activity
  Json json;                            // `area --format json`
};

Result<AreaOutcome> area_scenario(const AreaRequest& request);
Result<Json> area(const AreaRequest& request);

// ---- wafer ------------------------------------------------------------------------------------
struct WaferRequest {
  double die_width = 0, die_height = 0;                     // mm
  double wafer_diameter = 300;                              // mm
  double edge_exclusion = WaferSpec{}.edge_exclusion.value();
  double scribe = WaferSpec{}.scribe.value();
  double notch_keepout = WaferSpec{}.notch_keepout.value();
  std::string reticle = "on";                               // on | off
  std::optional<double> defect_density;                     // per cm²; default: the node's
  std::string node = "n5";
  std::string yield_model = "murphy";
  double alpha = 3.0;
  int layers = 25;
  std::optional<double> wafer_cost;                         // USD; default: the node's
};

struct WaferOutcome {
  WaferSpec wafer;
  DieSize die;
  GridCount grid;
  double gross_dies_formula = 0;
  double yield = 0;
  int good_dies = 0;
  double wafer_cost_usd = 0;
  Json json;                            // `wafer --format json`
};

Result<WaferOutcome> wafer_scenario(const WaferRequest& request);
Result<Json> wafer(const WaferRequest& request);

// ---- cost and fab -----------------------------------------------------------------------------
// What cost and fab share: the hardware, its dies and the cost assumptions.
struct ChipCostRequest : AreaRequest {
  double volume = 1e6;                  // packages sold over the design's life
  std::string yield_model = "murphy";
  double alpha = 3.0;
  int layers = 25;
  std::optional<double> defect_density; // per cm²
  std::optional<double> wafer_cost;     // USD
  bool no_harvesting = false;
  std::optional<double> bond_yield;
  bool chip_first = false;
};

struct CostRequest : ChipCostRequest {
  std::optional<double> price;          // USD; default cost + NRE
  std::optional<double> power;          // W; default the TDP
  double lifetime_years = 4;
  double electricity_usd_per_kwh = 0.08;
  std::optional<double> tokens_per_second;
  std::optional<std::string> system;    // server class (cost/system_tco.h); default by hardware
  std::vector<std::string> system_params;  // NAME=VALUE overrides of the class
  double utilization = TcoAssumptions{}.utilization;
};

struct CostOutcome {
  HardwareSpec hw;
  CostBreakdown cost;
  Watts power;                          // the TCO's average power
  SystemSpec system;                    // the server the TCO counts
  TcoAssumptions tco_assumptions;
  TcoReport tco;
  std::optional<Usd> cost_per_million_tokens;  // with tokens_per_second, when buildable
  Json json;                            // `cost --format json`
};

Result<CostOutcome> cost_scenario(const CostRequest& request);
Result<Json> cost(const CostRequest& request);

struct FabRequest : ChipCostRequest {
  std::optional<double> units;          // accelerators per year, or
  std::optional<double> budget;         // USD
  std::vector<std::string> assume;      // NAME=VALUE
};

struct FabOutcome {
  HardwareSpec hw;
  Feasibility feasibility;
  std::optional<BudgetPlan> budget;     // budget mode
  Json plan;                            // the plan's keys as `json` holds them (none built: null)
  Json json;                            // `fab --format json`
};

Result<FabOutcome> fab_scenario(const FabRequest& request);
Result<Json> fab(const FabRequest& request);

}  // namespace xpusim::api
