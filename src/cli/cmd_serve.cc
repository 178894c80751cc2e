// SPDX-License-Identifier: Apache-2.0
// `xpusim serve`: a serving deployment (hardware, model, parallelism, engine profile) under a
// workload (fixed lengths, a benchmark dataset or a replayed trace; offline, Poisson, closed-loop
// or trace arrivals), simulated by serving/ -- latency percentiles, throughput, goodput, KV-cache
// use, energy and cost per output token, and with --mlperf the LoadGen scenario figure. Command
// name, flags and JSON keys are a contract (issue: serving simulator).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/table.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/mlperf.h"
#include "xpusim/serving/router.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/serving/trace_reader.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;

struct ServeOptions {
  std::string hardware, model;
  int devices = 0;
  int tp = 1, pp = 1, ep = 1;
  std::string precision = "bf16", kv_precision;
  std::string runtime;  // default: the engine profile's
  std::string engine = "trtllm";
  // Engine-profile fields: passed as given to the engine schema, which checks them.
  std::optional<std::string> max_batch, max_num_tokens, kv_block_size;
  std::optional<std::string> chunked_prefill;  // on|off
  std::optional<std::string> memory_fraction;
  std::optional<int64_t> input_len, output_len;
  double input_stdev = 0, output_stdev = 0;
  std::string dataset, trace;
  std::optional<int64_t> requests;
  int64_t seed = 0;
  std::optional<double> rate;
  std::optional<int64_t> concurrency;
  std::string mlperf;
  std::optional<double> slo_ttft_ms, slo_tpot_ms;
  std::string disaggregate;
  std::optional<int> decode_tp, decode_pp;
  std::string router = "round_robin";
  std::string timeline;
  std::string html;  // --html FILE
};

