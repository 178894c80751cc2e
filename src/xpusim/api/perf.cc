// SPDX-License-Identifier: Apache-2.0
// run, gemm and compare (api/perf.h): the checks each command made, the model calls and the JSON
// document of each; the figures come from perf/ (static_sim, gemm_model) and cost/
// (token_economics), whose headers give their formulas and sources.
#include "xpusim/api/perf.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/api/impl/result_records.h"
#include "xpusim/api/impl/system_choice.h"
#include "xpusim/api/impl/uncertainty.h"
#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/result_json.h"
#include "xpusim/report/table.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// Byte counts as whole numbers (they are sums of element counts x sizes).
double bytes_count(Bytes b) { return std::round(b.value()); }

Json num_or_null(bool ok, double v) { return ok ? Json(round6(v)) : Json(nullptr); }
Json text_or_null(bool ok, std::string_view text) {
  return ok ? Json(std::string(text)) : Json(nullptr);
}

void check_workload_bounds(BoundChecks& checks, const StaticWorkload& w) {
  checks.check("--batch", w.batch, bounds::kBatch);
  checks.check("--input-len", w.input_len, bounds::kSequenceTokens);
  checks.check("--output-len", w.output_len, bounds::kSequenceTokens);
}

PrecisionPlan precision_plan(const StaticWorkload& w) {
  return precision_flags(w.precision, w.kv_precision, w.expert_precision, w.weight_group);
}

// The flags' bounds hold; what is left depends on the model: a request's context is its prompt
// and every generated token, at most the model's maximum context.
void check_context(const StaticWorkload& w, const ModelSpec& model) {
  const int64_t context = w.input_len + w.output_len;  // each <= 1e8: no overflow
  if (context > model.max_context)
    input_error("--input-len", fmt::format("--input-len {} + --output-len {} = {} tokens is beyond "
                                           "the maximum context of {}, {} tokens; allowed a sum "
                                           "of at most {}",
                                           w.input_len, w.output_len, context, model.id,
                                           model.max_context, model.max_context));
}

Json op_json(const OpBreakdown& op, const char* phase) {
  return ResultJson("run", "ops")
      .set("phase", phase)
      .set("layer", op.layer)
      .set("name", op.name)
      .set("kind", to_string(op.kind))
      .set("count", op.count)  // a whole number (layers x executions per layer): an integer
      .set("time_ms", round6(units::to_ms(op.time)))
      .set("flop", round6(op.flop.value()))
      .set("dram_bytes", bytes_count(op.bytes.dram))
      .set("l2_bytes", bytes_count(op.bytes.l2))
      .set("link_bytes", bytes_count(op.bytes.link))
      .set("bound", to_string(op.bound))
      .set("utilization", round6(op.utilization))
      .json();
}

// The memory record of `type` at `record` ("memory" of run, "ranking.memory" of compare).
Json memory_json(const MemoryFootprint& m, std::string_view type, std::string_view record) {
  return ResultJson(type, record)
      .set("weights_bytes", bytes_count(m.weights))
      .set("kv_cache_bytes", bytes_count(m.kv_cache))
      .set("activation_bytes", bytes_count(m.activations))
      .set("workspace_bytes", bytes_count(m.workspace))
      .set("capacity_bytes", bytes_count(m.capacity))
      // Beyond the capacity (the weights alone do not fit) there is no usable memory.
      .set("usable_bytes", m.usable <= m.capacity ? Json(bytes_count(m.usable)) : Json(nullptr))
      .set("fits", m.fits)
      .set("max_batch", m.max_batch)
      .json();
}

// ---- run ------------------------------------------------------------------------------------
TokenEconomicsAssumptions economics_assumptions(const RunRequest& o, const HardwareSpec& hw) {
  TokenEconomicsAssumptions a;
  a.system = load_system(o.system, o.system_params, hw);
  a.tco.electricity = UsdPerJoule(o.electricity_usd_per_kwh / 3.6e6);
  a.tco.lifetime = units::seconds(o.lifetime_years * 365.25 * 86400.0);
  if (o.device_price_usd) a.device_price = units::usd(*o.device_price_usd);
  a.gross_margin = o.gross_margin;
  return a;
}

