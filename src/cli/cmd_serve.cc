// SPDX-License-Identifier: Apache-2.0
// `xpusim serve`: a serving deployment (hardware, model, parallelism, engine profile) under a
// workload (fixed lengths, a benchmark dataset or a replayed trace; offline, Poisson, closed-loop
// or trace arrivals), simulated by serving/ -- latency percentiles, throughput, goodput, KV-cache
// use, energy and cost per output token, and with --mlperf the LoadGen scenario figure. Command
// name, flags and JSON keys are a contract (issue: serving simulator). api/serve.h runs it and
// builds the JSON; this file prints the answer.
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/numeric_flags.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/api/serve.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/result_fields.h"
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

// The keys of serve's JSON its terminal table leaves out: what the header line says (the
// deployment, engine and workload), the configuration (precision, engine), the feasibility (the
// INFEASIBLE line), and what is printed as prose below the table (uncertainty, assumptions,
// mlperf notes) or is long text (system.description). JSON and CSV have them all.
bool left_out_of_table(std::string_view key) {
  constexpr std::string_view kKeys[] = {
      "hardware", "model", "devices", "tp", "pp", "replicas", "workload.description",
      "workload.arrivals", "feasible", "infeasible_reason", "infeasible_detail",
      "system.description", "assumptions", "mlperf.notes"};
  constexpr std::string_view kPrefixes[] = {"precision.", "engine.", "uncertainty."};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys) ||
         std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [&](std::string_view p) { return key.starts_with(p); });
}

// The terminal tables of a serve answer, drawn from its JSON and serve's field table
// (report/result_fields.h): the field table of its figures (names are the JSON keys, dotted for
// nested ones; units from their suffixes; numbers by the one significant-figure rule), then with
// --mlperf server / interactive the rate search, one record per probe (record_table).
std::string serve_tables_text(const json& j) {
  std::vector<std::string> keys;
  for (const std::string& k : flattened_field_names(j))
    if (left_out_of_table(k)) keys.push_back(k);
  const std::vector<std::string_view> leave_out(keys.begin(), keys.end());
  std::string out = field_table(*find_result_type("serve"), j, leave_out).to_text();
  const std::vector<std::string> lists = record_lists(j);
  if (std::find(lists.begin(), lists.end(), "mlperf.probes") != lists.end())
    out += "\nrate search of the MLPerf scenario (a probe per rate, in the order run)\n" +
           value_or_throw(record_table(j, "mlperf.probes")).to_text();
  return out;
}

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
  const SystemConfig& config = out.config;
  const SystemInfo& info = out.info;
  const api::ServeWorkload& w = out.workload;
  if (g.format == "csv") {  // one row; --csv-records names a list (e.g. the rate search's probes)
    print_tidy_csv(j, g, "", "serve");
    return;
  }
  // Prose: what was simulated, the precision note, INFEASIBLE.
  std::printf("%s on %d x %s (tp %d, pp %d, %d replica%s), engine %s (runtime %s), %s, %s "
              "arrivals\n",
              out.model.id.c_str(), config.devices, hw.id.c_str(), o.tp, o.pp, info.replicas,
              info.replicas == 1 ? "" : "s", config.engine.id.c_str(),
              config.engine.runtime.c_str(), w.description.c_str(),
              std::string(api::arrival_text(w.arrivals)).c_str());
  if (const auto note = precision_fallback_note(hw, config.precision))
    std::printf("note: %s\n", note->c_str());
  if (const auto note = checkpoint_note(out.model, config.precision))
    std::printf("note: %s\n", note->c_str());
  if (!info.feasibility.feasible()) {
    std::printf("INFEASIBLE: %s\n", info.feasibility.to_string().c_str());
    return;
  }
  // A run with no completed request is infeasible (no_output, api/serve.cc): returned above.
  std::fputs(serve_tables_text(j).c_str(), stdout);
  std::fputs(uncertainty_note(j, "serving").c_str(), stdout);
  for (const auto& a : w.assumptions) std::printf("assumed: %s\n", a.c_str());
  if (out.mlperf)
    for (const auto& n : out.mlperf->notes) std::printf("note: %s\n", n.c_str());
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
  c->add_flag("--attention-dp", o->attention_dp,
              "attention data parallelism (MoE models): attention, dense and shared MLPs "
              "replicated on the tp ranks, each on its own sequences; experts over ep = tp");
  c->add_option("--precision", o->precision, "weights/compute precision")->capture_default_str();
  c->add_option("--kv-precision", o->kv_precision, "KV-cache precision (default: see --precision)");
  c->add_option("--expert-precision", o->expert_precision,
                "MoE models: the routed experts' precision, as --precision would run them "
                "(default: --precision)");
  bound_int(c->add_option(
                "--weight-group-size", o->weight_group,
                "fp4/int4 weights: values per scale, the checkpoint's group size (MXFP4 32, "
                "gpt-fast --groupsize; default: fp4 16 as NVFP4, int4 128)"),
            bounds::kWeightGroup);
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
  bound_int(c->add_option("--requests", o->requests,
                          "requests to simulate (default 1000; --mlperf offline: LoadGen's query, "
                          "at least the dataset's sample count and 1.1 x rate x 600 s)"),
            bounds::kRequests);
  bound_int(c->add_option("--seed", o->seed, "seed of the lengths and arrivals"), bounds::kSeed)
      ->capture_default_str();
  bound_real(c->add_option("--rate", o->rate, "Poisson arrivals at this many requests/s"),
             bounds::kRequestRate);
  bound_int(c->add_option("--concurrency", o->concurrency, "closed loop: this many clients"),
            bounds::kConcurrency);
  c->add_option("--mlperf", o->mlperf, "MLPerf LoadGen scenario: offline|server|interactive");
  bound_int(c->add_option("--max-samples", o->max_samples,
                          "--mlperf: the most samples of any run, the rate search's included "
                          "(default 200000; a smaller cap runs shorter than LoadGen's minimum "
                          "duration)"),
            bounds::kRequests);
  bound_real(c->add_option("--min-duration-s", o->min_duration_s,
                           "--mlperf server|interactive: each run of the rate search lasts this "
                           "long, rate x this many samples (default the benchmark's 600 s; "
                           "shorter runs are cheaper and not valid MLPerf runs)"),
             kMlperfRunDurationS);
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
