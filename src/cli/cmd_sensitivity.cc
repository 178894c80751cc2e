// SPDX-License-Identifier: Apache-2.0
// `xpusim sensitivity`: the elasticity d ln(metric) / d ln(field) of a design's figures with
// respect to every numeric hardware field, by central differences (dse/sensitivity.h), ranked by
// |elasticity|, with the run's prefill and decode bounds. Flags as `run`; JSON keys a contract.
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/base/text.h"
#include "xpusim/config/precision.h"
#include "xpusim/dse/sensitivity.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/workload/parallelism_plan.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"
#include "xpusim/units/unit_parser.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void flag_error(const std::string& flag, const std::string& message) {
  throw InputError(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

// Requests a serve evaluation simulates unless --requests says (as the space's scenario.requests).
constexpr int64_t kDefaultServeRequests = 1000;

constexpr RealBound kStepBound{0, 0.5, "", "relative step; beyond 50% a difference is no "
                               "derivative", true, false};

const std::vector<Metric> kDefaultMetrics = {
    Metric::kOutputTokensPerSPerDevice, Metric::kTtftMs,        Metric::kTpotMs,
    Metric::kManufacturingCostUsd,      Metric::kTotalAreaMm2, Metric::kAveragePowerW};
// A serve scenario's: the serving figures the issue names (requests/s, goodput, tail latencies).
const std::vector<Metric> kDefaultServeMetrics = {Metric::kRequestsPerS, Metric::kGoodputRequestsPerS,
                                                  Metric::kTtftP99Ms, Metric::kTpotP99Ms};

struct SensitivityOptions {
  std::string hardware;
  std::string model;
  std::string scenario;  // static | serve; "" = serve when a serve flag is given
  int devices = 0;  // 0 = tp x pp
  int tp = 1, pp = 1;
  std::optional<int64_t> batch;
  std::optional<int64_t> input_len;
  std::optional<int64_t> output_len;
  std::string precision = "bf16";
  std::string kv_precision;
  std::vector<std::string> metrics;
  double step = kDefaultSensitivityStep;
  // Serve (as `xpusim serve`): engine profile, requests, arrivals, SLOs, seed.
  std::optional<std::string> engine;
  std::optional<std::string> dataset;
  std::optional<int64_t> requests;
  std::optional<double> rate;
  std::optional<int64_t> concurrency;
  std::optional<double> slo_ttft_ms;
  std::optional<double> slo_tpot_ms;
  std::optional<int64_t> seed;

  [[nodiscard]] bool serve_flag_given() const {
    return engine || dataset || requests || rate || concurrency || slo_ttft_ms || slo_tpot_ms || seed;
  }
  [[nodiscard]] bool serve() const {
    return scenario == "serve" || (scenario.empty() && serve_flag_given());
  }
};

void check_precision(const std::string& flag, const std::string& text) {
  if (precision_from_string(text)) return;
  std::string msg = fmt::format("unknown precision \"{}\"; allowed: {}", text, join(precision_names()));
  if (auto m = closest_match(text, precision_names())) msg += fmt::format(" (did you mean \"{}\"?)", *m);
  flag_error(flag, msg);
}

std::vector<Metric> parse_metrics(const std::vector<std::string>& names, bool serve) {
  if (names.empty()) return serve ? kDefaultServeMetrics : kDefaultMetrics;
  std::vector<Metric> out;
  for (const auto& n : names) {
    auto m = metric_from_name(n);
    if (!m) {
      std::string msg = fmt::format("unknown metric \"{}\"; allowed: {}", n, join(metric_names()));
      if (auto c = closest_match(n, metric_names())) msg += fmt::format(" (did you mean \"{}\"?)", *c);
      flag_error("--metric", msg);
    }
    if (std::find(out.begin(), out.end(), *m) != out.end())
      flag_error("--metric", fmt::format("metric \"{}\" is given twice", n));
    out.push_back(*m);
  }
  return out;
}


json number_or_null(double v) { return std::isfinite(v) ? json(round6(v)) : json(nullptr); }

// The asked precision as the base hardware executes it (perf/step_model.h executed_math) and the
// note `run` prints when it differs; nothing when the base hardware or the precision did not load.
struct ExecutedPrecision {
  std::optional<ExecutedMath> math;
  std::optional<std::string> note;
};

ExecutedPrecision executed_precision(const DesignEvaluator& evaluator, const std::string& asked,
                                     const std::string& kv) {
  ExecutedPrecision out;
  const auto hw = evaluator.hardware(0);  // the base design: no parameters applied
  const auto p = precision_from_string(asked);
  if (!hw || !p) return out;
  std::optional<Precision> kv_p;
  if (!kv.empty()) kv_p = precision_from_string(kv);
  const PrecisionPlan plan = precision_plan_for(*p, kv_p);
  out.math = executed_math(*hw, plan);
  out.note = precision_fallback_note(*hw, plan);
  return out;
}

std::string unit_of(const FieldInfo& f) {
  return f.kind == FieldKind::kQuantity && !f.dim.dimensionless() ? dimension_canonical_symbol(f.dim) : "";
}

// The answer's --format json document, through its declared result type "sensitivity"
// (report/result_types.cc): JSON, CSV and the terminal tables come from it.
json sensitivity_json(const SensitivityOptions& o, const SensitivityReport& rep,
                      const ExecutedPrecision& executed) {
  const bool ok = rep.base.feasibility.feasible();
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  ResultJson j("sensitivity");
  j.set("hardware", o.hardware).set("model", o.model);
  j.set("scenario.devices", o.devices > 0 ? o.devices : o.tp * o.pp)
      .set("scenario.tp", o.tp)
      .set("scenario.pp", o.pp)
      .set("scenario.batch", opt(o.batch))
      .set("scenario.input_len", opt(o.input_len))
      .set("scenario.output_len", opt(o.output_len))
      .set("scenario.precision", o.precision)
      .set("scenario.math_execution",
           executed.math ? json(std::string(to_string(executed.math->math))) : json(nullptr))
      .set("scenario.weight_only_fallback",
           executed.math ? json(executed.math->weight_only_fallback) : json(nullptr))
      .set("scenario.kind", o.serve() ? "serve" : "static");
  if (o.serve())
    j.set("scenario.engine", o.engine.value_or("vllm"))
        .set("scenario.dataset", opt(o.dataset))
        .set("scenario.requests", o.requests.value_or(kDefaultServeRequests))
        .set("scenario.rate", opt(o.rate))
        .set("scenario.concurrency", opt(o.concurrency))
        .set("scenario.slo_ttft_ms", opt(o.slo_ttft_ms))
        .set("scenario.slo_tpot_ms", opt(o.slo_tpot_ms))
        .set("scenario.seed", o.seed.value_or(0));
  j.set("feasible", ok);
  j.set("infeasible_reason",
        ok ? json(nullptr) : json(std::string(rep.base.feasibility.reason_name())));
  j.set("infeasible_detail", ok ? json(nullptr) : json(rep.base.feasibility.detail));
  // The static run's phase bounds; a serving run has no single prefill or decode step (null).
  const bool phases = ok && !o.serve();
  j.set("prefill_bound", phases ? json(rep.bounds.prefill) : json(nullptr));
  j.set("decode_bound", phases ? json(rep.bounds.decode) : json(nullptr));
  j.set("step", rep.step);
  json base = json::object();  // a map keyed by metric, in --metric order
  for (Metric m : rep.metrics)
    base[std::string(metric_name(m))] = number_or_null(rep.base.metrics[static_cast<size_t>(m)]);
  j.set("metrics", base);
  json fields = json::array();
  for (size_t i : rank_fields(rep, 0)) {
    const FieldSensitivity& f = rep.fields[i];
    json e = json::object();
    for (size_t k = 0; k < rep.metrics.size(); ++k)
      e[std::string(metric_name(rep.metrics[k]))] = number_or_null(f.elasticity[k]);
    // Integers as integers; quantities and reals with 6 significant digits.
    auto value = [&](double v) {
      return f.field.kind == FieldKind::kInteger ? json(static_cast<int64_t>(v)) : json(round6(v));
    };
    ResultJson r("sensitivity", "fields");
    r.set("path", f.path)
        .set("value", value(f.value))
        .set("unit", unit_of(f.field))
        .set("low", f.low ? value(*f.low) : json(nullptr))
        .set("high", f.high ? value(*f.high) : json(nullptr))
        .set("skipped", f.skipped)
        .set("elasticity", e)
        .set("note", f.note);
    fields.push_back(r.json());
  }
  j.set("fields", fields);
  json ranking = json::object();
  for (size_t k = 0; k < rep.metrics.size(); ++k) {
    json list = json::array();
    for (size_t i : rank_fields(rep, k))
      if (std::isfinite(rep.fields[i].elasticity[k])) list.push_back(rep.fields[i].path);
    ranking[std::string(metric_name(rep.metrics[k]))] = list;
  }
  j.set("ranking", ranking);
  json binding = json::object();
  for (size_t k = 0; k < rep.metrics.size(); ++k) {
    const auto b = binding_field(rep, k);
    binding[std::string(metric_name(rep.metrics[k]))] =
        b ? json{{"field", rep.fields[*b].path},
                 {"elasticity", number_or_null(rep.fields[*b].elasticity[k])}}
          : json(nullptr);
  }
  j.set("binding", binding);
  return j.json();
}

void print_report(const SensitivityOptions& o, const SensitivityReport& rep,
                  const ExecutedPrecision& executed, const GlobalOptions& g) {
  const bool ok = rep.base.feasibility.feasible();
  const json j = sensitivity_json(o, rep, executed);
  if (g.format == "csv") {  // a row per field, the scenario's keys repeated
    if (!ok) std::fprintf(stderr, "INFEASIBLE: %s\n", rep.base.feasibility.to_string().c_str());
    print_tidy_csv(j, g, "fields");
    return;
  }
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  // The terminal: prose for what was asked and what binds, then the field table of the base
  // figures (`metrics.*`) and the record table of `fields` in the JSON's rank, their names the
  // JSON's keys and their numbers by the one rule (report/result_fields.h).
  const ResultType& type = *find_result_type("sensitivity");
  const int devices = o.devices > 0 ? o.devices : o.tp * o.pp;
  std::string workload;
  if (o.serve())
    workload = fmt::format("serve on {}, {} requests{}", o.engine.value_or("vllm"),
                           o.requests.value_or(kDefaultServeRequests),
                           o.dataset ? " from " + *o.dataset : "");
  else
    workload = fmt::format("batch {}", o.batch.value_or(0));
  if (o.input_len) workload += fmt::format(", {} in / {} out", *o.input_len, o.output_len.value_or(0));
  std::printf("sensitivity of %s on %s: %d device%s, tp %d, pp %d, %s, %s\n", o.model.c_str(),
              o.hardware.c_str(), devices, devices == 1 ? "" : "s", o.tp, o.pp, workload.c_str(),
              o.precision.c_str());
  if (executed.note) std::printf("note: %s\n", executed.note->c_str());
  if (!ok) {
    std::printf("INFEASIBLE: %s\nno elasticities: the base design has no figures\n",
                rep.base.feasibility.to_string().c_str());
    return;
  }
  if (!o.serve())
    std::printf("bound: prefill %s, decode %s\n", j.at("prefill_bound").get<std::string>().c_str(),
                j.at("decode_bound").get<std::string>().c_str());
  const std::string first(metric_name(rep.metrics[0]));
  if (const json& b = j.at("binding").at(first); b.is_object() && b.at("elasticity").is_number())
    std::printf("binding: %s (elasticity %s of %s)\n", b.at("field").get<std::string>().c_str(),
                format_number(b.at("elasticity").get<double>(), NumberKind::kMeasure).c_str(),
                first.c_str());
  std::vector<std::string> metric_keys, cols = {"fields.path", "fields.value", "fields.unit"};
  for (Metric m : rep.metrics) {
    metric_keys.push_back("metrics." + std::string(metric_name(m)));
    cols.push_back("fields.elasticity." + std::string(metric_name(m)));
  }
  cols.emplace_back("fields.note");
  const std::vector<std::string_view> base_keys(metric_keys.begin(), metric_keys.end());
  std::fputs(field_table_of(type, j, base_keys).to_text().c_str(), stdout);
  std::printf("\nelasticity d ln(metric) / d ln(field), central differences at +-%g%%, ranked by "
              "|elasticity| of %s (0.5 = 1%% more of the field gives 0.5%% more of the metric); "
              "fields.value in fields.unit\n",
              100.0 * rep.step, first.c_str());
  const std::vector<std::string_view> names(cols.begin(), cols.end());
  std::fputs(value_or_throw(record_table(type, j, "fields", names)).to_text().c_str(), stdout);
}

void run_sensitivity(const SensitivityOptions& o, const GlobalOptions& g) {
  if (!g.overrides.empty())
    flag_error("--set", "sensitivity takes no --set: it perturbs every field of the hardware "
                        "itself; write the design to a hardware/v1 file and pass --hardware FILE");
  check_precision("--precision", o.precision);
  if (!o.kv_precision.empty()) check_precision("--kv-precision", o.kv_precision);
  const bool serve = o.serve();
  if (o.scenario == "static" && o.serve_flag_given())
    flag_error("--scenario", "static takes no serve flags (--engine, --dataset, --requests, --rate, "
                             "--concurrency, --slo-ttft-ms, --slo-tpot-ms, --seed); give "
                             "--scenario serve");
  const std::vector<Metric> metrics = parse_metrics(o.metrics, serve);
  if (o.devices > 0 && o.devices % (o.tp * o.pp) != 0)
    flag_error("--devices", fmt::format("{} devices is not a multiple of tp x pp = {}", o.devices,
                                        o.tp * o.pp));
  // Which flags each scenario needs, as `run` and `serve` ask for them.
  const bool lengths = o.input_len || o.output_len;
  if (serve && o.batch)
    flag_error("--batch", "a serve scenario's engine forms its batches; --batch belongs to the "
                          "static scenario");
  if (serve && o.rate && o.concurrency)
    flag_error("--concurrency", "give --rate or --concurrency, not both");
  if (serve && o.dataset && lengths)
    flag_error("--dataset", "give --dataset or --input-len/--output-len, not both");
  if (!serve && !o.batch) flag_error("--batch", "required for the static scenario (requests in the batch)");
  if (!(serve && o.dataset))
    for (const auto& [flag, v] : {std::pair{"--input-len", o.input_len}, {"--output-len", o.output_len}})
      if (!v)
        flag_error(flag, serve ? "required without --dataset (tokens per request)"
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
    space.requests = o.requests.value_or(kDefaultServeRequests);
    space.rate = o.rate;
    space.concurrency = o.concurrency;
    space.slo_ttft_ms = o.slo_ttft_ms;
    space.slo_tpot_ms = o.slo_tpot_ms;
    space.seed = o.seed.value_or(0);
  }
  space.precision = o.precision;
  space.kv_precision = o.kv_precision;
  space.devices = o.devices;
  auto evaluator = DesignEvaluator::create(space);
  if (!evaluator) {
    Diagnostics diags = evaluator.error();
    for (auto& d : diags)  // scenario checks name the flag they came from
      if (d.file.empty() && d.path == "scenario.input_len") {
        d.file = "<command line>";
        d.path = "--input-len";
      }
    throw InputError(std::move(diags));
  }
  ParallelismPlan plan;
  plan.tp = o.tp;
  plan.pp = o.pp;
  const SensitivityReport rep = sensitivity(*evaluator, plan, metrics, o.step);
  // An invalid base (plan, scenario, a hardware file failing its checks) is bad input; a base
  // that does not fit (memory, reticle, ...) is a valid question with an INFEASIBLE answer.
  const auto& why = rep.base.feasibility.reason;
  if (why && (*why == InfeasibleReason::kInvalid || *why == InfeasibleReason::kParallelism))
    flag_error(*why == InfeasibleReason::kParallelism ? "--tp" : "--hardware",
               rep.base.feasibility.detail);
  print_report(o, rep, executed_precision(*evaluator, o.precision, o.kv_precision), g);
}

}  // namespace

