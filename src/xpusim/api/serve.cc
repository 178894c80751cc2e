// SPDX-License-Identifier: Apache-2.0
// serve (api/serve.h): the checks `xpusim serve` made, the engine profile with the request's
// overrides, the workload, the serving simulation (serving/serving_system.h, mlperf.h) and its
// token economics (cost/token_economics.h), and the JSON document of the answer.
#include "xpusim/api/serve.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/api/impl/result_records.h"
#include "xpusim/api/impl/system_choice.h"
#include "xpusim/api/impl/uncertainty.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"
#include "xpusim/serving/trace_reader.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// The latency percentiles of `record` ("ttft_ms", "tpot_ms", ...): null without a sample.
Json latency_json(std::string_view record, const LatencySummary& s) {
  auto ms = [&](Seconds t) { return s.count > 0 ? Json(round6(units::to_ms(t))) : Json(nullptr); };
  return ResultJson("serve", record)
      .set("mean", ms(s.mean))
      .set("p50", ms(s.p50))
      .set("p90", ms(s.p90))
      .set("p99", ms(s.p99))
      .json();
}

// A loader's diagnostics, reported under the flag that named the input when they point nowhere
// else (an unknown preset id, an override from a flag).
template <class T>
T loaded_or_fail(Result<T> r, const std::string& flag,
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
  fail_with(std::move(d));
}

