// SPDX-License-Identifier: Apache-2.0
// `xpusim run` (one static-batch scenario: TTFT, TPOT, latency, throughput, memory and the per-op
// breakdown), `xpusim gemm` (one matrix multiply) and `xpusim compare` (every hardware preset on
// one workload, ranked by output tokens/s). Command names, flags and JSON keys are a contract.
#include <algorithm>
#include <cmath>
#include <cstdio>
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
#include "xpusim/config/presets.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/table.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim::cli {
namespace {

using json = nlohmann::ordered_json;


// Byte counts as whole numbers (they are sums of element counts x sizes).
double bytes_count(Bytes b) { return std::round(b.value()); }

[[noreturn]] void input_error(const std::string& flag, const std::string& message) {
  throw InputError(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

Precision parse_precision(const std::string& flag, const std::string& text) {
  if (auto p = precision_from_string(text)) return *p;
  std::string msg = fmt::format("unknown precision \"{}\"; allowed: {}", text,
                                join(precision_names()));
  if (auto m = closest_match(text, precision_names())) msg += fmt::format(" (did you mean \"{}\"?)", *m);
  input_error(flag, msg);
}

// Options shared by run and compare.
struct WorkloadOptions {
  std::string model;
  int64_t batch = 1;
  int64_t input_len = 128;
  int64_t output_len = 128;
  std::string precision = "bf16";
  std::string kv_precision;
};

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

PrecisionPlan precision_plan(const WorkloadOptions& o) {
  Precision p = parse_precision("--precision", o.precision);
  std::optional<Precision> kv;
  if (!o.kv_precision.empty()) kv = parse_precision("--kv-precision", o.kv_precision);
  return precision_plan_for(p, kv);
}

// The flags' bounds hold (numeric_flags.h); what is left depends on the model: a request's
// context is its prompt and every generated token, at most the model's maximum context.
void check_context(const WorkloadOptions& o, const ModelSpec& model) {
  const int64_t context = o.input_len + o.output_len;  // each <= 1e8: no overflow
  if (context > model.max_context)
    input_error("--input-len", fmt::format("--input-len {} + --output-len {} = {} tokens is beyond "
                                           "the maximum context of {}, {} tokens; allowed a sum "
                                           "of at most {}",
                                           o.input_len, o.output_len, context, model.id,
                                           model.max_context, model.max_context));
}

// Unwraps a library Result whose diagnostics name scenario fields ("tp", "input_len"): they
// become the flags ("--tp", "--input-len") of the command line.
template <class T>
T flags_or_throw(Result<T> r) {
  if (!r) {
    Diagnostics d = std::move(r.error());
    for (auto& e : d) {
      e.file = "<command line>";
      if (!e.path.empty() && e.path.find('.') == std::string::npos) {
        std::replace(e.path.begin(), e.path.end(), '_', '-');
        e.path = "--" + e.path;
      }
    }
    throw InputError(std::move(d));
  }
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Plan errors carry the flag name ("--tp") as their path.
void check_plan_or_throw(const ModelSpec& model, const ParallelismPlan& plan) {
  flags_or_throw(check_plan(model, plan));
}

json num_or_null(bool ok, double v) { return ok ? json(round6(v)) : json(nullptr); }
json text_or_null(bool ok, std::string_view text) { return ok ? json(std::string(text)) : json(nullptr); }

json op_json(const OpBreakdown& op, const char* phase) {
  return json{{"phase", phase},
              {"layer", op.layer},
              {"name", op.name},
              {"kind", std::string(to_string(op.kind))},
              {"count", round6(op.count)},
              {"time_ms", round6(units::to_ms(op.time))},
              {"flop", round6(op.flop.value())},
              {"dram_bytes", bytes_count(op.bytes.dram)},
              {"l2_bytes", bytes_count(op.bytes.l2)},
              {"link_bytes", bytes_count(op.bytes.link)},
              {"bound", std::string(to_string(op.bound))},
              {"utilization", round6(op.utilization)}};
}

json memory_json(const MemoryFootprint& m) {
  return json{{"weights_bytes", bytes_count(m.weights)},
              {"kv_cache_bytes", bytes_count(m.kv_cache)},
              {"activation_bytes", bytes_count(m.activations)},
              {"workspace_bytes", bytes_count(m.workspace)},
              {"capacity_bytes", bytes_count(m.capacity)},
              // Beyond the capacity (the weights alone do not fit) there is no usable memory.
              {"usable_bytes", m.usable <= m.capacity ? json(bytes_count(m.usable)) : json(nullptr)},
              {"fits", m.fits},                       {"max_batch", m.max_batch}};
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
struct RunOptions {
  std::string hardware;
  WorkloadOptions w;
  int devices = 0;  // 0 = not given: tp x pp (a given value is >= 1, numeric_flags.h)
  int tp = 1, pp = 1, ep = 1, microbatches = 1;
  bool sequence_parallel = false;
  std::string runtime = std::string(kDefaultRuntime);  // RuntimeProfile name
  // Token economics (cost/token_economics.h); defaults from TcoAssumptions.
  double electricity_usd_per_kwh = TcoAssumptions{}.electricity.value() * 3.6e6;
  std::optional<double> device_price_usd;
  double gross_margin = kDefaultGrossMargin;
  double lifetime_years = TcoAssumptions{}.lifetime.value() / (365.25 * 86400.0);
  std::string html;  // --html FILE
};

// ---- run: energy and cost per token -----------------------------------------------------------
// The flags are bounded (numeric_flags.h: kElectricityUsdPerKwh, kDevicePriceUsd, ...).
TokenEconomicsAssumptions economics_assumptions(const RunOptions& o) {
  TokenEconomicsAssumptions a;
  a.tco.electricity = UsdPerJoule(o.electricity_usd_per_kwh / 3.6e6);
  a.tco.lifetime = units::seconds(o.lifetime_years * 365.25 * 86400.0);
  if (o.device_price_usd) a.device_price = units::usd(*o.device_price_usd);
  a.gross_margin = o.gross_margin;
  return a;
}


// The economics keys of `run --format json`: top-level figures (null when the scenario is
// infeasible or the hardware has no area model) and an `economics` object with the assumptions.
void add_economics_json(json& j, const TokenEconomicsAssumptions& a,
                        const Result<TokenEconomics>& e) {
  const bool ok = e && e->feasibility.feasible();
  j["energy_per_output_token_j"] = num_or_null(ok, ok ? e->energy_per_output_token.value() : 0);
  j["average_power_w"] = num_or_null(ok, ok ? e->average_power.value() : 0);
  j["system_power_w"] = num_or_null(ok, ok ? e->system_power.value() : 0);
  j["cost_per_million_output_tokens_usd"] =
      num_or_null(ok, ok ? e->cost_per_million_output_tokens.value() : 0);
  json x;
  x["electricity_usd_per_kwh"] = round6(a.tco.electricity.value() * 3.6e6);
  x["pue"] = round6(a.tco.pue);
  x["system_power_factor"] = round6(a.tco.system_power_factor);
  x["lifetime_years"] = round6(a.tco.lifetime.value() / (365.25 * 86400.0));
  x["utilization"] = round6(a.tco.utilization);
  x["gross_margin"] = a.device_price ? json(nullptr) : json(round6(a.gross_margin));
  x["device_price_source"] = a.device_price ? "given (--device-price)"
                                            : "modelled cost per unit / (1 - gross margin)";
  x["device_price_usd"] = ok ? json(round6(e->device_price.value())) : json(nullptr);
  x["modelled_cost_per_unit_usd"] =
      ok && e->device_price_modelled ? json(round6(e->modelled_cost_per_unit.value())) : json(nullptr);
  x["prefill_power_w"] = num_or_null(ok, ok ? e->prefill.power.value() : 0);
  x["decode_power_w"] = num_or_null(ok, ok ? e->decode.power.value() : 0);
  x["idle_power_w"] = num_or_null(ok, ok ? e->idle_power.value() : 0);
  x["prefill_power_model_w"] = num_or_null(ok, ok ? e->prefill.model.total.value() : 0);
  x["decode_power_model_w"] = num_or_null(ok, ok ? e->decode.model.total.value() : 0);
  x["capped_by_tdp"] = ok ? json(e->capped) : json(nullptr);
  x["system_energy_per_output_token_j"] =
      num_or_null(ok, ok ? e->system_energy_per_output_token.value() : 0);
  x["tco_per_device_usd"] = num_or_null(ok, ok ? e->tco.total.value() : 0);
  x["tco_per_device_hour_usd"] = num_or_null(ok, ok ? e->tco_per_hour.value() : 0);
  x["unavailable_reason"] = !e ? json(e.error().empty() ? "" : e.error().front().message)
                           : !e->feasibility.feasible() ? json("scenario infeasible") : json(nullptr);
  j["economics"] = x;
}

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
  if (o.microbatches > o.w.batch)
    input_error("--microbatches", fmt::format("{} microbatches is more than the batch of {} "
                                              "requests; allowed 1 .. {} (a microbatch holds at "
                                              "least one request)",
                                              o.microbatches, o.w.batch, o.w.batch));
  const PrecisionPlan prec = precision_plan(o.w);
  HardwareSpec hw = value_or_throw(load_hardware(o.hardware, g.overrides));
  ModelSpec model = value_or_throw(load_model(o.w.model));
  check_context(o.w, model);
  StaticScenario sc;
  sc.plan = ParallelismPlan{o.tp, o.pp, o.ep, o.microbatches, o.sequence_parallel};
  sc.precision = prec;
  sc.batch = o.w.batch;
  sc.input_len = o.w.input_len;
  sc.output_len = o.w.output_len;
  // tp, pp <= 4096 (numeric_flags.h), so tp x pp fits an int.
  sc.devices = o.devices > 0 ? o.devices : o.tp * o.pp;
  flags_or_throw(check_static_scenario(model, sc));  // the plan, and devices a multiple of tp x pp
  const TokenEconomicsAssumptions econ_assumptions = economics_assumptions(o);
  const PerfCalibration& base = default_calibration();
  const RuntimeProfile* runtime = find_runtime(base.runtimes, o.runtime);
  if (!runtime) {
    const std::vector<std::string> known = runtime_names(base.runtimes);
    std::string msg = fmt::format("unknown runtime \"{}\"; allowed: {}", o.runtime, join(known));
    if (auto m = closest_match(o.runtime, known)) msg += fmt::format(" (did you mean \"{}\"?)", *m);
    input_error("--runtime", msg);
  }
  const PerfCalibration cal = with_runtime(base, *runtime);
  const StaticResult r = flags_or_throw(simulate_static(hw, model, sc, cal));
  const Result<TokenEconomics> econ = token_economics(hw, sc, r, econ_assumptions);
  const bool feasible = r.feasibility.feasible();
  // The alternatives to an infeasible answer: the largest batch that fits this plan (memory
  // only), the smallest plan that fits this batch (memory or network).
  std::optional<int64_t> largest_batch;
  std::optional<ParallelismPlan> smallest_plan;
  if (r.feasibility.reason == InfeasibleReason::kMemory && r.memory.max_batch > 0) {
    Result<DeviceModel> device = DeviceModel::create(hw, model, sc.plan, prec, cal);
    if (device && device->feasibility().feasible()) largest_batch = r.memory.max_batch;
  }
  if (r.feasibility.reason == InfeasibleReason::kMemory ||
      r.feasibility.reason == InfeasibleReason::kNetwork)
    smallest_plan = flags_or_throw(smallest_feasible_plan(hw, model, sc, cal));
  auto ms = [&](Seconds t) { return feasible ? json(round6(units::to_ms(t))) : json(nullptr); };

  if (g.format == "json" || !o.html.empty()) {
    json j;
    j["hardware"] = hw.id;
    j["model"] = model.id;
    j["devices"] = sc.devices;
    j["tp"] = o.tp;
    j["pp"] = o.pp;
    j["ep"] = o.ep;
    j["replicas"] = r.replicas;
    j["batch"] = sc.batch;
    j["input_len"] = sc.input_len;
    j["output_len"] = sc.output_len;
    j["runtime"] = std::string(runtime->name);
    j["precision"] = json{{"weights", to_string(prec.weights)},
                          {"activations", to_string(prec.activations)},
                          {"kv_cache", to_string(prec.kv_cache)},
                          {"math_execution", to_string(execution_precision(
                                                 hw, executed_precision_plan(hw, prec).math()))},
                          {"weight_only_fallback",
                           executed_precision_plan(hw, prec).activations != prec.activations}};
    j["feasible"] = feasible;
    j["infeasible_reason"] = text_or_null(!feasible, r.feasibility.reason_name());
    j["infeasible_detail"] = text_or_null(!feasible, r.feasibility.detail);
    j["largest_feasible_batch"] = largest_batch ? json(*largest_batch) : json(nullptr);
    j["smallest_feasible_tp"] = smallest_plan ? json(smallest_plan->tp) : json(nullptr);
    j["smallest_feasible_pp"] = smallest_plan ? json(smallest_plan->pp) : json(nullptr);
    j["ttft_ms"] = ms(r.ttft);
    j["tpot_ms"] = ms(r.tpot);
    j["e2e_latency_ms"] = ms(r.e2e_latency);
    j["output_tokens_per_s"] = num_or_null(feasible, r.output_tokens_per_s.value());
    j["output_tokens_per_s_per_device"] =
        num_or_null(feasible, r.output_tokens_per_s.value() / sc.devices);
    j["memory"] = memory_json(r.memory);
    add_economics_json(j, econ_assumptions, econ);
    json ops = json::array();
    for (const auto& op : r.prefill.ops) ops.push_back(op_json(op, "prefill"));
    for (const auto& op : r.decode.ops) ops.push_back(op_json(op, "decode"));
    j["ops"] = ops;
    write_html(o.html, HtmlReportKind::kRun, j, run_chart_data(hw, prec), g);
    if (g.format == "json") {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
  }
  auto cell = [&](bool ok, double v, int digits) { return ok ? sig(v, digits) : std::string(); };
  if (g.format == "csv") {
    Table t({"hardware", "model", "devices", "tp", "pp", "batch", "input_len", "output_len",
             "precision", "feasible", "ttft_ms", "tpot_ms", "e2e_latency_ms",
             "output_tokens_per_s", "weights_bytes", "kv_cache_bytes", "max_batch",
             "infeasible_reason", "infeasible_detail", "largest_feasible_batch",
             "smallest_feasible_tp", "smallest_feasible_pp"});
    t.add_row({hw.id, model.id, std::to_string(sc.devices), std::to_string(o.tp),
               std::to_string(o.pp), std::to_string(sc.batch), std::to_string(sc.input_len),
               std::to_string(sc.output_len), std::string(to_string(prec.weights)),
               feasible ? "true" : "false", cell(feasible, units::to_ms(r.ttft), 6),
               cell(feasible, units::to_ms(r.tpot), 6), cell(feasible, units::to_ms(r.e2e_latency), 6),
               cell(feasible, r.output_tokens_per_s.value(), 6), fixed(r.memory.weights.value(), 0),
               fixed(r.memory.kv_cache.value(), 0), std::to_string(r.memory.max_batch),
               std::string(r.feasibility.reason_name()), r.feasibility.detail,
               largest_batch ? std::to_string(*largest_batch) : "",
               smallest_plan ? std::to_string(smallest_plan->tp) : "",
               smallest_plan ? std::to_string(smallest_plan->pp) : ""});
    std::fputs(t.to_csv().c_str(), stdout);
    return;
  }
  std::printf("%s on %d x %s (tp %d, pp %d, %d replica%s), batch %lld, %lld in / %lld out, "
              "%s weights, %s activations, %s KV, runtime %s\n",
              model.id.c_str(), sc.devices, hw.id.c_str(), o.tp, o.pp, r.replicas,
              r.replicas == 1 ? "" : "s", static_cast<long long>(sc.batch),
              static_cast<long long>(sc.input_len), static_cast<long long>(sc.output_len),
              std::string(to_string(prec.weights)).c_str(),
              std::string(to_string(prec.activations)).c_str(),
              std::string(to_string(prec.kv_cache)).c_str(), std::string(runtime->name).c_str());
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
  add_economics_rows(s, econ);
  std::fputs(s.to_text().c_str(), stdout);
  print_ops_table(r.prefill, "prefill");
  print_ops_table(r.decode, fmt::format("decode step at context {}",
                                        sc.input_len + std::max<int64_t>(1, sc.output_len / 2))
                                .c_str());
}

// ---- gemm -----------------------------------------------------------------------------------
struct GemmOptions {
  std::string hardware;
  int64_t m = 0, n = 0, k = 0, batch = 1;
  std::string precision = "bf16";
  std::string weight_precision;
};

void run_gemm(const GemmOptions& o, const GlobalOptions& g) {
  // Each dimension is bounded by its flag (kGemmDim, kGemmBatch); their product too.
  if (auto shape = check_gemm_shape(GemmShape{o.m, o.n, o.k, o.batch}); !shape) {
    Diagnostics d = shape.error();
    for (auto& e : d) {
      e.file = "<command line>";
      e.path = e.path == "flop" ? "--m x --n x --k x --batch" : "--" + e.path;
    }
    throw InputError(std::move(d));
  }
  Precision a = parse_precision("--precision", o.precision);
  Precision b = o.weight_precision.empty() ? a : parse_precision("--weight-precision",
                                                                 o.weight_precision);
  HardwareSpec hw = value_or_throw(load_hardware(o.hardware, g.overrides));
  const GemmResult r = flags_or_throw(predict_gemm(hw, GemmShape{o.m, o.n, o.k, o.batch},
                                                   GemmOperands{a, b}, default_calibration()));
  json j;
  j["hardware"] = hw.id;
  j["m"] = o.m;
  j["n"] = o.n;
  j["k"] = o.k;
  j["batch"] = o.batch;
  j["precision"] = to_string(a);
  j["weight_precision"] = to_string(b);
  j["execution_precision"] = to_string(r.execution_precision);
  j["latency_ms"] = round6(units::to_ms(r.time));
  j["isolated_call_ms"] = round6(units::to_ms(r.isolated_call_time));
  j["tflops"] = round6(units::to_tflops(r.achieved));
  j["peak_tflops"] = round6(units::to_tflops(peak_matrix_rate(hw, r.execution_precision)));
  j["tile"] = json{{"m", r.tile.m}, {"n", r.tile.n}, {"k", r.tile.k}};
  j["tiles"] = r.tiles;
  j["waves"] = r.waves;
  j["bound"] = to_string(r.bound);
  j["utilization"] = round6(r.utilization);
  j["matrix_time_ms"] = round6(units::to_ms(r.matrix_time));
  j["dram_time_ms"] = round6(units::to_ms(r.dram_time));
  j["dram_bytes"] = bytes_count(r.bytes.dram);
  j["l2_bytes"] = bytes_count(r.bytes.l2);
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  Table t({"key", "value"});
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string v = it->is_string() ? it->get<std::string>() : it->dump();
    if (it.key() == "tile") v = fmt::format("{}x{}x{}", r.tile.m, r.tile.n, r.tile.k);
    t.add_row({it.key(), v});
  }
  std::fputs((g.format == "csv" ? t.to_csv() : t.to_text()).c_str(), stdout);
}

// The resource bounding the largest share of a phase's time, as "dram 71%".
std::string dominant_bound(const PhaseBreakdown& ph) {
  double share[7] = {};
  for (const auto& op : ph.ops) share[static_cast<int>(op.bound)] += op.time.value();
  int best = 0;
  for (int i = 1; i < 7; ++i)
    if (share[i] > share[best]) best = i;
  double pct = ph.total.value() > 0 ? 100.0 * share[best] / ph.total.value() : 0.0;
  return fmt::format("{} {:.0f}%", to_string(static_cast<Bound>(best)), pct);
}

// ---- compare --------------------------------------------------------------------------------
struct CompareOptions {
  WorkloadOptions w;
  int devices = 0;  // 0 = not given (a given value is >= 1, numeric_flags.h)
  int tp = 0;
  std::string html;  // --html FILE
};

struct CompareRow {
  std::string hardware;
  int tp = 0;
  int devices = 0;
  StaticResult result;
  std::string error;  // the preset failed to load
  [[nodiscard]] bool feasible() const { return error.empty() && result.feasibility.feasible(); }
};

void run_compare(const CompareOptions& o, const GlobalOptions& g) {
  flags_or_throw(check_batch_lengths(o.w.batch, o.w.input_len, o.w.output_len));
  const PrecisionPlan prec = precision_plan(o.w);
  if (o.tp > 0 && o.devices > 0 && o.devices % o.tp != 0)
    input_error("--devices", fmt::format("{} devices is not a multiple of tp = {}", o.devices, o.tp));
  ModelSpec model = value_or_throw(load_model(o.w.model));
  check_context(o.w, model);
  if (o.tp > 0) check_plan_or_throw(model, ParallelismPlan{o.tp, 1, 1, 1, false});
  const PerfCalibration& cal = default_calibration();

  std::vector<CompareRow> rows;
  for (const std::string& id : list_presets("hardware")) {
    CompareRow row;
    row.hardware = id;
    auto hw = load_hardware(id, g.overrides);
    if (!hw) {
      row.error = "preset does not load: " + (hw.error().empty() ? "" : hw.error()[0].message);
      rows.push_back(row);
      continue;
    }
    // Candidate tp: the given one, else powers of two up to the device count (or 64), the
    // smallest that fits in memory.
    std::vector<int> tps;
    if (o.tp > 0) {
      tps.push_back(o.tp);
    } else {
      int cap = o.devices > 0 ? o.devices : 64;
      for (int t = 1; t <= cap; t *= 2)
        if ((o.devices == 0 || o.devices % t == 0) && check_plan(model, ParallelismPlan{t, 1, 1, 1, false}))
          tps.push_back(t);
    }
    bool have = false;
    for (int t : tps) {
      StaticScenario sc;
      sc.plan.tp = t;
      sc.precision = prec;
      sc.batch = o.w.batch;
      sc.input_len = o.w.input_len;
      sc.output_len = o.w.output_len;
      sc.devices = o.devices > 0 ? o.devices : t;
      row.tp = t;
      row.devices = sc.devices;
      row.result = flags_or_throw(simulate_static(*hw, model, sc, cal));
      have = true;
      if (row.result.feasibility.feasible()) break;
    }
    if (!have)
      row.result.feasibility.mark(
          InfeasibleReason::kParallelism,
          o.devices > 0 ? fmt::format("no tensor-parallel degree of {} devices shards {}",
                                      o.devices, model.id)
                        : fmt::format("no power-of-two tensor-parallel degree up to 64 shards {}",
                                      model.id));
    rows.push_back(row);
  }
  // With --devices every system has the same number of accelerators, so system throughput ranks
  // them; otherwise each runs on the smallest tp that fits and only throughput per accelerator
  // compares like with like (4 slow devices must not outrank 1 fast one by count alone).
  // Infeasible rows are not ranked: they follow, by name.
  const bool per_device = o.devices <= 0;
  std::stable_sort(rows.begin(), rows.end(), [per_device](const CompareRow& a, const CompareRow& b) {
    const bool fa = a.feasible(), fb = b.feasible();
    if (fa != fb) return fa;
    if (!fa) return a.hardware < b.hardware;
    if (per_device)
      return a.result.output_tokens_per_s / a.devices > b.result.output_tokens_per_s / b.devices;
    return a.result.output_tokens_per_s > b.result.output_tokens_per_s;
  });

  if (g.format == "json" || !o.html.empty()) {
    json arr = json::array();
    int rank = 0;
    for (const auto& row : rows) {
      json j;
      const bool ok = row.feasible();
      const StaticResult& r = row.result;
      j["rank"] = ok ? json(++rank) : json(nullptr);
      j["hardware"] = row.hardware;
      j["tp"] = row.tp ? json(row.tp) : json(nullptr);
      j["devices"] = row.devices ? json(row.devices) : json(nullptr);
      j["feasible"] = ok;
      j["infeasible_reason"] = text_or_null(!ok && row.error.empty(), r.feasibility.reason_name());
      j["infeasible_detail"] = text_or_null(!ok && row.error.empty(), r.feasibility.detail);
      if (!row.error.empty()) j["error"] = row.error;
      j["ttft_ms"] = num_or_null(ok, units::to_ms(r.ttft));
      j["tpot_ms"] = num_or_null(ok, units::to_ms(r.tpot));
      j["e2e_latency_ms"] = num_or_null(ok, units::to_ms(r.e2e_latency));
      j["output_tokens_per_s"] = num_or_null(ok, r.output_tokens_per_s.value());
      j["output_tokens_per_s_per_device"] =
          num_or_null(ok, ok ? r.output_tokens_per_s.value() / row.devices : 0.0);
      j["prefill_bound"] = text_or_null(ok, ok ? dominant_bound(r.prefill) : "");
      j["decode_bound"] = text_or_null(ok, ok ? dominant_bound(r.decode) : "");
      j["memory"] = row.error.empty() && row.tp ? memory_json(r.memory) : json(nullptr);
      arr.push_back(j);
    }
    json out;
    out["model"] = model.id;
    out["batch"] = o.w.batch;
    out["input_len"] = o.w.input_len;
    out["output_len"] = o.w.output_len;
    out["precision"] = to_string(prec.weights);
    out["ranking"] = arr;
    write_html(o.html, HtmlReportKind::kCompare, out, compare_chart_data(out, g.overrides), g);
    if (g.format == "json") {
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
  }
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
  if (g.format == "csv") {
    std::fputs(t.to_csv().c_str(), stdout);
    return;
  }
  const std::string ranking =
      per_device ? std::string("output tokens/s per device (smallest tp that fits)")
                 : fmt::format("output tokens/s of {} devices", o.devices);
  std::printf("%s, static batch %lld, %lld in / %lld out, %s weights, %s KV — ranked by %s\n",
              model.id.c_str(), static_cast<long long>(o.w.batch),
              static_cast<long long>(o.w.input_len), static_cast<long long>(o.w.output_len),
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
  add_workload_options(run, run_opts->w);
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
  gemm->callback([gemm_opts, &global] { run_gemm(*gemm_opts, global); });

  auto cmp_opts = std::make_shared<CompareOptions>();
  CLI::App* cmp = app.add_subcommand("compare", "rank every hardware preset on one workload by "
                                                 "output tokens/s");
  add_workload_options(cmp, cmp_opts->w);
  bound_int(cmp->add_option("--devices", cmp_opts->devices, "devices per system (default: tp)"),
            bounds::kDevices);
  bound_int(cmp->add_option("--tp", cmp_opts->tp,
                            "tensor-parallel degree (default: smallest that fits)"),
            bounds::kParallelDegree);
  add_html_option(cmp, cmp_opts->html);
  cmp->callback([cmp_opts, &global] { run_compare(*cmp_opts, global); });
}

}  // namespace xpusim::cli