void add_sensitivity_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<SensitivityOptions>();
  auto* cmd = app.add_subcommand(
      "sensitivity", "elasticity of throughput, latency, cost, area and power with respect to "
                     "every numeric hardware field, and what binds");
  cmd->add_option("--hardware", o->hardware, "hardware preset id or file")->required();
  cmd->add_option("--model", o->model, "model preset id or file")->required();
  cmd->add_option("--scenario", o->scenario,
                  "static (a batch, as `run`) or serve (a serving simulation, as `serve`); default "
                  "serve when a serve flag is given, else static")
      ->check(CLI::IsMember({"static", "serve"}));
  bound_int(cmd->add_option("--devices", o->devices, "total devices (default tp x pp)"), bounds::kDevices);
  bound_int(cmd->add_option("--tp", o->tp, "tensor-parallel degree")->capture_default_str(),
            bounds::kParallelDegree);
  bound_int(cmd->add_option("--pp", o->pp, "pipeline-parallel degree")->capture_default_str(),
            bounds::kParallelDegree);
  bound_int(cmd->add_option("--batch", o->batch, "requests in the static batch (static: required)"),
            bounds::kBatch);
  bound_int(cmd->add_option("--input-len", o->input_len,
                            "prompt tokens per request (required; serve: unless --dataset)"),
            bounds::kSequenceTokens);
  bound_int(cmd->add_option("--output-len", o->output_len,
                            "generated tokens per request (required; serve: unless --dataset)"),
            bounds::kSequenceTokens);
  cmd->add_option("--engine", o->engine, "serve: engine profile id or file (default vllm)");
  cmd->add_option("--dataset", o->dataset, "serve: request lengths from a dataset id or file");
  bound_int(cmd->add_option("--requests", o->requests,
                            "serve: requests simulated per evaluation (default 1000)"),
            bounds::kRequests);
  bound_real(cmd->add_option("--rate", o->rate, "serve: Poisson arrivals at this many requests/s "
                                                "(default: all at once)"),
             bounds::kRequestRate);
  bound_int(cmd->add_option("--concurrency", o->concurrency, "serve: closed loop of this many clients"),
            bounds::kConcurrency);
  bound_real(cmd->add_option("--slo-ttft-ms", o->slo_ttft_ms, "serve: TTFT limit of goodput, ms"),
             bounds::kSloMs);
  bound_real(cmd->add_option("--slo-tpot-ms", o->slo_tpot_ms, "serve: TPOT limit of goodput, ms"),
             bounds::kSloMs);
  bound_int(cmd->add_option("--seed", o->seed, "serve: seed of the request lengths and arrivals "
                                               "(default 0)"),
            bounds::kSeed);
  cmd->add_option("--precision", o->precision, "weights/compute precision")->capture_default_str();
  cmd->add_option("--kv-precision", o->kv_precision, "KV-cache precision (default: see --precision)");
  cmd->add_option("--metric", o->metrics,
                  "metric to differentiate (repeatable; default output_tokens_per_s_per_device, "
                  "ttft_ms, tpot_ms, manufacturing_cost_usd, total_area_mm2, average_power_w; "
                  "serve: requests_per_s, goodput_requests_per_s, ttft_p99_ms, tpot_p99_ms); "
                  "the first ranks the fields");
  bound_real(cmd->add_option("--step", o->step, "relative step of the central difference")
                 ->capture_default_str(),
             kStepBound);
  cmd->callback([o, &g] { run_sensitivity(*o, g); });
}

}  // namespace xpusim::cli