// The economics keys of `run --format json`: top-level figures (null when the scenario is
// infeasible or the hardware has no area model) and an `economics` object with the assumptions.
void add_economics_json(ResultJson& j, const TokenEconomicsAssumptions& a,
                        const Result<TokenEconomics>& e) {
  const bool ok = e && e->feasibility.feasible();
  j.set("energy_per_output_token_j", num_or_null(ok, ok ? e->energy_per_output_token.value() : 0));
  j.set("average_power_w", num_or_null(ok, ok ? e->average_power.value() : 0));
  j.set("system_power_w", num_or_null(ok, ok ? e->system_power.value() : 0));
  j.set("cost_per_million_output_tokens_usd",
        num_or_null(ok, ok ? e->cost_per_million_output_tokens.value() : 0));
  ResultJson x("run", "economics");
  x.set("electricity_usd_per_kwh", round6(a.tco.electricity.value() * 3.6e6));
  // The server's (cost/system_tco.h): known without the chip's power.
  x.set("pue", round6(a.system->pue));
  x.set("system_power_factor", round6(system_power_terms(*a.system).factor));
  x.set("lifetime_years", round6(a.tco.lifetime.value() / (365.25 * 86400.0)));
  x.set("utilization", round6(a.tco.utilization));
  x.set("gross_margin", a.device_price ? Json(nullptr) : Json(round6(a.gross_margin)));
  x.set("device_price_source", a.device_price ? "given (--device-price)"
                                              : "modelled cost per unit / (1 - gross margin)");
  x.set("device_price_usd", ok ? Json(round6(e->device_price.value())) : Json(nullptr));
  x.set("modelled_cost_per_unit_usd", ok && e->device_price_modelled
                                          ? Json(round6(e->modelled_cost_per_unit.value()))
                                          : Json(nullptr));
  x.set("prefill_power_w", num_or_null(ok, ok ? e->prefill.power.value() : 0));
  x.set("decode_power_w", num_or_null(ok, ok ? e->decode.power.value() : 0));
  x.set("idle_power_w", num_or_null(ok, ok ? e->idle_power.value() : 0));
  x.set("prefill_power_model_w", num_or_null(ok, ok ? e->prefill.model.total.value() : 0));
  x.set("decode_power_model_w", num_or_null(ok, ok ? e->decode.model.total.value() : 0));
  x.set("capped_by_tdp", ok ? Json(e->capped) : Json(nullptr));
  x.set("system_energy_per_output_token_j",
        num_or_null(ok, ok ? e->system_energy_per_output_token.value() : 0));
  x.set("tco_per_device_usd", num_or_null(ok, ok ? e->tco.total.value() : 0));
  x.set("tco_per_device_hour_usd", num_or_null(ok, ok ? e->tco_per_hour.value() : 0));
  x.set("host_capital_usd", num_or_null(ok, ok ? e->tco.host_capital.value() : 0));
  x.set("facility_capital_usd", num_or_null(ok, ok ? e->tco.facility_capital.value() : 0));
  x.set("unavailable_reason", !e ? Json(e.error().empty() ? "" : e.error().front().message)
                              : !e->feasibility.feasible() ? Json("scenario infeasible")
                                                           : Json(nullptr));
  x.set("system", system_json("run", "economics.system", *a.system));
  j.set("economics", x.json());
}

