// SPDX-License-Identifier: Apache-2.0
// area, wafer, cost and fab (api/economics.h): the checks each command made, the calls into
// area/, cost/ and fab/ (whose headers give the formulas and sources) and the JSON of each (keys
// snake_case with the unit in the name).
#include "xpusim/api/economics.h"

#include <cmath>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/api/impl/result_records.h"
#include "xpusim/api/impl/system_choice.h"
#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/node_economics.h"
#include "xpusim/cost/yield_model.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// Six significant digits, so JSON carries no binary noise; non-finite values become null.
Json num(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e299) return nullptr;
  return round6(v);
}

// Sets the given keys of `j` (and every number inside an object under them) to null: figures that
// do not exist for an infeasible design.
void null_figures(Json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (!j.contains(k)) continue;
    Json& v = j[k];
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it)
        if (it.value().is_number() || it.value().is_boolean()) it.value() = nullptr;
    } else {
      v = nullptr;
    }
  }
}

void check_hardware_bounds(BoundChecks& checks, const AreaRequest& a) {
  checks.check("--units-on-die", a.units_on_die, bounds::kUnitsOnDie);
  checks.check("--dram-phys-on-die", a.dram_phys_on_die, bounds::kDramPhys);
}

struct Loaded {
  HardwareSpec hw;
  AreaReport area;
};

Loaded load(const AreaRequest& a) {
  Loaded l;
  l.hw = value_or_fail(load_hardware(a.hardware, hardware_only_overrides(a.overrides)));
  l.area = value_or_fail(estimate_area(
      l.hw, AreaOptions{.units_on_die = a.units_on_die, .dram_phys_on_die = a.dram_phys_on_die}));
  return l;
}

// ---- area --------------------------------------------------------------------------------------
AreaOutcome area_checked(const AreaRequest& args) {
  BoundChecks checks;
  check_hardware_bounds(checks, args);
  checks.fail_if_any();
  Loaded l = load(args);
  AreaOutcome out;
  out.hw = l.hw;
  out.area = l.area;
  const auto& hw = l.hw;
  ResultJson j("area");
  j.set("hardware", hw.id);
  j.set("total_area_mm2", num(l.area.total_area.value()));
  add_feasibility_json(j, l.area.feasibility);
  // The alternative to a die beyond the reticle: the limit and how far the largest die exceeds it.
  j.set("reticle_area_mm2", num((kReticleWidth * kReticleHeight).value()));
  j.set("reticle_excess_mm2",
        l.area.feasibility.feasible() ? Json(nullptr) : num(l.area.reticle_excess.value()));
  j.set("units_on_die", l.area.units_on_die);
  j.set("dram_phys_on_die", l.area.dram_phys_on_die);
  // The published area, where the spec has one, for comparison only (never used by the model).
  if (hw.physical.compute_die.area) {
    double pub = hw.physical.compute_die.area->value() * std::max(1, hw.physical.compute_die.count);
    if (hw.physical.io_die.count > 0 && hw.physical.io_die.area)
      pub += hw.physical.io_die.area->value() * hw.physical.io_die.count;
    j.set("published_area_mm2", num(pub));
    j.set("error_pct", num((l.area.total_area.value() / pub - 1.0) * 100.0));
  }
  Json dies = Json::array();
  for (const auto& d : l.area.dies) {
    Json comps = Json::array();
    for (const auto& c : d.components)
      comps.push_back(ResultJson("area", "dies.components")
                          .set("name", c.name)
                          .set("area_mm2", num(c.area.value()))
                          .json());
    // The published area of this die kind, where the spec has one (comparison only).
    const auto& published = (d.name == kIoDieName ? hw.physical.io_die : hw.physical.compute_die).area;
    dies.push_back(
        ResultJson("area", "dies")
            .set("name", d.name)
            .set("count", d.count)
            .set("node", to_string(d.node))
            .set("area_mm2", num(d.area.value()))
            .set("published_area_mm2", published ? num(published->value()) : Json(nullptr))
            .set("error_pct", published ? num((d.area / *published - 1.0) * 100.0) : Json(nullptr))
            .set("width_mm", num(d.width.value()))
            .set("height_mm", num(d.height.value()))
            .set("within_reticle", d.within_reticle)
            .set("components", comps)
            .json());
  }
  j.set("dies", dies);
  j.set("assumptions", l.area.assumptions);
  out.power = value_or_fail(estimate_power(hw, l.area, peak_activity(hw)));
  const PowerReport& power = out.power;
  j.set("static_power_w", num(power.static_power.value()));
  j.set("peak_power_w", num(power.total.value()));
  j.set("tdp_w", power.tdp ? num(power.tdp->value()) : Json(nullptr));
  j.set("peak_within_tdp", power.within_tdp);
  out.json = j.json();
  return out;
}

