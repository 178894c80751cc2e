// SPDX-License-Identifier: Apache-2.0
// `xpusim run` (one static-batch scenario: TTFT, TPOT, latency, throughput, memory and the per-op
// breakdown), `xpusim gemm` (one matrix multiply) and `xpusim compare` (every hardware preset on
// one workload, ranked by output tokens/s). Command names, flags and JSON keys are a contract.
// The checks, the model calls and the JSON live in api/perf.h; this file prints the answers.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
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
}

std::string gb(Bytes b) { return fixed(units::to_gb(b), 1); }

void print_ops_table(const PhaseBreakdown& ph, const char* title) {
  std::printf("\n%s (per device; %s ms total)\n", title, fixed(units::to_ms(ph.total), 3).c_str());
  Table t({"layer", "op", "count", "time_ms", "share_%", "gflop", "dram_mb", "link_mb", "bound",
           "util_%"});
  for (const auto& op : ph.ops) {
    double share = ph.total.value() > 0 ? 100.0 * op.time.value() / ph.total.value() : 0.0;
    t.add_row({op.layer.empty() ? "-" : op.layer, op.name, sig(op.count, 3),
               fixed(units::to_ms(op.time), 4), fixed(share, 1), sig(op.flop.value() / 1e9, 4),
               sig(op.bytes.dram.value() / 1e6, 4), sig(op.bytes.link.value() / 1e6, 4),
               std::string(to_string(op.bound)), fixed(100.0 * op.utilization, 0)});
  }
  std::fputs(t.to_text().c_str(), stdout);
}

// ---- run ------------------------------------------------------------------------------------
// The flags are the request (api/perf.h) plus what only the command line has.
struct RunOptions : api::RunRequest {
  std::string html;  // --html FILE
};

void add_economics_rows(Table& s, const Result<TokenEconomics>& e) {
  if (!e || !e->feasibility.feasible()) {
    const std::string why = !e ? (e.error().empty() ? "" : e.error().front().message)
                               : "scenario infeasible";
    s.add_row({"energy_per_output_token_j", "- (" + why + ")"});
    return;
  }
  s.add_row({"energy_per_output_token_j", sig(e->energy_per_output_token.value(), 4)});
  s.add_row({"average_power_w (per device)",
             fixed(e->average_power.value(), 0) + (e->capped ? " (capped by TDP)" : "")});
  s.add_row({"system_power_w", fixed(e->system_power.value(), 0)});
  s.add_row({"device_price_usd", fixed(e->device_price.value(), 0) +
                                     (e->device_price_modelled ? " (modelled cost / (1 - margin))"
                                                               : "")});
  s.add_row({"cost_per_million_output_tokens_usd",
             fixed(e->cost_per_million_output_tokens.value(), 4)});
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
  const Result<TokenEconomics>& econ = out.economics;
  const bool feasible = r.feasibility.feasible();
  const std::optional<int64_t>& largest_batch = out.largest_feasible_batch;
  const std::optional<ParallelismPlan>& smallest_plan = out.smallest_feasible_plan;
  if (g.format == "csv") {  // the summary row; --csv-records ops: a row per op
    print_tidy_csv(out.json, g);
    return;
  }
  std::printf("%s on %d x %s (tp %d, pp %d, %d replica%s), batch %lld, %lld in / %lld out, "
              "%s weights, %s activations, %s KV, runtime %s\n",
              model.id.c_str(), sc.devices, hw.id.c_str(), o.tp, o.pp, r.replicas,
              r.replicas == 1 ? "" : "s", static_cast<long long>(sc.batch),
              static_cast<long long>(sc.input_len), static_cast<long long>(sc.output_len),
              std::string(to_string(prec.weights)).c_str(),
              std::string(to_string(prec.activations)).c_str(),
              std::string(to_string(prec.kv_cache)).c_str(), out.runtime.c_str());
  // A format the matrix engines lack runs in another one (hardware_spec.h execution_precision):
  // say so, or a --set that removes a format seems to change nothing.
  if (const auto note = precision_fallback_note(hw, prec))
    std::printf("note: %s\n", note->c_str());
  if (!feasible) {
    // The answer is "infeasible": what does not fit and what would, no time or throughput.
    std::printf("INFEASIBLE: %s\n", r.feasibility.to_string().c_str());
    Table s({"metric", "value"});
    s.add_row({"weights_gb_per_device", gb(r.memory.weights)});
    s.add_row({"kv_cache_gb_per_device", gb(r.memory.kv_cache)});
    s.add_row({"activations_gb_per_device", gb(r.memory.activations)});
    s.add_row({"capacity_gb_per_device", gb(r.memory.capacity)});
    if (r.feasibility.reason == InfeasibleReason::kMemory)
      s.add_row({"largest_feasible_batch",
                 largest_batch ? std::to_string(*largest_batch)
                               : fmt::format("none (not even one request fits with tp {} x pp {})",
                                             o.tp, o.pp)});
    if (r.feasibility.reason == InfeasibleReason::kMemory ||
        r.feasibility.reason == InfeasibleReason::kNetwork)
      s.add_row({"smallest_feasible_plan",
                 smallest_plan ? fmt::format("tp {} x pp {} ({} devices per replica) for batch {}",
                                             smallest_plan->tp, smallest_plan->pp,
                                             smallest_plan->devices_per_replica(), sc.batch)
                               : std::string("none up to tp = the heads and pp = the layers")});
    std::fputs(s.to_text().c_str(), stdout);
    return;
  }
  Table s({"metric", "value"});
  s.add_row({"ttft_ms", fixed(units::to_ms(r.ttft), 2)});
  s.add_row({"tpot_ms", fixed(units::to_ms(r.tpot), 3)});
  s.add_row({"e2e_latency_ms", fixed(units::to_ms(r.e2e_latency), 1)});
  s.add_row({"output_tokens_per_s", fixed(r.output_tokens_per_s.value(), 1)});
  s.add_row({"output_tokens_per_s_per_device", fixed(r.output_tokens_per_s.value() / sc.devices, 1)});
  s.add_row({"weights_gb_per_device", gb(r.memory.weights)});
  s.add_row({"kv_cache_gb_per_device", gb(r.memory.kv_cache)});
  s.add_row({"activations_gb_per_device", gb(r.memory.activations)});
  s.add_row({"usable_gb_per_device", gb(r.memory.usable)});
  s.add_row({"max_batch", std::to_string(r.memory.max_batch)});
  for (const auto& [phase, c] : {std::pair{"prefill", r.prefill_clock}, std::pair{"decode", r.decode_clock}})
    s.add_row({fmt::format("{}_sustained_clock_ghz", phase),
               fixed(units::to_ghz(c.sustained_clock), 3) + (c.power_limited ? " (power-limited)" : "")});
  add_economics_rows(s, econ);
  std::fputs(s.to_text().c_str(), stdout);
  std::fputs(uncertainty_note(out.json.at("uncertainty"), "static").c_str(), stdout);
  print_ops_table(r.prefill, "prefill");
  print_ops_table(r.decode, fmt::format("decode step at context {}",
                                        sc.input_len + std::max<int64_t>(1, sc.output_len / 2))
                                .c_str());
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
    print_tidy_csv(j, g);
    return;
  }
  // field / value / unit from gemm's field table, numbers by the one rule (report/result_fields.h)
  std::fputs(field_table(*find_result_type("gemm"), j).to_text().c_str(), stdout);
}

