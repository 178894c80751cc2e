// SPDX-License-Identifier: Apache-2.0
// The `serve` report: TTFT, TPOT and end-to-end latency CDFs with the SLO lines; batch, tokens per
// step, queue and KV-cache use over time; for --mlperf server/interactive the p99 latencies of
// every rate the search probed against its throughput, with the limits and the chosen rate.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/report/html_pages.h"

namespace xpusim::html {
namespace {

// One CDF panel: the quantile curve of `cdf` (chart_data.h latency_cdf_json) with a rule at
// `limit_ms` when there is one.
Json cdf_panel(const std::string& title, const Json& cdf, double limit_ms, const std::string& limit_name,
               const std::string& color) {
  Json layers = Json::array();
  layers.push_back(
      {{"data", {{"values", cdf.value("points", Json::array())}}},
       {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"color", color}}},
       {"encoding",
        {{"x", {{"field", "ms"}, {"type", "quantitative"}, {"title", title + " (ms)"},
                {"scale", {{"zero", false}}}}},
         {"y", {{"field", "q"}, {"type", "quantitative"}, {"title", "share of requests at or below"},
                {"axis", {{"format", ".0%"}}}}},
         {"tooltip", {{{"field", "q"}, {"title", "quantile"}, {"format", ".1%"}},
                      {{"field", "ms"}, {"title", title + " (ms)"}, {"format", ",.4~g"}}}}}}});
  // A transparent point per quantile: what the tooltip attaches to.
  layers.push_back({{"data", {{"values", cdf.value("points", Json::array())}}},
                    {"mark", {{"type", "point"}, {"opacity", 0}, {"size", 60}}},
                    {"encoding", {{"x", {{"field", "ms"}, {"type", "quantitative"}}},
                                  {"y", {{"field", "q"}, {"type", "quantitative"}}},
                                  {"tooltip", {{{"field", "q"}, {"title", "quantile"}, {"format", ".1%"}},
                                               {{"field", "ms"}, {"title", title + " (ms)"}, {"format", ",.4~g"}}}}}}});
  if (std::isfinite(limit_ms)) {
    layers.push_back(marker_layer("x", limit_ms, limit_name + " " + pretty(limit_ms, 4) + " ms", "#c53030",
                                  {{"align", "left"}, {"dx", 4}, {"y", 8}}));
  }
  return {{"width", 262}, {"height", 200}, {"layer", layers}};
}

Chart cdf_chart(const Json& r, const Json& extra) {
  const Json& slo = r.contains("slo") ? r["slo"] : Json::object();
  const Json& limits = r.contains("mlperf") && r["mlperf"].is_object() && r["mlperf"].contains("limits")
                           ? r["mlperf"]["limits"] : Json::object();
  auto limit = [&](const char* slo_key, const char* mlperf_key, std::string& name) {
    if (slo.contains(slo_key) && slo[slo_key].is_number()) { name = "SLO"; return number(slo[slo_key]); }
    if (limits.contains(mlperf_key) && limits[mlperf_key].is_number()) { name = "p99 limit"; return number(limits[mlperf_key]); }
    return std::nan("");
  };
  std::string n1, n2, n3;
  const double ttft = limit("ttft_ms", "ttft_p99_ms", n1), tpot = limit("tpot_ms", "tpot_p99_ms", n2);
  const double e2e = limit("e2e_ms", "e2e_p99_ms", n3);
  Json spec = {{"hconcat", {cdf_panel("TTFT", extra["ttft"], ttft, n1, "#4c78a8"),
                            cdf_panel("TPOT", extra["tpot"], tpot, n2, "#f58518"),
                            cdf_panel("end-to-end latency", extra["e2e"], e2e, n3, "#54a24b")}},
               {"spacing", 28}};
  std::string note = fmt::format("Completed requests of the {} run, from the simulator's latency "
                                 "histograms (each quantile within 0.5%). TPOT per request = "
                                 "(latency - TTFT) / (output tokens - 1).",
                                 r.contains("mlperf") ? "reported" : "simulated");
  if (!std::isfinite(ttft) && !std::isfinite(tpot))
    note += " No SLO given (--slo-ttft-ms, --slo-tpot-ms): no limit lines.";
  return Chart{"Latency distributions", note, spec, true};
}

