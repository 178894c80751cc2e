// SPDX-License-Identifier: Apache-2.0
// `xpusim area`, `xpusim wafer`, `xpusim cost` and `xpusim fab`: the silicon-economics commands.
// Each loads its inputs, calls area/, cost/ or fab/, and prints the result struct as a table,
// CSV or JSON (keys snake_case with the unit in the name). Bad input -> InputError (exit 1); an
// infeasible design is a result (feasible: false with the reason), not an error.
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/area/area_model.h"
#include "xpusim/area/power_model.h"
#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/node_economics.h"
#include "xpusim/cost/tco.h"
#include "xpusim/cost/wafer.h"
#include "xpusim/cost/yield_model.h"
#include "xpusim/fab/buildout.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;

// Six significant digits, so JSON carries no binary noise; non-finite values become null.
json num(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e299) return nullptr;
  return round6(v);
}

void print(const std::string& text) { std::fputs(text.c_str(), stdout); }

void emit(const GlobalOptions& g, const json& j, const Table& table) {
  if (g.format == "json") print(j.dump(2) + "\n");
  else if (g.format == "csv") print(table.to_csv());
  else print(table.to_text());
}

// The feasibility keys every economics command gives: feasible, infeasible_reason (the class,
// "reticle"), infeasible_detail (text); null when feasible.
void add_feasibility_json(json& j, const Feasibility& f) {
  j["feasible"] = f.feasible();
  j["infeasible_reason"] = f.feasible() ? json(nullptr) : json(std::string(f.reason_name()));
  j["infeasible_detail"] = f.feasible() ? json(nullptr) : json(f.detail);
}

// A table answer that is infeasible starts with "INFEASIBLE: <reason>: <detail>" (CSV keeps its
// rows only).
void print_infeasible_line(const GlobalOptions& g, const Feasibility& f) {
  if (g.format == "table" && !f.feasible()) print("INFEASIBLE: " + f.to_string() + "\n");
}

// Sets the given keys of `j` (and every number inside an object under them) to null: figures that
// do not exist for an infeasible design.
void null_figures(json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (!j.contains(k)) continue;
    json& v = j[k];
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it)
        if (it.value().is_number() || it.value().is_boolean()) it.value() = nullptr;
    } else {
      v = nullptr;
    }
  }
}

[[noreturn]] void input_error(std::string path, std::string message) {
  throw InputError(Diagnostics{Diagnostic{.file = "<command line>", .path = std::move(path),
                                          .message = std::move(message)}});
}

// Options shared by area/cost/fab: the hardware and the die inventory.
struct HardwareArgs {
  std::string hardware;
  std::string html;  // --html FILE
  std::optional<int> units_on_die;
  std::optional<int> dram_phys_on_die;
};

void add_hardware_args(CLI::App* sub, HardwareArgs& a) {
  sub->add_option("--hardware", a.hardware, "hardware preset id or YAML/JSON file")->required();
  bound_int(sub->add_option("--units-on-die", a.units_on_die,
                            "compute units physically on the compute dies, incl. disabled ones "
                            "(default: units / 0.9)"),
            bounds::kUnitsOnDie);
  bound_int(sub->add_option("--dram-phys-on-die", a.dram_phys_on_die,
                            "DRAM PHY sites on the die, incl. unpopulated ones (default: stacks)"),
            bounds::kDramPhys);
  add_html_option(sub, a.html);
}

struct Loaded {
  HardwareSpec hw;
  AreaReport area;
};

Loaded load(const GlobalOptions& g, const HardwareArgs& a) {
  Loaded l;
  l.hw = value_or_throw(load_hardware(a.hardware, g.overrides));
  l.area = value_or_throw(estimate_area(
      l.hw, AreaOptions{.units_on_die = a.units_on_die, .dram_phys_on_die = a.dram_phys_on_die}));
  return l;
}

