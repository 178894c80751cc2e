// SPDX-License-Identifier: Apache-2.0
// `xpusim run` (one static-batch scenario: TTFT, TPOT, latency, throughput, memory and the per-op
// breakdown), `xpusim gemm` (one matrix multiply) and `xpusim compare` (every hardware preset on
// one workload, ranked by output tokens/s). Command names, flags and JSON keys are a contract.
// The checks, the model calls and the JSON live in api/perf.h; this file prints the answers.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/perf.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

// Options shared by run and compare.
using WorkloadOptions = api::StaticWorkload;

void add_workload_options(CLI::App* cmd, WorkloadOptions& o) {
  cmd->add_option("--model", o.model, "model preset id or file (model/v1 YAML, HF config.json)")
      ->required();
  bound_int(cmd->add_option("--batch", o.batch, "requests in the static batch (per model replica)"),
            bounds::kBatch)
      ->required();
  bound_int(cmd->add_option("--input-len", o.input_len, "prompt tokens per request"),
            bounds::kSequenceTokens)
      ->required();
  bound_int(cmd->add_option("--output-len", o.output_len, "generated tokens per request"),
            bounds::kSequenceTokens)
      ->required();
  cmd->add_option("--precision", o.precision,
                  "weights/compute precision: fp32 tf32 bf16 fp16 fp8 int8 int4 fp4 (int8/int4 = "
                  "weight-only)")
      ->capture_default_str();
  cmd->add_option("--kv-precision", o.kv_precision, "KV-cache precision (default: see --precision)");
  cmd->add_option("--expert-precision", o.expert_precision,
                  "MoE models: the routed experts' precision, as --precision would run them "
                  "(e.g. fp4 experts beside bf16 attention; default: --precision)");
  bound_int(cmd->add_option(
                "--weight-group-size", o.weight_group,
                "fp4/int4 weights: values per scale, the checkpoint's group size (MXFP4 32, "
                "gpt-fast --groupsize; default: fp4 16 as NVFP4, int4 128)"),
            bounds::kWeightGroup);
}

// "fp4 weights (4.5 bits stored), fp4 activations, fp8 KV", and the routed experts' formats of
// a mixed plan; block-scaled weights say their stored bits (config/precision.h).
std::string precision_text(const PrecisionPlan& p) {
  auto weights = [](const PrecisionPlan& q) {
    std::string w = fmt::format("{} weights", to_string(q.weights));
    if (block_scaled(q.weights))
      w += fmt::format(" ({:g} bits stored)", 8.0 * q.weight_storage().value());
    return w;
  };
  std::string text = fmt::format("{}, {} activations, {} KV", weights(p), to_string(p.activations),
                                 to_string(p.kv_cache));
  if (p.mixed())
    text += fmt::format(", routed experts {} / {} activations", weights(p.experts()),
                        to_string(p.experts().activations));
  return text;
}

// The columns of `t` named in `names`, in that order (a name `t` lacks is left out): the
// readable subset of a wide record table.
Table select_columns(const Table& t, std::span<const std::string_view> names) {
  std::vector<size_t> at;
  for (std::string_view name : names)
    for (size_t i = 0; i < t.header().size(); ++i)
      if (t.header()[i] == name) at.push_back(i);
  const auto pick = [&](const std::vector<std::string>& row) {
    std::vector<std::string> out;
    for (size_t i : at) out.push_back(i < row.size() ? row[i] : "");
    return out;
  };
  Table out(pick(t.header()));
  for (const auto& row : t.rows()) out.add_row(pick(row));
  return out;
}

// ---- run ------------------------------------------------------------------------------------
// The flags are the request (api/perf.h) plus what only the command line has.
struct RunOptions : api::RunRequest {
  std::string html;  // --html FILE
};

// The terminal tables of run are drawn from its JSON (api/perf.cc run_json) and its field table
// (report/result_types.cc "run"): every name shown is a key of the JSON, dotted for nested
// records, with its unit and the one number rule (report/result_fields.h). The full record is in
// --format json / csv; the terminal shows the figures a reader asks for first.

// A feasible run: latency and throughput, memory per device, the clocks under the TDP, energy and
// cost (a figure without a value, null in the JSON, has no row: economics.unavailable_reason
// says why the economics are missing).
constexpr std::string_view kRunFigures[] = {
    "ttft_ms",
    "tpot_ms",
    "e2e_latency_ms",
    "output_tokens_per_s",
    "output_tokens_per_s_per_device",
    "memory.weights_bytes",
    "memory.kv_cache_bytes",
    "memory.activation_bytes",
    "memory.usable_bytes",
    "memory.max_batch",
    "prefill.sustained_clock_ghz",
    "prefill.power_limited",
    "decode.sustained_clock_ghz",
    "decode.power_limited",
    "energy_per_output_token_j",
    "average_power_w",
    "economics.capped_by_tdp",
    "system_power_w",
    "economics.device_price_usd",
    "economics.device_price_source",
    "cost_per_million_output_tokens_usd",
    "economics.unavailable_reason",
};

