// SPDX-License-Identifier: Apache-2.0
// The `validate` report: predicted against measured per scenario on log axes with the +-15% band,
// the signed error per hardware, MAPE per scenario, and every skipped row with its reason.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "xpusim/report/html_pages.h"

namespace xpusim::html {
namespace {

constexpr double kBand = 0.15;  // the ±15% accuracy band the validation targets (docs/validation.md)

Json row_tooltip() {
  return {{{"field", "id"}},
          {{"field", "scenario"}},
          {{"field", "metric"}},
          {{"field", "hardware"}},
          {{"field", "model"}},
          {{"field", "predicted"}, {"format", ",.4~g"}},
          {{"field", "measured"}, {"format", ",.4~g"}},
          {{"field", "unit"}},
          {{"field", "error_pct"}, {"title", "error (%)"}, {"format", "+.1f"}},
          {{"field", "detail"}}};
}

Chart parity_chart(const Json& rows) {
  // Per scenario: the points, and the diagonal with its band over the scenario's range (so each
  // facet's axes span the same values).
  std::map<std::string, std::pair<double, double>> range;
  Json data = Json::array();
  for (const Json& r : rows) {
    const double p = number(r["predicted"]), m = number(r["measured"]);
    if (!(p > 0) || !(m > 0)) continue;
    Json d = r;
    d["layer"] = "row";
    d.erase("assumptions");
    data.push_back(d);
    auto& [lo, hi] = range.try_emplace(r.value("scenario", std::string()), INFINITY, 0.0).first->second;
    lo = std::min({lo, p, m});
    hi = std::max({hi, p, m});
  }
  for (const auto& [scenario, lh] : range) {
    const double lo = lh.first / 1.25, hi = lh.second * 1.25;
    for (double x : {lo, hi})
      data.push_back({{"layer", "band"}, {"scenario", scenario}, {"x", x}, {"y", x},
                      {"y_lo", x * (1 - kBand)}, {"y_hi", x * (1 + kBand)}});
  }
  Json log = {{"type", "log"}, {"nice", false}};
  Json axis = {{"labelOverlap", "greedy"}, {"tickCount", 4}, {"format", "~g"}};
  Json spec = {
      {"data", {{"values", data}}},
      {"facet", {{"field", "scenario"}, {"type", "nominal"}, {"title", nullptr}}},
      {"columns", 3},
      {"spec",
       {{"width", 245},
        {"height", 210},
        {"layer",
         {{{"transform", {{{"filter", "datum.layer == 'band'"}}}},
           {"mark", {{"type", "area"}, {"color", "#48bb78"}, {"opacity", 0.15}}},
           {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}, {"scale", log}, {"title", "measured"}, {"axis", axis}}},
                         {"y", {{"field", "y_lo"}, {"type", "quantitative"}, {"scale", log}, {"title", "predicted"}, {"axis", axis}}},
                         {"y2", {{"field", "y_hi"}}}}}},
          {{"transform", {{{"filter", "datum.layer == 'band'"}}}},
           {"mark", {{"type", "line"}, {"color", "#2f855a"}, {"strokeWidth", 1}, {"strokeDash", {4, 3}}}},
           {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}},
                         {"y", {{"field", "y"}, {"type", "quantitative"}}}}}},
          {{"transform", {{{"filter", "datum.layer == 'row'"}}}},
           {"mark", {{"type", "point"}, {"filled", true}, {"opacity", 0.8}, {"size", 40}}},
           {"encoding", {{"x", {{"field", "measured"}, {"type", "quantitative"}}},
                         {"y", {{"field", "predicted"}, {"type", "quantitative"}}},
                         {"color", {{"field", "hardware"}, {"type", "nominal"}, {"title", "hardware"},
                                    {"scale", {{"scheme", "tableau10"}}}}},
                         {"tooltip", row_tooltip()}}}}}}}},
      {"resolve", {{"scale", {{"x", "independent"}, {"y", "independent"}}}}}};
  return Chart{"Predicted against measured, per scenario",
               "Log axes, each scenario on its own scale (its metrics and units differ: hover a point). "
               "Dashed: prediction = measurement; green band: within ±15%.",
               spec, true};
}

Chart error_chart(const Json& rows) {
  Json data = Json::array();
  for (const Json& r : rows)
    if (r["error_pct"].is_number()) {
      Json d = r;
      d.erase("assumptions");
      data.push_back(d);
    }
  Json band = Json::array({{{"lo", -100 * kBand}, {"hi", 100 * kBand}}});
  Json spec = {
      {"width", kHalfWidth - 150},
      {"height", {{"step", 26}}},
      {"layer",
       {{{"data", {{"values", band}}},
         {"mark", {{"type", "rect"}, {"color", "#48bb78"}, {"opacity", 0.12}}},
         {"encoding", {{"x", {{"field", "lo"}, {"type", "quantitative"}}}, {"x2", {{"field", "hi"}}}}}},
        {{"data", {{"values", data}}},
         {"mark", {{"type", "boxplot"}, {"extent", "min-max"}, {"size", 14}, {"opacity", 0.5},
                   {"median", {{"color", "#1a202c"}}}, {"rule", {{"color", "#718096"}}}}},
         {"encoding", {{"y", {{"field", "hardware"}, {"type", "nominal"}, {"title", nullptr}}},
                       {"x", {{"field", "error_pct"}, {"type", "quantitative"}, {"title", "signed error (%)"}}},
                       {"color", {{"field", "hardware"}, {"type", "nominal"}, {"legend", nullptr},
                                  {"scale", {{"scheme", "tableau10"}}}}}}}},
        {{"data", {{"values", data}}},
         {"mark", {{"type", "tick"}, {"opacity", 0.7}, {"thickness", 1.5}, {"size", 12}}},
         {"encoding", {{"y", {{"field", "hardware"}, {"type", "nominal"}}},
                       {"x", {{"field", "error_pct"}, {"type", "quantitative"}}},
                       {"color", {{"field", "hardware"}, {"type", "nominal"}, {"legend", nullptr}}},
                       {"tooltip", row_tooltip()}}}}}}};
  return Chart{"Error per hardware",
               "Signed error (predicted - measured) / measured of every simulated row: box from the "
               "quartiles, whiskers to the extremes, one tick per row; green: ±15%.",
               spec, false};
}