// ---- area --------------------------------------------------------------------------------------
void run_area(const GlobalOptions& g, const HardwareArgs& args) {
  Loaded l = load(g, args);
  const auto& hw = l.hw;
  json j;
  j["hardware"] = hw.id;
  j["total_area_mm2"] = num(l.area.total_area.value());
  add_feasibility_json(j, l.area.feasibility);
  // The alternative to a die beyond the reticle: the limit and how far the largest die exceeds it.
  j["reticle_area_mm2"] = num((kReticleWidth * kReticleHeight).value());
  j["reticle_excess_mm2"] =
      l.area.feasibility.feasible() ? json(nullptr) : num(l.area.reticle_excess.value());
  j["units_on_die"] = l.area.units_on_die;
  j["dram_phys_on_die"] = l.area.dram_phys_on_die;
  // The published area, where the spec has one, for comparison only (never used by the model).
  if (hw.physical.compute_die.area) {
    double pub = hw.physical.compute_die.area->value() * std::max(1, hw.physical.compute_die.count);
    if (hw.physical.io_die.count > 0 && hw.physical.io_die.area)
      pub += hw.physical.io_die.area->value() * hw.physical.io_die.count;
    j["published_area_mm2"] = num(pub);
    j["error_pct"] = num((l.area.total_area.value() / pub - 1.0) * 100.0);
  }
  Table table({"die", "count", "node", "component", "area_mm2"});
  json dies = json::array();
  for (const auto& d : l.area.dies) {
    json comps = json::array();
    for (const auto& c : d.components) {
      comps.push_back({{"name", c.name}, {"area_mm2", num(c.area.value())}});
      table.add_row({d.name, std::to_string(d.count), std::string(to_string(d.node)), c.name,
                     fixed(c.area.value(), 1)});
    }
    table.add_row({d.name, std::to_string(d.count), std::string(to_string(d.node)), "die total",
                   fixed(d.area.value(), 1)});
    dies.push_back({{"name", d.name},
                    {"count", d.count},
                    {"node", to_string(d.node)},
                    {"area_mm2", num(d.area.value())},
                    {"width_mm", num(d.width.value())},
                    {"height_mm", num(d.height.value())},
                    {"within_reticle", d.within_reticle},
                    {"components", comps}});
  }
  table.add_row({"package", "", "", "total silicon", fixed(l.area.total_area.value(), 1)});
  j["dies"] = dies;
  auto power = value_or_throw(estimate_power(hw, l.area, peak_activity(hw)));
  j["static_power_w"] = num(power.static_power.value());
  j["peak_power_w"] = num(power.total.value());
  j["tdp_w"] = power.tdp ? num(power.tdp->value()) : json(nullptr);
  j["peak_within_tdp"] = power.within_tdp;
  table.add_row({"package", "", "", "peak power (W)", fixed(power.total.value(), 0)});
  if (!l.area.feasibility.feasible() && g.format == "csv")
    table.add_row({"package", "", "", "INFEASIBLE", l.area.feasibility.to_string()});
  print_infeasible_line(g, l.area.feasibility);
  write_html(args.html, HtmlReportKind::kArea, j, nullptr, g);
  emit(g, j, table);
}

// ---- wafer -------------------------------------------------------------------------------------
struct WaferArgs {
  double width = 0, height = 0;
  double diameter = 300, edge = WaferSpec{}.edge_exclusion.value(),
         scribe = WaferSpec{}.scribe.value(), notch = WaferSpec{}.notch_keepout.value();
  std::string reticle = "on";
  std::optional<double> d0;
  std::string node = "n5";
  std::string model = "murphy";
  double alpha = 3.0;
  int layers = 25;
  std::optional<double> wafer_cost;
};