// An infeasible run: what does not fit and what would (no time or throughput).
constexpr std::string_view kRunInfeasibleFigures[] = {
    "memory.weights_bytes",   "memory.kv_cache_bytes",  "memory.activation_bytes",
    "memory.capacity_bytes",  "largest_feasible_batch", "smallest_feasible_tp",
    "smallest_feasible_pp",
};

// The columns of the ops tables (the phase is the table's title; kind and L2 traffic are in the
// JSON and CSV).
constexpr std::string_view kOpColumns[] = {
    "ops.layer",      "ops.name",       "ops.count", "ops.time_ms",    "ops.flop",
    "ops.dram_bytes", "ops.link_bytes", "ops.bound", "ops.utilization",
};

// The table of the ops of one phase ("prefill", "decode"): record_table of run's `ops` records
// whose ops.phase is `phase`.
std::string ops_table_text(const api::Json& run_json, std::string_view phase) {
  api::Json ops = api::Json::array();
  for (const api::Json& op : run_json.at("ops"))
    if (op.at("phase") == phase) ops.push_back(op);
  const api::Json doc = {{"ops", ops}};
  return select_columns(value_or_throw(record_table(doc, "ops")), kOpColumns).to_text();
}

void run_scenario(const RunOptions& o, const GlobalOptions& g) {
  api::RunRequest request = o;
  request.overrides = g.overrides;
  const api::RunOutcome out = value_or_throw(api::run_scenario(request));
  write_html(o.html, HtmlReportKind::kRun, out.json, run_chart_data(out.hw, out.scenario.precision),
             g);
  if (g.format == "json") {
    std::printf("%s\n", out.json.dump(2).c_str());
    return;
  }
  const HardwareSpec& hw = out.hw;
  const ModelSpec& model = out.model;
  const StaticScenario& sc = out.scenario;
  const PrecisionPlan& prec = sc.precision;
  const StaticResult& r = out.result;
  const bool feasible = r.feasibility.feasible();
  const std::optional<int64_t>& largest_batch = out.largest_feasible_batch;
  const std::optional<ParallelismPlan>& smallest_plan = out.smallest_feasible_plan;
  if (g.format == "csv") {  // the summary row; --csv-records ops: a row per op
    print_tidy_csv(out.json, g, "", "run");
    return;
  }
  std::printf(
      "%s on %d x %s (tp %d, pp %d, %d replica%s), batch %lld, %lld in / %lld out, "
      "%s, runtime %s\n",
      model.id.c_str(), sc.devices, hw.id.c_str(), o.tp, o.pp, r.replicas,
      r.replicas == 1 ? "" : "s", static_cast<long long>(sc.batch),
      static_cast<long long>(sc.input_len), static_cast<long long>(sc.output_len),
      precision_text(prec).c_str(), out.runtime.c_str());
  // A format the matrix engines lack runs in another one (hardware_spec.h execution_precision):
  // say so, or a --set that removes a format seems to change nothing.
  if (const auto note = precision_fallback_note(hw, prec))
    std::printf("note: %s\n", note->c_str());
  if (const auto note = checkpoint_note(model, prec)) std::printf("note: %s\n", note->c_str());
  const ResultType& type = *find_result_type("run");
  if (!feasible) {
    // The answer is "infeasible": what does not fit and what would, no time or throughput.
    std::printf("INFEASIBLE: %s\n", r.feasibility.to_string().c_str());
    std::fputs(field_table_of(type, out.json, kRunInfeasibleFigures).to_text().c_str(), stdout);
    if (r.feasibility.reason == InfeasibleReason::kMemory && !largest_batch)
      std::printf("note: not even one request fits with tp %d x pp %d (largest_feasible_batch is "
                  "null)\n",
                  o.tp, o.pp);
    if ((r.feasibility.reason == InfeasibleReason::kMemory ||
         r.feasibility.reason == InfeasibleReason::kNetwork) &&
        !smallest_plan)
      std::printf("note: no plan up to tp = the heads and pp = the layers fits batch %lld "
                  "(smallest_feasible_tp is null)\n",
                  static_cast<long long>(sc.batch));
    return;
  }
  std::fputs(field_table_of(type, out.json, kRunFigures).to_text().c_str(), stdout);
  std::fputs(uncertainty_note(out.json, "static").c_str(), stdout);
  std::printf("\nprefill ops (per device)\n%s", ops_table_text(out.json, "prefill").c_str());
  std::printf("\ndecode ops (per device, one step at context %lld)\n%s",
              static_cast<long long>(sc.input_len + std::max<int64_t>(1, sc.output_len / 2)),
              ops_table_text(out.json, "decode").c_str());
}