// ---- wafer -------------------------------------------------------------------------------------
WaferOutcome wafer_checked(const WaferRequest& a) {
  BoundChecks checks;
  checks.check("--die-width", a.die_width, bounds::kDieSideMm);
  checks.check("--die-height", a.die_height, bounds::kDieSideMm);
  checks.check("--wafer-diameter", a.wafer_diameter, bounds::kWaferDiameterMm);
  checks.check("--edge-exclusion", a.edge_exclusion, bounds::kEdgeExclusionMm);
  checks.check("--scribe", a.scribe, bounds::kScribeMm);
  checks.check("--notch-keepout", a.notch_keepout, bounds::kNotchKeepoutMm);
  checks.check("--defect-density", a.defect_density, bounds::kDefectDensityPerCm2);
  checks.check("--alpha", a.alpha, bounds::kYieldAlpha);
  checks.check("--layers", a.layers, bounds::kCriticalLayers);
  checks.check("--wafer-cost", a.wafer_cost, bounds::kWaferCostUsd);
  checks.fail_if_any();
  if (a.reticle != "on" && a.reticle != "off")
    input_error("--reticle", fmt::format("expected on or off, got \"{}\"", a.reticle));
  auto node = parse_process_node(a.node);
  if (!node) input_error("--node", node.error().front().message);
  const NodeEconomics& ne = node_economics(*node);
  WaferOutcome out;
  WaferSpec& w = out.wafer;
  w.diameter = units::mm(a.wafer_diameter);
  w.edge_exclusion = units::mm(a.edge_exclusion);
  w.scribe = units::mm(a.scribe);
  w.notch_keepout = units::mm(a.notch_keepout);
  w.reticle = a.reticle == "on";
  out.die = DieSize{units::mm(a.die_width), units::mm(a.die_height)};
  const DieSize& die = out.die;
  const double d0 = a.defect_density.value_or(units::to_per_cm2(ne.d0));
  Diagnostics diags;
  if (!(d0 >= 0) || !std::isfinite(d0))
    diags.push_back({.file = "<command line>", .path = "--defect-density",
                     .message = fmt::format("defect density must be >= 0 per cm², got {}", d0)});
  const double wafer_cost = a.wafer_cost.value_or(ne.wafer_price.value());
  if (!(wafer_cost > 0) || !std::isfinite(wafer_cost))
    diags.push_back({.file = "<command line>", .path = "--wafer-cost",
                     .message = fmt::format("wafer cost must be > 0 USD, got {}", wafer_cost)});
  auto model = YieldModelRegistry::builtin().create(a.yield_model,
                                                    {.alpha = a.alpha, .layers = a.layers});
  if (!model) {
    for (auto d : model.error()) {
      d.file = "<command line>";
      d.path = "--" + (d.path == "yield_model" ? std::string("yield-model") : d.path);
      diags.push_back(d);
    }
  }
  auto grid = count_dies_on_grid(die, w);
  if (!grid) {
    for (auto d : grid.error()) {
      d.file = "<command line>";
      diags.push_back(d);
    }
  }
  if (!diags.empty()) fail_with(diags);
  out.grid = *grid;

  const double y = (*model)->yield(die.area(), units::per_cm2(d0));
  const int full = grid->full_dies;
  // SemiAnalysis: good = full − round((1 − Y)·full).
  const int good = full - static_cast<int>(std::lround((1.0 - y) * full));
  const double formula = gross_dies_formula(die, w);
  out.yield = y;
  out.good_dies = good;
  out.gross_dies_formula = formula;
  out.wafer_cost_usd = wafer_cost;
  Feasibility& feas = out.grid.feasibility;
  // Dies on the wafer and none good (the yield rounds every die away): no cost per good die.
  if (feas.feasible() && full > 0 && good == 0)
    feas.mark(InfeasibleReason::kWafer,
              fmt::format("no good die: a yield of {:.3g} leaves none of the {} full dies "
                          "(lower the defect density or the die area)",
                          y, full));
  // A die beyond the reticle field cannot be exposed: no die count, yield or cost exists for it.
  const bool exposable = feas.reason != InfeasibleReason::kReticle;
  ResultJson j("wafer");
  j.set("die_width_mm", a.die_width);
  j.set("die_height_mm", a.die_height);
  j.set("die_area_mm2", num(die.area().value()));
  j.set("wafer_diameter_mm", a.wafer_diameter);
  j.set("edge_exclusion_mm", a.edge_exclusion);
  j.set("scribe_mm", a.scribe);
  j.set("notch_keepout_mm", a.notch_keepout);
  j.set("reticle", w.reticle);
  j.set("gross_dies_formula", num(formula));
  j.set("gross_dies_classic", num(gross_dies_classic(die.area(), w.diameter)));
  j.set("full_dies", full);
  j.set("dies_per_shot", grid->dies_per_shot);
  j.set("shots", grid->shots);
  j.set("rotated", grid->rotated);
  j.set("yield_model", a.yield_model);
  j.set("defect_density_per_cm2", d0);
  j.set("yield", num(y));
  j.set("good_dies", good);
  j.set("wafer_cost_usd", wafer_cost);
  j.set("cost_per_die_usd", full > 0 ? num(wafer_cost / full) : Json(nullptr));
  j.set("cost_per_good_die_usd", good > 0 ? num(wafer_cost / good) : Json(nullptr));
  add_feasibility_json(j, feas);
  j.set("reticle_width_mm", w.reticle ? Json(w.field_width.value()) : Json(nullptr));
  j.set("reticle_height_mm", w.reticle ? Json(w.field_height.value()) : Json(nullptr));
  j.set("reticle_overhang_width_mm",
        exposable ? Json(nullptr) : num(grid->reticle_overhang_width.value()));
  j.set("reticle_overhang_height_mm",
        exposable ? Json(nullptr) : num(grid->reticle_overhang_height.value()));
  out.json = j.json();
  if (!exposable)
    null_figures(out.json, {"gross_dies_formula", "gross_dies_classic", "full_dies",
                            "dies_per_shot", "shots", "rotated", "yield", "good_dies",
                            "cost_per_die_usd", "cost_per_good_die_usd"});
  return out;
}