void run_wafer(const GlobalOptions& g, const WaferArgs& a) {
  auto node = parse_process_node(a.node);
  if (!node) input_error("--node", node.error().front().message);
  const NodeEconomics& ne = node_economics(*node);
  WaferSpec w;
  w.diameter = units::mm(a.diameter);
  w.edge_exclusion = units::mm(a.edge);
  w.scribe = units::mm(a.scribe);
  w.notch_keepout = units::mm(a.notch);
  w.reticle = a.reticle == "on";
  DieSize die{units::mm(a.width), units::mm(a.height)};
  const double d0 = a.d0.value_or(units::to_per_cm2(ne.d0));
  Diagnostics diags;
  if (!(d0 >= 0) || !std::isfinite(d0))
    diags.push_back({.file = "<command line>", .path = "--defect-density",
                     .message = fmt::format("defect density must be >= 0 per cm², got {}", d0)});
  const double wafer_cost = a.wafer_cost.value_or(ne.wafer_price.value());
  if (!(wafer_cost > 0) || !std::isfinite(wafer_cost))
    diags.push_back({.file = "<command line>", .path = "--wafer-cost",
                     .message = fmt::format("wafer cost must be > 0 USD, got {}", wafer_cost)});
  auto model = YieldModelRegistry::builtin().create(a.model, {.alpha = a.alpha, .layers = a.layers});
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
  if (!diags.empty()) throw InputError(diags);

  const double y = (*model)->yield(die.area(), units::per_cm2(d0));
  const int full = grid->full_dies;
  // SemiAnalysis: good = full − round((1 − Y)·full).
  const int good = full - static_cast<int>(std::lround((1.0 - y) * full));
  const double formula = gross_dies_formula(die, w);
  const Feasibility& feas = grid->feasibility;
  // A die beyond the reticle field cannot be exposed: no die count, yield or cost exists for it.
  const bool exposable = feas.reason != InfeasibleReason::kReticle;
  json j;
  j["die_width_mm"] = a.width;
  j["die_height_mm"] = a.height;
  j["die_area_mm2"] = num(die.area().value());
  j["wafer_diameter_mm"] = a.diameter;
  j["edge_exclusion_mm"] = a.edge;
  j["scribe_mm"] = a.scribe;
  j["notch_keepout_mm"] = a.notch;
  j["reticle"] = w.reticle;
  j["gross_dies_formula"] = num(formula);
  j["gross_dies_classic"] = num(gross_dies_classic(die.area(), w.diameter));
  j["full_dies"] = full;
  j["dies_per_shot"] = grid->dies_per_shot;
  j["shots"] = grid->shots;
  j["rotated"] = grid->rotated;
  j["yield_model"] = a.model;
  j["defect_density_per_cm2"] = d0;
  j["yield"] = num(y);
  j["good_dies"] = good;
  j["wafer_cost_usd"] = wafer_cost;
  j["cost_per_die_usd"] = full > 0 ? num(wafer_cost / full) : json(nullptr);
  j["cost_per_good_die_usd"] = good > 0 ? num(wafer_cost / good) : json(nullptr);
  add_feasibility_json(j, feas);
  j["reticle_width_mm"] = w.reticle ? json(w.field_width.value()) : json(nullptr);
  j["reticle_height_mm"] = w.reticle ? json(w.field_height.value()) : json(nullptr);
  j["reticle_overhang_width_mm"] = exposable ? json(nullptr) : num(grid->reticle_overhang_width.value());
  j["reticle_overhang_height_mm"] =
      exposable ? json(nullptr) : num(grid->reticle_overhang_height.value());
  if (!exposable)
    null_figures(j, {"gross_dies_formula", "gross_dies_classic", "full_dies", "dies_per_shot",
                     "shots", "rotated", "yield", "good_dies", "cost_per_die_usd",
                     "cost_per_good_die_usd"});

  Table table({"quantity", "value"});
  if (exposable) {
    table.add_row({"gross_dies_formula", fixed(formula, 2)});
    table.add_row({"full_dies", std::to_string(full)});
    if (w.reticle) {
      table.add_row({"dies_per_shot", std::to_string(grid->dies_per_shot)});
      table.add_row({"shots", std::to_string(grid->shots)});
    }
    table.add_row({"yield (" + a.model + ")", fixed(y, 4)});
    table.add_row({"good_dies", std::to_string(good)});
    table.add_row({"cost_per_good_die_usd", good > 0 ? fixed(wafer_cost / good, 2) : "-"});
  } else {
    table.add_row({"die_area_mm2", fixed(die.area().value(), 2)});
    table.add_row({"reticle_field_mm", fmt::format("{} x {}", w.field_width.value(),
                                                   w.field_height.value())});
    table.add_row({"reticle_overhang_width_mm", fixed(grid->reticle_overhang_width.value(), 2)});
    table.add_row({"reticle_overhang_height_mm", fixed(grid->reticle_overhang_height.value(), 2)});
  }
  if (!feas.feasible() && g.format == "csv") table.add_row({"INFEASIBLE", feas.to_string()});
  print_infeasible_line(g, feas);
  emit(g, j, table);
}

