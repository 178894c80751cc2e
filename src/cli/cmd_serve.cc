// SPDX-License-Identifier: Apache-2.0
// `xpusim serve`: a serving deployment (hardware, model, parallelism, engine profile) under a
// workload (fixed lengths, a benchmark dataset or a replayed trace; offline, Poisson, closed-loop
// or trace arrivals), simulated by serving/ -- latency percentiles, throughput, goodput, KV-cache
// use, energy and cost per output token, and with --mlperf the LoadGen scenario figure. Command
// name, flags and JSON keys are a contract (issue: serving simulator). api/serve.h runs it and
// builds the JSON; this file prints the answer.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/numeric_flags.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/api/serve.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/table.h"
#include "xpusim/serving/router.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;

// The flags are the request (api/serve.h) plus what only the command line has.
struct ServeOptions : api::ServeRequest {
  std::string html;    // --html FILE
  bool quiet = false;  // --quiet: no progress line
};

void run_serve(const ServeOptions& o, const GlobalOptions& g) {
  api::ServeRequest request = o;
  request.overrides = g.overrides;
  StepTimeline steps;  // for --html
  if (!o.html.empty()) request.on_step = [&](const StepRecord& r) { steps.add(r); };
  // --mlperf server / interactive: a progress line of the rate search on a terminal.
  std::optional<ProgressLine> bar;
  request.on_probe = [&bar, &o](int done, int total) {
    if (!bar) bar.emplace("serve rate search", static_cast<uint64_t>(total), "probes", false, o.quiet);
    bar->set_total(static_cast<uint64_t>(std::max(done, total)));
    bar->add(1);
  };
  const api::ServeOutcome out = value_or_throw(api::serve_scenario(request));
  if (bar) bar->finish();
  const json& j = out.json;
  write_html(o.html, HtmlReportKind::kServe, j,
             out.result ? serve_chart_data(out.result->counters, steps) : json(nullptr), g);
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  const HardwareSpec& hw = out.hw;
  const ModelSpec& model = out.model;
  const SystemConfig& config = out.config;
  const EngineProfile& engine = config.engine;
  const SystemInfo& info = out.info;
  const api::ServeWorkload& w = out.workload;
  const ServingResult* r = out.result ? &*out.result : nullptr;
  const std::optional<Result<TokenEconomics>>& econ = out.economics;
  const std::optional<MlperfResult>& mlperf_result = out.mlperf;
  const bool feasible = info.feasibility.feasible();
  const bool econ_ok = out.economics_ok();
  if (g.format == "csv") {  // one row; --csv-records names a list (e.g. the rate search's probes)
    print_tidy_csv(j, g);
    return;
  }
  std::printf("%s on %d x %s (tp %d, pp %d, %d replica%s), engine %s (runtime %s), %s, %s "
              "arrivals\n",
              model.id.c_str(), config.devices, hw.id.c_str(), o.tp, o.pp, info.replicas,
              info.replicas == 1 ? "" : "s", engine.id.c_str(), engine.runtime.c_str(),
              w.description.c_str(), std::string(api::arrival_text(w.arrivals)).c_str());
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
  // The clock under the TDP of the steps with prefill work and of the decode-only steps.
  for (const auto& [kind, c] : {std::pair{"prefill", r->prefill_clock}, std::pair{"decode", r->decode_clock}})
    s.add_row({fmt::format("{}_sustained_clock_ghz", kind),
               fixed(units::to_ghz(c.sustained_clock), 3) + (c.power_limited ? " (power-limited)" : "")});
  if (econ_ok) {
    s.add_row({"system (server class)", (*econ)->system.name});
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
  std::fputs(uncertainty_note(j.at("uncertainty"), "serving").c_str(), stdout);
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
  add_system_options(c, o->system, o->system_params);
  add_html_option(c, o->html);
  c->add_flag("--quiet", o->quiet,
              "no progress line of the --mlperf rate search (written to stderr only when it is a "
              "terminal)");
  c->callback([o, &global] { run_serve(*o, global); });
}

}  // namespace xpusim::cli
