// SPDX-License-Identifier: Apache-2.0
// `xpusim area`, `xpusim wafer`, `xpusim cost` and `xpusim fab`: the silicon-economics commands.
// api/economics.h loads the inputs, calls area/, cost/ or fab/ and builds the JSON (keys
// snake_case with the unit in the name); this file prints the answer as a table, CSV or JSON.
// Bad input -> InputError (exit 1); an infeasible design is a result (feasible: false with the
// reason), not an error.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/economics.h"
#include "xpusim/base/text.h"
#include "xpusim/cost/yield_model.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;

void print(const std::string& text) { std::fputs(text.c_str(), stdout); }

// CSV: the tidy table of the JSON (a row per record of `records`, "" = the document's own keys).
void emit(const GlobalOptions& g, const json& j, const Table& table, std::string_view records = "") {
  if (g.format == "json") print(j.dump(2) + "\n");
  else if (g.format == "csv") print_tidy_csv(j, g, records);
  else print(table.to_text());
}

// The keys the INFEASIBLE line says, left out of the field tables below it.
constexpr std::string_view kFeasibilityKeys[] = {"feasible", "infeasible_reason",
                                                 "infeasible_detail"};

// A table answer that is infeasible starts with "INFEASIBLE: <reason>: <detail>" (CSV has the
// feasible, infeasible_reason and infeasible_detail columns).

void print_infeasible_line(const GlobalOptions& g, const Feasibility& f) {
  if (g.format == "table" && !f.feasible()) print("INFEASIBLE: " + f.to_string() + "\n");
}

// Options shared by area/cost/fab: the hardware and the die inventory.
struct HardwareArgs : api::AreaRequest {
  std::string html;  // --html FILE
};

void add_hardware_args(CLI::App* sub, api::AreaRequest& a) {
  sub->add_option("--hardware", a.hardware, "hardware preset id or YAML/JSON file")->required();
  bound_int(sub->add_option("--units-on-die", a.units_on_die,
                            "compute units physically on the compute dies, incl. disabled ones "
                            "(default: units / 0.9)"),
            bounds::kUnitsOnDie);
  bound_int(sub->add_option("--dram-phys-on-die", a.dram_phys_on_die,
                            "DRAM PHY sites on the die, incl. unpopulated ones (default: stacks)"),
            bounds::kDramPhys);
}

// The request with the global --set overrides.
template <class Request>
Request with_overrides(const Request& r, const GlobalOptions& g) {
  Request out = r;
  out.overrides = g.overrides;
  return out;
}

// ---- area --------------------------------------------------------------------------------------
void run_area(const GlobalOptions& g, const HardwareArgs& args) {
  const api::AreaOutcome out = value_or_throw(api::area_scenario(with_overrides(args, g)));
  const AreaReport& area = out.area;
  Table table({"die", "count", "node", "component", "area_mm2"});
  for (const auto& d : area.dies) {
    for (const auto& c : d.components)
      table.add_row({d.name, std::to_string(d.count), std::string(to_string(d.node)), c.name,
                     fixed(c.area.value(), 1)});
    table.add_row({d.name, std::to_string(d.count), std::string(to_string(d.node)), "die total",
                   fixed(d.area.value(), 1)});
  }
  table.add_row({"package", "", "", "total silicon", fixed(area.total_area.value(), 1)});
  table.add_row({"package", "", "", "peak power (W)", fixed(out.power.total.value(), 0)});
  print_infeasible_line(g, area.feasibility);
  write_html(args.html, HtmlReportKind::kArea, out.json, nullptr, g);
  emit(g, out.json, table, "dies.components");
}

// ---- wafer -------------------------------------------------------------------------------------
struct WaferArgs : api::WaferRequest {};

void run_wafer(const GlobalOptions& g, const WaferArgs& a) {
  const api::WaferOutcome out = value_or_throw(api::wafer_scenario(a));
  print_infeasible_line(g, out.grid.feasibility);
  emit(g, out.json, field_table(*find_result_type("wafer"), out.json, kFeasibilityKeys));
}