// ---- compare --------------------------------------------------------------------------------
struct CompareOptions : api::CompareRequest {
  std::string html;  // --html FILE
};
using api::CompareRow;
using api::dominant_bound;

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
    print_tidy_csv(out.json, g, "ranking");
    return;
  }
  const ModelSpec& model = out.model;
  const PrecisionPlan& prec = out.precision;
  const std::vector<CompareRow>& rows = out.rows;
  const bool per_device = out.per_device;
  Table t({"rank", "hardware", "tp", "devices", "ttft_ms", "tpot_ms", "e2e_s", "tokens_per_s",
           "tok_s_per_device", "mem_used_gb", "prefill_bound", "decode_bound", "note"});
  int rank = 0;
  for (const auto& row : rows) {
    const StaticResult& r = row.result;
    if (row.feasible()) {
      t.add_row({std::to_string(++rank), row.hardware, std::to_string(row.tp),
                 std::to_string(row.devices), fixed(units::to_ms(r.ttft), 1),
                 fixed(units::to_ms(r.tpot), 2), fixed(r.e2e_latency.value(), 2),
                 fixed(r.output_tokens_per_s.value(), 0),
                 fixed(r.output_tokens_per_s.value() / row.devices, 0),
                 fmt::format("{}/{}", gb(r.memory.total()), gb(r.memory.usable)),
                 dominant_bound(r.prefill), dominant_bound(r.decode), ""});
    } else {
      const std::string why =
          row.error.empty() ? "INFEASIBLE: " + r.feasibility.to_string() : "error: " + row.error;
      t.add_row({"-", row.hardware, row.tp ? std::to_string(row.tp) : "-",
                 row.devices ? std::to_string(row.devices) : "-", "-", "-", "-", "-", "-", "-",
                 "-", "-", why});
    }
  }
  const std::string ranking =
      per_device ? std::string("output tokens/s per device (smallest tp that fits)")
                 : fmt::format("output tokens/s of {} devices", *o.devices);
  std::printf("%s, static batch %lld, %lld in / %lld out, %s weights, %s KV — ranked by %s\n",
              model.id.c_str(), static_cast<long long>(o.batch),
              static_cast<long long>(o.input_len), static_cast<long long>(o.output_len),
              std::string(to_string(prec.weights)).c_str(),
              std::string(to_string(prec.kv_cache)).c_str(), ranking.c_str());
  std::fputs(t.to_text().c_str(), stdout);
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
  gemm->add_option("--runtime", gemm_opts->runtime,
                   "software stack whose GEMM kernels and call overheads apply (pytorch-eager: "
                   "the vendor library, as validate's gemm rows): " +
                       join(runtime_names(default_calibration().runtimes)))
      ->capture_default_str();
  gemm->callback([gemm_opts, &global] { run_gemm(*gemm_opts, global); });

  auto cmp_opts = std::make_shared<CompareOptions>();
  CLI::App* cmp = app.add_subcommand("compare", "rank every hardware preset on one workload by "
                                                 "output tokens/s");
  add_workload_options(cmp, *cmp_opts);
  bound_int(cmp->add_option("--devices", cmp_opts->devices, "devices per system (default: tp)"),
            bounds::kDevices);
  bound_int(cmp->add_option("--tp", cmp_opts->tp,
                            "tensor-parallel degree (default: smallest that fits)"),
            bounds::kParallelDegree);
  add_html_option(cmp, cmp_opts->html);
  cmp->callback([cmp_opts, &global] { run_compare(*cmp_opts, global); });
}

}  // namespace xpusim::cli