// ---- cost --------------------------------------------------------------------------------------
void check_chip_cost_bounds(BoundChecks& checks, const ChipCostRequest& a) {
  check_hardware_bounds(checks, a);
  checks.check("--volume", a.volume, bounds::kVolume);
  checks.check("--alpha", a.alpha, bounds::kYieldAlpha);
  checks.check("--layers", a.layers, bounds::kCriticalLayers);
  checks.check("--defect-density", a.defect_density, bounds::kDefectDensityPerCm2);
  checks.check("--wafer-cost", a.wafer_cost, bounds::kWaferCostUsd);
  checks.check("--bond-yield", a.bond_yield, bounds::kBondYield);
}

Json die_cost_json(const DieCost& d) {
  return ResultJson("cost", "dies")
      .set("name", d.name)
      .set("count", d.count)
      .set("node", to_string(d.node))
      .set("area_mm2", num(d.area.value()))
      .set("width_mm", num(d.size.width.value()))
      .set("height_mm", num(d.size.height.value()))
      .set("gross_dies_formula", num(d.gross_dies_formula))
      .set("full_dies", d.full_dies)
      .set("defect_free_yield", num(d.defect_free_yield))
      .set("sellable_yield", num(d.sellable_yield))
      .set("wafer_cost_usd", num(d.wafer_price.value()))
      .set("cost_per_good_die_usd", num(d.cost_per_good_die.value()))
      .json();
}

CostAssumptions cost_assumptions(const ChipCostRequest& a) {
  CostAssumptions ca;
  ca.yield_model = a.yield_model;
  ca.yield_params = {.alpha = a.alpha, .layers = a.layers};
  if (a.defect_density) ca.d0 = units::per_cm2(*a.defect_density);
  if (a.wafer_cost) ca.wafer_price = units::usd(*a.wafer_cost);
  ca.harvesting = !a.no_harvesting;
  ca.volume = a.volume;
  ca.package.chip_last = !a.chip_first;
  if (a.bond_yield) {
    if (!(*a.bond_yield > 0 && *a.bond_yield <= 1))
      input_error("--bond-yield", fmt::format("bond yield must be in (0, 1], got {}", *a.bond_yield));
    ca.package.organic_bond_yield = ca.package.rdl_bond_yield = ca.package.si_bond_yield =
        *a.bond_yield;
  }
  return ca;
}

