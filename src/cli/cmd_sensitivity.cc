// SPDX-License-Identifier: Apache-2.0
// `xpusim sensitivity`: the flags into an api::SensitivityRequest (api/sensitivity.h, where the
// checks, the elasticities and the JSON document are), and the document as JSON, CSV or the
// terminal's prose and tables. Flags as `run`; JSON keys a contract.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/sensitivity.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using api::SensitivityRequest;

void print_report(const api::Json& j, const GlobalOptions& g) {
  const bool ok = j.at("feasible").get<bool>();
  std::string infeasible;  // Feasibility::to_string's "reason: detail"
  if (!ok) {
    infeasible = j.at("infeasible_reason").get<std::string>();
    if (const auto d = j.at("infeasible_detail").get<std::string>(); !d.empty())
      infeasible += ": " + d;
  }
  if (g.format == "csv") {  // a row per field, the scenario's keys repeated
    if (!ok) std::fprintf(stderr, "INFEASIBLE: %s\n", infeasible.c_str());
    print_tidy_csv(j, g, "fields", "sensitivity");
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
  const api::Json& sc = j.at("scenario");
  const bool serve = sc.at("kind") == "serve";
  std::string workload;
  if (serve)
    workload = fmt::format("serve on {}, {} requests{}", sc.at("engine").get<std::string>(),
                           sc.at("requests").get<int64_t>(),
                           sc.at("dataset").is_null()
                               ? ""
                               : " from " + sc.at("dataset").get<std::string>());
  else
    workload = fmt::format("batch {}", sc.at("batch").get<int64_t>());
  if (!sc.at("input_len").is_null())
    workload += fmt::format(", {} in / {} out", sc.at("input_len").get<int64_t>(),
                            sc.at("output_len").get<int64_t>());
  const int64_t devices = sc.at("devices").get<int64_t>();
  std::string precision = sc.at("precision").get<std::string>();
  if (sc.at("expert_precision").is_string())
    precision += ", routed experts " + sc.at("expert_precision").get<std::string>();
  std::printf("sensitivity of %s on %s: %lld device%s, tp %lld, pp %lld, %s, %s\n",
              j.at("model").get<std::string>().c_str(), j.at("hardware").get<std::string>().c_str(),
              static_cast<long long>(devices), devices == 1 ? "" : "s",
              static_cast<long long>(sc.at("tp").get<int64_t>()),
              static_cast<long long>(sc.at("pp").get<int64_t>()), workload.c_str(),
              precision.c_str());
  if (sc.at("precision_note").is_string())
    std::printf("note: %s\n", sc.at("precision_note").get<std::string>().c_str());
  if (!ok) {
    std::printf("INFEASIBLE: %s\nno elasticities: the base design has no figures\n",
                infeasible.c_str());
    return;
  }
  if (!serve)
    std::printf("bound: prefill %s, decode %s\n", j.at("prefill_bound").get<std::string>().c_str(),
                j.at("decode_bound").get<std::string>().c_str());
  std::vector<std::string> metric_names, metric_keys;
  for (const auto& [name, value] : j.at("metrics").items()) metric_names.push_back(name);
  const std::string& first = metric_names.front();
  if (const api::Json& b = j.at("binding").at(first);
      b.is_object() && b.at("elasticity").is_number())
    std::printf("binding: %s (elasticity %s of %s)\n", b.at("field").get<std::string>().c_str(),
                format_number(b.at("elasticity").get<double>(), NumberKind::kMeasure).c_str(),
                first.c_str());
  std::vector<std::string> cols = {"fields.path", "fields.value", "fields.unit"};
  for (const auto& m : metric_names) {
    metric_keys.push_back("metrics." + m);
    cols.push_back("fields.elasticity." + m);
  }
  cols.emplace_back("fields.note");
  const std::vector<std::string_view> base_keys(metric_keys.begin(), metric_keys.end());
  std::fputs(field_table_of(type, j, base_keys).to_text().c_str(), stdout);
  std::printf("\nelasticity d ln(metric) / d ln(field), central differences at +-%g%%, ranked by "
              "|elasticity| of %s (0.5 = 1%% more of the field gives 0.5%% more of the metric); "
              "fields.value in fields.unit\n",
              100.0 * j.at("step").get<double>(), first.c_str());
  const std::vector<std::string_view> names(cols.begin(), cols.end());
  std::fputs(value_or_throw(record_table(type, j, "fields", names)).to_text().c_str(), stdout);
}

void run_sensitivity(const SensitivityRequest& o, const GlobalOptions& g) {
  SensitivityRequest request = o;
  request.overrides = g.overrides;
  print_report(value_or_throw(api::sensitivity(request)), g);
}

}  // namespace

void add_sensitivity_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<SensitivityRequest>();
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
  cmd->add_option("--expert-precision", o->expert_precision,
                  "MoE models: the routed experts' precision, as run --expert-precision "
                  "(default: --precision)");
  bound_int(cmd->add_option("--weight-group-size", o->weight_group,
                            "fp4/int4 weights: values per scale, as run --weight-group-size "
                            "(default: fp4 16, int4 128)"),
            bounds::kWeightGroup);
  cmd->add_option("--metric", o->metrics,
                  "metric to differentiate (repeatable; default output_tokens_per_s_per_device, "
                  "ttft_ms, tpot_ms, manufacturing_cost_usd, total_area_mm2, average_power_w; "
                  "serve: requests_per_s, goodput_requests_per_s, ttft_p99_ms, tpot_p99_ms); "
                  "the first ranks the fields");
  bound_real(cmd->add_option("--step", o->step, "relative step of the central difference")
                 ->capture_default_str(),
             api::kSensitivityStepBound);
  cmd->callback([o, &g] { run_sensitivity(*o, g); });
}

}  // namespace xpusim::cli