// The engine profile with the command line's overrides, each validated by the engine schema.
EngineProfile engine_profile(const ServeRequest& o) {
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
  return loaded_or_fail(load_engine(o.engine, overrides), "--engine",
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

ServeWorkload build_workload(const ServeRequest& o) {
  ServeWorkload w;
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
    w.requests = value_or_fail(fixed_length_requests(n, *o.input_len, *o.output_len,
                                                      o.input_stdev, o.output_stdev,
                                                      static_cast<uint64_t>(o.seed)));
    w.description = fmt::format("{} requests of {} input / {} output tokens", n, *o.input_len,
                                *o.output_len);
  } else if (!o.dataset.empty()) {
    w.dataset = loaded_or_fail(load_dataset(o.dataset), "--dataset");
    const DatasetSpec& d = *w.dataset;
    const int64_t n = o.requests.value_or(d.mlperf ? d.mlperf->min_query_count : 1000);
    w.requests = value_or_fail(sample_requests(d, n, static_cast<uint64_t>(o.seed)));
    w.assumptions = d.assumptions;
    w.description = fmt::format("{} requests sampled from dataset {} (seed {})", n, d.id, o.seed);
  } else {
    w.requests = loaded_or_fail(read_trace(o.trace), "--trace");
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

// A streaming per-step CSV (--timeline): written as the simulation runs.
class Timeline {
 public:
  explicit Timeline(const std::string& path) : out_(path) {
    if (!out_)
      fail_with(Diagnostics{
          Diagnostic{.file = path, .path = "--timeline", .message = "cannot open for writing"}});
    out_ << "start_s,engine,pool,duration_ms,prefill_tokens,prefill_chunks,decode_rows,running,"
            "waiting,kv_used_blocks,kv_capacity_blocks,clock_ghz,power_w\n";
  }
  void write(const StepRecord& r) {
    // power_w is empty without a power model (a spec without a process node).
    out_ << fmt::format("{:.9f},{},{},{:.6f},{},{},{},{},{},{},{},{:.4f},{}\n", r.start.value(),
                        r.engine, r.pool, units::to_ms(r.duration), r.prefill_tokens,
                        r.prefill_chunks, r.decode_rows, r.running, r.waiting, r.kv_used_blocks,
                        r.kv_capacity_blocks, units::to_ghz(r.clock),
                        r.power ? fmt::format("{:.2f}", r.power->value()) : std::string());
  }
  void close(const std::string& path) {
    out_.close();
    if (!out_)
      fail_with(Diagnostics{
          Diagnostic{.file = path, .path = "--timeline", .message = "write failed"}});
  }

 private:
  std::ofstream out_;
};

// `mlperf`: the LoadGen scenario's result (serving/mlperf.h); without one (an infeasible
// deployment) its figures are null and it is not valid.
Json mlperf_json(MlperfScenario scenario, const std::string& benchmark, const MlperfResult* m) {
  ResultJson j("serve", "mlperf");
  j.set("scenario", to_string(scenario));
  j.set("benchmark", benchmark);
  j.set("valid", m && m->valid);
  if (!m) {
    for (const char* key :
         {"tokens_per_s", "samples_per_s", "max_qps", "ttft_p99_ms", "tpot_p99_ms", "binding"})
      j.set(key, nullptr);
    return j.json();
  }
  j.set("tokens_per_s", round6(m->tokens_per_s.value()));
  j.set("samples_per_s", round6(m->samples_per_s.value()));
  j.set("notes", m->notes);
  if (m->scenario == MlperfScenario::kOffline) return j.json();
  j.set("max_qps", round6(m->max_qps.value()));
  j.set("ttft_p99_ms", round6(units::to_ms(m->ttft_p99)));
  j.set("tpot_p99_ms", round6(units::to_ms(m->tpot_p99)));
  j.set("binding", m->binding);
  auto limit = [](const std::optional<Seconds>& t) { return t ? Json(units::to_ms(*t)) : Json(); };
  j.set("limits.ttft_p99_ms", limit(m->limits.ttft_p99));
  j.set("limits.tpot_p99_ms", limit(m->limits.tpot_p99));
  j.set("limits.e2e_p99_ms", limit(m->limits.e2e_p99));
  Json probes = Json::array();
  for (const RateProbe& pr : m->probes)
    probes.push_back(ResultJson("serve", "mlperf.probes")
                         .set("rate", round6(pr.rate.value()))
                         .set("ttft_p99_ms", round6(units::to_ms(pr.ttft_p99)))
                         .set("tpot_p99_ms", round6(units::to_ms(pr.tpot_p99)))
                         .set("output_tokens_per_s", round6(pr.output_tokens_per_s.value()))
                         .set("pass", pr.pass)
                         .set("stopped_early", pr.stopped_early ? Json(*pr.stopped_early) : Json())
                         .json());
  j.set("probes", probes);
  return j.json();
}

// The document of `serve --format json`: the deployment, the simulation's figures (null where the
// deployment is infeasible or nothing completed), the economics and the MLPerf result.
Json serve_json(const ServeRequest& o, const ServeOutcome& out, const SystemSpec& system,
                std::optional<MlperfScenario> mlperf) {
  const SystemConfig& config = out.config;
  const EngineProfile& engine = config.engine;
  const SystemInfo& info = out.info;
  const ServeWorkload& w = out.workload;
  const bool feasible = info.feasibility.feasible();
  const ServingResult* r = out.result ? &*out.result : nullptr;
  const TokenEconomics* econ = out.economics_ok() ? &**out.economics : nullptr;
  auto num = [](bool ok, double v) { return ok ? Json(round6(v)) : Json(nullptr); };
  auto count = [&](auto v) { return r ? Json(v) : Json(nullptr); };

  ResultJson j("serve");
  j.set("hardware", out.hw.id);
  j.set("model", out.model.id);
  j.set("devices", config.devices);
  j.set("tp", o.tp);
  j.set("pp", o.pp);
  j.set("ep", o.ep);
  j.set("attention_dp", o.attention_dp);
  j.set("replicas", info.replicas);
  if (const auto& d = config.disaggregation) {
    j.set("disaggregation.prefill_devices", d->prefill_devices);
    j.set("disaggregation.decode_devices", d->decode_devices);
    j.set("disaggregation.decode_tp", d->decode_plan ? d->decode_plan->tp : o.tp);
    j.set("disaggregation.decode_pp", d->decode_plan ? d->decode_plan->pp : o.pp);
    j.set("disaggregation.prefill_replicas", info.prefill_replicas);
    j.set("disaggregation.decode_replicas", info.decode_replicas);
  }
  j.set("precision", precision_json("serve", out.hw, out.model, config.precision));
  j.set("engine.id", engine.id);
  j.set("engine.runtime", engine.runtime);
  j.set("engine.max_batch", engine.max_batch);
  j.set("engine.max_num_tokens", engine.max_num_tokens);
  j.set("engine.chunked_prefill", engine.chunked_prefill);
  j.set("engine.schedule", to_string(engine.schedule));
  j.set("engine.admission", to_string(engine.admission));
  j.set("engine.kv_block_size", engine.kv_block_size);
  j.set("engine.memory_fraction", engine.memory_fraction);
  j.set("engine.memory_fraction_of", to_string(engine.memory_fraction_of));
  j.set("engine.prefix_caching", engine.prefix_caching);
  j.set("workload.description", w.description);
  j.set("workload.arrivals", arrival_text(w.arrivals));
  j.set("workload.seed", o.seed);
  if (w.arrivals.kind == ArrivalSpec::Kind::kPoisson)  // --rate, or the rate search's
    j.set("workload.rate", o.rate ? *o.rate : round6(w.arrivals.rate.value()));
  if (w.arrivals.kind == ArrivalSpec::Kind::kClosedLoop)
    j.set("workload.concurrency", *o.concurrency);
  add_feasibility_json(j, info.feasibility);
  j.set("requests", r ? Json(r->counters.arrived) : Json(w.requests.size()));
  j.set("completed", count(r ? r->counters.completed : 0));
  j.set("rejected", count(r ? r->counters.rejected : 0));
  if (r) {
    j.set("rejections.longer_than_max_model_len", r->counters.rejected_too_long);
    j.set("rejections.prompt_over_token_budget", r->counters.rejected_prompt_budget);
    j.set("rejections.larger_than_kv_cache", r->counters.rejected_kv_capacity);
  } else {
    j.set("rejections", nullptr);
  }
  j.set("duration_s", num(r && r->counters.completed > 0, r ? r->duration.value() : 0));
  j.set("output_tokens_per_s", num(r, r ? r->output_tokens_per_s.value() : 0));
  j.set("total_tokens_per_s", num(r, r ? r->total_tokens_per_s.value() : 0));
  j.set("requests_per_s", num(r, r ? r->requests_per_s.value() : 0));
  j.set("output_tokens_per_s_per_device",
        num(r, r ? r->output_tokens_per_s.value() / config.devices : 0));
  const auto steady = r ? r->steady_output_tokens_per_s : std::nullopt;
  j.set("steady_output_tokens_per_s", num(steady.has_value(), steady ? steady->value() : 0));
  // The clocks the steps ran at under the TDP (serving/power_limiter.h): those with prefill work
  // and the decode-only ones; null when the deployment is infeasible.
  j.set("prefill", clock_json("serve", "prefill", r ? &r->prefill_clock : nullptr));
  j.set("decode", clock_json("serve", "decode", r ? &r->decode_clock : nullptr));
  const LatencySummary none;
  j.set("ttft_ms", latency_json("ttft_ms", r ? r->ttft : none));
  j.set("tpot_ms", latency_json("tpot_ms", r ? r->tpot : none));
  j.set("itl_ms", latency_json("itl_ms", r ? r->itl : none));
  j.set("e2e_latency_ms", latency_json("e2e_latency_ms", r ? r->e2e : none));
  auto headline = [&](double v) { return r ? std::optional(v) : std::nullopt; };
  auto mean_ms = [&](const LatencySummary& s) {
    return r && s.count > 0 ? std::optional(units::to_ms(s.mean)) : std::nullopt;
  };
  j.set("uncertainty",
        uncertainty_json(
            "serve", "serving",
            {{"output_tokens_per_s", headline(r ? r->output_tokens_per_s.value() : 0), false},
             {"requests_per_s", headline(r ? r->requests_per_s.value() : 0), false},
             {"ttft_ms.mean", mean_ms(r ? r->ttft : none)},
             {"tpot_ms.mean", mean_ms(r ? r->tpot : none)},
             {"e2e_latency_ms.mean", mean_ms(r ? r->e2e : none)}}));
  j.set("uncertainty_basis", uncertainty_basis_json("serve", "serving", out.hw.id));
  j.set("goodput_requests_per_s", num(r, r ? r->goodput_requests_per_s.value() : 0));
  j.set("slo.ttft_ms", o.slo_ttft_ms ? Json(*o.slo_ttft_ms) : Json(nullptr));
  j.set("slo.tpot_ms", o.slo_tpot_ms ? Json(*o.slo_tpot_ms) : Json(nullptr));
  j.set("kv_cache.capacity_tokens", feasible ? Json(info.kv_capacity_tokens) : Json(nullptr));
  j.set("kv_cache.block_size", info.kv_block_size);
  j.set("kv_cache.bytes_per_token_per_device", std::round(info.kv_bytes_per_token.value()));
  j.set("kv_cache.peak_utilization", num(r, r ? r->counters.peak_kv_utilization : 0));
  j.set("kv_cache.mean_utilization", num(r, r ? r->mean_kv_utilization : 0));
  j.set("kv_cache.preemptions", count(r ? r->counters.preemptions : 0));
  j.set("batch.mean_decode_batch", num(r, r ? r->mean_decode_batch : 0));
  j.set("batch.mean_tokens_per_step", num(r, r ? r->mean_tokens_per_step : 0));
  j.set("steps", count(r ? r->counters.steps : 0));
  j.set("energy_per_output_token_j", num(econ, econ ? econ->energy_per_output_token.value() : 0));
  j.set("usd_per_million_output_tokens",
        num(econ, econ ? econ->cost_per_million_output_tokens.value() : 0));
  j.set("average_power_w", num(econ, econ ? econ->average_power.value() : 0));
  j.set("system", system_json("serve", "system", system));
  const auto& e = out.economics;
  j.set("economics_unavailable_reason",
        econ ? Json(nullptr)
             : Json(!r ? "scenario infeasible"
                       : (e && !*e && !e->error().empty() ? e->error().front().message
                                                          : std::string("no output tokens"))));
  if (mlperf)
    j.set("mlperf", mlperf_json(*mlperf, w.dataset->mlperf->benchmark,
                                out.mlperf ? &*out.mlperf : nullptr));
  j.set("assumptions", w.assumptions);
  return j.json();
}

ServeOutcome serve_checked(const ServeRequest& o) {
  BoundChecks checks;
  checks.check("--devices", o.devices, bounds::kServeDevices);
  checks.check("--tp", o.tp, bounds::kParallelDegree);
  checks.check("--pp", o.pp, bounds::kParallelDegree);
  checks.check("--ep", o.ep, bounds::kParallelDegree);
  checks.check("--input-len", o.input_len, bounds::kSequenceTokens);
  checks.check("--output-len", o.output_len, bounds::kSequenceTokens);
  checks.check("--input-stdev", o.input_stdev, bounds::kLengthStdev);
  checks.check("--output-stdev", o.output_stdev, bounds::kLengthStdev);
  checks.check("--requests", o.requests, bounds::kRequests);
  checks.check("--max-samples", o.max_samples, bounds::kRequests);
  checks.check("--min-duration-s", o.min_duration_s, kMlperfRunDurationS);
  checks.check("--seed", o.seed, bounds::kSeed);
  checks.check("--rate", o.rate, bounds::kRequestRate);
  checks.check("--concurrency", o.concurrency, bounds::kConcurrency);
  checks.check("--slo-ttft-ms", o.slo_ttft_ms, bounds::kSloMs);
  checks.check("--slo-tpot-ms", o.slo_tpot_ms, bounds::kSloMs);
  checks.check("--decode-tp", o.decode_tp, bounds::kParallelDegree);
  checks.check("--decode-pp", o.decode_pp, bounds::kParallelDegree);
  checks.fail_if_any();
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
  const PrecisionPlan precision =
      precision_flags(o.precision, o.kv_precision, o.expert_precision, o.weight_group);
  ServeOutcome out;
  const EngineProfile engine = engine_profile(o);
  out.workload = build_workload(o);
  const ServeWorkload& w = out.workload;
  if (mlperf) {
    if (!w.dataset || !w.dataset->mlperf)
      input_error("--mlperf",
                  fmt::format("needs --dataset of an MLPerf benchmark (mlperf-llama2-70b, "
                              "mlperf-mixtral-8x7b, mlperf-gpt-j, ...); got {}",
                              w.dataset ? "dataset \"" + w.dataset->id + "\""
                                        : std::string("no --dataset")));
    if (o.rate || o.concurrency)
      input_error("--mlperf", "sets its own arrivals; drop --rate / --concurrency");
  } else if (o.max_samples || o.min_duration_s) {
    input_error(o.max_samples ? "--max-samples" : "--min-duration-s",
                "sets the runs of an MLPerf scenario: give --mlperf too");
  }
  const SplitOverrides set = split_overrides(o.overrides);  // --set hardware.* | model.*
  out.hw = loaded_or_fail(load_hardware(o.hardware, set.hardware), "--hardware");
  out.model = loaded_or_fail(load_model(o.model, set.model), "--model");
  const HardwareSpec& hw = out.hw;
  const ModelSpec& model = out.model;
  check_expert_precision(o.expert_precision, model);
  // The server around each device for the economics (--system, default the hardware's class).
  TokenEconomicsAssumptions econ_assumptions;
  econ_assumptions.system = load_system(o.system, o.system_params, hw);
  SystemConfig& config = out.config;
  config.plan = ParallelismPlan{o.tp, o.pp, o.ep, 1, false, o.attention_dp};
  config.disaggregation = parse_disaggregate(o.disaggregate);
  // Default system size: one replica, or both pools of a disaggregated deployment.
  config.devices = o.devices ? *o.devices
                   : config.disaggregation
                       ? config.disaggregation->prefill_devices + config.disaggregation->decode_devices
                       : o.tp * o.pp;
  config.precision = precision;
  config.engine = engine;
  config.router = o.router;
  if ((o.decode_tp || o.decode_pp) && !config.disaggregation)
    input_error(o.decode_tp ? "--decode-tp" : "--decode-pp",
                "sets the decode pool's plan: give --disaggregate too");
  if (config.disaggregation && (o.decode_tp || o.decode_pp)) {
    const int dtp = o.decode_tp.value_or(o.tp), dpp = o.decode_pp.value_or(o.pp);
    config.disaggregation->decode_plan = ParallelismPlan{dtp, dpp, o.ep, 1, false, o.attention_dp};
  }
  auto created = ServingSystem::create(hw, model, config, default_calibration());
  if (!created) {
    Diagnostics d = created.error();
    for (auto& e : d) {
      e.file = "<command line>";
      if (e.path.find('.') == std::string::npos)  // a plan field is its flag: attention_dp
        std::replace(e.path.begin(), e.path.end(), '_', '-');
      e.path = "--" + e.path;
    }
    fail_with(std::move(d));
  }
  ServingSystem& system = **created;
  out.info = system.info();
  const SystemInfo& info = out.info;

  RunOptions run_options;
  if (o.slo_ttft_ms) run_options.slo_ttft = units::ms(*o.slo_ttft_ms);
  if (o.slo_tpot_ms) run_options.slo_tpot = units::ms(*o.slo_tpot_ms);
  if (w.dataset) run_options.beam_width = w.dataset->beam_width;
  std::unique_ptr<Timeline> timeline;
  if (!o.timeline.empty()) timeline = std::make_unique<Timeline>(o.timeline);
  if (timeline || o.on_step)
    run_options.on_step = [&](const StepRecord& r) {
      if (timeline) timeline->write(r);
      if (o.on_step) o.on_step(r);
    };

  std::optional<ServingResult>& result = out.result;
  std::optional<MlperfResult>& mlperf_result = out.mlperf;
  const bool feasible = info.feasibility.feasible();
  if (feasible) {
    if (mlperf) {
      MlperfOptions mo;
      mo.seed = static_cast<uint64_t>(o.seed);
      mo.run = run_options;
      mo.on_probe = o.on_probe;
      if (o.requests) mo.samples = *o.requests;
      if (o.max_samples) mo.max_samples = *o.max_samples;
      if (o.min_duration_s) mo.min_duration = Seconds(*o.min_duration_s);
      if (o.slo_ttft_ms) mo.ttft_limit = units::ms(*o.slo_ttft_ms);
      if (o.slo_tpot_ms) mo.tpot_limit = units::ms(*o.slo_tpot_ms);
      mlperf_result = value_or_fail(run_mlperf(system, *w.dataset, *mlperf, mo));
      result = mlperf_result->run;
      // The figures are the reported run's (Offline: its samples at t = 0; Server/Interactive:
      // the run at the highest passing rate), not the workload the flags drew: say that one.
      ServeWorkload& reported = out.workload;
      reported.description =
          fmt::format("MLPerf {}: the reported run of {} samples from dataset {} (seed {})",
                      to_string(*mlperf), result->counters.arrived, w.dataset->id, o.seed);
      if (*mlperf != MlperfScenario::kOffline) {
        reported.arrivals.kind = ArrivalSpec::Kind::kPoisson;
        reported.arrivals.rate = mlperf_result->max_qps;
      }
    } else {
      result = value_or_fail(system.run(w.requests, w.arrivals, run_options));
    }
  }
  if (timeline) timeline->close(o.timeline);

  const ServingResult* r = result ? &*result : nullptr;
  // A run in which no request completed (every one rejected: longer than the engine accepts,
  // than the token budget or than a KV cache) answers nothing: infeasible, no_output.
  if (r && r->counters.completed == 0) {
    const ServingCounters& c = r->counters;
    out.info.feasibility.mark(
        InfeasibleReason::kNoOutput,
        fmt::format("no request completed: {} of {} rejected ({} longer than the engine accepts, "
                    "{} over the token budget without chunked prefill, {} larger than a KV "
                    "cache)",
                    c.rejected, c.arrived, c.rejected_too_long, c.rejected_prompt_budget,
                    c.rejected_kv_capacity));
  }
  std::optional<Result<TokenEconomics>>& econ = out.economics;
  if (r && r->counters.output_tokens > 0)
    econ = serving_token_economics(hw, config.precision, r->activity, r->duration,
                                   static_cast<double>(r->counters.output_tokens),
                                   econ_assumptions);
  out.json = serve_json(o, out, *econ_assumptions.system, mlperf);
  return out;
}

}  // namespace

std::string_view arrival_text(const ArrivalSpec& a) {
  switch (a.kind) {
    case ArrivalSpec::Kind::kOffline: return "offline (all at t = 0)";
    case ArrivalSpec::Kind::kPoisson: return "poisson";
    case ArrivalSpec::Kind::kClosedLoop: return "closed loop";
    case ArrivalSpec::Kind::kTrace: return "trace timestamps";
  }
  return "?";
}

Result<ServeOutcome> serve_scenario(const ServeRequest& request) {
  return guarded([&] { return serve_checked(request); });
}
Result<Json> serve(const ServeRequest& request) {
  return serve_scenario(request).map([](ServeOutcome&& o) { return std::move(o.json); });
}

}  // namespace xpusim::api