// ---- cost --------------------------------------------------------------------------------------
struct CostArgs : api::CostRequest {
  std::string html;  // --html FILE
};

void run_cost(const GlobalOptions& g, const CostArgs& a) {
  const api::CostOutcome out = value_or_throw(api::cost_scenario(with_overrides(a, g)));
  const CostBreakdown& c = out.cost;
  const auto& p = c.package;
  Table table({"item", "usd"});
  if (!c.feasibility.feasible()) {
    table.add_row({"memory (" + out.hw.memory.dram.type + ")", fixed(c.memory.value(), 0)});
    table.add_row({fmt::format("design NRE (${:.0f}M, masks ${:.0f}M)", c.design_nre.value() / 1e6,
                               c.mask_nre.value() / 1e6),
                   fixed(c.design_nre.value(), 0)});
    print_infeasible_line(g, c.feasibility);
    write_html(a.html, HtmlReportKind::kCost, out.json, nullptr, g);
    emit(g, out.json, table);
    return;
  }
  for (const auto& d : c.dies)
    table.add_row({fmt::format("{} die x{} ({}, {:.0f} mm², {} full/wafer, yield {:.3f})", d.name,
                               d.count, to_string(d.node), d.area.value(), d.full_dies,
                               d.sellable_yield),
                   fixed(d.cost_per_good_die.value() * d.count, 0)});
  table.add_row({"memory (" + out.hw.memory.dram.type + ")", fixed(c.memory.value(), 0)});
  table.add_row({fmt::format("package ({})", to_string(p.kind)), fixed(p.total.value(), 0)});
  table.add_row({"test + assembly", fixed(c.test_assembly.value(), 0)});
  table.add_row({"manufacturing cost per good package", fixed(c.manufacturing.value(), 0)});
  table.add_row({fmt::format("NRE per unit (${:.0f}M over {:.0f} units)", c.design_nre.value() / 1e6,
                             c.volume),
                 fixed(c.nre_per_unit.value(), 0)});
  table.add_row({"total per unit", fixed(c.total_per_unit.value(), 0)});
  const TcoReport& tco = out.tco;
  table.add_row({fmt::format("host + network share ({})", out.system.name),
                 fixed(tco.host_capital.value(), 0)});
  table.add_row({"facility share", fixed(tco.facility_capital.value(), 0)});
  table.add_row({fmt::format("energy ({:.0f} W chip, {:.0f} W system, PUE {:g})", out.power.value(),
                             tco.system_power.value(), out.tco_assumptions.pue),
                 fixed(tco.energy_cost.value(), 0)});
  table.add_row({fmt::format("TCO ({:.0f} W, {:g} years)", out.power.value(), a.lifetime_years),
                 fixed(tco.total.value(), 0)});
  table.add_row({"TCO per device-hour", fixed(tco.per_hour.value(), 3)});
  if (out.cost_per_million_tokens)
    table.add_row({"per million output tokens", fixed(out.cost_per_million_tokens->value(), 4)});
  write_html(a.html, HtmlReportKind::kCost, out.json, nullptr, g);
  emit(g, out.json, table);
}

// ---- fab ---------------------------------------------------------------------------------------
struct FabArgs : api::FabRequest {
  std::string html;  // --html FILE
};

void run_fab(const GlobalOptions& g, const FabArgs& a) {
  const api::FabOutcome out = value_or_throw(api::fab_scenario(with_overrides(a, g)));
  const Feasibility& feas = out.feasibility;
  const Table table = field_table(*find_result_type("fab"), out.json, kFeasibilityKeys);
  print_infeasible_line(g, feas);
  write_html(a.html, HtmlReportKind::kFab, out.json, nullptr, g);
  emit(g, out.json, table);
}

}  // namespace

void add_system_options(CLI::App* cmd, std::optional<std::string>& system,
                        std::vector<std::string>& params) {
  cmd->add_option("--system", system,
                  "server around each device for the TCO: " + join(system_class_names()) +
                      " (default: by the hardware's scale-up fabric)");
  cmd->add_option("--system-param", params,
                  "override a system parameter: NAME=VALUE (repeatable; names in the JSON's "
                  "system.params)");
}