CostOutcome cost_checked(const CostRequest& a) {
  BoundChecks checks;
  check_chip_cost_bounds(checks, a);
  checks.check("--price", a.price, bounds::kDevicePriceUsd);
  checks.check("--power", a.power, bounds::kPowerW);
  checks.check("--lifetime-years", a.lifetime_years, bounds::kLifetimeYears);
  checks.check("--electricity-usd-per-kwh", a.electricity_usd_per_kwh, bounds::kElectricityUsdPerKwh);
  checks.check("--tokens-per-second", a.tokens_per_second, bounds::kTokensPerSecond);
  checks.check("--utilization", a.utilization, bounds::kUtilization);
  checks.fail_if_any();
  Loaded l = load(a);
  CostOutcome out;
  out.hw = l.hw;
  out.cost = value_or_fail(estimate_cost(l.hw, l.area, cost_assumptions(a)));
  const CostBreakdown& c = out.cost;
  // TCO: capital = price if given, else manufacturing + NRE per unit; power = given, else TDP,
  // else the model's peak estimate.
  TcoAssumptions ta;
  if (!(a.lifetime_years > 0))
    input_error("--lifetime-years",
                fmt::format("lifetime must be > 0 years, got {}", a.lifetime_years));
  if (!(a.electricity_usd_per_kwh >= 0))
    input_error("--electricity-usd-per-kwh",
                fmt::format("electricity price must be >= 0, got {}", a.electricity_usd_per_kwh));
  ta.lifetime = units::seconds(a.lifetime_years * 365.25 * 86400.0);
  ta.electricity = UsdPerJoule(a.electricity_usd_per_kwh / 3.6e6);
  const Watts tdp = l.hw.physical.tdp.value() > 0
                       ? l.hw.physical.tdp
                       : value_or_fail(estimate_power(l.hw, l.area, peak_activity(l.hw))).total;
  out.power = a.power ? units::watts(*a.power) : tdp;
  const Watts power = out.power;
  const Usd capital = a.price ? units::usd(*a.price) : c.total_per_unit;
  ta.utilization = a.utilization;
  out.system = load_system(a.system, a.system_params, l.hw);
  out.tco_assumptions = value_or_fail(system_tco_assumptions(out.system, tdp, ta));
  ta = out.tco_assumptions;
  out.tco = value_or_fail(total_cost_of_ownership(capital, power, ta));
  const TcoReport& tco = out.tco;

  ResultJson j("cost");
  j.set("hardware", l.hw.id);
  add_feasibility_json(j, c.feasibility);
  const bool buildable = c.feasibility.feasible();
  Json dies = Json::array();
  for (const auto& d : c.dies) {
    Json dj = die_cost_json(d);
    // A die that cannot be built has no count per wafer, yield or cost.
    if (!buildable)
      null_figures(dj, {"gross_dies_formula", "full_dies", "defect_free_yield", "sellable_yield",
                        "cost_per_good_die_usd"});
    dies.push_back(dj);
  }
  j.set("dies", dies);
  j.set("logic_dies_usd", num(c.logic_dies.value()));
  j.set("memory_usd", num(c.memory.value()));
  const auto& p = c.package;
  j.set("package", ResultJson("cost", "package")
                       .set("kind", to_string(p.kind))
                       .set("interposer_area_mm2", num(p.interposer_area.value()))
                       .set("interposers_per_wafer", num(p.interposers_per_wafer))
                       .set("interposer_yield", num(p.interposer_yield))
                       .set("bonding_yield", num(p.bonding_yield))
                       .set("stack_yield", num(p.stack_yield))
                       .set("stacking_usd", num(p.stacking.value()))
                       .set("assembly_yield", num(p.assembly_yield))
                       .set("interposer_usd", num(p.interposer.value()))
                       .set("substrate_usd", num(p.substrate.value()))
                       .set("bumps_usd", num(p.bumps.value()))
                       .set("package_defect_usd", num(p.package_defect.value()))
                       .set("wasted_known_good_dies_usd", num(p.wasted_known_good_dies.value()))
                       .set("total_usd", num(p.total.value()))
                       .json());
  j.set("package_usd", num(p.total.value()));
  j.set("test_assembly_usd", num(c.test_assembly.value()));
  j.set("manufacturing_cost_usd", num(c.manufacturing.value()));
  j.set("design_nre_usd", num(c.design_nre.value()));
  j.set("mask_nre_usd", num(c.mask_nre.value()));
  j.set("volume", c.volume);
  j.set("nre_per_unit_usd", num(c.nre_per_unit.value()));
  j.set("total_per_unit_usd", num(c.total_per_unit.value()));
  j.set("tco", ResultJson("cost", "tco")
                   .set("capital_usd", num(tco.capital.value()))
                   .set("power_w", num(power.value()))
                   .set("lifetime_years", a.lifetime_years)
                   .set("energy_kwh", num(tco.energy.value() / 3.6e6))
                   .set("energy_usd", num(tco.energy_cost.value()))
                   .set("total_usd", num(tco.total.value()))
                   .set("host_capital_usd", num(tco.host_capital.value()))
                   .set("facility_capital_usd", num(tco.facility_capital.value()))
                   .set("system_power_w", num(tco.system_power.value()))
                   .set("facility_power_w", num(tco.facility_power.value()))
                   .set("pue", num(ta.pue))
                   .set("utilization", num(ta.utilization))
                   .set("electricity_usd_per_kwh", num(a.electricity_usd_per_kwh))
                   .set("cost_per_hour_usd", num(tco.per_hour.value()))
                   .set("cost_per_utilized_hour_usd", num(tco.per_hour.value() / ta.utilization))
                   .json());
  j.set("system", system_json("cost", "system", out.system));
  if (a.tokens_per_second) {
    if (buildable) {
      out.cost_per_million_tokens = value_or_fail(
          cost_per_million_tokens(tco, TokensPerSecond(*a.tokens_per_second), ta));
      j.set("cost_per_million_tokens_usd", num(out.cost_per_million_tokens->value()));
    } else {
      j.set("cost_per_million_tokens_usd", nullptr);
    }
  }
  out.json = j.json();
  Json& doc = out.json;
  if (!buildable)  // the design NRE, the masks and the memory price remain
    null_figures(doc, {"logic_dies_usd", "package", "package_usd", "test_assembly_usd",
                       "manufacturing_cost_usd", "nre_per_unit_usd", "total_per_unit_usd"});
  if (!buildable && !a.price) {  // the capital is the unit cost that does not exist
    doc["tco"]["capital_usd"] = nullptr;
    doc["tco"]["total_usd"] = nullptr;
    doc["tco"]["cost_per_hour_usd"] = nullptr;
    doc["tco"]["cost_per_utilized_hour_usd"] = nullptr;
  }
  return out;
}