Json run_json(const RunRequest& o, const RunOutcome& out, const TokenEconomicsAssumptions& econ) {
  const StaticScenario& sc = out.scenario;
  const StaticResult& r = out.result;
  const bool feasible = r.feasibility.feasible();
  auto ms = [&](Seconds t) { return feasible ? Json(round6(units::to_ms(t))) : Json(nullptr); };
  ResultJson j("run");
  j.set("hardware", out.hw.id);
  j.set("model", out.model.id);
  j.set("devices", sc.devices);
  j.set("tp", o.tp);
  j.set("pp", o.pp);
  j.set("ep", o.ep);
  j.set("attention_dp", o.attention_dp);
  j.set("replicas", r.replicas);
  j.set("batch", sc.batch);
  j.set("input_len", sc.input_len);
  j.set("output_len", sc.output_len);
  j.set("runtime", out.runtime);
  j.set("precision", precision_json("run", out.hw, out.model, sc.precision));
  add_feasibility_json(j, r.feasibility);
  const auto& largest = out.largest_feasible_batch;
  const auto& smallest = out.smallest_feasible_plan;
  j.set("largest_feasible_batch", largest ? Json(*largest) : Json(nullptr));
  j.set("smallest_feasible_tp", smallest ? Json(smallest->tp) : Json(nullptr));
  j.set("smallest_feasible_pp", smallest ? Json(smallest->pp) : Json(nullptr));
  j.set("ttft_ms", ms(r.ttft));
  // TPOT is the time between output tokens: with one output token there is none (null).
  const bool decodes = sc.output_len > 1;
  j.set("tpot_ms", decodes ? ms(r.tpot) : Json(nullptr));
  j.set("e2e_latency_ms", ms(r.e2e_latency));
  j.set("output_tokens_per_s", num_or_null(feasible, r.output_tokens_per_s.value()));
  j.set("output_tokens_per_s_per_device",
        num_or_null(feasible, r.output_tokens_per_s.value() / sc.devices));
  // The clock each phase ran at (perf/sustained_clock.h); null when the scenario is infeasible.
  j.set("prefill", clock_json("run", "prefill", feasible ? &r.prefill_clock : nullptr));
  j.set("decode", clock_json("run", "decode", feasible ? &r.decode_clock : nullptr));
  auto headline = [feasible](double v) { return feasible ? std::optional(v) : std::nullopt; };
  j.set("uncertainty",
        uncertainty_json("run", "static",
                         {{"ttft_ms", headline(units::to_ms(r.ttft))},
                          {"tpot_ms", decodes ? headline(units::to_ms(r.tpot)) : std::nullopt},
                          {"e2e_latency_ms", headline(units::to_ms(r.e2e_latency))},
                          {"output_tokens_per_s", headline(r.output_tokens_per_s.value()), false}}));
  j.set("uncertainty_basis", uncertainty_basis_json("run", "static", out.hw.id));
  j.set("memory", memory_json(r.memory, "run", "memory"));
  add_economics_json(j, econ, out.economics);
  Json ops = Json::array();
  for (const auto& op : r.prefill.ops) ops.push_back(op_json(op, "prefill"));
  for (const auto& op : r.decode.ops) ops.push_back(op_json(op, "decode"));
  j.set("ops", ops);
  return j.json();
}

// The runtime profile named by --runtime, or a diagnostic listing the known ones.
const RuntimeProfile* runtime_or_fail(const std::string& name) {
  const PerfCalibration& base = default_calibration();
  const RuntimeProfile* runtime = find_runtime(base.runtimes, name);
  if (!runtime) {
    const std::vector<std::string> known = runtime_names(base.runtimes);
    input_error("--runtime", unknown_choice("runtime", name, known));
  }
  return runtime;
}