Chart timeline_chart(const Json& timeline) {
  const Json pts = timeline.value("points", Json::array());
  auto panel = [&](Json y, Json mark, Json extra_enc, int height, bool x_title) {
    Json enc = {{"x", {{"field", "t_s"}, {"type", "quantitative"}, {"axis", {{"tickCount", 12}}},
                       {"title", x_title ? Json("simulated time (s)") : Json(nullptr)}}},
                {"y", y},
                {"tooltip", {{{"field", "t_s"}, {"title", "bin start (s)"}, {"format", ",.4~g"}},
                             {{"field", "batch"}, {"title", "mean batch (requests per step)"}, {"format", ",.1f"}},
                             {{"field", "waiting"}, {"title", "mean queue (waiting)"}, {"format", ",.1f"}},
                             {{"field", "tokens_per_step"}, {"title", "mean tokens per step"}, {"format", ",.0f"}},
                             {{"field", "kv_use"}, {"title", "KV-cache use"}, {"format", ".1%"}},
                             {{"field", "clock_ghz"}, {"title", "clock (GHz)"}, {"format", ",.3f"}},
                             {{"field", "power_w"}, {"title", "device power (W)"}, {"format", ",.0f"}},
                             {{"field", "steps"}, {"title", "steps in the bin"}}}}};
    for (auto it = extra_enc.begin(); it != extra_enc.end(); ++it) enc[it.key()] = it.value();
    return Json{{"width", kWideWidth - 130}, {"height", height}, {"mark", mark}, {"encoding", enc}};
  };
  Json batch = panel({{"field", "value"}, {"type", "quantitative"}, {"title", "requests"}},
                     {{"type", "line"}, {"interpolate", "step-after"}},
                     {{"color", {{"field", "series"}, {"type", "nominal"}, {"title", nullptr},
                                 {"scale", {{"domain", {"batch (scheduled per step)", "queue (waiting)"}},
                                            {"range", {"#4c78a8", "#9d9da1"}}}},
                                 {"legend", {{"orient", "top"}}}}}},
                     130, false);
  batch["transform"] = {{{"fold", {"batch", "waiting"}}, {"as", {"key", "value"}}},
                        {{"calculate", "datum.key == 'batch' ? 'batch (scheduled per step)' : 'queue (waiting)'"},
                         {"as", "series"}}};
  Json tokens = panel({{"field", "tokens_per_step"}, {"type", "quantitative"}, {"title", "tokens per step"}},
                      {{"type", "line"}, {"interpolate", "step-after"}, {"color", "#f58518"}}, Json::object(), 110, false);
  Json kv = panel({{"field", "kv_use"}, {"type", "quantitative"}, {"title", "KV-cache use"},
                   {"axis", {{"format", ".0%"}}}, {"scale", {{"domain", {0, 1}}}}},
                  {{"type", "area"}, {"interpolate", "step-after"}, {"color", "#54a24b"}, {"opacity", 0.35},
                   {"line", {{"color", "#54a24b"}}}},
                  Json::object(), 110, false);
  // The clock from 0: a throttled stretch shows against the boost clock of the rest.
  Json clock = panel({{"field", "clock_ghz"}, {"type", "quantitative"}, {"title", "clock (GHz)"},
                      {"scale", {{"zero", true}}}},
                     {{"type", "line"}, {"interpolate", "step-after"}, {"color", "#e45756"}},
                     Json::object(), 90, false);
  Json power = panel({{"field", "power_w"}, {"type", "quantitative"}, {"title", "device power (W)"},
                      {"scale", {{"zero", true}}}},
                     {{"type", "line"}, {"interpolate", "step-after"}, {"color", "#b279a2"}},
                     Json::object(), 90, true);
  Json spec = {{"data", {{"values", pts}}}, {"vconcat", {batch, tokens, kv, clock, power}},
               {"spacing", 14},
               {"resolve", {{"scale", {{"x", "shared"}}}}}};
  return Chart{"Batch, tokens per step, KV-cache use, clock and power over time",
               fmt::format("Every engine iteration of the run ({} steps) binned by start time into "
                           "{} s bins: time-weighted mean batch, KV-cache use, clock (boost, or "
                           "the power limiter's) and power of one device (its kernels at the "
                           "power model's activity power, host time at the busy-idle baseline; "
                           "the limiter holds 1 s windows, not steps, to the TDP), mean tokens "
                           "per step and mean queue, over all engines.",
                           pretty(number(timeline["steps"])), pretty(number(timeline["bin_s"]), 3)),
               spec, true};
}

