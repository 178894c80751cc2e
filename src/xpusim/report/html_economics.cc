// SPDX-License-Identifier: Apache-2.0
// The silicon-economics reports: `area` (area per component of each die against the reticle,
// package silicon by component), `cost` (the waterfall from wafers to the package and the unit
// price, dies per wafer, the TCO split) and `fab` (what each input allows per year and which one
// binds, the capital and the wafers of the build-out).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "xpusim/report/html_pages.h"

namespace xpusim::html {
namespace {

Json usd_tooltip(const char* field, const char* title) {
  return {{"field", field}, {"title", title}, {"format", "$,.0f"}};
}

// A horizontal bar per row of `data` (fields label, value), with the value printed at its end.
Json labelled_bars(const Json& data, const std::string& x_title, const std::string& format, Json color,
                   int width, Json tooltip) {
  const Json y = {{"field", "label"}, {"type", "nominal"}, {"title", nullptr}, {"sort", nullptr}};
  const Json x = {{"field", "value"}, {"type", "quantitative"}, {"title", x_title},
                  {"axis", {{"format", format}}}, {"scale", {{"nice", true}}}};
  return {{"data", {{"values", data}}},
          {"width", width},
          {"height", {{"step", 26}}},
          {"layer", {{{"mark", {{"type", "bar"}, {"cornerRadiusEnd", 2}}},
                      {"encoding", {{"y", y}, {"x", x}, {"color", color}, {"tooltip", tooltip}}}},
                     {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 10}, {"color", "#4a5568"}}},
                      {"encoding", {{"y", y}, {"x", x}, {"text", {{"field", "value"}, {"format", format}}}}}}}}};
}

}  // namespace