[[noreturn]] void input_error(const std::string& flag, const std::string& message) {
  throw InputError(
      Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

Precision parse_precision(const std::string& flag, const std::string& text) {
  if (auto p = precision_from_string(text)) return *p;
  std::string msg = fmt::format("unknown precision \"{}\"; allowed: {}", text,
                                join(precision_names()));
  if (auto m = closest_match(text, precision_names()))
    msg += fmt::format(" (did you mean \"{}\"?)", *m);
  input_error(flag, msg);
}


json latency_json(const LatencySummary& s) {
  if (s.count == 0) return json{{"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr}, {"p99", nullptr}};
  return json{{"mean", round6(units::to_ms(s.mean))},
              {"p50", round6(units::to_ms(s.p50))},
              {"p90", round6(units::to_ms(s.p90))},
              {"p99", round6(units::to_ms(s.p99))}};
}

// A loader's diagnostics, reported under the flag that named the input when they point nowhere
// else (an unknown preset id, an override from a flag).
template <class T>
T loaded_or_throw(Result<T> r, const std::string& flag,
                  const std::vector<std::pair<std::string, std::string>>& field_flags = {}) {
  if (r) return std::move(*r);
  Diagnostics d = std::move(r.error());
  for (auto& e : d) {
    for (const auto& [field, f] : field_flags)
      if (e.file == "<command line>" && e.path == field) e.path = f;
    if (e.file.empty() && e.path.empty()) {
      e.file = "<command line>";
      e.path = flag;
    }
  }
  throw InputError(std::move(d));
}

// The engine profile with the command line's overrides, each validated by the engine schema.
EngineProfile engine_profile(const ServeOptions& o) {
  std::vector<std::string> overrides;
  if (o.max_batch) overrides.push_back(fmt::format("max_batch={}", *o.max_batch));
  if (o.max_num_tokens) overrides.push_back(fmt::format("max_num_tokens={}", *o.max_num_tokens));
  if (o.kv_block_size) overrides.push_back(fmt::format("kv_block_size={}", *o.kv_block_size));
  if (o.memory_fraction) overrides.push_back(fmt::format("memory_fraction={}", *o.memory_fraction));
  if (o.chunked_prefill) {
    if (*o.chunked_prefill != "on" && *o.chunked_prefill != "off")
      input_error("--chunked-prefill",
                  fmt::format("expected on or off, got \"{}\"", *o.chunked_prefill));
    overrides.push_back(fmt::format("chunked_prefill={}", *o.chunked_prefill == "on"));
  }
  if (!o.runtime.empty()) overrides.push_back("runtime=" + o.runtime);
  return loaded_or_throw(load_engine(o.engine, overrides), "--engine",
                         {{"max_batch", "--max-batch"},
                          {"max_num_tokens", "--max-num-tokens"},
                          {"kv_block_size", "--kv-block-size"},
                          {"memory_fraction", "--memory-fraction"},
                          {"chunked_prefill", "--chunked-prefill"},
                          {"runtime", "--runtime"}});
}

std::optional<Disaggregation> parse_disaggregate(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto colon = text.find(':');
  auto number = [&](const std::string& part) -> int {
    if (part.empty() || part.size() > 6 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      input_error("--disaggregate", fmt::format("expected PREFILL_DEVICES:DECODE_DEVICES such as "
                                                "\"4:4\", got \"{}\"",
                                                text));
    // 0 is reported below ("both pools need devices"); the upper bound is the deployment's.
    const IntBound pool{0, bounds::kServeDevices.hi, bounds::kServeDevices.reason};
    auto v = parse_bounded_int(part, pool);
    if (!v) input_error("--disaggregate", v.error());
    return static_cast<int>(*v);
  };
  if (colon == std::string::npos)
    input_error("--disaggregate", fmt::format("expected PREFILL_DEVICES:DECODE_DEVICES such as "
                                              "\"4:4\", got \"{}\"",
                                              text));
  return Disaggregation{number(text.substr(0, colon)), number(text.substr(colon + 1))};
}

struct Workload {
  std::vector<RequestSpec> requests;
  ArrivalSpec arrivals;
  std::string description;
  std::optional<DatasetSpec> dataset;
  std::vector<std::string> assumptions;
};

Workload build_workload(const ServeOptions& o) {
  Workload w;
  const bool lengths = o.input_len || o.output_len;
  const int sources = (lengths ? 1 : 0) + (!o.dataset.empty() ? 1 : 0) + (!o.trace.empty() ? 1 : 0);
  if (sources == 0)
    input_error("--input-len", "a workload is required: --input-len and --output-len, "
                               "--dataset NAME|FILE, or --trace FILE");
  if (sources > 1)
    input_error("--dataset", "give one workload: --input-len/--output-len, --dataset or --trace");
  if (o.rate && o.concurrency)
    input_error("--rate", "--rate (Poisson arrivals) and --concurrency (closed loop) exclude "
                          "each other");
  // Numeric flags are within their bounds (numeric_flags.h).
  if (lengths) {
    if (!o.input_len || !o.output_len)
      input_error(o.input_len ? "--output-len" : "--input-len",
                  "--input-len and --output-len must be given together");
    const int64_t n = o.requests.value_or(1000);
    w.requests = value_or_throw(fixed_length_requests(n, *o.input_len, *o.output_len,
                                                      o.input_stdev, o.output_stdev,
                                                      static_cast<uint64_t>(o.seed)));
    w.description = fmt::format("{} requests of {} input / {} output tokens", n, *o.input_len,
                                *o.output_len);
  } else if (!o.dataset.empty()) {
    w.dataset = loaded_or_throw(load_dataset(o.dataset), "--dataset");
    const DatasetSpec& d = *w.dataset;
    const int64_t n = o.requests.value_or(d.mlperf ? d.mlperf->min_query_count : 1000);
    w.requests = value_or_throw(sample_requests(d, n, static_cast<uint64_t>(o.seed)));
    w.assumptions = d.assumptions;
    w.description = fmt::format("{} requests sampled from dataset {} (seed {})", n, d.id, o.seed);
  } else {
    w.requests = loaded_or_throw(read_trace(o.trace), "--trace");
    if (o.requests && *o.requests < static_cast<int64_t>(w.requests.size()))
      w.requests.resize(static_cast<size_t>(*o.requests));
    w.description = fmt::format("{} requests replayed from {}", w.requests.size(), o.trace);
    w.arrivals.kind = ArrivalSpec::Kind::kTrace;
  }
  if (o.rate) {
    w.arrivals.kind = ArrivalSpec::Kind::kPoisson;
    w.arrivals.rate = CountRate(*o.rate);
  } else if (o.concurrency) {
    w.arrivals.kind = ArrivalSpec::Kind::kClosedLoop;
    w.arrivals.concurrency = *o.concurrency;
  }
  w.arrivals.seed = static_cast<uint64_t>(o.seed) + 1;
  return w;
}

std::string_view arrival_text(const ArrivalSpec& a) {
  switch (a.kind) {
    case ArrivalSpec::Kind::kOffline: return "offline (all at t = 0)";
    case ArrivalSpec::Kind::kPoisson: return "poisson";
    case ArrivalSpec::Kind::kClosedLoop: return "closed loop";
    case ArrivalSpec::Kind::kTrace: return "trace timestamps";
  }
  return "?";
}

// A streaming per-step CSV (--timeline): written as the simulation runs.
class Timeline {
 public:
  explicit Timeline(const std::string& path) : out_(path) {
    if (!out_)
      throw InputError(Diagnostics{
          Diagnostic{.file = path, .path = "--timeline", .message = "cannot open for writing"}});
    out_ << "start_s,engine,pool,duration_ms,prefill_tokens,prefill_chunks,decode_rows,running,"
            "waiting,kv_used_blocks,kv_capacity_blocks\n";
  }
  void write(const StepRecord& r) {
    out_ << fmt::format("{:.9f},{},{},{:.6f},{},{},{},{},{},{},{}\n", r.start.value(), r.engine,
                        r.pool, units::to_ms(r.duration), r.prefill_tokens, r.prefill_chunks,
                        r.decode_rows, r.running, r.waiting, r.kv_used_blocks,
                        r.kv_capacity_blocks);
  }
  void close(const std::string& path) {
    out_.close();
    if (!out_)
      throw InputError(Diagnostics{
          Diagnostic{.file = path, .path = "--timeline", .message = "write failed"}});
  }

 private:
  std::ofstream out_;
};

// Flattens nested objects to dotted keys for one CSV row (the JSON's keys as columns).
void flatten(const json& j, const std::string& prefix, std::vector<std::string>& keys,
             std::vector<std::string>& values) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      flatten(*it, key, keys, values);
    } else if (it->is_array()) {
      continue;  // lists (assumptions, probes) are not columns
    } else {
      keys.push_back(key);
      values.push_back(it->is_string() ? it->get<std::string>() : it->is_null() ? "" : it->dump());
    }
  }
}

void run_serve(const ServeOptions& o, const GlobalOptions& g) {
  std::optional<MlperfScenario> mlperf;
  if (!o.mlperf.empty()) {
    if (o.mlperf == "offline") mlperf = MlperfScenario::kOffline;
    else if (o.mlperf == "server") mlperf = MlperfScenario::kServer;
    else if (o.mlperf == "interactive") mlperf = MlperfScenario::kInteractive;
    else
      input_error("--mlperf", fmt::format("unknown scenario \"{}\"; allowed: offline, server, "
                                          "interactive",
                                          o.mlperf));
  }
  const Precision p = parse_precision("--precision", o.precision);
  std::optional<Precision> kv;
  if (!o.kv_precision.empty()) kv = parse_precision("--kv-precision", o.kv_precision);
  const EngineProfile engine = engine_profile(o);
  Workload w = build_workload(o);
  if (mlperf) {
    if (!w.dataset || !w.dataset->mlperf)
      input_error("--mlperf",
                  fmt::format("needs --dataset of an MLPerf benchmark (mlperf-llama2-70b, "
                              "mlperf-mixtral-8x7b, mlperf-gpt-j, ...); got {}",
                              w.dataset ? "dataset \"" + w.dataset->id + "\""
                                        : std::string("no --dataset")));
    if (o.rate || o.concurrency)
      input_error("--mlperf", "sets its own arrivals; drop --rate / --concurrency");
  }
  HardwareSpec hw = loaded_or_throw(load_hardware(o.hardware, g.overrides), "--hardware");
  ModelSpec model = loaded_or_throw(load_model(o.model), "--model");
  SystemConfig config;
  config.plan = ParallelismPlan{o.tp, o.pp, o.ep, 1, false};
  config.disaggregation = parse_disaggregate(o.disaggregate);
  // Default system size: one replica, or both pools of a disaggregated deployment.
  config.devices = o.devices > 0 ? o.devices
                   : config.disaggregation
                       ? config.disaggregation->prefill_devices + config.disaggregation->decode_devices
                       : o.tp * o.pp;
  config.precision = precision_plan_for(p, kv);
  config.engine = engine;
  config.router = o.router;
  if ((o.decode_tp || o.decode_pp) && !config.disaggregation)
    input_error(o.decode_tp ? "--decode-tp" : "--decode-pp",
                "sets the decode pool's plan: give --disaggregate too");
  if (config.disaggregation && (o.decode_tp || o.decode_pp)) {
    const int dtp = o.decode_tp.value_or(o.tp), dpp = o.decode_pp.value_or(o.pp);
    config.disaggregation->decode_plan = ParallelismPlan{dtp, dpp, o.ep, 1, false};
  }
  auto created = ServingSystem::create(hw, model, config, default_calibration());
  if (!created) {
    Diagnostics d = created.error();
    for (auto& e : d) {
      e.file = "<command line>";
      e.path = "--" + e.path;
    }
    throw InputError(std::move(d));
  }
  ServingSystem& system = **created;
  const SystemInfo& info = system.info();

  RunOptions run_options;
  if (o.slo_ttft_ms) run_options.slo_ttft = units::ms(*o.slo_ttft_ms);
  if (o.slo_tpot_ms) run_options.slo_tpot = units::ms(*o.slo_tpot_ms);
  if (w.dataset) run_options.beam_width = w.dataset->beam_width;
  std::unique_ptr<Timeline> timeline;
  if (!o.timeline.empty()) timeline = std::make_unique<Timeline>(o.timeline);
  StepTimeline steps;  // for --html
  if (timeline || !o.html.empty())
    run_options.on_step = [&](const StepRecord& r) {
      if (timeline) timeline->write(r);
      if (!o.html.empty()) steps.add(r);
    };

  std::optional<ServingResult> result;
  std::optional<MlperfResult> mlperf_result;
  const bool feasible = info.feasibility.feasible();
  if (feasible) {
    if (mlperf) {
      MlperfOptions mo;
      mo.seed = static_cast<uint64_t>(o.seed);
      mo.run = run_options;
      if (o.requests) mo.samples = *o.requests;
      if (o.slo_ttft_ms) mo.ttft_limit = units::ms(*o.slo_ttft_ms);
      if (o.slo_tpot_ms) mo.tpot_limit = units::ms(*o.slo_tpot_ms);
      mlperf_result = value_or_throw(run_mlperf(system, *w.dataset, *mlperf, mo));
      result = mlperf_result->run;
    } else {
      result = value_or_throw(system.run(w.requests, w.arrivals, run_options));
    }
  }
  if (timeline) timeline->close(o.timeline);

  const ServingResult* r = result ? &*result : nullptr;
  std::optional<Result<TokenEconomics>> econ;
  if (r && r->counters.output_tokens > 0)
    econ = serving_token_economics(hw, config.precision, r->activity, r->duration,
                                   static_cast<double>(r->counters.output_tokens));
  const bool econ_ok = econ && *econ && (*econ)->feasibility.feasible();
  auto num = [&](bool ok, double v) { return ok ? json(round6(v)) : json(nullptr); };

  json j;
  j["hardware"] = hw.id;
  j["model"] = model.id;
  j["devices"] = config.devices;
  j["tp"] = o.tp;
  j["pp"] = o.pp;
  j["ep"] = o.ep;
  j["replicas"] = info.replicas;
  if (config.disaggregation)
    j["disaggregation"] = json{{"prefill_devices", config.disaggregation->prefill_devices},
                               {"decode_devices", config.disaggregation->decode_devices},
                               {"decode_tp", config.disaggregation->decode_plan
                                                 ? config.disaggregation->decode_plan->tp
                                                 : o.tp},
                               {"decode_pp", config.disaggregation->decode_plan
                                                 ? config.disaggregation->decode_plan->pp
                                                 : o.pp},
                               {"prefill_replicas", info.prefill_replicas},
                               {"decode_replicas", info.decode_replicas}};
  // What the matrix engines execute (step_model.h executed_precision_plan): a format they lack
  // runs weight-only in 16 bits, as `run` reports it.
  const PrecisionPlan executed = executed_precision_plan(hw, config.precision);
  j["precision"] = json{{"weights", to_string(config.precision.weights)},
                        {"activations", to_string(config.precision.activations)},
                        {"kv_cache", to_string(config.precision.kv_cache)},
                        {"math_execution", to_string(execution_precision(hw, executed.math()))},
                        {"weight_only_fallback",
                         executed.activations != config.precision.activations}};
  j["engine"] = json{{"id", engine.id},
                     {"runtime", engine.runtime},
                     {"max_batch", engine.max_batch},
                     {"max_num_tokens", engine.max_num_tokens},
                     {"chunked_prefill", engine.chunked_prefill},
                     {"schedule", to_string(engine.schedule)},
                     {"admission", to_string(engine.admission)},
                     {"kv_block_size", engine.kv_block_size},
                     {"memory_fraction", engine.memory_fraction},
                     {"memory_fraction_of", to_string(engine.memory_fraction_of)},
                     {"prefix_caching", engine.prefix_caching}};
  j["workload"] = json{{"description", w.description},
                       {"arrivals", std::string(arrival_text(w.arrivals))},
                       {"seed", o.seed}};
  if (w.arrivals.kind == ArrivalSpec::Kind::kPoisson) j["workload"]["rate"] = *o.rate;
  if (w.arrivals.kind == ArrivalSpec::Kind::kClosedLoop)
    j["workload"]["concurrency"] = *o.concurrency;
  j["feasible"] = feasible;
  j["infeasible_reason"] =
      feasible ? json(nullptr) : json(std::string(info.feasibility.reason_name()));
  j["infeasible_detail"] = feasible ? json(nullptr) : json(info.feasibility.detail);
  j["requests"] = r ? json(r->counters.arrived) : json(w.requests.size());
  j["completed"] = r ? json(r->counters.completed) : json(nullptr);
  j["rejected"] = r ? json(r->counters.rejected) : json(nullptr);
  j["rejections"] =
      r ? json{{"longer_than_max_model_len", r->counters.rejected_too_long},
               {"prompt_over_token_budget", r->counters.rejected_prompt_budget},
               {"larger_than_kv_cache", r->counters.rejected_kv_capacity}}
        : json(nullptr);
  const bool done = r && r->counters.completed > 0;
  j["duration_s"] = num(done, r ? r->duration.value() : 0);
  j["output_tokens_per_s"] = num(r != nullptr, r ? r->output_tokens_per_s.value() : 0);
  j["total_tokens_per_s"] = num(r != nullptr, r ? r->total_tokens_per_s.value() : 0);
  j["requests_per_s"] = num(r != nullptr, r ? r->requests_per_s.value() : 0);
  j["output_tokens_per_s_per_device"] =
      num(r != nullptr, r ? r->output_tokens_per_s.value() / config.devices : 0);
  j["steady_output_tokens_per_s"] =
      num(r && r->steady_output_tokens_per_s,
          r && r->steady_output_tokens_per_s ? r->steady_output_tokens_per_s->value() : 0);
  const LatencySummary none;
  j["ttft_ms"] = latency_json(r ? r->ttft : none);
  j["tpot_ms"] = latency_json(r ? r->tpot : none);
  j["itl_ms"] = latency_json(r ? r->itl : none);
  j["e2e_latency_ms"] = latency_json(r ? r->e2e : none);
  j["goodput_requests_per_s"] = num(r != nullptr, r ? r->goodput_requests_per_s.value() : 0);
  j["slo"] = json{{"ttft_ms", o.slo_ttft_ms ? json(*o.slo_ttft_ms) : json(nullptr)},
                  {"tpot_ms", o.slo_tpot_ms ? json(*o.slo_tpot_ms) : json(nullptr)}};
  j["kv_cache"] = json{{"capacity_tokens", feasible ? json(info.kv_capacity_tokens) : json(nullptr)},
                       {"block_size", info.kv_block_size},
                       {"bytes_per_token_per_device", std::round(info.kv_bytes_per_token.value())},
                       {"peak_utilization", num(r != nullptr, r ? r->counters.peak_kv_utilization : 0)},
                       {"mean_utilization", num(r != nullptr, r ? r->mean_kv_utilization : 0)},
                       {"preemptions", r ? json(r->counters.preemptions) : json(nullptr)}};
  j["batch"] = json{{"mean_decode_batch", num(r != nullptr, r ? r->mean_decode_batch : 0)},
                    {"mean_tokens_per_step", num(r != nullptr, r ? r->mean_tokens_per_step : 0)}};
  j["steps"] = r ? json(r->counters.steps) : json(nullptr);
  j["energy_per_output_token_j"] =
      num(econ_ok, econ_ok ? (*econ)->energy_per_output_token.value() : 0);
  j["usd_per_million_output_tokens"] =
      num(econ_ok, econ_ok ? (*econ)->cost_per_million_output_tokens.value() : 0);
  j["average_power_w"] = num(econ_ok, econ_ok ? (*econ)->average_power.value() : 0);
  j["economics_unavailable_reason"] =
      econ_ok ? json(nullptr)
              : json(!r ? "scenario infeasible"
                        : (econ && !*econ && !(*econ).error().empty()
                               ? (*econ).error().front().message
                               : std::string("no output tokens")));
  if (mlperf && !mlperf_result) {  // infeasible: the object with no figures
    j["mlperf"] = json{{"scenario", o.mlperf},
                       {"benchmark", w.dataset->mlperf->benchmark},
                       {"tokens_per_s", nullptr},
                       {"samples_per_s", nullptr},
                       {"max_qps", nullptr},
                       {"ttft_p99_ms", nullptr},
                       {"tpot_p99_ms", nullptr},
                       {"binding", nullptr},
                       {"valid", false}};
  }
  if (mlperf_result) {
    const MlperfResult& m = *mlperf_result;
    json mj{{"scenario", to_string(m.scenario)},
            {"benchmark", w.dataset->mlperf->benchmark},
            {"tokens_per_s", round6(m.tokens_per_s.value())},
            {"samples_per_s", round6(m.samples_per_s.value())}};
    if (m.scenario != MlperfScenario::kOffline) {
      mj["max_qps"] = round6(m.max_qps.value());
      mj["ttft_p99_ms"] = round6(units::to_ms(m.ttft_p99));
      mj["tpot_p99_ms"] = round6(units::to_ms(m.tpot_p99));
      mj["binding"] = m.binding;
      mj["limits"] = json{
          {"ttft_p99_ms", m.limits.ttft_p99 ? json(units::to_ms(*m.limits.ttft_p99)) : json(nullptr)},
          {"tpot_p99_ms", m.limits.tpot_p99 ? json(units::to_ms(*m.limits.tpot_p99)) : json(nullptr)},
          {"e2e_p99_ms", m.limits.e2e_p99 ? json(units::to_ms(*m.limits.e2e_p99)) : json(nullptr)}};
      json probes = json::array();
      for (const RateProbe& pr : m.probes)
        probes.push_back(json{{"rate", round6(pr.rate.value())},
                              {"ttft_p99_ms", round6(units::to_ms(pr.ttft_p99))},
                              {"tpot_p99_ms", round6(units::to_ms(pr.tpot_p99))},
                              {"output_tokens_per_s", round6(pr.output_tokens_per_s.value())},
                              {"pass", pr.pass}});
      mj["probes"] = probes;
    }
    mj["valid"] = m.valid;
    mj["notes"] = m.notes;
    j["mlperf"] = mj;
  }
  j["assumptions"] = w.assumptions;
  write_html(o.html, HtmlReportKind::kServe, j, r ? serve_chart_data(r->counters, steps) : json(nullptr), g);

  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {
    std::vector<std::string> keys, values;
    flatten(j, "", keys, values);
    Table t(keys);
    t.add_row(values);
    std::fputs(t.to_csv().c_str(), stdout);
    return;
  }
  std::printf("%s on %d x %s (tp %d, pp %d, %d replica%s), engine %s (runtime %s), %s, %s "
              "arrivals\n",
              model.id.c_str(), config.devices, hw.id.c_str(), o.tp, o.pp, info.replicas,
              info.replicas == 1 ? "" : "s", engine.id.c_str(), engine.runtime.c_str(),
              w.description.c_str(), std::string(arrival_text(w.arrivals)).c_str());
  if (const auto note = precision_fallback_note(hw, config.precision))
    std::printf("note: %s\n", note->c_str());
  if (!feasible) {
    std::printf("INFEASIBLE: %s\n", info.feasibility.to_string().c_str());
    return;
  }
  Table s({"metric", "value"});
  s.add_row({"requests (completed / rejected)",
             fmt::format("{} ({} / {})", r->counters.arrived, r->counters.completed,
                         r->counters.rejected)});
  if (r->counters.rejected > 0)
    s.add_row({"rejected because",
               fmt::format("{} longer than max_model_len, {} prompt over the token budget "
                           "(chunked prefill off), {} larger than the KV cache",
                           r->counters.rejected_too_long, r->counters.rejected_prompt_budget,
                           r->counters.rejected_kv_capacity)});
  if (r->counters.completed == 0) {
    std::fputs(s.to_text().c_str(), stdout);
    std::printf("no request completed: every request was rejected\n");
    return;
  }
  s.add_row({"duration_s", fixed(r->duration.value(), 3)});
  s.add_row({"output_tokens_per_s", fixed(r->output_tokens_per_s.value(), 1)});
  s.add_row({"output_tokens_per_s_per_device",
             fixed(r->output_tokens_per_s.value() / config.devices, 1)});
  s.add_row({"total_tokens_per_s", fixed(r->total_tokens_per_s.value(), 1)});
  s.add_row({"requests_per_s", fixed(r->requests_per_s.value(), 3)});
  auto lat = [&](const char* name, const LatencySummary& l) {
    s.add_row({fmt::format("{} mean / p50 / p90 / p99", name),
               fmt::format("{} / {} / {} / {}", fixed(units::to_ms(l.mean), 2),
                           fixed(units::to_ms(l.p50), 2), fixed(units::to_ms(l.p90), 2),
                           fixed(units::to_ms(l.p99), 2))});
  };
  lat("ttft_ms", r->ttft);
  lat("tpot_ms", r->tpot);
  lat("itl_ms", r->itl);
  lat("e2e_latency_ms", r->e2e);
  s.add_row({"goodput_requests_per_s", fixed(r->goodput_requests_per_s.value(), 3)});
  s.add_row({"kv_cache capacity_tokens (per replica)", std::to_string(info.kv_capacity_tokens)});
  s.add_row({"kv_cache peak / mean utilization",
             fmt::format("{:.1f}% / {:.1f}%", 100 * r->counters.peak_kv_utilization,
                         100 * r->mean_kv_utilization)});
  s.add_row({"preemptions", std::to_string(r->counters.preemptions)});
  s.add_row({"mean_decode_batch", fixed(r->mean_decode_batch, 1)});
  s.add_row({"mean_tokens_per_step", fixed(r->mean_tokens_per_step, 1)});
  s.add_row({"steps", std::to_string(r->counters.steps)});
  if (econ_ok) {
    s.add_row({"energy_per_output_token_j", sig((*econ)->energy_per_output_token.value(), 4)});
    s.add_row({"average_power_w (per device)", fixed((*econ)->average_power.value(), 0)});
    s.add_row({"usd_per_million_output_tokens",
               fixed((*econ)->cost_per_million_output_tokens.value(), 4)});
  } else {
    s.add_row({"energy_per_output_token_j",
               "- (" + j["economics_unavailable_reason"].get<std::string>() + ")"});
  }
  if (mlperf_result) {
    const MlperfResult& m = *mlperf_result;
    s.add_row({fmt::format("mlperf {} tokens_per_s", to_string(m.scenario)),
               fixed(m.tokens_per_s.value(), 1)});
    s.add_row({"mlperf samples_per_s", fixed(m.samples_per_s.value(), 3)});
    if (m.scenario != MlperfScenario::kOffline) {
      s.add_row({"mlperf max_qps", fixed(m.max_qps.value(), 3)});
      s.add_row({"mlperf ttft_p99_ms / tpot_p99_ms",
                 fmt::format("{} / {}", fixed(units::to_ms(m.ttft_p99), 1),
                             fixed(units::to_ms(m.tpot_p99), 2))});
      s.add_row({"mlperf binding", m.binding});
    }
    s.add_row({"mlperf valid", m.valid ? "yes" : "no"});
  }
  std::fputs(s.to_text().c_str(), stdout);
  for (const auto& a : w.assumptions) std::printf("assumed: %s\n", a.c_str());
  if (mlperf_result)
    for (const auto& n : mlperf_result->notes) std::printf("note: %s\n", n.c_str());
}

}  // namespace

void add_serve_commands(CLI::App& app, GlobalOptions& global) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* c = app.add_subcommand(
      "serve", "simulate a serving deployment under load (continuous batching, paged KV cache, "
               "MLPerf scenarios): latency percentiles, throughput, goodput, cost per token");
  c->add_option("--hardware", o->hardware, "hardware preset id or file")->required();
  c->add_option("--model", o->model, "model preset id or file (model/v1 YAML, HF config.json)")
      ->required();
  bound_int(
      c->add_option("--devices", o->devices, "total devices (default tp x pp; more = replicas)"),
      bounds::kServeDevices);
  bound_int(c->add_option("--tp", o->tp, "tensor-parallel degree"), bounds::kParallelDegree)
      ->capture_default_str();
  bound_int(c->add_option("--pp", o->pp, "pipeline-parallel degree (pp lanes per replica)"),
            bounds::kParallelDegree)
      ->capture_default_str();
  bound_int(c->add_option("--ep", o->ep, "expert-parallel degree (divides tp)"),
            bounds::kParallelDegree)
      ->capture_default_str();
  c->add_option("--precision", o->precision, "weights/compute precision")->capture_default_str();
  c->add_option("--kv-precision", o->kv_precision, "KV-cache precision (default: see --precision)");
  c->add_option("--runtime", o->runtime, "runtime profile (default: the engine's)");
  c->add_option("--engine", o->engine, "engine profile id or file: trtllm, vllm, vllm-v0, sglang")
      ->capture_default_str();
  c->add_option("--max-batch", o->max_batch, "sequences per iteration (engine max_batch)");
  c->add_option("--max-num-tokens", o->max_num_tokens, "tokens per iteration (token budget)");
  c->add_option("--chunked-prefill", o->chunked_prefill, "on|off");
  c->add_option("--kv-block-size", o->kv_block_size, "tokens per KV-cache block");
  c->add_option("--memory-fraction", o->memory_fraction,
                "memory fraction the engine reserves (see the engine's memory_fraction_of)");
  bound_int(
      c->add_option("--input-len", o->input_len, "prompt tokens per request (fixed lengths)"),
      bounds::kSequenceTokens);
  bound_int(
      c->add_option("--output-len", o->output_len, "output tokens per request (fixed lengths)"),
      bounds::kSequenceTokens);
  bound_real(c->add_option("--input-stdev", o->input_stdev,
                           "spread of the prompt length (normal, tokens)"),
             bounds::kLengthStdev);
  bound_real(c->add_option("--output-stdev", o->output_stdev,
                           "spread of the output length (normal, tokens)"),
             bounds::kLengthStdev);
  c->add_option("--dataset", o->dataset, "dataset id or file (xpusim list datasets)");
  c->add_option("--trace", o->trace, "replay a trace: CSV or JSONL (arrival_s, input_len, "
                                     "output_len[, prefix_id, prefix_len])");
  bound_int(c->add_option("--requests", o->requests, "requests to simulate (default 1000, or the "
                                                     "MLPerf dataset's sample count)"),
            bounds::kRequests);
  bound_int(c->add_option("--seed", o->seed, "seed of the lengths and arrivals"), bounds::kSeed)
      ->capture_default_str();
  bound_real(c->add_option("--rate", o->rate, "Poisson arrivals at this many requests/s"),
             bounds::kRequestRate);
  bound_int(c->add_option("--concurrency", o->concurrency, "closed loop: this many clients"),
            bounds::kConcurrency);
  c->add_option("--mlperf", o->mlperf, "MLPerf LoadGen scenario: offline|server|interactive");
  bound_real(c->add_option("--slo-ttft-ms", o->slo_ttft_ms,
                           "TTFT limit for goodput (and --mlperf limits)"),
             bounds::kSloMs);
  bound_real(c->add_option("--slo-tpot-ms", o->slo_tpot_ms,
                           "TPOT limit for goodput (and --mlperf limits)"),
             bounds::kSloMs);
  c->add_option("--disaggregate", o->disaggregate,
                "PREFILL_DEVICES:DECODE_DEVICES: separate prefill and decode pools");
  bound_int(c->add_option("--decode-tp", o->decode_tp,
                          "decode pool tensor parallelism (default --tp)"),
            bounds::kParallelDegree);
  bound_int(c->add_option("--decode-pp", o->decode_pp,
                          "decode pool pipeline parallelism (default --pp)"),
            bounds::kParallelDegree);
  c->add_option("--router", o->router, "replica router: " + join(builtin_routers().names()))
      ->capture_default_str();
  c->add_option("--timeline", o->timeline, "write one CSV row per engine iteration to FILE");
  add_html_option(c, o->html);
  c->callback([o, &global] { run_serve(*o, global); });
}

}  // namespace xpusim::cli