Chart mlperf_chart(const Json& m) {
  Json probes = Json::array();
  double chosen_tps = std::nan("");
  const double qps = number(m["max_qps"]);
  int i = 0;
  for (const Json& p : m["probes"]) {
    Json q = p;
    q["order"] = i++;
    q["result"] = p.value("pass", false) ? "meets the limits" : "misses a limit";
    probes.push_back(q);
    if (std::fabs(number(p["rate"]) - qps) <= 1e-9 * std::max(1.0, qps)) chosen_tps = number(p["output_tokens_per_s"]);
  }
  const Json& limits = m["limits"];
  auto panel = [&](const char* field, const char* title, const char* limit_key) {
    double lo = INFINITY, hi = 0;
    for (const Json& p : probes) {
      lo = std::min(lo, number(p[field]));
      hi = std::max(hi, number(p[field]));
    }
    if (limits.contains(limit_key) && limits[limit_key].is_number()) {
      lo = std::min(lo, number(limits[limit_key]));
      hi = std::max(hi, number(limits[limit_key]));
    }
    const Json ticks = lo > 0 && hi >= lo ? log_ticks(lo / 1.5, hi * 1.5) : Json::array();
    Json layers = Json::array();
    layers.push_back({{"mark", {{"type", "line"}, {"color", "#a0aec0"}, {"strokeWidth", 1}}},
                      {"encoding", {{"x", {{"field", "output_tokens_per_s"}, {"type", "quantitative"},
                                           {"title", "output tokens/s"}, {"scale", {{"zero", false}}}}},
                                    {"y", {{"field", field}, {"type", "quantitative"}, {"title", title},
                                           {"scale", {{"type", "log"}}},
                                           {"axis", {{"values", ticks}, {"format", ",~g"}}}}},
                                    {"order", {{"field", "output_tokens_per_s"}}}}}});
    layers.push_back(
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}}},
         {"encoding",
          {{"x", {{"field", "output_tokens_per_s"}, {"type", "quantitative"}}},
           {"y", {{"field", field}, {"type", "quantitative"}}},
           {"color", {{"field", "result"}, {"type", "nominal"}, {"title", "probe"},
                      {"scale", {{"domain", {"meets the limits", "misses a limit"}}, {"range", {"#38a169", "#e53e3e"}}}},
                      {"legend", {{"orient", "top"}}}}},
           {"tooltip", {{{"field", "rate"}, {"title", "offered rate (queries/s)"}, {"format", ",.4~g"}},
                        {{"field", "output_tokens_per_s"}, {"title", "output tokens/s"}, {"format", ",.0f"}},
                        {{"field", "ttft_p99_ms"}, {"title", "p99 TTFT (ms)"}, {"format", ",.4~g"}},
                        {{"field", "tpot_p99_ms"}, {"title", "p99 TPOT (ms)"}, {"format", ",.4~g"}},
                        {{"field", "order"}, {"title", "probe #"}}}}}}});
    if (limits.contains(limit_key) && limits[limit_key].is_number()) {
      const double v = number(limits[limit_key]);
      layers.push_back(marker_layer("y", v, "limit " + pretty(v, 4) + " ms", "#c53030",
                                    {{"align", "left"}, {"x", 4}, {"dy", -7}}));
    }
    if (std::isfinite(chosen_tps)) {
      layers.push_back(marker_layer("x", chosen_tps, "chosen: " + pretty(qps, 4) + " queries/s", "#2b6cb0",
                                    {{"align", "right"}, {"dx", -4}, {"y", 8}}, true));
    }
    return Json{{"width", 440}, {"height", 240}, {"layer", layers}};
  };
  Json spec = {{"data", {{"values", probes}}},
               {"hconcat", {panel("ttft_p99_ms", "p99 TTFT (ms)", "ttft_p99_ms"),
                            panel("tpot_p99_ms", "p99 TPOT (ms)", "tpot_p99_ms")}},
               {"spacing", 40}};
  return Chart{fmt::format("MLPerf {} rate search: throughput against p99 latency", text(m, "scenario")),
               fmt::format("Every Poisson rate the bisection simulated (LoadGen's minimum duration each), "
                           "the limits of the benchmark {} and the highest passing rate; binding: {}.",
                           text(m, "benchmark"), text(m, "binding")),
               spec, true};
}

}  // namespace