// ---- fab ---------------------------------------------------------------------------------------
Json plan_json(const FabPlan& p) {
  Json logic = Json::array();
  for (const auto& l : p.logic)
    logic.push_back(ResultJson("fab", "logic")
                        .set("die", l.die)
                        .set("node", to_string(l.node))
                        .set("good_dies_per_wafer", num(l.good_dies_per_wafer))
                        .set("wafers_per_year", num(units::to_per_year(l.wafers)))
                        .json());
  return ResultJson("fab")
      .set("units_per_year", num(units::to_per_year(p.units)))
      .set("logic", logic)
      .set("logic_wafers_per_year", num(units::to_per_year(p.logic_wafers)))
      .set("interposer_wafers_per_year", num(units::to_per_year(p.interposer_wafers)))
      .set("hbm_stacks_per_year", num(units::to_per_year(p.hbm_stacks)))
      .set("dram_dies_per_year", num(units::to_per_year(p.dram_dies)))
      .set("dram_wafers_per_year", num(units::to_per_year(p.dram_wafers)))
      .set("logic_fabs", num(p.logic_fabs))
      .set("dram_fabs", num(p.dram_fabs))
      .set("cowos_capacity_share", num(p.cowos_capacity_share))
      .set("logic_capex_usd", num(p.logic_capex.value()))
      .set("dram_capex_usd", num(p.dram_capex.value()))
      .set("packaging_capex_usd", num(p.packaging_capex.value()))
      .set("total_capex_usd", num(p.total_capex.value()))
      .set("production_cost_per_year_usd", num(p.production_cost.value() * units::kSecondsPerYear))
      .set("euv_tool_years", num(p.euv_tool_years))
      .set("years_to_build", num(units::to_years(p.years_to_build)))
      .set("fleet_peak_eflops_per_year", num(p.fleet_peak_per_year.value() / 1e18))
      .set("units_by_logic_capacity", num(units::to_per_year(p.units_by_logic_capacity)))
      .set("units_by_cowos_capacity", num(units::to_per_year(p.units_by_cowos_capacity)))
      .set("units_by_hbm_capacity", num(units::to_per_year(p.units_by_hbm_capacity)))
      .set("binding_input", p.binding_input)
      .json();
}

