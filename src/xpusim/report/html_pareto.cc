// SPDX-License-Identifier: Apache-2.0
// The `pareto` report: the front in every 2-D projection of the objectives, with the evaluated
// designs it dominates greyed (a bounded sample, chart_data.h DesignSample), each design's
// parameters on hover, and the front as a table.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "xpusim/report/html_pages.h"

namespace xpusim::html {

Page pareto_page(const Json& r, const Json& extra) {
  Page p;
  const Json objectives = r.value("objectives", Json::array());
  const Json front = r.value("designs", Json::array());
  std::vector<std::string> objs;
  std::string obj_text;
  for (const Json& o : objectives) {
    objs.push_back(o.value("metric", std::string()));
    obj_text += (obj_text.empty() ? "" : ", ") + objs.back() + " (" + text(o, "goal") + ")";
  }
  p.title = fmt::format("pareto: {} design{} on the front", front.size(), front.size() == 1 ? "" : "s");
  p.subtitle = "objectives: " + obj_text;
  p.inputs = {{"objectives", obj_text}};
  p.tiles = {{"designs evaluated", text(r, "evaluated"), ""},
             {"feasible", text(r, "feasible"), text(r, "within_constraints") + " within the constraints"},
             {"on the front", std::to_string(front.size()), ""}};
  std::string infeasible;
  const Json infeasible_counts = r.value("infeasible", Json::object());
  double infeasible_total = 0;
  for (const auto& [k, n] : infeasible_counts.items()) {
    infeasible += (infeasible.empty() ? "" : ", ") + k + " " + pretty(number(n));
    infeasible_total += number(n);
  }
  if (!infeasible.empty()) p.tiles.push_back({"infeasible", pretty(infeasible_total), infeasible});

  // Parameters as fields p0, p1, ... (their paths hold dots, which Vega-Lite reads as nesting).
  std::vector<std::string> params;
  auto add_params = [&](const Json& d) {
    const Json ps = d.value("parameters", Json::object());
    for (const auto& [k, v] : ps.items())
      if (std::find(params.begin(), params.end(), k) == params.end()) params.push_back(k);
  };
  for (const Json& d : front) add_params(d);
  const Json sample = extra.is_object() ? extra.value("designs", Json::array()) : Json::array();
  for (const Json& d : sample) add_params(d);
  std::set<std::string> on_front;
  for (const Json& d : front) on_front.insert(d.value("design_id", std::string()));
  auto point = [&](const Json& d, const std::string& group) {
    Json pt = {{"design_id", d["design_id"]}, {"group", group}, {"size", group == "Pareto front" ? 110 : 26}};
    const Json ps = d.value("parameters", Json::object());
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string key = params[i];
      if (!ps.contains(key)) continue;
      pt["p" + std::to_string(i)] = ps[key].is_string() ? ps[key] : Json(ps[key].dump());
    }
    Json ms = d.value("metrics", Json::object());
    ms.update(d.value("per_model_metrics", Json::object()));  // metric@model objectives
    for (size_t i = 0; i < objs.size(); ++i)
      pt["m" + std::to_string(i)] = ms.contains(objs[i]) ? ms[objs[i]] : Json(nullptr);
    return pt;
  };
  Json data = Json::array();
  for (const Json& d : sample) {
    if (on_front.contains(d.value("design_id", std::string()))) continue;
    data.push_back(point(d, d.value("within_constraints", false) ? "dominated" : "outside the constraints"));
  }
  // Front designs with the sample's parameter texts ("8 TB/s") where the sample holds them.
  std::map<std::string, const Json*> by_id;
  for (const Json& d : sample) by_id[d.value("design_id", std::string())] = &d;
  for (const Json& d : front) {
    auto it = by_id.find(d.value("design_id", std::string()));
    Json merged = d;
    if (it != by_id.end()) merged["parameters"] = (*it->second)["parameters"];
    data.push_back(point(merged, "Pareto front"));
  }
  Json tooltip = Json::array({{{"field", "design_id"}, {"title", "design"}}, {{"field", "group"}}});
  for (size_t i = 0; i < objs.size(); ++i)
    tooltip.push_back({{"field", "m" + std::to_string(i)}, {"title", objs[i]}, {"format", ",.4~g"}});
  for (size_t i = 0; i < params.size(); ++i)
    tooltip.push_back({{"field", "p" + std::to_string(i)}, {"title", params[i]}});