Page serve_page(const Json& r, const Json& extra) {
  Page p;
  p.title = fmt::format("serve: {} on {} x {}", text(r, "model"), text(r, "devices"), text(r, "hardware"));
  const Json& w = r.contains("workload") ? r["workload"] : Json::object();
  const Json& e = r.contains("engine") ? r["engine"] : Json::object();
  const bool mlperf = r.contains("mlperf") && r["mlperf"].is_object();
  p.subtitle = mlperf ? fmt::format("MLPerf {} scenario of {}; engine {} (runtime {})",
                                    text(r["mlperf"], "scenario"), text(r["mlperf"], "benchmark"),
                                    text(e, "id"), text(e, "runtime"))
                      : fmt::format("{}, {} arrivals; engine {} (runtime {})", text(w, "description"),
                                    text(w, "arrivals"), text(e, "id"), text(e, "runtime"));
  p.inputs = {{"hardware", text(r, "hardware")}, {"model", text(r, "model")},
              {"plan", fmt::format("devices {}, tp {} x pp {}, replicas {}", text(r, "devices"), text(r, "tp"),
                                   text(r, "pp"), text(r, "replicas"))},
              {"engine", fmt::format("{}: max batch {}, token budget {}, chunked prefill {}, {} scheduling",
                                     text(e, "id"), text(e, "max_batch"), text(e, "max_num_tokens"),
                                     text(e, "chunked_prefill"), text(e, "schedule"))},
              {"workload", fmt::format("{}; seed {}", text(w, "description"), text(w, "seed"))}};
  if (!r.value("feasible", false)) return p;
  auto lat = [&](const char* key) { return r.contains(key) ? r[key] : Json::object(); };
  p.tiles = {{"output tokens/s", pretty(number(r["output_tokens_per_s"])),
              pretty(number(r["output_tokens_per_s_per_device"])) + " per device"},
             {"requests", fmt::format("{} / {}", text(r, "completed"), text(r, "requests")),
              "completed / arrived; " + text(r, "rejected") + " rejected"},
             {"TTFT p50 / p99", pretty(number(lat("ttft_ms")["p50"])) + " / " + pretty(number(lat("ttft_ms")["p99"])) + " ms", ""},
             {"TPOT p50 / p99", pretty(number(lat("tpot_ms")["p50"])) + " / " + pretty(number(lat("tpot_ms")["p99"])) + " ms", ""},
             {"goodput", pretty(number(r["goodput_requests_per_s"])) + " req/s", "within the SLO (all without one)"}};
  if (r.contains("kv_cache"))
    p.tiles.push_back({"KV cache peak / mean", fmt::format("{}% / {}%", pretty(100 * number(r["kv_cache"]["peak_utilization"]), 2),
                                                         pretty(100 * number(r["kv_cache"]["mean_utilization"]), 2)),
                       text(r["kv_cache"], "preemptions") + " preemptions"});
  const bool done = r["completed"].is_number() && number(r["completed"]) > 0;
  if (done && extra.is_object()) {
    p.sections.push_back({"Latency", "", {cdf_chart(r, extra)}, {}});
    if (extra.contains("timeline") && !extra["timeline"].value("points", Json::array()).empty())
      p.sections.push_back({"Over time", "", {timeline_chart(extra["timeline"])}, {}});
  }
  if (r.contains("mlperf") && r["mlperf"].is_object() && r["mlperf"].contains("probes") &&
      !r["mlperf"]["probes"].empty()) {
    const Json& m = r["mlperf"];
    p.tiles.push_back({"MLPerf " + text(m, "scenario"), pretty(number(m["tokens_per_s"])) + " tokens/s",
                       pretty(number(m["max_qps"]), 4) + " queries/s; valid: " + text(m, "valid")});
    p.sections.push_back({"MLPerf rate search", "", {mlperf_chart(m)}, {}});
  }
  for (const Json& a : r.value("assumptions", Json::array())) p.notes.push_back("assumed: " + a.get<std::string>());
  if (r.contains("mlperf") && r["mlperf"].contains("notes"))
    for (const Json& n : r["mlperf"]["notes"]) p.notes.push_back(n.get<std::string>());
  return p;
}

}  // namespace xpusim::html