Chart mape_chart(const Json& by_scenario) {
  const Json by_mape = {{"field", "mape_pct"}, {"op", "max"}, {"order", "descending"}};
  Json spec = {
      {"data", {{"values", by_scenario}}},
      {"width", kHalfWidth - 150},
      {"height", {{"step", 22}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"color", "#4c78a8"}, {"cornerRadiusEnd", 2}}},
         {"encoding", {{"y", {{"field", "key"}, {"type", "nominal"}, {"title", nullptr}, {"sort", by_mape}}},
                       {"x", {{"field", "mape_pct"}, {"type", "quantitative"}, {"title", "MAPE (%)"}}},
                       {"tooltip", {{{"field", "key"}, {"title", "scenario"}},
                                    {{"field", "rows"}},
                                    {{"field", "mape_pct"}, {"title", "MAPE (%)"}, {"format", ".1f"}},
                                    {{"field", "mean_error_pct"}, {"title", "mean error (%)"}, {"format", "+.1f"}},
                                    {{"field", "max_abs_error_pct"}, {"title", "max |error| (%)"}, {"format", ".1f"}}}}}}},
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 10}, {"color", "#4a5568"}}},
         {"encoding", {{"y", {{"field", "key"}, {"type", "nominal"}, {"sort", by_mape}}},
                       {"x", {{"field", "mape_pct"}, {"type", "quantitative"}}},
                       {"text", {{"field", "rows"}, {"format", ",d"}}}}}},
        {{"data", {{"values", Json::array({{{"v", 100 * kBand}}})}}},
         {"mark", {{"type", "rule"}, {"color", "#2f855a"}, {"strokeDash", {4, 3}}}},
         {"encoding", {{"x", {{"field", "v"}, {"type", "quantitative"}}}}}}}}};
  return Chart{"MAPE per scenario", "Mean absolute percentage error; the number is the rows simulated. "
               "Dashed: 15%.", spec, false};
}

}  // namespace

Page validate_page(const Json& r) {
  Page p;
  const Json& s = r.contains("summary") ? r["summary"] : Json::object();
  const Json rows = r.value("rows", Json::array());
  p.title = "validate: " + text(s, "file");
  p.subtitle = fmt::format("{} rows: {} simulated, {} skipped", text(s, "total_rows"), text(s, "simulated"),
                           text(s, "skipped"));
  p.inputs = {{"measurements", text(s, "file")}};
  int within = 0;
  for (const Json& row : rows)
    if (std::fabs(number(row["error_pct"])) <= 100 * kBand) ++within;
  const Json& overall = s.contains("overall") ? s["overall"] : Json::object();
  p.tiles = {{"rows simulated", text(s, "simulated"), "of " + text(s, "total_rows")},
             {"overall MAPE", rows.empty() ? "-" : pretty(number(overall["mape_pct"]), 3) + "%",
              "mean error " + (rows.empty() ? std::string("-") : pretty(number(overall["mean_error_pct"]), 2) + "%")},
             {"within ±15%", rows.empty() ? "-" : pretty(100.0 * within / static_cast<double>(rows.size()), 3) + "%",
              fmt::format("{} of {} rows", within, rows.size())},
             {"rows skipped", text(s, "skipped"), "reasons below"}};
  if (!rows.empty()) {
    p.sections.push_back({"Accuracy", "", {parity_chart(rows)}, {}});
    p.sections.push_back({"Errors", "", {error_chart(rows), mape_chart(s.value("by_scenario", Json::array()))}, {}});
  }
  Section skipped{"Skipped rows", "Rows the simulators could not predict, with the reason; they do not "
                  "enter any error figure.", {}, {}};
  HtmlTable reasons{"By reason", {"rows", "reason"}, {}, ""};
  const Json by_reason = s.value("skipped_by_reason", Json::object());
  for (const auto& [reason, n] : by_reason.items())
    reasons.rows.push_back({pretty(number(n)), reason});
  std::sort(reasons.rows.begin(), reasons.rows.end(), [](const auto& a, const auto& b) { return a[1] < b[1]; });
  HtmlTable each{"Every skipped row", {"id", "line", "reason"}, {}, ""};
  for (const Json& k : r.value("skipped", Json::array()))
    each.rows.push_back({text(k, "id"), text(k, "line"), text(k, "reason")});
  if (each.rows.empty()) each.note = "None: every row was simulated.";
  else skipped.tables.push_back(reasons);
  skipped.tables.push_back(each);
  p.sections.push_back(skipped);
  if (!s.value("ignored_columns", Json::array()).empty()) {
    std::string cols;
    for (const Json& c : s["ignored_columns"]) cols += (cols.empty() ? "" : ", ") + c.get<std::string>();
    p.notes.push_back("Columns outside the schema, ignored: " + cols + ".");
  }
  return p;
}

}  // namespace xpusim::html