// ---- area ------------------------------------------------------------------------------------------
Page area_page(const Json& r) {
  Page p;
  p.title = "area: " + text(r, "hardware");
  p.subtitle = "die area per component (area/ model: component areas by process node, PHYs that do not "
               "shrink, the reticle check) and peak power";
  p.inputs = {{"hardware", text(r, "hardware")},
              {"dies", fmt::format("{} compute units on the die(s), {} DRAM PHY sites", text(r, "units_on_die"),
                                   text(r, "dram_phys_on_die"))}};
  p.tiles = {{"total silicon", pretty(number(r["total_area_mm2"]), 4) + " mm²", "all dies of the package"}};
  if (r.contains("published_area_mm2"))
    p.tiles.push_back({"published", pretty(number(r["published_area_mm2"]), 4) + " mm²",
                       "model error " + pretty(number(r["error_pct"]), 2) + "%"});
  p.tiles.push_back({"peak power", pretty(number(r["peak_power_w"]), 4) + " W",
                     r["tdp_w"].is_number() ? "TDP " + pretty(number(r["tdp_w"])) + " W" +
                                                  (r.value("peak_within_tdp", true) ? "" : " (exceeded at peak)")
                                            : "no TDP given"});
  p.tiles.push_back({"static power", pretty(number(r["static_power_w"]), 4) + " W", "leakage and always-on"});
  Json comps = Json::array(), totals = Json::array();
  std::map<std::string, double> by_component;
  int die_order = 0;
  for (const Json& d : r.value("dies", Json::array())) {
    const std::string label = fmt::format("{} die x{} ({})", text(d, "name"), text(d, "count"), text(d, "node"));
    int order = 0;
    for (const Json& c : d.value("components", Json::array())) {
      comps.push_back({{"die", label}, {"component", c["name"]}, {"area_mm2", c["area_mm2"]},
                       {"order", order++}, {"die_order", die_order}});
      by_component[c.value("name", std::string())] += number(c["area_mm2"]) * number(d["count"]);
    }
    ++die_order;
  }
  Json names = Json::array();  // one colour per component in both charts
  for (const auto& [name, a] : by_component) {
    totals.push_back({{"component", name}, {"area_mm2", a}});
    names.push_back(name);
  }
  const double reticle = number(r["reticle_area_mm2"]);
  Json tooltip = {{{"field", "die"}}, {{"field", "component"}},
                  {{"field", "area_mm2"}, {"title", "area (mm²)"}, {"format", ",.1f"}}};
  Json spec = {
      {"width", kWideWidth - 330},
      {"height", {{"step", 40}}},
      {"layer",
       {{{"data", {{"values", comps}}},
         {"mark", {{"type", "bar"}, {"stroke", "#fff"}, {"strokeWidth", 0.5}}},
         {"encoding", {{"y", {{"field", "die"}, {"type", "nominal"}, {"title", nullptr},
                              {"sort", {{"field", "die_order"}, {"op", "min"}}}}},
                       {"x", {{"field", "area_mm2"}, {"type", "quantitative"}, {"stack", "zero"},
                              {"title", "area of one die (mm²)"}}},
                       {"color", {{"field", "component"}, {"type", "nominal"}, {"title", "component"},
                                  {"scale", {{"scheme", "tableau20"}, {"domain", names}}},
                                  {"legend", {{"orient", "bottom"}, {"columns", 5}, {"symbolType", "square"}}}}},
                       {"order", {{"field", "order"}}},
                       {"tooltip", tooltip}}}},
        marker_layer("x", reticle, "reticle " + pretty(reticle) + " mm²", "#c53030",
                     {{"align", "left"}, {"dx", 4}, {"y", -6}})}}};
  Section s{"Area", "", {}, {}};
  s.charts.push_back({"Area breakdown per die",
                      "One bar per kind of die (xN: dies of that kind in the package); the dashed line "
                      "is the 26 x 33 mm exposure field a die must fit.",
                      spec, true});
  Json donut = {{"data", {{"values", totals}}},
                {"width", 240},
                {"height", 240},
                {"mark", {{"type", "arc"}, {"innerRadius", 62}, {"stroke", "#fff"}}},
                {"encoding", {{"theta", {{"field", "area_mm2"}, {"type", "quantitative"}, {"stack", true}}},
                              {"color", {{"field", "component"}, {"type", "nominal"}, {"title", "component"},
                                         {"scale", {{"scheme", "tableau20"}, {"domain", names}}}, {"legend", nullptr}}},
                              {"order", {{"field", "area_mm2"}, {"sort", "descending"}}},
                              {"tooltip", {{{"field", "component"}},
                                           {{"field", "area_mm2"}, {"title", "package silicon (mm²)"}, {"format", ",.1f"}}}}}}};
  s.charts.push_back({"Package silicon by component", "Every die of the package: area x count, summed per component.",
                      donut, false});
  if (!comps.empty()) p.sections.push_back(s);
  return p;
}