RunOutcome run_checked(const RunRequest& o) {
  BoundChecks checks;
  check_workload_bounds(checks, o);
  checks.check("--devices", o.devices, bounds::kDevices);
  checks.check("--tp", o.tp, bounds::kParallelDegree);
  checks.check("--pp", o.pp, bounds::kParallelDegree);
  checks.check("--ep", o.ep, bounds::kParallelDegree);
  checks.check("--microbatches", o.microbatches, bounds::kMicrobatches);
  checks.check("--electricity-price", o.electricity_usd_per_kwh, bounds::kElectricityUsdPerKwh);
  checks.check("--device-price", o.device_price_usd, bounds::kDevicePriceUsd);
  checks.check("--gross-margin", o.gross_margin, bounds::kGrossMargin);
  checks.check("--lifetime-years", o.lifetime_years, bounds::kLifetimeYears);
  checks.fail_if_any();
  if (o.microbatches > o.batch)
    input_error("--microbatches", fmt::format("{} microbatches is more than the batch of {} "
                                              "requests; allowed 1 .. {} (a microbatch holds at "
                                              "least one request)",
                                              o.microbatches, o.batch, o.batch));
  const PrecisionPlan prec = precision_plan(o);
  RunOutcome out;
  const SplitOverrides set = split_overrides(o.overrides);  // --set hardware.* | model.*
  out.hw = value_or_fail(load_hardware(o.hardware, set.hardware));
  out.model = value_or_fail(load_model(o.model, set.model));
  const HardwareSpec& hw = out.hw;
  const ModelSpec& model = out.model;
  check_context(o, model);
  check_expert_precision(o.expert_precision, model);
  StaticScenario& sc = out.scenario;
  sc.plan = ParallelismPlan{o.tp, o.pp, o.ep, o.microbatches, o.sequence_parallel, o.attention_dp};
  sc.precision = prec;
  sc.batch = o.batch;
  sc.input_len = o.input_len;
  sc.output_len = o.output_len;
  // tp, pp <= 4096 (their bounds), so tp x pp fits an int.
  sc.devices = o.devices.value_or(o.tp * o.pp);
  flags_or_fail(check_static_scenario(model, sc));  // the plan, and devices a multiple of tp x pp
  const TokenEconomicsAssumptions econ_assumptions = economics_assumptions(o, hw);
  const RuntimeProfile* runtime = runtime_or_fail(o.runtime);
  out.runtime = std::string(runtime->name);
  const PerfCalibration cal = with_runtime(default_calibration(), *runtime);
  out.result = flags_or_fail(simulate_static(hw, model, sc, cal));
  const StaticResult& r = out.result;
  out.economics = token_economics(hw, sc, r, econ_assumptions);
  if (r.feasibility.reason == InfeasibleReason::kMemory && r.memory.max_batch > 0) {
    Result<DeviceModel> device = DeviceModel::create(hw, model, sc.plan, prec, cal);
    if (device && device->feasibility().feasible()) out.largest_feasible_batch = r.memory.max_batch;
  }
  if (r.feasibility.reason == InfeasibleReason::kMemory ||
      r.feasibility.reason == InfeasibleReason::kNetwork)
    out.smallest_feasible_plan = flags_or_fail(smallest_feasible_plan(hw, model, sc, cal));
  out.json = run_json(o, out, econ_assumptions);
  return out;
}