// ---- cost --------------------------------------------------------------------------------------
struct CostArgs {
  HardwareArgs hw;
  double volume = 1e6;
  std::string model = "murphy";
  double alpha = 3.0;
  int layers = 25;
  std::optional<double> d0;
  std::optional<double> wafer_cost;
  bool no_harvesting = false;
  std::optional<double> bond_yield;
  bool chip_first = false;
  std::optional<double> price;
  std::optional<double> power;
  double lifetime_years = 4;
  double electricity_usd_per_kwh = 0.08;
  std::optional<double> tokens_per_second;
};

json die_cost_json(const DieCost& d) {
  return {{"name", d.name},
          {"count", d.count},
          {"node", to_string(d.node)},
          {"area_mm2", num(d.area.value())},
          {"width_mm", num(d.size.width.value())},
          {"height_mm", num(d.size.height.value())},
          {"gross_dies_formula", num(d.gross_dies_formula)},
          {"full_dies", d.full_dies},
          {"defect_free_yield", num(d.defect_free_yield)},
          {"sellable_yield", num(d.sellable_yield)},
          {"wafer_cost_usd", num(d.wafer_price.value())},
          {"cost_per_good_die_usd", num(d.cost_per_good_die.value())}};
}

CostAssumptions cost_assumptions(const CostArgs& a) {
  CostAssumptions ca;
  ca.yield_model = a.model;
  ca.yield_params = {.alpha = a.alpha, .layers = a.layers};
  if (a.d0) ca.d0 = units::per_cm2(*a.d0);
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

void run_cost(const GlobalOptions& g, const CostArgs& a) {
  Loaded l = load(g, a.hw);
  CostBreakdown c = value_or_throw(estimate_cost(l.hw, l.area, cost_assumptions(a)));
  // TCO: capital = price if given, else manufacturing + NRE per unit; power = given, else TDP,
  // else the model's peak estimate.
  TcoAssumptions ta;
  if (!(a.lifetime_years > 0)) input_error("--lifetime-years", fmt::format("lifetime must be > 0 years, got {}", a.lifetime_years));
  if (!(a.electricity_usd_per_kwh >= 0))
    input_error("--electricity-usd-per-kwh",
                fmt::format("electricity price must be >= 0, got {}", a.electricity_usd_per_kwh));
  ta.lifetime = units::seconds(a.lifetime_years * 365.25 * 86400.0);
  ta.electricity = UsdPerJoule(a.electricity_usd_per_kwh / 3.6e6);
  Watts power = l.hw.physical.tdp.value() > 0
                    ? l.hw.physical.tdp
                    : value_or_throw(estimate_power(l.hw, l.area, peak_activity(l.hw))).total;
  if (a.power) power = units::watts(*a.power);
  const Usd capital = a.price ? units::usd(*a.price) : c.total_per_unit;
  TcoReport tco = value_or_throw(total_cost_of_ownership(capital, power, ta));

  json j;
  j["hardware"] = l.hw.id;
  add_feasibility_json(j, c.feasibility);
  const bool buildable = c.feasibility.feasible();
  json dies = json::array();
  for (const auto& d : c.dies) {
    json dj = die_cost_json(d);
    // A die that cannot be built has no count per wafer, yield or cost.
    if (!buildable)
      null_figures(dj, {"gross_dies_formula", "full_dies", "defect_free_yield", "sellable_yield",
                        "cost_per_good_die_usd"});
    dies.push_back(dj);
  }
  j["dies"] = dies;
  j["logic_dies_usd"] = num(c.logic_dies.value());
  j["memory_usd"] = num(c.memory.value());
  const auto& p = c.package;
  j["package"] = {{"kind", to_string(p.kind)},
                  {"interposer_area_mm2", num(p.interposer_area.value())},
                  {"interposers_per_wafer", num(p.interposers_per_wafer)},
                  {"interposer_yield", num(p.interposer_yield)},
                  {"bonding_yield", num(p.bonding_yield)},
                  {"stack_yield", num(p.stack_yield)},
                  {"stacking_usd", num(p.stacking.value())},
                  {"assembly_yield", num(p.assembly_yield)},
                  {"interposer_usd", num(p.interposer.value())},
                  {"substrate_usd", num(p.substrate.value())},
                  {"bumps_usd", num(p.bumps.value())},
                  {"package_defect_usd", num(p.package_defect.value())},
                  {"wasted_known_good_dies_usd", num(p.wasted_known_good_dies.value())},
                  {"total_usd", num(p.total.value())}};
  j["package_usd"] = num(p.total.value());
  j["test_assembly_usd"] = num(c.test_assembly.value());
  j["manufacturing_cost_usd"] = num(c.manufacturing.value());
  j["design_nre_usd"] = num(c.design_nre.value());
  j["mask_nre_usd"] = num(c.mask_nre.value());
  j["volume"] = c.volume;
  j["nre_per_unit_usd"] = num(c.nre_per_unit.value());
  j["total_per_unit_usd"] = num(c.total_per_unit.value());
  j["tco"] = {{"capital_usd", num(tco.capital.value())},
              {"power_w", num(power.value())},
              {"lifetime_years", a.lifetime_years},
              {"energy_kwh", num(tco.energy.value() / 3.6e6)},
              {"energy_usd", num(tco.energy_cost.value())},
              {"total_usd", num(tco.total.value())}};
  if (!buildable)  // the design NRE, the masks and the memory price remain
    null_figures(j, {"logic_dies_usd", "package", "package_usd", "test_assembly_usd",
                     "manufacturing_cost_usd", "nre_per_unit_usd", "total_per_unit_usd"});
  if (!buildable && !a.price) {  // the capital is the unit cost that does not exist
    j["tco"]["capital_usd"] = nullptr;
    j["tco"]["total_usd"] = nullptr;
  }
  Table table({"item", "usd"});
  if (!buildable) {
    table.add_row({"memory (" + l.hw.memory.dram.type + ")", fixed(c.memory.value(), 0)});
    table.add_row({fmt::format("design NRE (${:.0f}M, masks ${:.0f}M)", c.design_nre.value() / 1e6,
                               c.mask_nre.value() / 1e6),
                   fixed(c.design_nre.value(), 0)});
    if (a.tokens_per_second) j["cost_per_million_tokens_usd"] = nullptr;
    if (g.format == "csv") table.add_row({"INFEASIBLE: " + c.feasibility.to_string(), "-"});
    print_infeasible_line(g, c.feasibility);
    write_html(a.hw.html, HtmlReportKind::kCost, j, nullptr, g);
    emit(g, j, table);
    return;
  }
  for (const auto& d : c.dies)
    table.add_row({fmt::format("{} die x{} ({}, {:.0f} mm², {} full/wafer, yield {:.3f})", d.name,
                               d.count, to_string(d.node), d.area.value(), d.full_dies,
                               d.sellable_yield),
                   fixed(d.cost_per_good_die.value() * d.count, 0)});
  table.add_row({"memory (" + l.hw.memory.dram.type + ")", fixed(c.memory.value(), 0)});
  table.add_row({fmt::format("package ({})", to_string(p.kind)), fixed(p.total.value(), 0)});
  table.add_row({"test + assembly", fixed(c.test_assembly.value(), 0)});
  table.add_row({"manufacturing cost per good package", fixed(c.manufacturing.value(), 0)});
  table.add_row({fmt::format("NRE per unit (${:.0f}M over {:.0f} units)", c.design_nre.value() / 1e6,
                             c.volume),
                 fixed(c.nre_per_unit.value(), 0)});
  table.add_row({"total per unit", fixed(c.total_per_unit.value(), 0)});
  table.add_row({fmt::format("TCO ({:.0f} W, {:g} years)", power.value(), a.lifetime_years),
                 fixed(tco.total.value(), 0)});
  if (a.tokens_per_second) {
    Usd per_m = value_or_throw(cost_per_million_tokens(tco, TokensPerSecond(*a.tokens_per_second), ta));
    j["cost_per_million_tokens_usd"] = num(per_m.value());
    table.add_row({"per million output tokens", fixed(per_m.value(), 4)});
  }
  write_html(a.hw.html, HtmlReportKind::kCost, j, nullptr, g);
  emit(g, j, table);
}

// ---- fab ---------------------------------------------------------------------------------------
struct FabArgs {
  CostArgs cost;
  std::optional<double> units;
  std::optional<double> budget;
  std::vector<std::string> assume;
};

json plan_json(const FabPlan& p) {
  json logic = json::array();
  for (const auto& l : p.logic)
    logic.push_back({{"die", l.die},
                     {"node", to_string(l.node)},
                     {"good_dies_per_wafer", num(l.good_dies_per_wafer)},
                     {"wafers_per_year", num(units::to_per_year(l.wafers))}});
  return {{"units_per_year", num(units::to_per_year(p.units))},
          {"logic", logic},
          {"logic_wafers_per_year", num(units::to_per_year(p.logic_wafers))},
          {"interposer_wafers_per_year", num(units::to_per_year(p.interposer_wafers))},
          {"hbm_stacks_per_year", num(units::to_per_year(p.hbm_stacks))},
          {"dram_dies_per_year", num(units::to_per_year(p.dram_dies))},
          {"dram_wafers_per_year", num(units::to_per_year(p.dram_wafers))},
          {"logic_fabs", num(p.logic_fabs)},
          {"dram_fabs", num(p.dram_fabs)},
          {"cowos_capacity_share", num(p.cowos_capacity_share)},
          {"logic_capex_usd", num(p.logic_capex.value())},
          {"dram_capex_usd", num(p.dram_capex.value())},
          {"packaging_capex_usd", num(p.packaging_capex.value())},
          {"total_capex_usd", num(p.total_capex.value())},
          {"production_cost_per_year_usd",
           num(p.production_cost.value() * units::kSecondsPerYear)},
          {"euv_tool_years", num(p.euv_tool_years)},
          {"years_to_build", num(units::to_years(p.years_to_build))},
          {"fleet_peak_eflops_per_year", num(p.fleet_peak_per_year.value() / 1e18)},
          {"units_by_logic_capacity", num(units::to_per_year(p.units_by_logic_capacity))},
          {"units_by_cowos_capacity", num(units::to_per_year(p.units_by_cowos_capacity))},
          {"units_by_hbm_capacity", num(units::to_per_year(p.units_by_hbm_capacity))},
          {"binding_input", p.binding_input}};
}

void run_fab(const GlobalOptions& g, const FabArgs& a) {
  FabAssumptions fa;
  Diagnostics diags;
  for (const auto& kv : a.assume) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      diags.push_back({.file = "<command line>", .path = "--assume",
                       .message = fmt::format("expected NAME=NUMBER, got '{}'", kv)});
      continue;
    }
    auto v = parse_bounded_real(std::string_view(kv).substr(eq + 1), bounds::kFabAssumption);
    if (!v) {
      diags.push_back({.file = "<command line>", .path = "--assume " + kv.substr(0, eq),
                       .message = v.error()});
      continue;
    }
    auto r = set_assumption(fa, kv.substr(0, eq), *v);
    if (!r) {
      for (auto d : r.error()) {
        d.file = "<command line>";
        diags.push_back(d);
      }
    }
  }
  if (!diags.empty()) throw InputError(diags);
  Loaded l = load(g, a.cost.hw);
  CostBreakdown c = value_or_throw(estimate_cost(l.hw, l.area, cost_assumptions(a.cost)));
  json j;
  j["hardware"] = l.hw.id;
  FabPlan plan;
  Feasibility feas;
  Table table({"quantity", "value"});
  if (a.units) {
    plan = value_or_throw(plan_fabs(l.hw, c, units::per_year(*a.units), fa));
    feas = plan.feasibility;
    j["mode"] = "units";
    add_feasibility_json(j, feas);
  } else {
    BudgetPlan b = value_or_throw(plan_for_budget(l.hw, c, units::usd(*a.budget), fa));
    plan = b.plan;
    feas = b.feasibility;
    const bool priced = b.cost_per_unit_rate.value() > 0;  // known unless the design is infeasible
    j["mode"] = "budget";
    j["budget_usd"] = num(b.budget.value());
    j["design_nre_usd"] = num(b.design_nre.value());
    j["cost_per_unit_per_year_usd"] =
        priced ? num(b.cost_per_unit_rate.value() / units::kSecondsPerYear) : json(nullptr);
    add_feasibility_json(j, feas);
    // The alternative to a budget below the design cost: how much more it needs.
    j["budget_shortfall_usd"] =
        feas.reason == InfeasibleReason::kBudget ? num(b.shortfall.value()) : json(nullptr);
    table.add_row({"budget_usd", sig(b.budget.value())});
    table.add_row({"design_nre_usd", sig(b.design_nre.value())});
    if (feas.reason == InfeasibleReason::kBudget)
      table.add_row({"budget_shortfall_usd", sig(b.shortfall.value())});
  }
  json pj = plan_json(plan);
  const bool buildable = feas.feasible();
  for (auto it = pj.begin(); it != pj.end(); ++it) {
    // An infeasible plan builds nothing: no wafers, fabs, capex or binding input exist for it
    // (the units asked for stay, they are the question).
    if (!buildable && it.key() != "units_per_year")
      it.value() = it.value().is_array() ? json::array() : json(nullptr);
    if (!buildable && a.budget && it.key() == "units_per_year") it.value() = nullptr;
    j[it.key()] = it.value();
    if (it.value().is_number()) table.add_row({it.key(), sig(it.value().get<double>())});
    else if (it.value().is_string()) table.add_row({it.key(), it.value().get<std::string>()});
  }
  if (!buildable && g.format == "csv") table.add_row({"INFEASIBLE", feas.to_string()});
  print_infeasible_line(g, feas);
  json assumptions = json::array();
  for (const auto& i : list_assumptions(fa))
    assumptions.push_back({{"name", i.name}, {"value", num(i.value)}, {"unit", i.unit},
                           {"source", i.source}});
  j["assumptions"] = assumptions;
  write_html(a.cost.hw.html, HtmlReportKind::kFab, j, nullptr, g);
  emit(g, j, table);
}

}  // namespace