// ---- cost ------------------------------------------------------------------------------------------
Page cost_page(const Json& r) {
  Page p;
  p.title = "cost: " + text(r, "hardware");
  p.subtitle = "cost build-up per good package (wafers, yield, memory, packaging, test) and per unit with "
               "the NRE, and the TCO";
  p.inputs = {{"hardware", text(r, "hardware")},
              {"volume", pretty(number(r["volume"])) + " packages over the design's life"}};
  const bool buildable = r.value("feasible", false);
  p.tiles = {{"manufacturing cost", "$" + pretty(number(r["manufacturing_cost_usd"])), "per good package"},
             {"total per unit", "$" + pretty(number(r["total_per_unit_usd"])), "with NRE per unit $" + pretty(number(r["nre_per_unit_usd"]))},
             {"design NRE", "$" + pretty(number(r["design_nre_usd"]) / 1e6) + "M", "masks $" + pretty(number(r["mask_nre_usd"]) / 1e6) + "M"}};
  if (r.contains("tco") && r["tco"]["total_usd"].is_number())
    p.tiles.push_back({"TCO per device", "$" + pretty(number(r["tco"]["total_usd"])),
                       fmt::format("{} W over {} years", text(r["tco"], "power_w"), text(r["tco"], "lifetime_years"))});
  if (!buildable) return p;

  // The waterfall: each step adds to the running total; subtotals are full bars.
  struct Step { std::string label; double usd; bool total; std::string detail; };
  std::vector<Step> steps;
  double dies = 0;
  for (const Json& d : r.value("dies", Json::array())) {
    const double each = number(d["cost_per_good_die_usd"]), n = number(d["count"]);
    steps.push_back({fmt::format("{} die x{}", text(d, "name"), text(d, "count")), each * n, false,
                     fmt::format("wafer ${} / {} good dies = ${} each ({} full dies per wafer, yield {})",
                                 pretty(number(d["wafer_cost_usd"])), pretty(number(d["full_dies"]) * number(d["sellable_yield"])),
                                 pretty(each), text(d, "full_dies"), text(d, "sellable_yield"))});
    dies += each * n;
  }
  const Json& pk = r["package"];
  steps.push_back({"memory", number(r["memory_usd"]), false, "DRAM stacks at the memory price"});
  double parts = 0;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"interposer_usd", "interposer"}, {"substrate_usd", "substrate"}, {"bumps_usd", "bumps"},
           {"stacking_usd", "die stacking"}, {"package_defect_usd", "packaging defects"},
           {"wasted_known_good_dies_usd", "known-good dies lost in assembly"}}) {
    const double v = number(pk[key]);
    parts += v;
    if (v > 0) steps.push_back({label, v, false, std::string("package (") + text(pk, "kind") + ")"});
  }
  // The package total is the sum of its parts; a difference beyond rounding is shown, not hidden.
  const double residual = number(pk["total_usd"]) - parts;
  if (std::fabs(residual) > 0.005 * std::max(1.0, number(pk["total_usd"])))
    steps.push_back({"package, other", residual, false, "package total minus its listed parts"});
  steps.push_back({"test + assembly", number(r["test_assembly_usd"]), false, ""});
  steps.push_back({"manufacturing cost", number(r["manufacturing_cost_usd"]), true, "per good package"});
  steps.push_back({"NRE per unit", number(r["nre_per_unit_usd"]), false,
                   fmt::format("design ${}M over {} units", pretty(number(r["design_nre_usd"]) / 1e6), pretty(number(r["volume"])))});
  steps.push_back({"total per unit", number(r["total_per_unit_usd"]), true, ""});
  Json rows = Json::array();
  double run = 0;
  int i = 0;
  for (const Step& s : steps) {
    const double start = s.total ? 0 : run, end = s.total ? s.usd : run + s.usd;
    if (!s.total) run += s.usd;
    rows.push_back({{"label", s.label}, {"start", start}, {"end", end}, {"usd", s.usd}, {"order", i++},
                    {"kind", s.total ? "subtotal" : "adds"}, {"detail", s.detail},
                    {"text", "$" + pretty(s.usd)}});
  }
  Json spec = {
      {"data", {{"values", rows}}},
      {"width", kWideWidth - 120},
      {"height", 300},
      {"encoding", {{"x", {{"field", "label"}, {"type", "nominal"}, {"title", nullptr},
                           {"sort", {{"field", "order"}}}, {"axis", {{"labelAngle", -25}, {"labelLimit", 200}}}}}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"size", 46}}},
         {"encoding", {{"y", {{"field", "start"}, {"type", "quantitative"}, {"title", "USD per unit"}, {"axis", {{"format", "$,.0f"}}}}},
                       {"y2", {{"field", "end"}}},
                       {"color", {{"field", "kind"}, {"type", "nominal"}, {"title", nullptr},
                                  {"scale", {{"domain", {"adds", "subtotal"}}, {"range", {"#4c78a8", "#2d3748"}}}},
                                  {"legend", nullptr}}},
                       {"tooltip", {{{"field", "label"}, {"title", "step"}}, usd_tooltip("usd", "USD"),
                                    usd_tooltip("end", "running total"), {{"field", "detail"}}}}}}},
        {{"mark", {{"type", "text"}, {"dy", -7}, {"fontSize", 10}, {"color", "#2d3748"}}},
         {"encoding", {{"y", {{"field", "end"}, {"type", "quantitative"}}}, {"text", {{"field", "text"}}}}}}}}};
  Section s{"Cost build-up", "", {}, {}};
  s.charts.push_back({"Cost waterfall: from wafers to the package and the unit",
                      "Each step adds to the running total (blue); dark bars are totals. Dies: wafer price / "
                      "good dies per wafer; package costs per the Chiplet Actuary build-up (cost/).",
                      spec, true});
  Json wafer = Json::array();
  for (const Json& d : r.value("dies", Json::array())) {
    const std::string die = text(d, "name") + " die";
    wafer.push_back({{"die", die}, {"what", "gross (formula)"}, {"dies", d["gross_dies_formula"]}, {"o", 0}});
    wafer.push_back({{"die", die}, {"what", "full dies (exact grid)"}, {"dies", d["full_dies"]}, {"o", 1}});
    wafer.push_back({{"die", die}, {"what", "good (sellable yield)"},
                     {"dies", number(d["full_dies"]) * number(d["sellable_yield"])}, {"o", 2}});
  }
  Json wspec = {{"data", {{"values", wafer}}},
                {"width", kHalfWidth - 170},
                {"height", {{"step", 18}}},
                {"mark", {{"type", "bar"}, {"cornerRadiusEnd", 2}}},
                {"encoding", {{"y", {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}, {"sort", {{"field", "o"}}}}},
                              {"row", {{"field", "die"}, {"type", "nominal"}, {"title", nullptr}}},
                              {"x", {{"field", "dies"}, {"type", "quantitative"}, {"title", "dies per 300 mm wafer"}}},
                              {"color", {{"field", "what"}, {"type", "nominal"}, {"legend", nullptr},
                                         {"scale", {{"domain", {"gross (formula)", "full dies (exact grid)", "good (sellable yield)"}},
                                                    {"range", {"#a0aec0", "#4c78a8", "#38a169"}}}}}},
                              {"tooltip", {{{"field", "die"}}, {{"field", "what"}}, {{"field", "dies"}, {"format", ",.1f"}}}}}}};
  s.charts.push_back({"Dies per wafer", "Gross dies by the classic formula, full dies on the exact grid, good "
                      "dies after the yield model (harvesting counted as sellable).", wspec, false});
  if (r.contains("tco") && r["tco"]["total_usd"].is_number()) {
    Json tco = Json::array({{{"label", "capital (unit price)"}, {"value", r["tco"]["capital_usd"]}},
                            {{"label", "energy"}, {"value", r["tco"]["energy_usd"]}}});
    s.charts.push_back({"TCO per device",
                        fmt::format("Capital and electricity over {} years at {} W ({} kWh).", text(r["tco"], "lifetime_years"),
                                    text(r["tco"], "power_w"), text(r["tco"], "energy_kwh")),
                        labelled_bars(tco, "USD", "$,.0f", {{"value", "#4c78a8"}}, kHalfWidth - 200,
                                      {{{"field", "label"}}, usd_tooltip("value", "USD")}),
                        false});
  }
  p.sections.push_back(s);
  return p;
}