// ---- gemm -----------------------------------------------------------------------------------
GemmOutcome gemm_checked(const GemmRequest& o) {
  check_gemm_flags(o.m, o.n, o.k, o.batch, true);
  Precision a = parse_precision("--precision", o.precision);
  Precision wb = o.weight_precision.empty() ? a : parse_precision("--weight-precision",
                                                                  o.weight_precision);
  check_weight_group(o.weight_group, PrecisionPlan{wb, a, a}, "--weight-precision or --precision");
  GemmOutcome out;
  out.hw = value_or_fail(load_hardware(o.hardware, hardware_only_overrides(o.overrides)));
  const HardwareSpec& hw = out.hw;
  // The kernel library's efficiency is the named runtime's (gemm --runtime), never a serving
  // stack's folded in silently.
  const RuntimeProfile* runtime = runtime_or_fail(o.runtime);
  out.result = flags_or_fail(predict_gemm(hw, GemmShape{o.m, o.n, o.k, o.batch},
                                          GemmOperands{a, wb, o.weight_group},
                                          with_runtime(default_calibration(), *runtime)));
  const GemmResult& r = out.result;
  ResultJson j("gemm");
  j.set("hardware", hw.id);
  j.set("m", o.m);
  j.set("n", o.n);
  j.set("k", o.k);
  j.set("batch", o.batch);
  j.set("precision", to_string(a));
  j.set("weight_precision", to_string(wb));
  j.set("weight_group_size", o.weight_group > 0 ? Json(o.weight_group) : Json(nullptr));
  j.set("weight_bits", round6(8.0 * storage_bytes_per_element(wb, o.weight_group).value()));
  j.set("execution_precision", to_string(r.execution_precision));
  j.set("runtime", std::string(runtime->name));
  j.set("latency_ms", round6(units::to_ms(r.time)));
  j.set("isolated_call_ms", round6(units::to_ms(r.isolated_call_time)));
  j.set("tflops", round6(units::to_tflops(r.achieved)));
  j.set("peak_tflops", round6(units::to_tflops(peak_matrix_rate(hw, r.execution_precision))));
  j.set("uncertainty",
        uncertainty_json("gemm", "gemm", {{"latency_ms", units::to_ms(r.time)},
                                          {"tflops", units::to_tflops(r.achieved), false}}));
  j.set("uncertainty_basis", uncertainty_basis_json("gemm", "gemm", hw.id));
  j.set("tile", Json{{"m", r.tile.m}, {"n", r.tile.n}, {"k", r.tile.k}});
  j.set("tiles", r.tiles);
  j.set("waves", r.waves);
  j.set("bound", to_string(r.bound));
  j.set("utilization", round6(r.utilization));
  j.set("matrix_time_ms", round6(units::to_ms(r.matrix_time)));
  j.set("dram_time_ms", round6(units::to_ms(r.dram_time)));
  j.set("dram_bytes", bytes_count(r.bytes.dram));
  j.set("l2_bytes", bytes_count(r.bytes.l2));
  j.set("llc_bytes", bytes_count(r.bytes.llc));
  j.set("llc_time_ms", round6(units::to_ms(r.llc_time)));
  j.set("sustained_clock_ghz", round6(units::to_ghz(r.sustained_clock)));
  j.set("power_limited", r.power_limited);
  out.json = j.json();
  return out;
}

// ---- compare --------------------------------------------------------------------------------
Json compare_json(const CompareOutcome& out, const StaticWorkload& w) {
  Json ranking = Json::array();
  int rank = 0;
  for (const auto& row : out.rows) {
    const bool ok = row.feasible();
    const StaticResult& r = row.result;
    ResultJson j("compare", "ranking");
    j.set("rank", ok ? Json(++rank) : Json(nullptr));
    j.set("hardware", row.hardware);
    j.set("tp", row.tp ? Json(row.tp) : Json(nullptr));
    j.set("devices", row.devices ? Json(row.devices) : Json(nullptr));
    j.set("math_execution", row.math_execution ? Json(std::string(to_string(*row.math_execution)))
                                               : Json(nullptr));
    j.set("weight_only_fallback",
          row.math_execution ? Json(row.weight_only_fallback) : Json(nullptr));
    j.set("expert_math_execution", row.expert_math_execution
                                       ? Json(std::string(to_string(*row.expert_math_execution)))
                                       : Json(nullptr));
    // A preset that failed to load has its error instead of an infeasibility.
    j.set("feasible", ok);
    j.set("infeasible_reason", text_or_null(!ok && row.error.empty(), r.feasibility.reason_name()));
    j.set("infeasible_detail", text_or_null(!ok && row.error.empty(), r.feasibility.detail));
    if (!row.error.empty()) j.set("error", row.error);
    j.set("ttft_ms", num_or_null(ok, units::to_ms(r.ttft)));
    j.set("tpot_ms", num_or_null(ok, units::to_ms(r.tpot)));
    j.set("e2e_latency_ms", num_or_null(ok, units::to_ms(r.e2e_latency)));
    j.set("output_tokens_per_s", num_or_null(ok, r.output_tokens_per_s.value()));
    j.set("output_tokens_per_s_per_device",
          num_or_null(ok, ok ? r.output_tokens_per_s.value() / row.devices : 0.0));
    j.set("prefill_bound", text_or_null(ok, ok ? dominant_bound(r.prefill) : ""));
    j.set("decode_bound", text_or_null(ok, ok ? dominant_bound(r.decode) : ""));
    j.set("memory", row.error.empty() && row.tp ? memory_json(r.memory, "compare", "ranking.memory")
                                                : Json(nullptr));
    ranking.push_back(j.json());
  }
  return ResultJson("compare")
      .set("model", out.model.id)
      .set("batch", w.batch)
      .set("input_len", w.input_len)
      .set("output_len", w.output_len)
      .set("precision", to_string(out.precision.weights))
      .set("expert_precision", out.precision.mixed()
                                   ? Json(std::string(to_string(out.precision.experts().weights)))
                                   : Json(nullptr))
      .set("weight_group_size",
           out.precision.weight_group > 0 ? Json(out.precision.weight_group) : Json(nullptr))
      .set("ranking", ranking)
      .json();
}