// ---- gemm -----------------------------------------------------------------------------------
struct GemmOptions : api::GemmRequest {};

void run_gemm(const GemmOptions& o, const GlobalOptions& g) {
  api::GemmRequest request = o;
  request.overrides = g.overrides;
  const api::GemmOutcome out = value_or_throw(api::gemm_scenario(request));
  const api::Json& j = out.json;
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {
    print_tidy_csv(j, g, "", "gemm");
    return;
  }
  // field / value / unit from gemm's field table, numbers by the one rule (report/result_fields.h)
  std::fputs(field_table(*find_result_type("gemm"), j).to_text().c_str(), stdout);
}

// ---- compare --------------------------------------------------------------------------------
struct CompareOptions : api::CompareRequest {
  std::string html;  // --html FILE
};

// The columns of compare's terminal table, keys of its `ranking` records by their path.
constexpr std::string_view kRankingColumns[] = {
    "ranking.rank",
    "ranking.hardware",
    "ranking.tp",
    "ranking.devices",
    "ranking.math_execution",
    "ranking.ttft_ms",
    "ranking.tpot_ms",
    "ranking.e2e_latency_ms",
    "ranking.output_tokens_per_s",
    "ranking.output_tokens_per_s_per_device",
    "ranking.memory.weights_bytes",
    "ranking.memory.usable_bytes",
    "ranking.prefill_bound",
    "ranking.decode_bound",
    "ranking.infeasible_reason",
    "ranking.infeasible_detail",
    "ranking.error",
};