// ---- fab -------------------------------------------------------------------------------------------
Page fab_page(const Json& r) {
  Page p;
  const bool units = r.value("mode", std::string()) == "units";
  p.title = "fab: " + text(r, "hardware");
  p.subtitle = units ? fmt::format("build-out for {} accelerators per year", text(r, "units_per_year"))
                     : fmt::format("what a budget of ${} buys", text(r, "budget_usd"));
  p.inputs = {{"hardware", text(r, "hardware")},
              {"question", units ? text(r, "units_per_year") + " units per year" : "$" + text(r, "budget_usd")}};
  if (!r.value("feasible", false)) {
    if (r.contains("budget_shortfall_usd") && r["budget_shortfall_usd"].is_number())
      p.tiles.push_back({"budget shortfall", "$" + pretty(number(r["budget_shortfall_usd"])), "to build one unit"});
  } else {
    p.tiles = {{"binding input", text(r, "binding_input"), "binds first as the fleet grows"},
               {"units per year", pretty(number(r["units_per_year"])), ""},
               {"total capital", "$" + pretty(number(r["total_capex_usd"]) / 1e9) + "B", ""},
               {"logic / DRAM fabs", pretty(number(r["logic_fabs"])) + " / " + pretty(number(r["dram_fabs"])), "of the reference fab size"},
               {"EUV tool-years", pretty(number(r["euv_tool_years"])), ""},
               {"years to build", pretty(number(r["years_to_build"])), ""}};
    Section s{"Build-out", "", {}, {}};
    const std::string binding = r.value("binding_input", std::string());
    Json limits = Json::array();
    for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
             {"units_by_logic_capacity", "logic"}, {"units_by_cowos_capacity", "CoWoS"}, {"units_by_hbm_capacity", "HBM"}})
      if (r[key].is_number())
        limits.push_back({{"label", std::string(label) + " capacity"}, {"value", r[key]},
                          {"binds", label == binding ? "binds first" : "room left"}});
    Json spec = labelled_bars(limits, "accelerators per year the input's world capacity supports", ",.3~s",
                              {{"field", "binds"}, {"type", "nominal"}, {"title", nullptr},
                               {"scale", {{"domain", {"binds first", "room left"}}, {"range", {"#e45756", "#a0aec0"}}}},
                               {"legend", {{"orient", "bottom"}}}},
                              kHalfWidth - 150, {{{"field", "label"}}, {{"field", "value"}, {"format", ",.0f"}}});
    spec["layer"].push_back(marker_layer("x", number(r["units_per_year"]),
                                         "asked: " + pretty(number(r["units_per_year"])), "#2b6cb0",
                                         {{"align", "left"}, {"dx", 4}, {"y", -6}}));
    s.charts.push_back({"Which input binds the build-out",
                        "Accelerators per year each input's capacity supports (the assumptions below); the "
                        "smallest binds. Dashed: the units asked for (or bought).",
                        spec, false});
    Json capex = Json::array();
    for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
             {"logic_capex_usd", "logic fabs"}, {"dram_capex_usd", "DRAM fabs"}, {"packaging_capex_usd", "packaging"}})
      capex.push_back({{"label", label}, {"value", number(r[key]) / 1e9}});
    s.charts.push_back({"Capital by kind", "New capacity the build-out needs, billions of USD.",
                        labelled_bars(capex, "USD (billions)", ",.3~f", {{"value", "#4c78a8"}}, kHalfWidth - 170,
                                      {{{"field", "label"}}, {{"field", "value"}, {"title", "USD (billions)"}, {"format", ",.3~f"}}}),
                        false});
    Json wafers = Json::array();
    for (const Json& l : r.value("logic", Json::array()))
      wafers.push_back({{"label", text(l, "die") + " die (" + text(l, "node") + ")"}, {"value", l["wafers_per_year"]}});
    wafers.push_back({{"label", "interposers"}, {"value", r["interposer_wafers_per_year"]}});
    wafers.push_back({{"label", "DRAM"}, {"value", r["dram_wafers_per_year"]}});
    s.charts.push_back({"Wafers per year", "Logic wafers per die kind, interposer wafers and DRAM wafers.",
                        labelled_bars(wafers, "wafers per year", ",.3~s", {{"value", "#72b7b2"}}, kHalfWidth - 170,
                                      {{{"field", "label"}}, {{"field", "value"}, {"title", "wafers per year"}, {"format", ",.0f"}}}),
                        false});
    p.sections.push_back(s);
  }
  HtmlTable a{"Assumptions", {"name", "value", "unit", "source"}, {}, "Change one with --assume NAME=VALUE."};
  for (const Json& x : r.value("assumptions", Json::array()))
    a.rows.push_back({text(x, "name"), text(x, "value"), text(x, "unit"), text(x, "source")});
  p.sections.push_back({"Assumptions", "", {}, {a}});
  return p;
}

}  // namespace xpusim::html