FabAssumptions fab_assumptions(const std::vector<std::string>& assume) {
  FabAssumptions fa;
  apply_overrides("--assume", assume, [&](const std::string& name, double value) {
    return set_assumption(fa, name, value);
  }, false);
  return fa;
}

FabOutcome fab_checked(const FabRequest& a) {
  BoundChecks checks;
  check_chip_cost_bounds(checks, a);
  checks.check("--units", a.units, bounds::kUnitsPerYear);
  checks.check("--budget", a.budget, bounds::kBudgetUsd);
  checks.fail_if_any();
  if (!a.units && !a.budget) input_error("--units", "give --units N or --budget USD");
  if (a.units && a.budget) input_error("--units", "excludes --budget: give one of them");
  const FabAssumptions fa = fab_assumptions(a.assume);
  Loaded l = load(a);
  CostBreakdown c = value_or_fail(estimate_cost(l.hw, l.area, cost_assumptions(a)));
  FabOutcome out;
  out.hw = l.hw;
  ResultJson j("fab");
  j.set("hardware", l.hw.id);
  FabPlan plan;
  Feasibility& feas = out.feasibility;
  if (a.units) {
    plan = value_or_fail(plan_fabs(l.hw, c, units::per_year(*a.units), fa));
    feas = plan.feasibility;
    j.set("mode", "units");
    add_feasibility_json(j, feas);
  } else {
    out.budget = value_or_fail(plan_for_budget(l.hw, c, units::usd(*a.budget), fa));
    const BudgetPlan& bp = *out.budget;
    plan = bp.plan;
    feas = bp.feasibility;
    const bool priced = bp.cost_per_unit_rate.value() > 0;  // known unless the design is infeasible
    j.set("mode", "budget");
    j.set("budget_usd", num(bp.budget.value()));
    j.set("design_nre_usd", num(bp.design_nre.value()));
    j.set("cost_per_unit_per_year_usd",
          priced ? num(bp.cost_per_unit_rate.value() / units::kSecondsPerYear) : Json(nullptr));
    add_feasibility_json(j, feas);
    // The alternative to a budget below the design cost: how much more it needs.
    j.set("budget_shortfall_usd",
          feas.reason == InfeasibleReason::kBudget ? num(bp.shortfall.value()) : Json(nullptr));
  }
  out.plan = plan_json(plan);
  const bool buildable = feas.feasible();
  for (auto it = out.plan.begin(); it != out.plan.end(); ++it) {
    // An infeasible plan builds nothing: no wafers, fabs, capex or binding input exist for it
    // (the units asked for stay, they are the question).
    if (!buildable && it.key() != "units_per_year")
      it.value() = it.value().is_array() ? Json::array() : Json(nullptr);
    if (!buildable && a.budget && it.key() == "units_per_year") it.value() = nullptr;
    j.set(it.key(), it.value());
  }
  Json assumptions = Json::array();
  for (const auto& i : list_assumptions(fa))
    assumptions.push_back(ResultJson("fab", "assumptions")
                              .set("name", i.name)
                              .set("value", num(i.value))
                              .set("unit", i.unit)
                              .set("source", i.source)
                              .json());
  j.set("assumptions", assumptions);
  out.json = j.json();
  return out;
}

}  // namespace

Result<AreaOutcome> area_scenario(const AreaRequest& request) {
  return guarded([&] { return area_checked(request); });
}
Result<Json> area(const AreaRequest& request) {
  return area_scenario(request).map([](AreaOutcome&& o) { return std::move(o.json); });
}

Result<WaferOutcome> wafer_scenario(const WaferRequest& request) {
  return guarded([&] { return wafer_checked(request); });
}
Result<Json> wafer(const WaferRequest& request) {
  return wafer_scenario(request).map([](WaferOutcome&& o) { return std::move(o.json); });
}

Result<CostOutcome> cost_scenario(const CostRequest& request) {
  return guarded([&] { return cost_checked(request); });
}
Result<Json> cost(const CostRequest& request) {
  return cost_scenario(request).map([](CostOutcome&& o) { return std::move(o.json); });
}

Result<FabOutcome> fab_scenario(const FabRequest& request) {
  return guarded([&] { return fab_checked(request); });
}
Result<Json> fab(const FabRequest& request) {
  return fab_scenario(request).map([](FabOutcome&& o) { return std::move(o.json); });
}

}  // namespace xpusim::api
