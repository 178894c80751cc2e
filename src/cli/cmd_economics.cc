// SPDX-License-Identifier: Apache-2.0
// `xpusim area`, `xpusim wafer`, `xpusim cost` and `xpusim fab`: the silicon-economics commands.
// api/economics.h loads the inputs, calls area/, cost/ or fab/ and builds the JSON (keys
// snake_case with the unit in the name); this file prints the answer as a table, CSV or JSON.
// Bad input -> InputError (exit 1); an infeasible design is a result (feasible: false with the
// reason), not an error.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <vector>


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

// CSV: the tidy table of the JSON (a row per record of `records`, "" = the document's own keys);
// table: `text`.
void emit(const GlobalOptions& g, std::string_view type, const json& j, const std::string& text,
          std::string_view records = "") {
  if (g.format == "json") print(j.dump(2) + "\n");
  else if (g.format == "csv") print_tidy_csv(j, g, records, type);
  else print(text);
}

// The keys the INFEASIBLE line says, left out of the field tables below it.
constexpr std::string_view kFeasibilityKeys[] = {"feasible", "infeasible_reason",
                                                 "infeasible_detail"};

// A list of records of an answer shown as a table of its own: its path and the parent columns
// shown with each row (`dies.name` beside a die's components).
struct RecordList {
  std::string_view records;
  std::vector<std::string_view> parents = {};
};

// The terminal form of an answer of result type `type`, drawn from its JSON and field table: a
// table per list of records in `lists` that the answer has (report/ record_table), then the field
// table of the document's own fields but `leave_out` (lists of records not in `lists` are not
// shown).
std::string tables_text(std::string_view type, const json& j, std::span<const RecordList> lists,
                        std::span<const std::string_view> leave_out = kFeasibilityKeys) {
  std::string out;
  const std::vector<std::string> present = record_lists(j);
  for (const RecordList& l : lists) {
    if (std::find(present.begin(), present.end(), l.records) == present.end()) continue;
    out += value_or_throw(record_table(j, l.records, l.parents)).to_text() + "\n";
  }
  return out + field_table(*find_result_type(type), j, leave_out).to_text();
}

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
  // Per die its components, then the dies (size, reticle check), then the package's totals.
  const RecordList lists[] = {{"dies.components", {"dies.name", "dies.count", "dies.node"}},
                              {"dies"}};
  print_infeasible_line(g, out.area.feasibility);
  write_html(args.html, HtmlReportKind::kArea, out.json, nullptr, g);
  emit(g, "area", out.json, tables_text("area", out.json, lists), "dies.components");
}

// ---- wafer -------------------------------------------------------------------------------------
struct WaferArgs : api::WaferRequest {};

void run_wafer(const GlobalOptions& g, const WaferArgs& a) {
  const api::WaferOutcome out = value_or_throw(api::wafer_scenario(a));
  print_infeasible_line(g, out.grid.feasibility);
  emit(g, "wafer", out.json,
       field_table(*find_result_type("wafer"), out.json, kFeasibilityKeys).to_text());
}

// ---- cost --------------------------------------------------------------------------------------
struct CostArgs : api::CostRequest {
  std::string html;  // --html FILE
};

void run_cost(const GlobalOptions& g, const CostArgs& a) {
  const api::CostOutcome out = value_or_throw(api::cost_scenario(with_overrides(a, g)));
  // The dies (wafer, yield, cost per good die), then the build-up in the JSON's order: logic
  // dies, memory, package, test + assembly, manufacturing cost, NRE, total per unit, TCO, system.
  // The server's description is left out of the table (its class is there; JSON has both).
  const RecordList lists[] = {{"dies"}};
  constexpr std::string_view leave_out[] = {"feasible", "infeasible_reason", "infeasible_detail",
                                            "system.description"};
  print_infeasible_line(g, out.cost.feasibility);
  write_html(a.html, HtmlReportKind::kCost, out.json, nullptr, g);
  emit(g, "cost", out.json, tables_text("cost", out.json, lists, leave_out));
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
  emit(g, "fab", out.json, table.to_text());
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