CompareOutcome compare_checked(const CompareRequest& o) {
  BoundChecks checks;
  check_workload_bounds(checks, o);
  checks.check("--devices", o.devices, bounds::kDevices);
  checks.check("--tp", o.tp, bounds::kParallelDegree);
  checks.fail_if_any();
  flags_or_fail(check_batch_lengths(o.batch, o.input_len, o.output_len));
  CompareOutcome out;
  out.precision = precision_plan(o);
  const int given_tp = o.tp.value_or(0), given_devices = o.devices.value_or(0);
  if (given_tp > 0 && given_devices > 0 && given_devices % given_tp != 0)
    input_error("--devices",
                fmt::format("{} devices is not a multiple of tp = {}", given_devices, given_tp));
  const SplitOverrides set = split_overrides(o.overrides);  // --set hardware.* | model.*
  out.model = value_or_fail(load_model(o.model, set.model));
  const ModelSpec& model = out.model;
  check_context(o, model);
  check_expert_precision(o.expert_precision, model);
  if (given_tp > 0) flags_or_fail(check_plan(model, ParallelismPlan{given_tp, 1, 1, 1, false}));
  const PerfCalibration& cal = default_calibration();

  // What to rank: the hardware asked for (each must load: an error names it), then, when none is
  // asked for or with --with-presets, every preset (one that does not load is a row saying so).
  // A row is named by the spec's id; a file whose id is already taken (a copy of a preset keeping
  // its id) by the argument as given. A preset asked for by id is ranked once.
  struct Entry {
    std::string name;
    std::optional<HardwareSpec> spec;  // loaded (asked-for hardware)
  };
  std::vector<Entry> entries;
  const std::vector<std::string> presets =
      o.hardware.empty() || o.with_presets ? list_presets("hardware") : std::vector<std::string>{};
  auto taken = [&](const std::string& name) {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const Entry& e) { return e.name == name; });
  };
  for (const std::string& arg : o.hardware) {
    HardwareSpec hw = value_or_fail(load_hardware(arg, set.hardware));
    if (arg == hw.id && taken(arg)) continue;  // the same preset twice
    const bool preset_id =
        std::find(presets.begin(), presets.end(), hw.id) != presets.end() && arg != hw.id;
    std::string name = taken(hw.id) || preset_id ? arg : hw.id;
    if (!taken(name)) entries.push_back(Entry{std::move(name), std::move(hw)});
  }
  for (const std::string& id : presets)
    if (!taken(id)) entries.push_back(Entry{id, std::nullopt});

  std::vector<CompareRow>& rows = out.rows;
  for (const Entry& entry : entries) {
    CompareRow row;
    row.hardware = entry.name;
    auto hw = entry.spec ? Result<HardwareSpec>(*entry.spec) : load_hardware(entry.name, set.hardware);
    if (!hw) {
      row.error = "preset does not load: " + (hw.error().empty() ? "" : hw.error()[0].message);
      rows.push_back(row);
      continue;
    }
    const ExecutedMath executed = executed_math(*hw, out.precision);
    row.math_execution = executed.math;
    row.weight_only_fallback = executed.weight_only_fallback;
    if (out.precision.mixed())
      row.expert_math_execution = executed_expert_math(*hw, out.precision).math;
    // Candidate tp: the given one, else powers of two up to the device count (or 64), the
    // smallest that fits in memory.
    std::vector<int> tps;
    if (given_tp > 0) {
      tps.push_back(given_tp);
    } else {
      int cap = given_devices > 0 ? given_devices : 64;
      for (int t = 1; t <= cap; t *= 2)
        if ((given_devices == 0 || given_devices % t == 0) &&
            check_plan(model, ParallelismPlan{t, 1, 1, 1, false}))
          tps.push_back(t);
    }
    bool have = false;
    for (int t : tps) {
      StaticScenario sc;
      sc.plan.tp = t;
      sc.precision = out.precision;
      sc.batch = o.batch;
      sc.input_len = o.input_len;
      sc.output_len = o.output_len;
      sc.devices = given_devices > 0 ? given_devices : t;
      row.tp = t;
      row.devices = sc.devices;
      row.result = flags_or_fail(simulate_static(*hw, model, sc, cal));
      have = true;
      if (row.result.feasibility.feasible()) break;
    }
    if (!have)
      row.result.feasibility.mark(
          InfeasibleReason::kParallelism,
          given_devices > 0 ? fmt::format("no tensor-parallel degree of {} devices shards {}",
                                          given_devices, model.id)
                            : fmt::format("no power-of-two tensor-parallel degree up to 64 shards {}",
                                          model.id));
    rows.push_back(row);
  }
  // With --devices every system has the same number of accelerators, so system throughput ranks
  // them; otherwise each runs on the smallest tp that fits and only throughput per accelerator
  // compares like with like (4 slow devices must not outrank 1 fast one by count alone).
  // Infeasible rows are not ranked: they follow, by name.
  out.per_device = given_devices <= 0;
  const bool per_device = out.per_device;
  std::stable_sort(rows.begin(), rows.end(), [per_device](const CompareRow& a, const CompareRow& b) {
    const bool fa = a.feasible(), fb = b.feasible();
    if (fa != fb) return fa;
    if (!fa) return a.hardware < b.hardware;
    if (per_device)
      return a.result.output_tokens_per_s / a.devices > b.result.output_tokens_per_s / b.devices;
    return a.result.output_tokens_per_s > b.result.output_tokens_per_s;
  });
  out.json = compare_json(out, o);
  return out;
}

}  // namespace

Result<RunOutcome> run_scenario(const RunRequest& request) {
  return guarded([&] { return run_checked(request); });
}
Result<Json> run(const RunRequest& request) {
  return run_scenario(request).map([](RunOutcome&& o) { return std::move(o.json); });
}

Result<GemmOutcome> gemm_scenario(const GemmRequest& request) {
  return guarded([&] { return gemm_checked(request); });
}
Result<Json> gemm(const GemmRequest& request) {
  return gemm_scenario(request).map([](GemmOutcome&& o) { return std::move(o.json); });
}

Result<CompareOutcome> compare_scenario(const CompareRequest& request) {
  return guarded([&] { return compare_checked(request); });
}
Result<Json> compare(const CompareRequest& request) {
  return compare_scenario(request).map([](CompareOutcome&& o) { return std::move(o.json); });
}

}  // namespace xpusim::api