  Section s{"The front", "", {}, {}};
  size_t pairs = 0;
  for (size_t a = 0; a < objs.size(); ++a)
    for (size_t b = a + 1; b < objs.size() && pairs < 6; ++b, ++pairs) {
      const std::string fa = "m" + std::to_string(a), fb = "m" + std::to_string(b);
      Json spec = {
          {"data", {{"values", data}}},
          {"width", objs.size() == 2 ? kWideWidth - 340 : kHalfWidth - 60},
          {"height", 320},
          {"transform", {{{"filter", fmt::format("isValid(datum.{}) && isValid(datum.{})", fa, fb)}}}},
          {"mark", {{"type", "point"}, {"filled", true}}},
          {"encoding",
           {{"x", {{"field", fa}, {"type", "quantitative"}, {"title", objs[a] + " (" + text(objectives[a], "goal") + ")"},
                   {"scale", {{"zero", false}}}}},
            {"y", {{"field", fb}, {"type", "quantitative"}, {"title", objs[b] + " (" + text(objectives[b], "goal") + ")"},
                   {"scale", {{"zero", false}}}}},
            {"color", {{"field", "group"}, {"type", "nominal"}, {"title", nullptr},
                       {"scale", {{"domain", {"Pareto front", "dominated", "outside the constraints"}},
                                  {"range", {"#e45756", "#a0aec0", "#e2e8f0"}}}},
                       {"legend", {{"orient", "bottom"}}}}},
            {"size", {{"field", "size"}, {"type", "quantitative"}, {"scale", nullptr}, {"legend", nullptr}}},
            {"order", {{"field", "group"}, {"sort", "descending"}}},
            {"tooltip", tooltip}}}};
      s.charts.push_back({fmt::format("{} against {}", objs[b], objs[a]),
                          "Every point a feasible design (hover: its parameters); red: the front of all the "
                          "objectives, so a red point may look dominated in one projection.",
                          spec, objs.size() == 2});
    }
  if (!s.charts.empty() && !data.empty()) {
    if (extra.is_object() && number(extra["every"]) > 1)
      s.intro = fmt::format("{} feasible designs; every {}th of them is drawn (the front in full).",
                            pretty(number(extra["total_feasible"])), pretty(number(extra["every"])));
    p.sections.push_back(s);
  }
  HtmlTable t{"Designs on the front", {"design"}, {}, ""};
  for (const auto& k : params) t.header.push_back(k);
  for (const auto& o : objs) t.header.push_back(o);
  for (const Json& d : front) {
    std::vector<std::string> row = {text(d, "design_id")};
    auto it = by_id.find(d.value("design_id", std::string()));
    const Json ps = it != by_id.end() ? (*it->second)["parameters"] : d.value("parameters", Json::object());
    Json ms = d.value("metrics", Json::object());
    ms.update(d.value("per_model_metrics", Json::object()));  // metric@model objectives
    for (const auto& k : params) row.push_back(ps.contains(k) ? (ps[k].is_string() ? ps[k].get<std::string>() : ps[k].dump()) : "-");
    for (const auto& o : objs) row.push_back(text(ms, o));
    t.rows.push_back(row);
  }
  p.sections.push_back({"Designs on the front", "", {}, {t}});
  if (r.contains("assumptions")) p.notes.push_back(text(r, "assumptions"));
  return p;
}

}  // namespace xpusim::html