void add_economics_commands(CLI::App& app, GlobalOptions& g) {
  {
    auto args = std::make_shared<HardwareArgs>();
    auto* sub = app.add_subcommand("area", "die area per component, per die and per package, "
                                           "with the reticle check and peak power");
    add_hardware_args(sub, *args);
    add_html_option(sub, args->html);
    sub->callback([&g, args] { run_area(g, *args); });
  }
  {
    auto a = std::make_shared<WaferArgs>();
    auto* sub = app.add_subcommand("wafer", "dies per wafer (formula and exact grid), yield and "
                                            "cost per good die");
    bound_real(sub->add_option("--die-width", a->die_width, "die width, mm"), bounds::kDieSideMm)
        ->required();
    bound_real(sub->add_option("--die-height", a->die_height, "die height, mm"), bounds::kDieSideMm)
        ->required();
    bound_real(sub->add_option("--wafer-diameter", a->wafer_diameter, "wafer diameter, mm"),
               bounds::kWaferDiameterMm)
        ->capture_default_str();
    bound_real(sub->add_option("--edge-exclusion", a->edge_exclusion, "edge exclusion, mm"),
               bounds::kEdgeExclusionMm)
        ->capture_default_str();
    bound_real(sub->add_option("--scribe", a->scribe, "scribe street, mm"), bounds::kScribeMm)
        ->capture_default_str();
    bound_real(sub->add_option("--notch-keepout", a->notch_keepout, "notch keep-out band, mm"),
               bounds::kNotchKeepoutMm)
        ->capture_default_str();
    sub->add_option("--reticle", a->reticle, "pack dies into 26 x 33 mm exposure fields")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    sub->add_option("--node", a->node, "process node for the default D0 and wafer cost")
        ->capture_default_str();
    bound_real(sub->add_option("--defect-density", a->defect_density,
                               "killer defects per cm² (default: the node's)"),
               bounds::kDefectDensityPerCm2);
    sub->add_option("--yield-model", a->yield_model,
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
  auto add_cost_args = [](CLI::App* sub, api::ChipCostRequest& a) {
    add_hardware_args(sub, a);
    bound_real(sub->add_option("--volume", a.volume,
                               "packages sold over the design's life (NRE amortisation)"),
               bounds::kVolume)
        ->capture_default_str();
    sub->add_option("--yield-model", a.yield_model, "yield model")->capture_default_str();
    bound_real(sub->add_option("--alpha", a.alpha, "negative-binomial clustering"),
               bounds::kYieldAlpha)
        ->capture_default_str();
    bound_int(sub->add_option("--layers", a.layers, "Bose-Einstein critical layers"),
              bounds::kCriticalLayers)
        ->capture_default_str();
    bound_real(sub->add_option("--defect-density", a.defect_density,
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
    add_system_options(sub, a->system, a->system_params);
    bound_real(sub->add_option("--utilization", a->utilization,
                               "fraction of the lifetime the device works (the rest idle)"),
               bounds::kUtilization)
        ->capture_default_str();
    add_html_option(sub, a->html);
    sub->callback([&g, a] { run_cost(g, *a); });
  }
  {
    auto a = std::make_shared<FabArgs>();
    auto* sub = app.add_subcommand("fab", "fab build-out for N accelerators/year, or what a "
                                          "budget buys");
    add_cost_args(sub, *a);
    auto* units = bound_real(sub->add_option("--units", a->units, "accelerators per year"),
                             bounds::kUnitsPerYear);
    auto* budget = bound_real(sub->add_option("--budget", a->budget, "budget, USD (e.g. 5e12)"),
                              bounds::kBudgetUsd);
    units->excludes(budget);
    sub->add_option("--assume", a->assume, "override an assumption: NAME=VALUE (repeatable)");
    add_html_option(sub, a->html);
    sub->callback([&g, a] { run_fab(g, *a); });
  }
}

}  // namespace xpusim::cli