void add_economics_commands(CLI::App& app, GlobalOptions& g) {
  {
    auto args = std::make_shared<HardwareArgs>();
    auto* sub = app.add_subcommand("area", "die area per component, per die and per package, "
                                           "with the reticle check and peak power");
    add_hardware_args(sub, *args);
    sub->callback([&g, args] { run_area(g, *args); });
  }
  {
    auto a = std::make_shared<WaferArgs>();
    auto* sub = app.add_subcommand("wafer", "dies per wafer (formula and exact grid), yield and "
                                            "cost per good die");
    bound_real(sub->add_option("--die-width", a->width, "die width, mm"), bounds::kDieSideMm)
        ->required();
    bound_real(sub->add_option("--die-height", a->height, "die height, mm"), bounds::kDieSideMm)
        ->required();
    bound_real(sub->add_option("--wafer-diameter", a->diameter, "wafer diameter, mm"),
               bounds::kWaferDiameterMm)
        ->capture_default_str();
    bound_real(sub->add_option("--edge-exclusion", a->edge, "edge exclusion, mm"),
               bounds::kEdgeExclusionMm)
        ->capture_default_str();
    bound_real(sub->add_option("--scribe", a->scribe, "scribe street, mm"), bounds::kScribeMm)
        ->capture_default_str();
    bound_real(sub->add_option("--notch-keepout", a->notch, "notch keep-out band, mm"),
               bounds::kNotchKeepoutMm)
        ->capture_default_str();
    sub->add_option("--reticle", a->reticle, "pack dies into 26 x 33 mm exposure fields")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    sub->add_option("--node", a->node, "process node for the default D0 and wafer cost")
        ->capture_default_str();
    bound_real(sub->add_option("--defect-density", a->d0,
                               "killer defects per cm² (default: the node's)"),
               bounds::kDefectDensityPerCm2);
    sub->add_option("--yield-model", a->model,
                    "yield model: " + join(YieldModelRegistry::builtin().names()))
        ->capture_default_str();
    bound_real(sub->add_option("--alpha", a->alpha, "negative-binomial clustering"),
               bounds::kYieldAlpha)
        ->capture_default_str();
    bound_int(sub->add_option("--layers", a->layers, "Bose-Einstein critical layers"),
              bounds::kCriticalLayers)
        ->capture_default_str();
    bound_real(sub->add_option("--wafer-cost", a->wafer_cost,
                               "wafer price, USD (default: the node's)"),
               bounds::kWaferCostUsd);
    sub->callback([&g, a] { run_wafer(g, *a); });
  }
  auto add_cost_args = [](CLI::App* sub, CostArgs& a) {
    add_hardware_args(sub, a.hw);
    bound_real(sub->add_option("--volume", a.volume,
                               "packages sold over the design's life (NRE amortisation)"),
               bounds::kVolume)
        ->capture_default_str();
    sub->add_option("--yield-model", a.model, "yield model")->capture_default_str();
    bound_real(sub->add_option("--alpha", a.alpha, "negative-binomial clustering"),
               bounds::kYieldAlpha)
        ->capture_default_str();
    bound_int(sub->add_option("--layers", a.layers, "Bose-Einstein critical layers"),
              bounds::kCriticalLayers)
        ->capture_default_str();
    bound_real(sub->add_option("--defect-density", a.d0,
                               "killer defects per cm² (default: the node's)"),
               bounds::kDefectDensityPerCm2);
    bound_real(
        sub->add_option("--wafer-cost", a.wafer_cost, "wafer price, USD (default: the node's)"),
        bounds::kWaferCostUsd);
    sub->add_flag("--no-harvesting", a.no_harvesting, "a defect anywhere kills the die");
    bound_real(sub->add_option("--bond-yield", a.bond_yield,
                               "per-chip bonding yield for every package kind (default 0.99; published "
                               "cost models use 0.98 .. 0.999)"),
               bounds::kBondYield);
    sub->add_flag("--chip-first", a.chip_first, "chip-first assembly (default: chip-last)");
  };
  {
    auto a = std::make_shared<CostArgs>();
    auto* sub = app.add_subcommand("cost", "cost build-up per good package, NRE and TCO");
    add_cost_args(sub, *a);
    bound_real(sub->add_option("--price", a->price,
                               "purchase price for the TCO, USD (default: cost + NRE)"),
               bounds::kDevicePriceUsd);
    bound_real(sub->add_option("--power", a->power, "average power for the TCO, W (default: TDP)"),
               bounds::kPowerW);
    bound_real(sub->add_option("--lifetime-years", a->lifetime_years, "TCO lifetime"),
               bounds::kLifetimeYears)
        ->capture_default_str();
    bound_real(sub->add_option("--electricity-usd-per-kwh", a->electricity_usd_per_kwh,
                               "electricity price"),
               bounds::kElectricityUsdPerKwh)
        ->capture_default_str();
    bound_real(sub->add_option("--tokens-per-second", a->tokens_per_second,
                               "output tokens/s for the cost per million tokens"),
               bounds::kTokensPerSecond);
    sub->callback([&g, a] { run_cost(g, *a); });
  }
  {
    auto a = std::make_shared<FabArgs>();
    auto* sub = app.add_subcommand("fab", "fab build-out for N accelerators/year, or what a "
                                          "budget buys");
    add_cost_args(sub, a->cost);
    auto* units = bound_real(sub->add_option("--units", a->units, "accelerators per year"),
                             bounds::kUnitsPerYear);
    auto* budget = bound_real(sub->add_option("--budget", a->budget, "budget, USD (e.g. 5e12)"),
                              bounds::kBudgetUsd);
    units->excludes(budget);
    sub->add_option("--assume", a->assume, "override an assumption: NAME=VALUE (repeatable)");
    sub->callback([&g, a] {
      if (!a->units && !a->budget) input_error("--units", "give --units N or --budget USD");
      run_fab(g, *a);
    });
  }
}

}  // namespace xpusim::cli