void run_compare(const CompareOptions& o, const GlobalOptions& g) {
  api::CompareRequest request = o;
  request.overrides = g.overrides;
  const api::CompareOutcome out = value_or_throw(api::compare_scenario(request));
  write_html(o.html, HtmlReportKind::kCompare, out.json, compare_chart_data(out.json, g.overrides),
             g);
  if (g.format == "json") {
    std::printf("%s\n", out.json.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {  // a row per preset, the workload's keys repeated
    print_tidy_csv(out.json, g, "ranking", "compare");
    return;
  }
  const ModelSpec& model = out.model;
  const PrecisionPlan& prec = out.precision;
  const std::string ranking =
      out.per_device ? std::string("output tokens/s per device (smallest tp that fits)")
                     : fmt::format("output tokens/s of {} devices", *o.devices);
  const std::string experts =
      prec.mixed() ? fmt::format(" (routed experts {})", to_string(prec.experts().weights)) : "";
  std::printf("%s, static batch %lld, %lld in / %lld out, %s weights%s, %s KV — ranked by %s\n",
              model.id.c_str(), static_cast<long long>(o.batch),
              static_cast<long long>(o.input_len), static_cast<long long>(o.output_len),
              std::string(to_string(prec.weights)).c_str(), experts.c_str(),
              std::string(to_string(prec.kv_cache)).c_str(), ranking.c_str());
  // A row per preset: record_table of compare's `ranking` records (api/perf.cc compare_json),
  // the columns a reader compares by; an infeasible preset has no rank and no figures, its
  // ranking.infeasible_reason and ranking.infeasible_detail instead (ranking.error: it did not
  // load).
  const Table table = value_or_throw(record_table(out.json, "ranking"));
  std::fputs(select_columns(table, kRankingColumns).to_text().c_str(), stdout);
}

}  // namespace

void add_perf_commands(CLI::App& app, GlobalOptions& global) {
  auto run_opts = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "predict one static-batch scenario (TTFT, TPOT, "
                                             "throughput, memory, per-op breakdown)");
  run->add_option("--hardware", run_opts->hardware, "hardware preset id or file")->required();
  add_workload_options(run, *run_opts);
  bound_int(run->add_option("--devices", run_opts->devices,
                            "total devices (default tp x pp; more = data-parallel replicas)"),
            bounds::kDevices);
  bound_int(run->add_option("--tp", run_opts->tp, "tensor-parallel degree"),
            bounds::kParallelDegree)
      ->capture_default_str();
  bound_int(run->add_option("--pp", run_opts->pp, "pipeline-parallel degree"),
            bounds::kParallelDegree)
      ->capture_default_str();
  bound_int(run->add_option("--ep", run_opts->ep, "expert-parallel degree (divides tp)"),
            bounds::kParallelDegree)
      ->capture_default_str();
  bound_int(run->add_option("--microbatches", run_opts->microbatches,
                            "pipeline microbatches (at most the batch)"),
            bounds::kMicrobatches)
      ->capture_default_str();
  run->add_flag("--sequence-parallel", run_opts->sequence_parallel,
                "reduce-scatter + all-gather instead of all-reduce");
  run->add_flag("--attention-dp", run_opts->attention_dp,
                "attention data parallelism (MoE models): attention, dense and shared MLPs "
                "replicated on the tp ranks, each on its own sequences; experts over ep = tp");
  run->add_option("--runtime", run_opts->runtime,
                  "serving software stack whose overheads apply: " +
                      join(runtime_names(default_calibration().runtimes)))
      ->capture_default_str();
  bound_real(run->add_option("--electricity-price", run_opts->electricity_usd_per_kwh,
                             "electricity price for the cost per token, USD/kWh"),
             bounds::kElectricityUsdPerKwh)
      ->capture_default_str();
  bound_real(run->add_option("--device-price", run_opts->device_price_usd,
                             "purchase price of one device, USD (default: modelled cost per unit "
                             "/ (1 - gross margin))"),
             bounds::kDevicePriceUsd);
  bound_real(run->add_option("--gross-margin", run_opts->gross_margin,
                             "vendor gross margin on the modelled cost when no --device-price is "
                             "given"),
             bounds::kGrossMargin)
      ->capture_default_str();
  bound_real(run->add_option("--lifetime-years", run_opts->lifetime_years,
                             "depreciation lifetime, years"),
             bounds::kLifetimeYears)
      ->capture_default_str();
  add_system_options(run, run_opts->system, run_opts->system_params);
  add_html_option(run, run_opts->html);
  run->callback([run_opts, &global] { run_scenario(*run_opts, global); });

  auto gemm_opts = std::make_shared<GemmOptions>();
  CLI::App* gemm = app.add_subcommand("gemm", "predict one matrix multiply C[m,n] = A[m,k] x B[k,n]");
  gemm->add_option("--hardware", gemm_opts->hardware, "hardware preset id or file")->required();
  bound_int(gemm->add_option("--m", gemm_opts->m, "rows of A and C"), bounds::kGemmDim)->required();
  bound_int(gemm->add_option("--n", gemm_opts->n, "columns of B and C"), bounds::kGemmDim)
      ->required();
  bound_int(gemm->add_option("--k", gemm_opts->k, "reduction dimension"), bounds::kGemmDim)
      ->required();
  bound_int(gemm->add_option("--batch", gemm_opts->batch, "batch count (batched GEMM)"),
            bounds::kGemmBatch)
      ->capture_default_str();
  gemm->add_option("--precision", gemm_opts->precision, "operand precision")->capture_default_str();
  gemm->add_option("--weight-precision", gemm_opts->weight_precision,
                   "precision of B when it differs (weight-only quantisation)");
  bound_int(gemm->add_option("--weight-group-size", gemm_opts->weight_group,
                             "fp4/int4 B: values per scale (default: fp4 16 as NVFP4, int4 128)"),
            bounds::kWeightGroup);
  gemm->add_option("--runtime", gemm_opts->runtime,
                   "software stack whose GEMM kernels and call overheads apply (pytorch-eager: "
                   "the vendor library, as validate's gemm rows): " +
                       join(runtime_names(default_calibration().runtimes)))
      ->capture_default_str();
  gemm->callback([gemm_opts, &global] { run_gemm(*gemm_opts, global); });

  auto cmp_opts = std::make_shared<CompareOptions>();
  CLI::App* cmp = app.add_subcommand("compare", "rank every hardware preset (or the hardware "
                                                 "given) on one workload by output tokens/s");
  add_workload_options(cmp, *cmp_opts);
  cmp->add_option("--hardware", cmp_opts->hardware,
                  "rank this hardware (preset id or hardware/v1 file; repeat for more) instead of "
                  "every preset");
  cmp->add_flag("--with-presets", cmp_opts->with_presets,
                "with --hardware: rank every preset as well (a design of one's own against the "
                "market)");
  bound_int(cmp->add_option("--devices", cmp_opts->devices, "devices per system (default: tp)"),
            bounds::kDevices);
  bound_int(cmp->add_option("--tp", cmp_opts->tp,
                            "tensor-parallel degree (default: smallest that fits)"),
            bounds::kParallelDegree);
  add_html_option(cmp, cmp_opts->html);
  cmp->callback([cmp_opts, &global] { run_compare(*cmp_opts, global); });
}

}  // namespace xpusim::cli
