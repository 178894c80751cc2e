// SPDX-License-Identifier: Apache-2.0
// The `run` report (the roofline with every operator on it, time per operator and layer for the
// prefill and a decode step, memory against capacity, time by binding resource) and the
// `compare` report (tokens/s per device and per dollar of each preset, with what binds it).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "xpusim/report/html_pages.h"

namespace xpusim::html {
namespace {

// Fixed colours per binding resource (perf_result.h Bound), the same in every chart.
Json bound_scale() {
  return {{"domain", {"matrix", "vector", "special", "dram", "l2", "link", "latency"}},
          {"range", {"#4c78a8", "#72b7b2", "#b279a2", "#f58518", "#eeca3b", "#54a24b", "#9d9da1"}}};
}

std::string layer_label(const Json& op) {
  const std::string layer = op.value("layer", std::string());
  return layer.empty() ? "outside layers" : layer + " layers";
}

Chart roofline_chart(const Json& result, const Json& roof) {
  std::map<std::string, double> phase_ms;
  for (const Json& op : result["ops"]) phase_ms[op.value("phase", std::string())] += number(op["time_ms"]);
  Json points = Json::array();
  std::vector<std::string> off;
  double lo = INFINITY, hi = 0, ylo = INFINITY;
  for (const Json& op : result["ops"]) {
    const double flop = number(op["flop"]), bytes = number(op["dram_bytes"]);
    const double t_s = number(op["time_ms"]) / 1e3;
    if (!(flop > 0) || !(bytes > 0) || !(t_s > 0)) {
      off.push_back(op.value("name", std::string()) + " (" + op.value("phase", std::string()) + ")");
      continue;
    }
    const double ai = flop / bytes, tflops = flop / t_s / 1e12;
    lo = std::min(lo, ai);
    hi = std::max(hi, ai);
    ylo = std::min(ylo, tflops);
    const double phase_total = phase_ms[op.value("phase", std::string())];
    points.push_back({{"op", op["name"]}, {"phase", op["phase"]}, {"layer", layer_label(op)},
                      {"kind", op["kind"]}, {"count", op["count"]}, {"time_ms", op["time_ms"]},
                      {"share", phase_total > 0 ? t_s * 1e3 / phase_total : 0.0},
                      {"ai", ai}, {"tflops", tflops}, {"bound", op["bound"]},
                      {"utilization", op["utilization"]}});
  }
  const double matrix = number(roof["matrix_tflops"]), vector = number(roof["vector_tflops"]);
  const double dram = number(roof["dram_tb_per_s"]);  // TB/s x FLOP/B = TFLOP/s
  const double l2 = number(roof["l2_tb_per_s"]);
  const double knee = matrix / dram;
  lo = std::min(lo, knee) / 4;
  hi = std::max({hi, knee, std::isfinite(l2) ? matrix / l2 : 0.0}) * 4;
  // Roofs: min(peak, bandwidth x intensity), straight on log axes between these intensities.
  Json roofs = Json::array();
  auto roof_line = [&](const std::string& name, double peak, double bw) {
    for (double x : {lo, peak / bw, hi})
      if (x >= lo && x <= hi) roofs.push_back({{"roof", name}, {"ai", x}, {"tflops", std::min(peak, bw * x)}});
  };
  const std::string prec = roof.value("precision", std::string());
  const std::string matrix_name = fmt::format("{} matrix {} TFLOP/s · DRAM {} TB/s", prec,
                                              pretty(matrix, 4), pretty(dram, 3));
  const std::string vector_name = fmt::format("vector fp32 {} TFLOP/s", pretty(vector, 3));
  roof_line(matrix_name, matrix, dram);
  roof_line(vector_name, vector, dram);
  std::string l2_name;
  if (std::isfinite(l2) && l2 > 0) {
    l2_name = fmt::format("matrix over L2 {} TB/s", pretty(l2, 3));
    roof_line(l2_name, matrix, l2);
  }
  const double ymin = std::min(ylo, vector) / 4;
  Json roof_domain = {matrix_name, vector_name};
  Json roof_dash = {Json::array(), {6, 3}};
  if (!l2_name.empty()) {
    roof_domain.push_back(l2_name);
    roof_dash.push_back({2, 2});
  }
  Json x = {{"field", "ai"}, {"type", "quantitative"}, {"title", "arithmetic intensity (FLOP per DRAM byte)"},
            {"scale", {{"type", "log"}, {"domain", {lo, hi}}, {"nice", false}}},
            {"axis", {{"format", "~g"}, {"values", log_ticks(lo, hi)}}}};
  Json y = {{"field", "tflops"}, {"type", "quantitative"}, {"title", "achieved TFLOP/s"},
            {"scale", {{"type", "log"}, {"domain", {ymin, matrix * 2}}, {"nice", false}}},
            {"axis", {{"format", "~g"}, {"values", log_ticks(ymin, matrix * 2)}}}};
  Json spec = {
      {"width", kWideWidth - 300},
      {"height", 380},
      {"layer",
       {{{"data", {{"values", roofs}}},
         {"mark", {{"type", "line"}, {"clip", true}, {"color", "#2d3748"}}},
         {"encoding",
          {{"x", x},
           {"y", y},
           {"detail", {{"field", "roof"}}},
           {"strokeDash", {{"field", "roof"}, {"type", "nominal"}, {"title", "roofs"},
                           {"scale", {{"domain", roof_domain}, {"range", roof_dash}}},
                           {"legend", {{"orient", "right"}, {"symbolType", "stroke"}, {"labelLimit", 300},
                                       {"symbolStrokeColor", "#2d3748"}}}}}}}},
        {{"data", {{"values", points}}},
         {"mark", {{"type", "point"}, {"filled", true}, {"opacity", 0.85}, {"stroke", "#fff"}, {"strokeWidth", 0.6}}},
         {"encoding",
          {{"x", {{"field", "ai"}, {"type", "quantitative"}}},
           {"y", {{"field", "tflops"}, {"type", "quantitative"}}},
           {"color", {{"field", "phase"}, {"type", "nominal"}, {"title", "phase"},
                      {"scale", {{"domain", {"prefill", "decode"}}, {"range", {"#4c78a8", "#f58518"}}}}}},
           {"shape", {{"field", "kind"}, {"type", "nominal"}, {"title", "operator kind"}}},
           {"size", {{"field", "share"}, {"type", "quantitative"}, {"title", "share of phase time"},
                     {"scale", {{"domain", {0, 0.5}}, {"range", {25, 600}}, {"clamp", true}}},
                     {"legend", {{"format", ".0%"}, {"values", {0.05, 0.2, 0.5}}}}}},
           {"tooltip",
            {{{"field", "op"}, {"title", "operator"}},
             {{"field", "phase"}},
             {{"field", "layer"}},
             {{"field", "kind"}},
             {{"field", "count"}, {"title", "executions"}, {"format", ",.0f"}},
             {{"field", "time_ms"}, {"title", "time (ms)"}, {"format", ",.4~g"}},
             {{"field", "share"}, {"title", "share of the phase"}, {"format", ".1%"}},
             {{"field", "tflops"}, {"title", "achieved TFLOP/s"}, {"format", ",.4~g"}},
             {{"field", "ai"}, {"title", "FLOP per DRAM byte"}, {"format", ",.4~g"}},
             {{"field", "bound"}, {"title", "bound by"}},
             {{"field", "utilization"}, {"title", "utilization of the bound"}, {"format", ".0%"}}}}}}}}},
      {"resolve", {{"scale", {{"strokeDash", "independent"}}}}}};
  std::string note =
      "One point per operator, over all its executions in the step on one device: intensity = "
      "FLOP / DRAM bytes, achieved = FLOP / time (the model's). Roofs: min(peak, bandwidth x "
      "intensity) from the hardware spec. Point size: the operator's share of its phase's time.";
  if (!off.empty()) {
    note += " Not on the roofline (no arithmetic or no DRAM traffic; in the time chart below): ";
    for (size_t i = 0; i < off.size(); ++i) note += (i ? ", " : "") + off[i];
    note += ".";
  }
  return Chart{"Roofline: every operator of the prefill and of a decode step", note, spec, true};
}

Chart time_chart(const Json& result) {
  Json rows = Json::array();
  std::map<std::string, double> total;
  for (const Json& op : result["ops"]) total[op.value("phase", std::string())] += number(op["time_ms"]);
  int order = 0;
  for (const Json& op : result["ops"]) {
    const std::string phase = op.value("phase", std::string());
    const double t = number(op["time_ms"]);
    rows.push_back({{"phase", phase == "prefill"
                                  ? fmt::format("prefill: {} ms", pretty(total[phase], 4))
                                  : fmt::format("one decode step: {} ms", pretty(total[phase], 4))},
                    {"layer", layer_label(op)}, {"op", op["name"]}, {"order", order++},
                    {"time_ms", t}, {"share", total[phase] > 0 ? t / total[phase] : 0.0},
                    {"count", op["count"]}, {"bound", op["bound"]}, {"utilization", op["utilization"]}});
  }
  Json bar = {
      {"mark", {{"type", "bar"}, {"stroke", "#fff"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"y", {{"field", "layer"}, {"type", "nominal"}, {"title", nullptr}, {"sort", "-x"}}},
        {"x", {{"field", "time_ms"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", "time per device (ms)"}}},
        {"color", {{"field", "op"}, {"type", "nominal"}, {"title", "operator"},
                   {"scale", {{"scheme", "tableau20"}}}, {"sort", {{"field", "order"}}},
                   {"legend", {{"orient", "bottom"}, {"columns", 6}, {"symbolType", "square"}}}}},
        {"order", {{"field", "order"}}},
        {"tooltip",
         {{{"field", "op"}, {"title", "operator"}},
          {{"field", "layer"}},
          {{"field", "count"}, {"title", "executions"}, {"format", ",.0f"}},
          {{"field", "time_ms"}, {"title", "time (ms)"}, {"format", ",.4~g"}},
          {{"field", "share"}, {"title", "share of the phase"}, {"format", ".1%"}},
          {{"field", "bound"}, {"title", "bound by"}},
          {{"field", "utilization"}, {"title", "utilization"}, {"format", ".0%"}}}}}}};
  Json spec = {{"data", {{"values", rows}}},
               {"facet", {{"column", {{"field", "phase"}, {"type", "nominal"}, {"title", nullptr},
                                      {"sort", {{"field", "order"}, {"op", "min"}}}}}}},
               {"spec", {{"width", (kWideWidth - 360) / 2}, {"height", {{"step", 34}}}}},
               {"resolve", {{"scale", {{"x", "independent"}}}}}};
  for (auto it = bar.begin(); it != bar.end(); ++it) spec["spec"][it.key()] = it.value();
  return Chart{"Time per operator and layer group: prefill and one decode step", 
               "Stacked by operator (all layers of a group together, one device; with pp > 1 one "
               "pipeline stage). The decode step is the one at mid generation; each panel has its "
               "own scale.",
               spec, true};
}

Chart memory_chart(const Json& result) {
  const Json& m = result["memory"];
  Json rows = Json::array();
  int i = 0;
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"weights_bytes", "weights"}, {"kv_cache_bytes", "KV cache"},
           {"activation_bytes", "activations"}, {"workspace_bytes", "runtime workspace"}})
    rows.push_back({{"what", label}, {"gb", number(m[key]) / 1e9}, {"order", i++}});
  Json rules = Json::array();
  const double capacity = number(m["capacity_bytes"]) / 1e9;
  rules.push_back({{"what", "capacity " + pretty(capacity) + " GB"}, {"gb", capacity}, {"dy", 30}});
  if (m["usable_bytes"].is_number())
    rules.push_back({{"what", "usable " + pretty(number(m["usable_bytes"]) / 1e9) + " GB"},
                     {"gb", number(m["usable_bytes"]) / 1e9}, {"dy", -30}});
  Json spec = {
      {"width", kHalfWidth - 20},
      {"height", 90},
      {"layer",
       {{{"data", {{"values", rows}}},
         {"mark", {{"type", "bar"}, {"height", 30}}},
         {"encoding",
          {{"x", {{"field", "gb"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", "GB per device"}}},
           {"color", {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}, {"sort", {{"field", "order"}}},
                      {"legend", {{"orient", "bottom"}, {"columns", 4}}},
                      {"scale", {{"range", {"#4c78a8", "#f58518", "#54a24b", "#b279a2"}}}}}},
           {"order", {{"field", "order"}}},
           {"tooltip", {{{"field", "what"}}, {{"field", "gb"}, {"title", "GB"}, {"format", ",.2f"}}}}}}},
        {{"data", {{"values", rules}}},
         {"mark", {{"type", "rule"}, {"color", "#c53030"}, {"strokeWidth", 2}, {"strokeDash", {4, 3}}}},
         {"encoding", {{"x", {{"field", "gb"}, {"type", "quantitative"}}},
                       {"tooltip", {{{"field", "what"}}, {{"field", "gb"}, {"title", "GB"}, {"format", ",.2f"}}}}}}}}}};
  // A label per rule, above the bar for the usable memory and below it for the capacity.
  for (const Json& rule : rules)
    spec["layer"].push_back({{"data", {{"values", Json::array({rule})}}},
                             {"mark", {{"type", "text"}, {"align", "right"}, {"dx", -4}, {"dy", rule["dy"]},
                                       {"fontSize", 10}, {"color", "#c53030"}}},
                             {"encoding", {{"x", {{"field", "gb"}, {"type", "quantitative"}}},
                                           {"text", {{"field", "what"}}}}}});
  return Chart{"Memory per device against capacity",
               fmt::format("Largest batch that fits these lengths: {}. Usable = the memory "
                           "the weights, workspace, activations and the engine's KV budget may "
                           "take.", text(m, "max_batch")),
               spec, false};
}

Chart bound_chart(const Json& result) {
  std::map<std::pair<std::string, std::string>, double> t;
  std::map<std::string, double> total;
  for (const Json& op : result["ops"]) {
    const std::string phase = op.value("phase", std::string());
    t[{phase == "prefill" ? "prefill" : "decode step", op.value("bound", std::string())}] += number(op["time_ms"]);
    total[phase == "prefill" ? "prefill" : "decode step"] += number(op["time_ms"]);
  }
  Json rows = Json::array();
  for (const auto& [k, v] : t)
    rows.push_back({{"phase", k.first}, {"bound", k.second}, {"time_ms", v},
                    {"share", total[k.first] > 0 ? v / total[k.first] : 0.0}});
  Json spec = {
      {"data", {{"values", rows}}},
      {"width", kHalfWidth - 140},
      {"height", {{"step", 30}}},
      {"mark", {{"type", "bar"}, {"stroke", "#fff"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"y", {{"field", "phase"}, {"type", "nominal"}, {"title", nullptr}, {"sort", {"prefill", "decode step"}}}},
        {"x", {{"field", "share"}, {"type", "quantitative"}, {"stack", "normalize"},
               {"title", "share of the phase's time"}, {"axis", {{"format", ".0%"}}}}},
        {"color", {{"field", "bound"}, {"type", "nominal"}, {"title", "bound by"}, {"scale", bound_scale()}}},
        {"tooltip", {{{"field", "phase"}}, {{"field", "bound"}, {"title", "bound by"}},
                     {{"field", "time_ms"}, {"title", "time (ms)"}, {"format", ",.4~g"}},
                     {{"field", "share"}, {"format", ".1%"}}}}}}};
  return Chart{"What binds the time",
               "Each operator's time attributed to the resource that bounds it (matrix or vector "
               "arithmetic, DRAM, L2, interconnect link, fixed latency).",
               spec, false};
}

}  // namespace

Page run_page(const Json& r, const Json& extra) {
  Page p;
  p.title = fmt::format("run: {} on {} x {}", text(r, "model"), text(r, "devices"), text(r, "hardware"));
  const Json& prec = r.contains("precision") ? r["precision"] : Json::object();
  p.subtitle = fmt::format("static batch {} of {} input / {} output tokens; tp {}, pp {}, ep {}; "
                           "{} weights, {} KV cache; runtime {}",
                           text(r, "batch"), text(r, "input_len"), text(r, "output_len"),
                           text(r, "tp"), text(r, "pp"), text(r, "ep"), text(prec, "weights"),
                           text(prec, "kv_cache"), text(r, "runtime"));
  p.inputs = {{"hardware", text(r, "hardware")}, {"model", text(r, "model")},
              {"plan", fmt::format("devices {}, tp {} x pp {}, replicas {}", text(r, "devices"),
                                   text(r, "tp"), text(r, "pp"), text(r, "replicas"))},
              {"precision", fmt::format("weights {}, activations {}, KV {}; matrix engines run {}",
                                        text(prec, "weights"), text(prec, "activations"),
                                        text(prec, "kv_cache"), text(prec, "math_execution"))}};
  const bool feasible = r.value("feasible", false);
  const Json& m = r.contains("memory") ? r["memory"] : Json::object();
  if (feasible) {
    p.tiles = {{"TTFT", pretty(number(r["ttft_ms"]), 4) + " ms", "time to first token"},
               {"TPOT", pretty(number(r["tpot_ms"]), 3) + " ms", "time per output token"},
               {"end-to-end latency", pretty(number(r["e2e_latency_ms"]) / 1e3, 3) + " s", ""},
               {"output tokens/s", pretty(number(r["output_tokens_per_s"])),
                pretty(number(r["output_tokens_per_s_per_device"])) + " per device"},
               {"memory used", pretty((number(m["weights_bytes"]) + number(m["kv_cache_bytes"]) +
                                       number(m["activation_bytes"]) + number(m["workspace_bytes"])) / 1e9) + " GB",
                "of " + pretty(number(m["capacity_bytes"]) / 1e9) + " GB per device"}};
    if (r["cost_per_million_output_tokens_usd"].is_number())
      p.tiles.push_back({"cost per million output tokens",
                         "$" + pretty(number(r["cost_per_million_output_tokens_usd"]), 3),
                         pretty(number(r["energy_per_output_token_j"]), 3) + " J per token"});
  } else {
    if (r["largest_feasible_batch"].is_number())
      p.tiles.push_back({"largest batch that fits", text(r, "largest_feasible_batch"), "with this plan"});
    if (r["smallest_feasible_tp"].is_number())
      p.tiles.push_back({"smallest plan that fits", fmt::format("tp {} x pp {}", text(r, "smallest_feasible_tp"),
                                                               text(r, "smallest_feasible_pp")), "for this batch"});
  }
  const bool has_ops = r.contains("ops") && r["ops"].is_array() && !r["ops"].empty();
  if (has_ops) {
    p.sections.push_back({"Roofline", "", {roofline_chart(r, extra)}, {}});
    p.sections.push_back({"Where the time goes", "", {time_chart(r)}, {}});
  }
  Section mem{has_ops ? "Memory and binding resources" : "Memory", "", {memory_chart(r)}, {}};
  if (has_ops) mem.charts.push_back(bound_chart(r));
  p.sections.push_back(mem);
  if (r.contains("economics") && r["economics"].is_object() &&
      r["economics"]["device_price_usd"].is_number()) {
    const Json& e = r["economics"];
    p.notes.push_back(fmt::format("Device price ${} ({}); electricity ${}/kWh, PUE {}, lifetime {} years.",
                                  text(e, "device_price_usd"), text(e, "device_price_source"),
                                  text(e, "electricity_usd_per_kwh"), text(e, "pue"), text(e, "lifetime_years")));
  }
  return p;
}

// ---- compare -------------------------------------------------------------------------------------
Page compare_page(const Json& r, const Json& extra) {
  Page p;
  p.title = fmt::format("compare: {} on every hardware preset", text(r, "model"));
  p.subtitle = fmt::format("static batch {} of {} input / {} output tokens, {} weights",
                           text(r, "batch"), text(r, "input_len"), text(r, "output_len"), text(r, "precision"));
  p.inputs = {{"model", text(r, "model")},
              {"workload", fmt::format("batch {}, {} in / {} out", text(r, "batch"), text(r, "input_len"),
                                       text(r, "output_len"))},
              {"precision", text(r, "precision")}};
  const Json& prices = extra.contains("prices") ? extra["prices"] : Json::object();
  Json rows = Json::array();
  HtmlTable infeasible{"Presets without an answer", {"hardware", "tp", "devices", "reason"}, {}, ""};
  std::vector<std::string> unpriced;
  for (const Json& row : r["ranking"]) {
    const std::string hw = row.value("hardware", std::string());
    if (!row.value("feasible", false)) {
      const std::string why = row.contains("error") ? text(row, "error")
                                                    : text(row, "infeasible_reason") + ": " + text(row, "infeasible_detail");
      infeasible.rows.push_back({hw, text(row, "tp"), text(row, "devices"), why});
      continue;
    }
    const std::string decode = row.value("decode_bound", std::string());
    const std::string prefill = row.value("prefill_bound", std::string());
    Json d = {{"hardware", hw}, {"rank", row["rank"]}, {"tp", row["tp"]}, {"devices", row["devices"]},
              {"per_device", row["output_tokens_per_s_per_device"]},
              {"tokens_per_s", row["output_tokens_per_s"]},
              {"ttft_ms", row["ttft_ms"]}, {"tpot_ms", row["tpot_ms"]},
              {"decode_bound", decode.substr(0, decode.find(' '))}, {"decode_bound_text", decode},
              {"prefill_bound_text", prefill}};
    if (prices.contains(hw) && prices[hw].contains("device_price_usd")) {
      const double price = number(prices[hw]["device_price_usd"]);
      d["price_usd"] = price;
      d["per_usd"] = number(row["output_tokens_per_s_per_device"]) / price;
    } else {
      unpriced.push_back(hw + (prices.contains(hw) ? " (" + text(prices[hw], "unavailable") + ")" : ""));
    }
    rows.push_back(d);
  }
  Json tooltip = {{{"field", "hardware"}},
                  {{"field", "rank"}},
                  {{"field", "tp"}},
                  {{"field", "devices"}},
                  {{"field", "per_device"}, {"title", "output tokens/s per device"}, {"format", ",.0f"}},
                  {{"field", "tokens_per_s"}, {"title", "output tokens/s"}, {"format", ",.0f"}},
                  {{"field", "ttft_ms"}, {"title", "TTFT (ms)"}, {"format", ",.4~g"}},
                  {{"field", "tpot_ms"}, {"title", "TPOT (ms)"}, {"format", ",.4~g"}},
                  {{"field", "decode_bound_text"}, {"title", "decode bound by"}},
                  {{"field", "prefill_bound_text"}, {"title", "prefill bound by"}},
                  {{"field", "price_usd"}, {"title", "device price (USD, modelled)"}, {"format", ",.0f"}},
                  {{"field", "per_usd"}, {"title", "tokens/s per device per $"}, {"format", ".3~g"}}};
  auto bars = [&](const char* field, const char* title, const char* format, bool priced) {
    Json spec = {
        {"data", {{"values", rows}}},
        {"width", kHalfWidth - 170},
        {"height", {{"step", 20}}},
        {"mark", {{"type", "bar"}, {"cornerRadiusEnd", 2}}},
        {"encoding",
         {{"y", {{"field", "hardware"}, {"type", "nominal"}, {"title", nullptr}, {"sort", "-x"}}},
          {"x", {{"field", field}, {"type", "quantitative"}, {"title", title}, {"axis", {{"format", format}}}}},
          {"color", {{"field", "decode_bound"}, {"type", "nominal"}, {"title", "decode bound by"},
                     {"scale", bound_scale()}, {"legend", {{"orient", "bottom"}}}}},
          {"tooltip", tooltip}}}};
    if (priced) spec["transform"] = {{{"filter", "isValid(datum.per_usd)"}}};
    return spec;
  };
  Section s{"Throughput", "", {}, {}};
  s.charts.push_back({"Output tokens/s per device",
                      "Each preset on the smallest tensor-parallel degree that fits (or --tp/--devices); "
                      "colour: the resource binding the largest share of a decode step.",
                      bars("per_device", "output tokens/s per device", ",.0f", false), false});
  std::string note = fmt::format("Tokens/s per device divided by the modelled device price: "
                                 "manufacturing + NRE per unit / (1 - {} gross margin), as `run` "
                                 "prices a device without --device-price.",
                                 pretty(number(extra.value("gross_margin", Json(nullptr))) * 100, 3) + "%");
  if (!unpriced.empty()) {
    note += " Not priced: ";
    for (size_t i = 0; i < unpriced.size(); ++i) note += (i ? ", " : "") + unpriced[i];
    note += ".";
  }
  s.charts.push_back({"Output tokens/s per device per dollar", note,
                      bars("per_usd", "output tokens/s per device per $ of device price", ".3~g", true), false});
  if (!rows.empty()) {
    p.tiles.push_back({"best per device", rows[0].value("hardware", std::string()),
                       pretty(number(rows[0]["per_device"])) + " tokens/s"});
    p.sections.push_back(s);
  }
  if (!infeasible.rows.empty()) p.sections.push_back({"Presets without an answer", "", {}, {infeasible}});
  p.tiles.push_back({"presets ranked", std::to_string(rows.size()),
                     std::to_string(infeasible.rows.size()) + " without an answer"});
  return p;
}

}  // namespace xpusim::html
