// SPDX-License-Identifier: Apache-2.0
// `xpusim sensitivity` as a library call: the request checked as the command line reads it, the
// base design's evaluator (dse/design_evaluator.h), the elasticities (dse/sensitivity.h) and the
// answer's document through its declared result type "sensitivity".
#include "xpusim/api/sensitivity.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/base/text.h"
#include "xpusim/config/precision.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"
#include "xpusim/units/unit_parser.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim::api {
namespace {

using detail::BoundChecks;
using detail::guarded;
using detail::input_error;

const std::vector<Metric> kDefaultMetrics = {
    Metric::kOutputTokensPerSPerDevice, Metric::kTtftMs,        Metric::kTpotMs,
    Metric::kManufacturingCostUsd,      Metric::kTotalAreaMm2, Metric::kAveragePowerW};
// A serve scenario's: the serving figures (requests/s, goodput, tail latencies).
const std::vector<Metric> kDefaultServeMetrics = {Metric::kRequestsPerS,
                                                  Metric::kGoodputRequestsPerS,
                                                  Metric::kTtftP99Ms, Metric::kTpotP99Ms};

std::vector<Metric> parse_metrics(const std::vector<std::string>& names, bool serve) {
  if (names.empty()) return serve ? kDefaultServeMetrics : kDefaultMetrics;
  std::vector<Metric> out;
  for (const auto& n : names) {
    auto m = metric_from_name(n);
    if (!m) input_error("--metric", detail::unknown_choice("metric", n, metric_names()));
    if (std::find(out.begin(), out.end(), *m) != out.end())
      input_error("--metric", fmt::format("metric \"{}\" is given twice", n));
    // The serving figures (dse/metrics.h, appended after tokens_per_s_per_w) exist only for a
    // serving run, the MLPerf rate search's only for a space's scenario.mlperf: without them the
    // answer would be a column of nulls.
    const auto at = static_cast<size_t>(*m);
    const bool serving_figure = at >= static_cast<size_t>(Metric::kTtftP99Ms) &&
                                at <= static_cast<size_t>(Metric::kTpotP99OfLimitPct);
    const bool rate_search = at >= static_cast<size_t>(Metric::kMaxRateRequestsPerS) &&
                             at <= static_cast<size_t>(Metric::kTpotP99OfLimitPct);
    if (rate_search)
      input_error("--metric", fmt::format("metric \"{}\" is a figure of an MLPerf rate search "
                                          "(a space's scenario.mlperf); sensitivity has none",
                                          n));
    if (serving_figure && !serve)
      input_error("--metric", fmt::format("metric \"{}\" is a serving figure; this scenario is "
                                          "a static batch (--scenario serve simulates serving)",
                                          n));
    out.push_back(*m);
  }
  return out;
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(round6(v)) : Json(nullptr); }

// The asked precision as the base hardware executes it (perf/step_model.h executed_math) and the
// note `run` prints when it differs; nothing when the base hardware did not load.
struct ExecutedPrecision {
  std::optional<ExecutedMath> math;
  std::optional<std::string> note;
};

ExecutedPrecision executed_precision(const DesignEvaluator& evaluator, const PrecisionPlan& plan) {
  ExecutedPrecision out;
  const auto hw = evaluator.hardware(0);  // the base design: no parameters applied
  if (!hw) return out;
  out.math = executed_math(*hw, plan);
  out.note = precision_fallback_note(*hw, plan);
  return out;
}

std::string unit_of(const FieldInfo& f) {
  return f.kind == FieldKind::kQuantity && !f.dim.dimensionless()
             ? dimension_canonical_symbol(f.dim)
             : "";
}

Json sensitivity_json(const SensitivityRequest& o, const SensitivityReport& rep,
                      const ExecutedPrecision& executed) {
  const bool ok = rep.base.feasibility.feasible();
  auto opt = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  ResultJson j("sensitivity");
  j.set("hardware", o.hardware).set("model", o.model);
  j.set("scenario.devices", o.devices > 0 ? o.devices : o.tp * o.pp)
      .set("scenario.tp", o.tp)
      .set("scenario.pp", o.pp)
      .set("scenario.batch", opt(o.batch))
      .set("scenario.input_len", opt(o.input_len))
      .set("scenario.output_len", opt(o.output_len))
      .set("scenario.precision", o.precision)
      .set("scenario.expert_precision",
           o.expert_precision.empty() ? Json(nullptr) : Json(o.expert_precision))
      .set("scenario.weight_group_size", o.weight_group > 0 ? Json(o.weight_group) : Json(nullptr))
      .set("scenario.math_execution",
           executed.math ? Json(std::string(to_string(executed.math->math))) : Json(nullptr))
      .set("scenario.weight_only_fallback",
           executed.math ? Json(executed.math->weight_only_fallback) : Json(nullptr))
      .set("scenario.precision_note", opt(executed.note))
      .set("scenario.kind", o.serve() ? "serve" : "static");
  if (o.serve())
    j.set("scenario.engine", o.engine.value_or("vllm"))
        .set("scenario.dataset", opt(o.dataset))
        .set("scenario.requests", o.requests.value_or(kDefaultSensitivityServeRequests))
        .set("scenario.rate", opt(o.rate))
        .set("scenario.concurrency", opt(o.concurrency))
        .set("scenario.slo_ttft_ms", opt(o.slo_ttft_ms))
        .set("scenario.slo_tpot_ms", opt(o.slo_tpot_ms))
        .set("scenario.seed", o.seed.value_or(0));
  j.set("feasible", ok);
  j.set("infeasible_reason",
        ok ? Json(nullptr) : Json(std::string(rep.base.feasibility.reason_name())));
  j.set("infeasible_detail", ok ? Json(nullptr) : Json(rep.base.feasibility.detail));
  // The static run's phase bounds; a serving run has no single prefill or decode step (null).
  const bool phases = ok && !o.serve();
  j.set("prefill_bound", phases ? Json(rep.bounds.prefill) : Json(nullptr));
  j.set("decode_bound", phases ? Json(rep.bounds.decode) : Json(nullptr));
  j.set("step", rep.step);
  Json base = Json::object();  // a map keyed by metric, in --metric order
  for (Metric m : rep.metrics)
    base[std::string(metric_name(m))] = number_or_null(rep.base.metrics[static_cast<size_t>(m)]);
  j.set("metrics", base);
  Json fields = Json::array();
  for (size_t i : rank_fields(rep, 0)) {
    const FieldSensitivity& f = rep.fields[i];
    Json e = Json::object();
    for (size_t k = 0; k < rep.metrics.size(); ++k)
      e[std::string(metric_name(rep.metrics[k]))] = number_or_null(f.elasticity[k]);
    // Integers as integers; quantities and reals with 6 significant digits.
    auto value = [&](double v) {
      return f.field.kind == FieldKind::kInteger ? Json(static_cast<int64_t>(v)) : Json(round6(v));
    };
    ResultJson r("sensitivity", "fields");
    r.set("path", f.path)
        .set("value", value(f.value))
        .set("unit", unit_of(f.field))
        .set("low", f.low ? value(*f.low) : Json(nullptr))
        .set("high", f.high ? value(*f.high) : Json(nullptr))
        .set("skipped", f.skipped)
        .set("elasticity", e)
        .set("note", f.note);
    fields.push_back(r.json());
  }
  j.set("fields", fields);
  Json ranking = Json::object();
  for (size_t k = 0; k < rep.metrics.size(); ++k) {
    Json list = Json::array();
    for (size_t i : rank_fields(rep, k))
      if (std::isfinite(rep.fields[i].elasticity[k])) list.push_back(rep.fields[i].path);
    ranking[std::string(metric_name(rep.metrics[k]))] = list;
  }
  j.set("ranking", ranking);
  Json binding = Json::object();
  for (size_t k = 0; k < rep.metrics.size(); ++k) {
    const auto b = binding_field(rep, k);
    binding[std::string(metric_name(rep.metrics[k]))] =
        b ? Json{{"field", rep.fields[*b].path},
                 {"elasticity", number_or_null(rep.fields[*b].elasticity[k])}}
          : Json(nullptr);
  }
  j.set("binding", binding);
  return j.json();
}

Json sensitivity_checked(const SensitivityRequest& o) {
  if (!o.overrides.empty())
    input_error("--set", "sensitivity takes no --set: it perturbs every field of the hardware "
                         "itself; write the design to a hardware/v1 file and pass --hardware FILE");
  if (!o.scenario.empty() && o.scenario != "static" && o.scenario != "serve")
    input_error("--scenario", detail::unknown_choice("scenario", o.scenario, {"static", "serve"}));
  BoundChecks checks;
  if (o.devices != 0) checks.check("--devices", int64_t{o.devices}, bounds::kDevices);  // 0: tp x pp
  checks.check("--tp", int64_t{o.tp}, bounds::kParallelDegree);
  checks.check("--pp", int64_t{o.pp}, bounds::kParallelDegree);
  checks.check("--batch", o.batch, bounds::kBatch);
  checks.check("--input-len", o.input_len, bounds::kSequenceTokens);
  checks.check("--output-len", o.output_len, bounds::kSequenceTokens);
  checks.check("--requests", o.requests, bounds::kRequests);
  checks.check("--rate", o.rate, bounds::kRequestRate);
  checks.check("--concurrency", o.concurrency, bounds::kConcurrency);
  checks.check("--slo-ttft-ms", o.slo_ttft_ms, bounds::kSloMs);
  checks.check("--slo-tpot-ms", o.slo_tpot_ms, bounds::kSloMs);
  checks.check("--seed", o.seed, bounds::kSeed);
  checks.check("--step", o.step, kSensitivityStepBound);
  checks.fail_if_any();
  const PrecisionPlan precision =
      detail::precision_flags(o.precision, o.kv_precision, o.expert_precision, o.weight_group);
  const bool serve = o.serve();
  if (o.scenario == "static" && o.serve_field_given())
    input_error("--scenario", "static takes no serve flags (--engine, --dataset, --requests, "
                              "--rate, --concurrency, --slo-ttft-ms, --slo-tpot-ms, --seed); give "
                              "--scenario serve");
  const std::vector<Metric> metrics = parse_metrics(o.metrics, serve);
  if (o.devices > 0 && o.devices % (o.tp * o.pp) != 0)
    input_error("--devices", fmt::format("{} devices is not a multiple of tp x pp = {}", o.devices,
                                         o.tp * o.pp));
  // Which flags each scenario needs, as `run` and `serve` ask for them.
  const bool lengths = o.input_len || o.output_len;
  if (serve && o.batch)
    input_error("--batch", "a serve scenario's engine forms its batches; --batch belongs to the "
                           "static scenario");
  if (serve && o.rate && o.concurrency)
    input_error("--concurrency", "give --rate or --concurrency, not both");
  if (serve && o.dataset && lengths)
    input_error("--dataset", "give --dataset or --input-len/--output-len, not both");
  if (!serve && !o.batch)
    input_error("--batch", "required for the static scenario (requests in the batch)");
  if (!(serve && o.dataset))
    for (const auto& [flag, v] :
         {std::pair{"--input-len", o.input_len}, {"--output-len", o.output_len}})
      if (!v)
        input_error(flag, serve ? "required without --dataset (tokens per request)"
                                : "required (tokens per request)");
  SpaceSpec space;
  space.hardware = o.hardware;
  space.model = o.model;
  space.kind = serve ? ScenarioKind::kServe : ScenarioKind::kStatic;
  space.batch = o.batch.value_or(1);
  space.input_len = o.input_len.value_or(1);
  space.output_len = o.output_len.value_or(1);
  if (serve) {
    space.engine = o.engine.value_or("vllm");
    space.dataset = o.dataset.value_or("");
    space.requests = o.requests.value_or(kDefaultSensitivityServeRequests);
    space.rate = o.rate;
    space.concurrency = o.concurrency;
    space.slo_ttft_ms = o.slo_ttft_ms;
    space.slo_tpot_ms = o.slo_tpot_ms;
    space.seed = o.seed.value_or(0);
  }
  space.precision = o.precision;
  space.kv_precision = o.kv_precision;
  space.expert_precision = o.expert_precision;
  space.weight_group_size = o.weight_group;
  space.devices = o.devices;
  auto evaluator = DesignEvaluator::create(space);
  if (!evaluator) {
    Diagnostics diags = evaluator.error();
    for (auto& d : diags) {  // scenario checks name the flag they came from
      if (!d.file.empty()) continue;
      if (d.path == "scenario.input_len")
        d.path = "--input-len";
      else if (d.path == "scenario.expert_precision")
        d.path = "--expert-precision";
      else if (d.path == "scenario.weight_group_size")
        d.path = "--weight-group-size";
      else
        continue;
      d.file = "<command line>";
    }
    detail::fail_with(std::move(diags));
  }
  ParallelismPlan plan;
  plan.tp = o.tp;
  plan.pp = o.pp;
  const SensitivityReport rep = xpusim::sensitivity(*evaluator, plan, metrics, o.step);
  // An invalid base (plan, scenario, a hardware file failing its checks) is bad input; a base
  // that does not fit (memory, reticle, ...) is a valid question with an infeasible answer.
  const auto& why = rep.base.feasibility.reason;
  if (why && (*why == InfeasibleReason::kInvalid || *why == InfeasibleReason::kParallelism))
    input_error(*why == InfeasibleReason::kParallelism ? "--tp" : "--hardware",
                rep.base.feasibility.detail);
  return sensitivity_json(o, rep, executed_precision(*evaluator, precision));
}

}  // namespace

Result<Json> sensitivity(const SensitivityRequest& request) {
  return guarded([&] { return sensitivity_checked(request); });
}

}  // namespace xpusim::api
