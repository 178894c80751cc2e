// SPDX-License-Identifier: Apache-2.0
// The declared result types (report/result_fields.h): every field of a command's --format json
// document, by flattened name, with its meaning; the unit is the name's suffix. The tests hold
// each command's JSON to its table key for key (tests/unit/cli/result_fields_cli_test.cc), so a
// key added to an api/ builder is declared here too.
#include <deque>
#include <string>

#include "xpusim/dse/metrics.h"
#include "xpusim/report/result_fields.h"

namespace xpusim {
namespace {

using Fields = std::vector<ResultField>;

Fields concat(std::initializer_list<Fields> parts) {
  Fields out;
  for (const Fields& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Fields under `prefix.` (a nested object or a list of records).
Fields under(std::string_view prefix, const Fields& fields) {
  static std::deque<std::string> names;  // owns the composed names (stable) for the program's life
  Fields out;
  for (const ResultField& f : fields) {
    names.push_back(std::string(prefix) + "." + std::string(f.name));
    out.push_back({names.back(), f.meaning, f.optional, f.type, f.key_meaning});
  }
  return out;
}

const Fields kFeasibility = {
    {"feasible", "whether the question has an answer (false: no figure below is a prediction)",
     false, FieldType::kBool},
    {"infeasible_reason", "why not, a stable class: memory, reticle, wafer, budget, parallelism, "
                          "network, no_output, invalid, latency (null when feasible)", false, FieldType::kText},
    {"infeasible_detail", "the numbers behind the reason (null when feasible)", false,
     FieldType::kText},
};

const Fields kMemory = {
    {"weights_bytes", "weights held per device"},
    {"kv_cache_bytes", "KV cache of the batch per device"},
    {"activation_bytes", "peak activations per device"},
    {"workspace_bytes", "runtime workspace per device"},
    {"capacity_bytes", "capacity of the backing memory per device"},
    {"usable_bytes", "capacity usable by the runtime (null when the weights alone do not fit)"},
    {"fits", "whether weights, KV cache, activations and workspace fit", false, FieldType::kBool},
    {"max_batch", "largest batch that fits this plan in memory", false, FieldType::kInteger},
};

const Fields kPrecision = {
    {"weights", "precision of the weights", false, FieldType::kText},
    {"activations", "precision of the activations", false, FieldType::kText},
    {"kv_cache", "precision of the KV cache", false, FieldType::kText},
    {"math_execution", "precision the matrix engines execute in on this hardware",
     false, FieldType::kText},
    {"weight_only_fallback", "whether activations run wider than asked (no such math)",
     false, FieldType::kBool},
    {"expert_weights", "routed experts' weights (--expert-precision; null: as weights)",
     false, FieldType::kText},
    {"expert_activations", "routed experts' GEMM inputs (null: as activations)",
     false, FieldType::kText},
    {"expert_math_execution", "what the routed experts' GEMMs execute in (null: as above)",
     false, FieldType::kText},
    {"expert_weight_only_fallback", "routed experts run weight-only (null: as above)",
     false, FieldType::kBool},
    {"weight_group_size",
     "--weight-group-size: values per scale of fp4/int4 weights (null: default)", false,
     FieldType::kInteger},
    {"weight_bits", "bits per weight as stored, block scales included"},
    {"expert_weight_bits", "routed experts' bits per weight as stored (null: as weight_bits)"},
    {"as_released",
     "the weights are read as the released checkpoint stores them (null: the model states no "
     "checkpoint format)",
     false, FieldType::kBool},
    {"as_released_flags", "the flags that run the checkpoint as released (null: not stated)", false,
     FieldType::kText},
};

const Fields kLatency = {
    {"ttft_ms", "time to the first token"},
    {"tpot_ms", "time per output token after the first (null with one output token)"},
    {"e2e_latency_ms", "latency of the whole batch, prompt to last token"},
    {"output_tokens_per_s", "output tokens per second of all devices"},
    {"output_tokens_per_s_per_device", "output tokens per second per device"},
};

const Fields kOp = {
    {"phase", "prefill or decode", false, FieldType::kText},
    {"layer", "the layer kind the op belongs to (dense, moe, ... ; empty for model-level ops)",
     false, FieldType::kText},
    {"name", "the operator", false, FieldType::kText},
    {"kind", "operator class (gemm, attention, norm, collective, ...)", false, FieldType::kText},
    {"count", "executions per device in the phase (prefill: the whole prompt; decode: one step at "
              "the mid-generation context)",
     false, FieldType::kInteger},
    {"time_ms", "time of all `count` executions (decode: of one step)"},
    {"flop", "floating-point operations of all `count` executions, FLOP", false,
     FieldType::kNumber},
    {"dram_bytes", "DRAM traffic of all `count` executions"},
    {"l2_bytes", "L2 traffic of all `count` executions"},
    {"link_bytes", "interconnect traffic of all `count` executions"},
    {"bound", "the resource bounding the op (matrix, l1, vector, dram, l2, link, latency, ...)",
     false, FieldType::kText},
    {"utilization", "achieved share of the bounding resource's peak, 0..1",
     false, FieldType::kNumber},
};

const Fields kEconomics = {
    {"electricity_usd_per_kwh", "electricity price assumed"},
    {"pue", "power usage effectiveness of the data centre assumed", false, FieldType::kNumber},
    {"system_power_factor", "system power / accelerator power assumed (host, network, cooling)",
     false, FieldType::kNumber},
    {"lifetime_years", "service life assumed"},
    {"utilization", "share of the life the system serves, 0..1", false, FieldType::kNumber},
    {"gross_margin", "vendor gross margin on the modelled cost (null with a given price)",
     false, FieldType::kNumber},
    {"device_price_source", "where the device price comes from", false, FieldType::kText},
    {"device_price_usd", "price paid per device"},
    {"modelled_cost_per_unit_usd", "modelled manufacturing + NRE cost per device (as `cost`)"},
    {"prefill_power_w", "device power during prefill, capped by the TDP"},
    {"decode_power_w", "device power during decode, capped by the TDP"},
    {"idle_power_w", "device power when idle"},
    {"prefill_power_model_w", "modelled prefill power before the TDP cap"},
    {"decode_power_model_w", "modelled decode power before the TDP cap"},
    {"capped_by_tdp", "whether the TDP capped the modelled power", false, FieldType::kBool},
    {"system_energy_per_output_token_j", "system energy per output token (with PUE and system "
                                         "power)"},
    {"tco_per_device_usd", "total cost of ownership per device over its life"},
    {"tco_per_device_hour_usd", "TCO per device per hour of life"},
    {"host_capital_usd", "share of the server and network per device (the server class's)"},
    {"facility_capital_usd", "share of the data-centre build per device (the server class's)"},
    {"unavailable_reason", "why there are no economics (no area model, infeasible), else null",
     false, FieldType::kText},
};

// Where a model runs: the leading keys of run and serve.
const Fields kDeployment = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"model", "model id", false, FieldType::kText},
    {"devices", "accelerators of the system", false, FieldType::kInteger},
    {"tp", "tensor-parallel degree", false, FieldType::kInteger},
    {"pp", "pipeline-parallel degree", false, FieldType::kInteger},
    {"ep", "expert-parallel degree", false, FieldType::kInteger},
    {"attention_dp",
     "attention data parallelism: non-expert layers replicated, each rank on its "
     "own sequences",
     false, FieldType::kBool},
    {"replicas", "data-parallel model replicas (devices / (tp x pp))", false, FieldType::kInteger},
};

const Fields kRunTop = {
    {"batch", "requests in the static batch per replica", false, FieldType::kInteger},
    {"input_len", "prompt tokens per request", false, FieldType::kInteger},
    {"output_len", "generated tokens per request", false, FieldType::kInteger},
    {"runtime", "runtime profile applied (perf/calibration)", false, FieldType::kText},
};

const Fields kRunAlternatives = {
    {"largest_feasible_batch", "largest batch that fits this plan (memory-infeasible runs)",
     false, FieldType::kInteger},
    {"smallest_feasible_tp", "tp of the smallest plan that fits this batch",
     false, FieldType::kInteger},
    {"smallest_feasible_pp", "pp of the smallest plan that fits this batch",
     false, FieldType::kInteger},
};

const Fields kRunEconomicsTop = {
    {"energy_per_output_token_j", "chip energy per output token"},
    {"average_power_w", "average power per device over the run, capped by the TDP"},
    {"system_power_w", "power of the whole system (devices x system factor)"},
    {"cost_per_million_output_tokens_usd", "TCO per million output tokens"},
};

const Fields kGemm = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"m", "rows of A and C", false, FieldType::kInteger},
    {"n", "columns of B and C", false, FieldType::kInteger},
    {"k", "inner dimension", false, FieldType::kInteger},
    {"batch", "independent multiplies of this shape", false, FieldType::kInteger},
    {"precision", "precision of the activations (A) and of the math", false, FieldType::kText},
    {"weight_precision", "precision of B (weight-only quantisation when narrower)", false,
     FieldType::kText},
    {"weight_group_size", "--weight-group-size: values per scale of fp4/int4 B (null: default)",
     false, FieldType::kInteger},
    {"weight_bits", "bits per element of B as stored, block scales included"},
    {"execution_precision", "precision the matrix engines execute in", false, FieldType::kText},
    {"runtime", "runtime profile whose kernel efficiency and call overhead apply", false,
     FieldType::kText},
    {"latency_ms", "time of the multiply in a stream of calls"},
    {"isolated_call_ms", "time of one call alone, with launch and host overhead"},
    {"tflops", "achieved rate, TFLOP/s", false, FieldType::kNumber},
    {"peak_tflops", "peak matrix rate at the execution precision, TFLOP/s"},
};

const Fields kGemmTiles = {
    {"tile.m", "output tile rows chosen by the tile search", false, FieldType::kInteger},
    {"tile.n", "output tile columns", false, FieldType::kInteger},
    {"tile.k", "tile depth", false, FieldType::kInteger},
    {"tiles", "output tiles", false, FieldType::kInteger},
    {"waves", "waves of tiles over the compute units", false, FieldType::kInteger},
    {"bound", "the resource bounding the multiply: matrix (the MACs), l1 (their operand feed "
              "through each unit's L1), dram, l2 (an LLC's), latency (fixed overheads)",
     false, FieldType::kText},
    {"utilization", "achieved share of the peak matrix rate, 0..1", false, FieldType::kNumber},
    {"matrix_time_ms", "time on the matrix engines alone (their MACs, or the operand feed "
                       "through L1 where that is longer: bound l1)"},
    {"dram_time_ms", "time of the DRAM traffic alone"},
    {"dram_bytes", "DRAM traffic"},
    {"l2_bytes", "L2 traffic"},
    {"llc_bytes", "traffic between the L2 and the last-level cache (its misses); 0 without an LLC"},
    {"llc_time_ms", "time of the LLC traffic alone (LLC or die-to-die bandwidth)"},
};

const Fields kCompareRow = {
    {"rank", "place by output tokens/s (per device without --devices); null when infeasible",
     false, FieldType::kInteger},
    {"hardware", "hardware preset id", false, FieldType::kText},
    {"tp", "tensor-parallel degree tried (the smallest power of two that fits)",
     false, FieldType::kInteger},
    {"devices", "accelerators of the system", false, FieldType::kInteger},
    {"math_execution", "precision the matrix engines execute in on this hardware (null when the "
                       "preset failed to load)", false, FieldType::kText},
    {"weight_only_fallback", "whether this hardware has no engine for the asked math and runs "
                             "weight-only dequantisation to 16-bit instead (fp8 on A100, fp4 on "
                             "Hopper)", false, FieldType::kBool},
    {"expert_math_execution", "what the routed experts' GEMMs execute in (null: as math_execution)",
     false, FieldType::kText},
};

const Fields kCompareBounds = {
    {"prefill_bound", "resource bounding most of the prefill time, with its share",
     false, FieldType::kText},
    {"decode_bound", "resource bounding most of the decode time, with its share",
     false, FieldType::kText},
};

const Fields kCompareTop = {
    {"model", "model id", false, FieldType::kText},
    {"batch", "requests in the static batch", false, FieldType::kInteger},
    {"input_len", "prompt tokens per request", false, FieldType::kInteger},
    {"output_len", "generated tokens per request", false, FieldType::kInteger},
    {"precision", "precision of the weights", false, FieldType::kText},
    {"expert_precision", "routed experts' weights (--expert-precision; null: as precision)",
     false, FieldType::kText},
    {"weight_group_size",
     "--weight-group-size: values per scale of fp4/int4 weights (null: default)", false,
     FieldType::kInteger},
};

const Fields kWafer = {
    {"die_width_mm", "die width"},
    {"die_height_mm", "die height"},
    {"die_area_mm2", "die area"},
    {"wafer_diameter_mm", "wafer diameter"},
    {"edge_exclusion_mm", "unusable rim of the wafer"},
    {"scribe_mm", "scribe line between dies"},
    {"notch_keepout_mm", "keep-out at the notch"},
    {"reticle", "whether dies are placed in reticle shots (stepper fields)", false,
     FieldType::kBool},
    {"gross_dies_formula", "dies per wafer by the closed-form formula", false, FieldType::kNumber},
    {"gross_dies_classic", "dies per wafer by the classic formula (area / die - edge loss)", false,
     FieldType::kNumber},
    {"full_dies", "whole dies on the wafer by the exact grid search", false, FieldType::kInteger},
    {"dies_per_shot", "dies per reticle shot", false, FieldType::kInteger},
    {"shots", "reticle shots per wafer", false, FieldType::kInteger},
    {"rotated", "whether the die is placed rotated by 90 degrees", false, FieldType::kBool},
    {"yield_model", "yield model (cost/yield_model)", false, FieldType::kText},
    {"defect_density_per_cm2", "killer defect density"},
    {"yield", "share of good dies, 0..1", false, FieldType::kNumber},
    {"good_dies", "good dies per wafer", false, FieldType::kInteger},
    {"wafer_cost_usd", "price of a processed wafer"},
    {"cost_per_die_usd", "wafer cost / full dies"},
    {"cost_per_good_die_usd", "wafer cost / good dies"},
};

const Fields kWaferReticle = {
    {"reticle_width_mm", "width of the reticle field (null without reticle placement)"},
    {"reticle_height_mm", "height of the reticle field"},
    {"reticle_overhang_width_mm", "how far the die exceeds the field's width (null when it fits)"},
    {"reticle_overhang_height_mm", "how far the die exceeds the field's height"},
};

// The clock a phase (or a GEMM) ran at under its TDP (perf/sustained_clock.h).
const Fields kClock = {
    {"sustained_clock_ghz", "clock the work sustains under the TDP (boost clock when not limited; "
                            "null when infeasible)", false, FieldType::kNumber},
    {"power_limited", "whether the TDP held the clock below boost (null when infeasible)", false,
     FieldType::kBool},
};

// The error band of headline predictions (perf/calibration.h UncertaintyBand): p10 and p90 of
// each metric, from the leave-one-family-out residuals of its scenario class; a metric is null
// (no p10/p90) when the answer is infeasible.
Fields uncertainty(std::initializer_list<std::string_view> metrics) {
  static std::deque<std::string> names;
  Fields out;
  for (std::string_view m : metrics) {
    names.push_back("uncertainty." + std::string(m));
    out.push_back({names.back(), "null when there is no prediction", true, FieldType::kObject});
    for (const char* q : {".p10", ".p90"}) {
      names.push_back("uncertainty." + std::string(m) + q);
      out.push_back({names.back(), q[2] == '1' ? "10th percentile of the prediction's error band"
                                               : "90th percentile of the prediction's error band",
                     true, FieldType::kNumber});
    }
  }
  return out;
}

const Fields kAreaTop = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"total_area_mm2", "logic silicon of the package"},
};

const Fields kAreaReticle = {
    {"reticle_area_mm2", "area of one reticle field"},
    {"reticle_excess_mm2", "how far the largest die exceeds the reticle (null when it fits)"},
    {"units_on_die", "compute units physically on the compute dies, disabled ones included", false,
     FieldType::kInteger},
    {"dram_phys_on_die", "DRAM PHY sites on the die", false, FieldType::kInteger},
    {"published_area_mm2", "the vendor's die area (only where published)", true},
    {"error_pct", "modelled against published area (only where published)", true},
};

// A die of a package: the leading keys of area's and cost's die records.
const Fields kDieId = {
    {"name", "die name", false, FieldType::kText},
    {"count", "dies of this kind in the package", false, FieldType::kInteger},
    {"node", "process node", false, FieldType::kText},
    {"area_mm2", "die area"},
};

const Fields kDieSize = {
    {"width_mm", "die width"},
    {"height_mm", "die height"},
};

const Fields kAreaDiePublished = {
    {"published_area_mm2", "the vendor's area of this die (only where published)", true},
    {"error_pct", "modelled against published die area (only where published)", true},
};

const Fields kAreaComponent = {
    {"name", "component (matrix engines, SRAM, PHYs, ...)", false, FieldType::kText},
    {"area_mm2", "component area"},
};

const Fields kAreaPower = {
    {"static_power_w", "leakage and always-on power"},
    {"peak_power_w", "power with every engine busy"},
    {"tdp_w", "thermal design power of the product (null when not given)"},
    {"peak_within_tdp", "whether the peak power stays within the TDP", false, FieldType::kBool},
};

// fab (fab/buildout.h FabPlan): the build-out for N accelerators per year, or what a budget buys.
const Fields kFabTop = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"mode", "units (--units N per year) or budget (--budget USD)", false, FieldType::kText},
    {"budget_usd", "the budget asked about (budget mode only)", true},
    {"design_nre_usd", "design and mask NRE paid before the first unit (budget mode only)", true},
    {"cost_per_unit_per_year_usd", "capex and production cost of one unit per year of output "
                                   "(budget mode only)", true},
};

const Fields kFabShortfall = {
    {"budget_shortfall_usd", "what a budget below the design cost lacks (budget mode only)", true},
};

const Fields kFabLogic = {
    {"die", "logic die name", false, FieldType::kText},
    {"node", "its process node", false, FieldType::kText},
    {"good_dies_per_wafer", "good dies per wafer after yield", false, FieldType::kNumber},
    {"wafers_per_year", "wafers of this die started per year"},
};

const Fields kFabUnits = {
    {"units_per_year", "accelerators produced per year (null for an unbuildable budget plan)"},
};

const Fields kFabPlan = {
    {"logic_wafers_per_year", "logic wafers started per year, all dies"},
    {"interposer_wafers_per_year", "silicon interposer wafers per year (2.5D packages)"},
    {"hbm_stacks_per_year", "known-good HBM stacks per year: units x stacks / assembly yield"},
    {"dram_dies_per_year", "DRAM core dies per year: stacks x height / stack yield"},
    {"dram_wafers_per_year", "DRAM wafers per year"},
    {"logic_fabs", "logic fabs of today's capacity needed (fractional)", false, FieldType::kNumber},
    {"dram_fabs", "DRAM fabs needed (fractional)", false, FieldType::kNumber},
    {"cowos_capacity_share", "share of today's CoWoS-class packaging capacity", false,
     FieldType::kNumber},
    {"logic_capex_usd", "capital of the logic fabs"},
    {"dram_capex_usd", "capital of the DRAM fabs"},
    {"packaging_capex_usd", "capital of the advanced-packaging lines"},
    {"total_capex_usd", "all capital"},
    {"production_cost_per_year_usd", "units x manufacturing cost per package, per year"},
    {"euv_tool_years", "EUV scanners busy for a year"},
    {"years_to_build", "fab construction and ramp before full output", false, FieldType::kNumber},
    {"fleet_peak_eflops_per_year", "dense 16-bit peak added per year of output, EFLOP/s"},
    {"units_by_logic_capacity", "accelerators per year today's logic capacity supports", false,
     FieldType::kNumber},
    {"units_by_cowos_capacity", "accelerators per year today's CoWoS capacity supports", false,
     FieldType::kNumber},
    {"units_by_hbm_capacity", "accelerators per year today's HBM capacity supports", false,
     FieldType::kNumber},
    {"binding_input", "the input that binds first: logic wafers, CoWoS or HBM", false,
     FieldType::kText},
};

const Fields kFabAssumption = {
    {"name", "assumption (--assume NAME=VALUE overrides it)", false, FieldType::kText},
    {"value", "its value", false, FieldType::kNumber},
    {"unit", "its unit", false, FieldType::kText},
    {"source", "where the value comes from", false, FieldType::kText},
};

// serve (api/serve.cc; serving/ simulator, docs/serving.md).
const Fields kServePools = {
    {"disaggregation.prefill_devices", "devices of the prefill pool (--disaggregate only)", true,
     FieldType::kInteger},
    {"disaggregation.decode_devices", "devices of the decode pool (--disaggregate only)", true,
     FieldType::kInteger},
    {"disaggregation.decode_tp", "decode pool tensor parallelism (--disaggregate only)", true,
     FieldType::kInteger},
    {"disaggregation.decode_pp", "decode pool pipeline parallelism (--disaggregate only)", true,
     FieldType::kInteger},
    {"disaggregation.prefill_replicas", "prefill engines (--disaggregate only)", true,
     FieldType::kInteger},
    {"disaggregation.decode_replicas", "decode engines (--disaggregate only)", true,
     FieldType::kInteger},
};

const Fields kServeEngine = {
    {"id", "engine profile id", false, FieldType::kText},
    {"runtime", "runtime profile of its kernels", false, FieldType::kText},
    {"max_batch", "sequences per iteration", false, FieldType::kInteger},
    {"max_num_tokens", "tokens per iteration (token budget)", false, FieldType::kInteger},
    {"chunked_prefill", "whether prompts are split to fit the token budget",
     false, FieldType::kBool},
    {"schedule", "iteration scheduling policy", false, FieldType::kText},
    {"admission", "KV-cache admission policy", false, FieldType::kText},
    {"kv_block_size", "tokens per KV-cache block", false, FieldType::kInteger},
    {"memory_fraction", "memory fraction the engine reserves", false, FieldType::kNumber},
    {"memory_fraction_of", "what memory_fraction is a fraction of", false, FieldType::kText},
    {"prefix_caching", "whether shared prompt prefixes are cached", false, FieldType::kBool},
};

const Fields kServeWorkload = {
    {"description", "the requests: dataset, fixed lengths or trace", false, FieldType::kText},
    {"arrivals", "arrival process (poisson, closed loop, all at once, trace)",
     false, FieldType::kText},
    {"seed", "random seed of lengths and arrivals", false, FieldType::kInteger},
    {"rate", "offered requests per second (Poisson arrivals only)", true, FieldType::kNumber},
    {"concurrency", "clients of a closed loop (closed loop only)", true, FieldType::kInteger},
};

const Fields kServeCounts = {
    {"requests", "requests offered", false, FieldType::kInteger},
    {"completed", "requests finished", false, FieldType::kInteger},
    {"rejected", "requests refused", false, FieldType::kInteger},
    {"rejections", "requests refused, by cause (null when infeasible)", true,
     FieldType::kObject},
    {"rejections.longer_than_max_model_len", "refused: prompt and output beyond the context",
     false, FieldType::kInteger},
    {"rejections.prompt_over_token_budget", "refused: prompt beyond the token budget, no chunking",
     false, FieldType::kInteger},
    {"rejections.larger_than_kv_cache", "refused: the request alone exceeds the KV cache",
     false, FieldType::kInteger},
    {"duration_s", "simulated time from first arrival to last completion"},
    {"output_tokens_per_s", "generated tokens per second, all devices"},
    {"total_tokens_per_s", "prompt and generated tokens per second"},
    {"requests_per_s", "completed requests per second"},
    {"output_tokens_per_s_per_device", "generated tokens per second per device"},
    {"steady_output_tokens_per_s", "generated tokens per second with ramp-up and drain removed "
                                   "(null when too short to tell)"},
};

const Fields kPercentiles = {
    {"mean", "mean"}, {"p50", "median"}, {"p90", "90th percentile"}, {"p99", "99th percentile"},
};

const Fields kServeTail = {
    {"goodput_requests_per_s", "completed requests per second that met both SLOs"},
    {"slo.ttft_ms", "time-to-first-token SLO (null when none)"},
    {"slo.tpot_ms", "time-per-output-token SLO (null when none)"},
    {"kv_cache.capacity_tokens", "KV-cache tokens per engine", false, FieldType::kInteger},
    {"kv_cache.block_size", "tokens per block", false, FieldType::kInteger},
    {"kv_cache.bytes_per_token_per_device", "KV bytes of one token on one device", false,
     FieldType::kInteger},
    {"kv_cache.peak_utilization", "largest share of the KV cache in use",
     false, FieldType::kNumber},
    {"kv_cache.mean_utilization", "time-weighted mean share in use", false, FieldType::kNumber},
    {"kv_cache.preemptions", "sequences evicted to free KV blocks", false, FieldType::kInteger},
    {"batch.mean_decode_batch", "mean decoding sequences per iteration", false, FieldType::kNumber},
    {"batch.mean_tokens_per_step", "mean tokens per iteration", false, FieldType::kNumber},
    {"steps", "engine iterations simulated", false, FieldType::kInteger},
    {"energy_per_output_token_j", "chip energy per generated token"},
    {"usd_per_million_output_tokens", "TCO per million generated tokens",
     false, FieldType::kNumber},
    {"average_power_w", "average power per device"},
};

const Fields kServeEconomicsReason = {
    {"economics_unavailable_reason", "why there are no economics, else null",
     false, FieldType::kText},
};

const Fields kServeAssumptions = {
    {"assumptions", "modelling assumptions of this run, as text", false, FieldType::kTextList},
};

const Fields kServeMlperf = {
    {"scenario", "LoadGen scenario: offline, server or interactive", false, FieldType::kText},
    {"benchmark", "MLPerf benchmark", false, FieldType::kText},
    {"tokens_per_s", "the scenario's result, generated tokens per second (offline: of the "
                     "saturated phase; server, interactive: LoadGen's completed tokens/s, over "
                     "the time to the final query's completion)"},
    {"samples_per_s", "the scenario's result, samples per second (server, interactive: LoadGen's "
                      "completed samples/s)"},
    {"max_qps", "largest rate meeting the latency limits (server, interactive)", true,
     FieldType::kNumber},
    {"ttft_p99_ms", "99th-percentile TTFT at that rate (server, interactive)", true},
    {"tpot_p99_ms", "99th-percentile TPOT at that rate (server, interactive)", true},
    {"binding", "the limit that stops a higher rate (server, interactive)", true, FieldType::kText},
    {"limits.ttft_p99_ms", "the benchmark's TTFT limit", true},
    {"limits.tpot_p99_ms", "the benchmark's TPOT limit", true},
    {"limits.e2e_p99_ms", "the benchmark's end-to-end limit", true},
    {"probes.rate", "a probed rate of the search, requests/s", true, FieldType::kNumber},
    {"probes.ttft_p99_ms", "its 99th-percentile TTFT", true},
    {"probes.tpot_p99_ms", "its 99th-percentile TPOT", true},
    {"probes.output_tokens_per_s", "its throughput", true},
    {"probes.pass", "whether it met the limits", true, FieldType::kBool},
    {"probes.stopped_early",
     "the limit a failing probe was certain to miss when it stopped there (ttft, tpot, e2e); its "
     "p99s and throughput are then of the part simulated; null for a probe run to its end",
     true, FieldType::kText},
    {"valid", "whether the run meets LoadGen's rules", false, FieldType::kBool},
    {"notes", "why a run is not valid, or what was approximated", true, FieldType::kTextList},
};

// cost (cost/chip_cost.h CostBreakdown, package_cost.h, tco.h, system_tco.h).
const Fields kCostDie = {
    {"gross_dies_formula", "dies per wafer, closed form (Chiplet Actuary)", false,
     FieldType::kNumber},
    {"full_dies", "whole dies per wafer, exact grid", false, FieldType::kInteger},
    {"defect_free_yield", "share of dies without a killer defect", false, FieldType::kNumber},
    {"sellable_yield", "share sellable, harvesting included", false, FieldType::kNumber},
    {"wafer_cost_usd", "price of one wafer at the node"},
    {"cost_per_good_die_usd", "wafer cost per sellable die"},
};

const Fields kPackage = {
    {"kind", "organic, 2.5D interposer or 3D stack", false, FieldType::kText},
    {"interposer_area_mm2", "silicon interposer area (0 for organic)"},
    {"interposers_per_wafer", "gross interposers per wafer", false, FieldType::kNumber},
    {"interposer_yield", "interposers without a killer defect", false, FieldType::kNumber},
    {"bonding_yield", "bond yield of all chips on the interposer or substrate", false,
     FieldType::kNumber},
    {"stack_yield", "hybrid-bond yield of a base die with its stacked dies", false,
     FieldType::kNumber},
    {"stacking_usd", "hybrid bonding and stacks scrapped by failed bonds"},
    {"assembly_yield", "share of assemblies of known-good parts that end good", false,
     FieldType::kNumber},
    {"interposer_usd", "raw interposer with its wiring"},
    {"substrate_usd", "organic substrate"},
    {"bumps_usd", "micro-bumps"},
    {"package_defect_usd", "interposers and substrates lost to failed assemblies"},
    {"wasted_known_good_dies_usd", "known-good dies lost with failed assemblies"},
    {"total_usd", "package cost"},
};

const Fields kCostTop = {
    {"logic_dies_usd", "logic dies of one package"},
    {"memory_usd", "HBM/GDDR of one package"},
    {"package", "null when no die can be built", true, FieldType::kObject},
    {"package_usd", "package cost (as package.total_usd)"},
    {"test_assembly_usd", "final test and assembly"},
    {"manufacturing_cost_usd", "cost to make one good package"},
    {"design_nre_usd", "design cost"},
    {"mask_nre_usd", "mask set"},
    {"volume", "packages over the design's life (NRE amortisation)", false, FieldType::kNumber},
    {"nre_per_unit_usd", "NRE per package"},
    {"total_per_unit_usd", "manufacturing and NRE per package"},
};

const Fields kCostPerToken = {
    {"cost_per_million_tokens_usd", "TCO per million tokens at --tokens-per-second (only then)",
     true},
};

const Fields kTco = {
    {"capital_usd", "accelerator price or manufacturing cost, as given"},
    {"power_w", "chip power while working"},
    {"lifetime_years", "years of service"},
    {"energy_kwh", "facility energy over the life"},
    {"energy_usd", "its price"},
    {"total_usd", "capital, host and facility capital and energy"},
    {"host_capital_usd", "share of the server and network"},
    {"facility_capital_usd", "share of the data-centre build"},
    {"system_power_w", "IT power per accelerator, host and network shares included"},
    {"facility_power_w", "system power x PUE"},
    {"pue", "power usage effectiveness", false, FieldType::kNumber},
    {"utilization", "share of the life spent working", false, FieldType::kNumber},
    {"electricity_usd_per_kwh", "electricity price"},
    {"cost_per_hour_usd", "TCO per hour owned"},
    {"cost_per_utilized_hour_usd", "TCO per working hour"},
};

const Fields kSystem = {
    {"class", "server class (--system)", false, FieldType::kText},
    {"description", "what the class describes", false, FieldType::kText},
    {"power_factor", "system power per watt of accelerator", false, FieldType::kNumber},
    {"fixed_power_w", "system power per accelerator not scaling with it"},
    {"params.name", "server parameter (--system-param NAME=VALUE)", false, FieldType::kText},
    {"params.value", "its value", false, FieldType::kNumber},
    {"params.unit", "its unit", false, FieldType::kText},
    {"params.description", "what it is", false, FieldType::kText},
    {"params.source", "where the value comes from", false, FieldType::kText},
};

// validate (api/validate.cc; validate/validator.h ValidationReport). Its document is built with
// sorted keys (its order before it was built through ResultJson, kept), so each record's fields
// are declared in that order.
const Fields kValidateRow = {
    {"assumptions", "row-interpretation defaults applied", false, FieldType::kTextList},
    {"detail", "what was simulated (shape, plan, binding resource)", false, FieldType::kText},
    {"error_pct", "100 x (predicted - measured) / measured"},
    {"hardware", "hardware preset of the row", false, FieldType::kText},
    {"id", "row id", false, FieldType::kText},
    {"line", "line of the row in the file", false, FieldType::kInteger},
    {"measured", "the measured figure, in `unit`", false, FieldType::kNumber},
    {"metric", "the metric measured (ttft_ms, output_tokens_per_s, ...)", false, FieldType::kText},
    {"model", "model preset of the row", false, FieldType::kText},
    {"predicted", "the model's figure, in `unit`", false, FieldType::kNumber},
    {"runtime",
     "runtime profile (software stack) the prediction ran under: the row's framework, or a "
     "serving row's engine; null where none enters it (bandwidth, collectives, copies)",
     true, FieldType::kText},
    {"scenario", "scenario class (static, serving, gemm, ...)", false, FieldType::kText},
    {"unit", "unit of measured and predicted", false, FieldType::kText},
};

const Fields kValidateSkipped = {
    {"id", "row id", false, FieldType::kText},
    {"line", "line of the row in the file", false, FieldType::kInteger},
    {"reason", "why the row was not simulated", false, FieldType::kText},
};

const Fields kErrorStats = {
    {"key", "the group: all, a scenario, scenario/metric or a hardware id",
     false, FieldType::kText},
    {"mape_pct", "mean |error| of the group"},
    {"max_abs_error_pct", "largest |error| of the group"},
    {"mean_error_pct", "mean signed error (bias: > 0 means predictions too high)"},
    {"rows", "rows in the group", false, FieldType::kInteger},
};

const Fields kCoverage = {
    {"class", "scenario class of the calibration's error band", false, FieldType::kText},
    {"coverage_pct", "share of rows inside the band"},
    {"inside", "rows whose measured figure lies inside the predicted p10-p90 band",
     false, FieldType::kInteger},
    {"outside_family_coverage_pct",
     "share of the rows outside the band's families inside the band (null without such rows): "
     "how the band holds beyond the hardware it was measured on",
     true, FieldType::kNumber},
    {"outside_family_inside", "rows outside the band's families inside the band", false,
     FieldType::kInteger},
    {"outside_family_rows",
     "rows on hardware of a family the band was not measured on (its families: the "
     "calibration's uncertainty.CLASS.families)",
     false, FieldType::kInteger},
    {"p10_log_ratio", "10th percentile of log(measured / predicted time)",
     false, FieldType::kNumber},
    {"p90_log_ratio", "90th percentile of log(measured / predicted time)",
     false, FieldType::kNumber},
    {"rows", "rows of the class", false, FieldType::kInteger},
};

const Fields kValidateFile = {
    {"file", "the measured-data file", false, FieldType::kText},
    {"ignored_columns", "columns of the file xpusim does not read", true, FieldType::kTextList},
};

const Fields kValidateCounts = {
    {"simulated", "rows predicted", false, FieldType::kInteger},
    {"skip_reasons.reason", "why rows were skipped (one record per reason; as skipped_by_reason)",
     true, FieldType::kText},
    {"skip_reasons.rows", "rows skipped for it", true, FieldType::kInteger},
    {"skipped", "rows not simulated (malformed or not simulable)", false, FieldType::kInteger},
    {"skipped_by_reason", "rows skipped, by reason", true, FieldType::kInteger, "the reason"},
    {"total_rows", "rows in the file, malformed ones included", false, FieldType::kInteger},
};

// explore and pareto (api/dse.cc front_json): the Pareto front of a design search. The metrics
// are the dse metric table (dse/metrics.h), which is also the SQLite columns of its database.
const Fields kDesign = {
    {"design_id", "hash of the design's canonical parameters (the database key)", false,
     FieldType::kText},
    {"design_index", "index of the design in the space's grid", false, FieldType::kInteger},
    {"parameters", "the design's parameter values (integer, number, bool or text by the field's "
                   "kind)", false, FieldType::kAuto, "a parameter path of the space "
                                                     "(hardware.compute.units, plan.tp, ...)"},
};

const Fields kDesignPerModel = {
    {"per_model_metrics", "a space with a list of models and model_metrics: per_model: each "
                          "model's figure of each model-dependent metric (metrics holds their "
                          "geometric means); unit by the metric's suffix",
     true, FieldType::kNumber, "metric@model (output_tokens_per_s@llama-3.1-8b, ...)"},
};

const Fields kSearchTop = {
    {"evaluated", "designs evaluated (in the database, for pareto)", false, FieldType::kInteger},
    {"feasible", "designs with an answer", false, FieldType::kInteger},
    {"within_constraints", "feasible designs meeting every constraint", false,
     FieldType::kInteger},
    {"infeasible", "infeasible designs by reason class", true, FieldType::kInteger,
     "the reason class (memory, reticle, power, ...)"},
    {"objectives.metric", "an objective's metric", false, FieldType::kText},
    {"objectives.goal", "max or min", false, FieldType::kText},
    {"assumptions", "what the search assumes, as text", false, FieldType::kText},
};

// calibrate (cli/cmd_validate.cc run_calibrate): the fit of the global calibration constants on a
// measured-data file. Its document is built with sorted keys, so each record's fields are declared
// in that order. A constant's start and fitted values are in its own unit (a time constant in
// seconds, a factor dimensionless): the keys carry no suffix.
const Fields kCalibrateConstant = {
    {"fitted", "the constant's fitted value (seconds for a time constant)", false,
     FieldType::kNumber},
    {"max", "upper end of the fit's range", false, FieldType::kNumber},
    {"min", "lower end of the fit's range", false, FieldType::kNumber},
    {"name", "the constant (global, or NAME.x per runtime profile)", false, FieldType::kText},
    {"start", "its value before the fit (the shipped calibration)", false, FieldType::kNumber},
};

// The error statistics of a scenario after the fit, with the MAPE before it.
const Fields kCalibrateScenario = {
    {"key", "the scenario", false, FieldType::kText},
    {"mape_before_pct", "mean |error| of the scenario before the fit"},
    {"mape_pct", "mean |error| of the scenario after the fit"},
    {"max_abs_error_pct", "largest |error| after the fit"},
    {"mean_error_pct", "mean signed error after the fit (bias: > 0 means predictions too high)"},
    {"rows", "rows of the scenario", false, FieldType::kInteger},
};

// A hold-out split (--holdout: fit without one hardware family, test on it; --reverse: fit on one
// family, test on the others). `first` names the family.
Fields calibrate_split(const char* first, const char* meaning) {
  return {
      {first, meaning, false, FieldType::kText},
      {"test_mape_full_fit_pct", "MAPE of the test rows under the constants fitted on every row"},
      {"test_mape_holdout_fit_pct", "MAPE of the test rows under the constants fitted on the "
                                    "training rows"},
      {"test_mape_start_pct", "MAPE of the test rows before any fit"},
      {"test_rows", "rows tested", false, FieldType::kInteger},
      {"train_mape_pct", "MAPE of the training rows after their fit"},
      {"train_rows", "rows fitted on", false, FieldType::kInteger},
  };
}

// sensitivity (api/sensitivity.h): the elasticities of a design's figures with respect to
// every numeric hardware field (dse/sensitivity.h). The scenario is the one the flags describe;
// the serve keys are written only for a serve scenario.
const Fields kSensitivityScenario = {
    {"devices", "devices of the plan (--devices; default tp x pp)", false, FieldType::kInteger},
    {"tp", "tensor-parallel degree", false, FieldType::kInteger},
    {"pp", "pipeline-parallel degree", false, FieldType::kInteger},
    {"batch", "requests in the static batch (null for serve: its engine forms the batches)",
     false, FieldType::kInteger},
    {"input_len", "prompt tokens per request (null with --dataset)", false, FieldType::kInteger},
    {"output_len", "generated tokens per request (null with --dataset)", false,
     FieldType::kInteger},
    {"precision", "weights/compute precision", false, FieldType::kText},
    {"expert_precision", "routed experts' precision (--expert-precision; null: as precision)",
     false, FieldType::kText},
    {"weight_group_size",
     "--weight-group-size: values per scale of fp4/int4 weights (null: default)", false,
     FieldType::kInteger},
    {"math_execution", "precision the base hardware's matrix engines execute in (null when it "
                       "did not load)", false, FieldType::kText},
    {"weight_only_fallback", "whether the base hardware has no engine for the asked math and "
                             "runs weight-only dequantisation to 16-bit instead", false,
     FieldType::kBool},
    {"precision_note", "run's note when the base hardware computes the asked precision otherwise "
                       "(null: as asked, or the hardware did not load)", false, FieldType::kText},
    {"kind", "static (a batch, as `run`) or serve (a serving simulation, as `serve`)", false,
     FieldType::kText},
    {"engine", "serve: engine profile", true, FieldType::kText},
    {"dataset", "serve: dataset of the request lengths (null: --input-len/--output-len)", true,
     FieldType::kText},
    {"requests", "serve: requests simulated per evaluation", true, FieldType::kInteger},
    {"rate", "serve: Poisson arrivals, requests per second (null: all at once, or --concurrency)",
     true, FieldType::kNumber},
    {"concurrency", "serve: clients of the closed loop (null: open loop)", true,
     FieldType::kInteger},
    {"slo_ttft_ms", "serve: TTFT limit of goodput (null: none)", true},
    {"slo_tpot_ms", "serve: TPOT limit of goodput (null: none)", true},
    {"seed", "serve: seed of the request lengths and arrivals", true, FieldType::kInteger},
};

// A hardware field's record, ranked by |elasticity| of the first metric.
const Fields kSensitivityField = {
    {"path", "the hardware field perturbed (its hardware/v1 path)", false, FieldType::kText},
    {"value", "its value in the base design, in `unit` (an integer for an integer field)", false,
     FieldType::kNumber},
    {"unit", "canonical unit of value, low and high (empty: a count or a ratio)", false,
     FieldType::kText},
    {"low", "the value of the lower difference (null when that side failed)", false,
     FieldType::kNumber},
    {"high", "the value of the upper difference (null when that side failed)", false,
     FieldType::kNumber},
    {"skipped", "whether both sides failed, leaving no elasticity", false, FieldType::kBool},
    {"elasticity", "d ln(metric) / d ln(field) by central differences, a plain ratio (null when "
                   "skipped)", false, FieldType::kNumber, "a metric (--metric)"},
    {"note", "how the difference was taken: integer steps, a side dropped and why (empty: as "
             "asked)", false, FieldType::kText},
};

const Fields kSensitivityTop = {
    {"hardware", "hardware preset id or file", false, FieldType::kText},
    {"model", "model preset id or file", false, FieldType::kText},
};

const Fields kSensitivityBase = {
    {"prefill_bound", "what binds the static run's prefill and its share (\"matrix 89%\"; null "
                      "for serve or when infeasible)", false, FieldType::kText},
    {"decode_bound", "what binds the static run's decode and its share (null for serve or when "
                     "infeasible)", false, FieldType::kText},
    {"step", "relative step of the central differences (--step)", false, FieldType::kNumber},
    {"metrics", "the base design's figure of the metric, in its name's unit (null when "
                "infeasible)", false, FieldType::kNumber, "a metric (--metric; the dse metric "
                                                          "table)"},
};

const Fields kSensitivityRanking = {
    {"ranking", "the fields with an elasticity of the metric, by |elasticity|, largest first",
     false, FieldType::kTextList, "a metric (--metric)"},
    {"binding", "the field that moves the metric most: {field: its path, elasticity: its "
                "elasticity} (null when none has one)", false, FieldType::kObject,
     "a metric (--metric)"},
};

Fields optional(Fields f) {
  for (ResultField& x : f) x.optional = true;
  return f;
}

// collective (api/micro.h): a message-size sweep of one collective or copy.
const Fields kCollectiveTop = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"op", "the operation: all_reduce, all_gather, reduce_scatter, all_to_all, send_recv (GPU "
           "kernels), copy (copy engines between two devices), host_copy (host to one device)",
     false, FieldType::kText},
    {"devices", "devices the operation spans (1 for host_copy)", false, FieldType::kInteger},
    {"scale_up_topology", "the scale-up tier's topology (switched, fully_connected, ring, "
                          "torus_2d, torus_3d, pcie; null without one)", false, FieldType::kText},
    {"scale_up_devices", "devices the scale-up tier joins (null: no tier or no limit)", false,
     FieldType::kInteger},
    {"scale_up_in_network_reduction", "the scale-up tier's switches reduce (NVLink SHARP): "
                                      "NCCL's NVLS all-reduce, algorithm in_network, is a choice",
     false, FieldType::kBool},
};
const Fields kCollectiveSize = {
    {"size_bytes", "message size: the per-device buffer (nccl-tests' size)"},
    {"time_us", "time of one operation, microseconds", false, FieldType::kNumber},
    {"algbw_gbs", "algorithm bandwidth, size / time, GB/s", false, FieldType::kNumber},
    {"busbw_gbs", "bus bandwidth, nccl-tests convention (all-reduce x 2(n-1)/n, all-gather, "
                  "reduce-scatter, all-to-all x (n-1)/n, send/recv and copies x 1), GB/s",
     false, FieldType::kNumber},
    {"algorithm", "algorithm the model picks (NCCL's choice with its defaults, nccl-tests): ring, "
                  "tree, one_shot, two_shot, in_network (NVLS), direct, hierarchical, p2p",
     false, FieldType::kText},
    {"tier", "interconnect tier the bytes take: scale_up, scale_out, both (a collective beyond "
             "the scale-up domain), host", false,
     FieldType::kText},
};

// membw (api/micro.h): achievable streaming bandwidth per kernel.
const Fields kMembwTop = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"dram_type", "memory technology of the description (sram_only: no DRAM)", false,
     FieldType::kText},
    {"backing_store", "the level the kernels stream from: dram, or the last on-chip level (llc, "
                      "l2, l1) of an sram_only design", false, FieldType::kText},
    {"peak_gbs", "peak bandwidth of the backing store, GB/s", false, FieldType::kNumber},
    {"controllers_gbs", "what the memory controllers sustain on a read-only stream: peak x "
                        "dram_efficiency x (1 - refresh_loss_fraction), GB/s (on chip: peak x "
                        "l2_efficiency)", false, FieldType::kNumber},
    {"refresh_loss_fraction", "fraction of bank time lost to per-bank refresh, tRFCpb / tREFI", false,
     FieldType::kNumber},
    {"turnaround_ns", "bus idle time per switch of direction (write->read + read->write), ns",
     false, FieldType::kNumber},
    {"write_batch_ns", "time one channel drains a batch of writes between turnarounds, ns", false,
     FieldType::kNumber},
    {"fabric_gbs", "bound of a multi-die package's links on interleaved memory traffic, GB/s "
                   "(null for one die or no link data)", false, FieldType::kNumber},
    {"fabric_kind", "the links that make fabric_gbs: die_to_die or compute_link (null without)",
     false, FieldType::kText},
    {"memory_dies", "dies the memory is interleaved over", false, FieldType::kInteger},
    {"mean_hops", "die-to-die hops of a byte on average (0 for one die)", false,
     FieldType::kNumber},
    {"note", "a caveat of the memory model for this design (an unknown DRAM type's default "
             "timings), else null", false, FieldType::kText},
};
const Fields kMembwKernel = {
    {"kernel", "the streaming kernel (BabelStream copy, mul, add, triad, dot, nstream; read, "
               "write)", false, FieldType::kText},
    {"write_fraction", "share of the kernel's bytes that are writes", false, FieldType::kNumber},
    {"bandwidth_gbs", "achievable bandwidth of the kernel, GB/s (BabelStream counts the bytes "
                      "it reads and writes)", false, FieldType::kNumber},
    {"peak_fraction", "bandwidth_gbs over peak_gbs", false, FieldType::kNumber},
    {"bound", "what bounds it: controllers (DRAM), on_chip (an sram_only design's store), "
              "die_to_die or compute_link (a multi-die package's links)", false, FieldType::kText},
};

// power (api/micro.h): the power model on its own, by component, for reference loads.
const Fields kPowerTop = {
    {"hardware", "hardware id", false, FieldType::kText},
    {"tdp_w", "the thermal design power the sustained clock is solved under, W (null: none "
              "described, the boost clock always)", false, FieldType::kNumber},
    {"node", "process node of the compute dies (the node the clocked logic's energies scale to)",
     false, FieldType::kText},
    {"area_mm2", "silicon area of the package's dies (leakage scales with it), mm2", false,
     FieldType::kNumber},
    {"gemm_runtime", "runtime profile of the gemm rows (gemm's default: the vendor library)",
     false, FieldType::kText},
    {"m", "GEMM rows of A and C", false, FieldType::kInteger},
    {"n", "GEMM columns of B and C", false, FieldType::kInteger},
    {"k", "GEMM reduction dimension", false, FieldType::kInteger},
};
const Fields kPowerKernel = {
    {"kernel", "the load: gemm (looped back to back), stream (BabelStream triad at the "
               "achievable bandwidth), idle (clocks running, no work), peak (every engine and "
               "level at its peak at once)", false, FieldType::kText},
    {"precision", "the GEMM's format (null for the other loads)", false, FieldType::kText},
    {"tflops", "the GEMM's achieved rate at the sustained clock, TFLOP/s: xpusim gemm's (null "
               "for the other loads)", false, FieldType::kNumber},
    {"store_gbs", "traffic of the backing store (DRAM, or an sram_only design's last on-chip "
                  "level) at the boost clock, GB/s", false, FieldType::kNumber},
    {"boost_clock_ghz", "the compute clock of the description, the ceiling, GHz", false,
     FieldType::kNumber},
    {"sustained_clock_ghz", "the highest clock whose power fits the TDP, GHz", false,
     FieldType::kNumber},
    {"power_limited", "whether the TDP held the clock below boost", false, FieldType::kBool},
    {"power_at_boost_w", "the load's power at the boost clock, W (may exceed the TDP)", false,
     FieldType::kNumber},
    {"power_w", "the load's power at the sustained clock, W: the sum of the components below",
     false, FieldType::kNumber},
    {"within_tdp", "power_w <= tdp_w (false only where even the lowest clock exceeds it)", false,
     FieldType::kBool},
    {"static_w", "leakage and always-on power of the dies, W (scales with the voltage)", false,
     FieldType::kNumber},
    {"busy_logic_w", "clock tree, pipeline registers, issue and control while the clocks run, W",
     false, FieldType::kNumber},
    {"dram_background_w", "DRAM refresh and standby and the host PHYs while busy, W", false,
     FieldType::kNumber},
    {"link_idle_w", "SerDes of the scale-up and scale-out links kept trained while busy, W", false,
     FieldType::kNumber},
    {"matrix_w", "matrix-engine MACs with their operand delivery, W", false, FieldType::kNumber},
    {"vector_w", "SIMD arithmetic, W", false, FieldType::kNumber},
    {"memory_w", "on-chip (L2, LLC) and DRAM traffic, W", false, FieldType::kNumber},
    {"links_w", "link and die-to-die traffic above the idle SerDes, W", false,
     FieldType::kNumber},
};

// Where the error band comes from (api/impl/uncertainty.h uncertainty_basis_json): an object
// `uncertainty_basis` with these keys.
const Fields kUncertaintyBasis = {
    {"uncertainty_basis.families",
     "hardware families whose held-out rows gave the band (leave-one-family-out residuals)",
     false, FieldType::kTextList},
    {"uncertainty_basis.hardware_family",
     "this hardware's family (ampere, ada, hopper; any other preset or a new design is a family "
     "of its own)",
     false, FieldType::kText},
    {"uncertainty_basis.family_measured",
     "whether that family is among the band's; false: the prediction extrapolates beyond the "
     "band's evidence (another vendor, a design no one measured) and its error may be wider",
     false, FieldType::kBool},
};

std::vector<ResultType> build_types() {
  std::vector<ResultType> t;
  t.push_back({"run", "run", "one static-batch scenario: latency, throughput, memory, energy, "
                             "cost per token and the per-op breakdown (ops: one record per op; "
               "economics.system.params: one record each)",
               concat({kDeployment, kRunTop, under("precision", kPrecision), kFeasibility, kRunAlternatives,
                       kLatency, under("prefill", kClock), under("decode", kClock),
                       uncertainty({"ttft_ms", "tpot_ms", "e2e_latency_ms", "output_tokens_per_s"}),
                       kUncertaintyBasis,
                       under("memory", kMemory), kRunEconomicsTop,
                       under("economics", kEconomics), under("economics.system", kSystem),
                       under("ops", kOp)})});
  t.push_back({"gemm", "gemm", "one matrix multiply C[m,n] = A[m,k] x B[k,n]",
               concat({kGemm, uncertainty({"latency_ms", "tflops"}), kUncertaintyBasis,
                       kGemmTiles, kClock})});
  t.push_back({"collective", "collective",
               "a collective or copy over a message-size sweep, nccl-tests style (sizes: one "
               "record per size)",
               concat({kCollectiveTop, kFeasibility, under("sizes", kCollectiveSize)})});
  t.push_back({"membw", "membw",
               "achievable streaming bandwidth of the backing memory per kernel, BabelStream "
               "style, and what bounds it (kernels: one record per kernel)",
               concat({kMembwTop, under("kernels", kMembwKernel)})});
  t.push_back({"power", "power",
               "power by component of reference loads and the clock each sustains under the "
               "TDP (kernels: one record per load)",
               concat({kPowerTop, under("kernels", kPowerKernel)})});
  t.push_back({"compare", "compare",
               "every hardware preset on one workload (ranking: one record per preset)",
               concat({kCompareTop,
                       under("ranking", concat({kCompareRow, kFeasibility,
                                                {{"error", "why the preset failed to load "
                                                           "(only then)", true,
                                                  FieldType::kText}},
                                                kLatency, kCompareBounds,
                                                {{"memory", "memory per device (null when no "
                                                            "plan was tried)", true,
                                                  FieldType::kObject}},
                                                under("memory", kMemory)}))})});
  t.push_back({"wafer", "wafer", "dies per wafer, yield and cost per good die",
               concat({kWafer, kFeasibility, kWaferReticle})});
  t.push_back({"area", "area",
               "die area per component, per die and per package, with the reticle check and "
               "peak power (dies, dies.components: one record each)",
               concat({kAreaTop, kFeasibility, kAreaReticle,
                       under("dies", concat({kDieId, kAreaDiePublished, kDieSize,
                                             {{"within_reticle", "whether the die fits one "
                                                                 "reticle field",
                                               false, FieldType::kBool}},
                                             under("components", kAreaComponent)})),
                       kAreaPower,
                       {{"assumptions", "what the area model priced without a figure for this "
                                        "design (e.g. a link family with no published PHY "
                                        "area), as text",
                         false, FieldType::kTextList}}})});
  t.push_back({"serve", "serve",
               "a serving simulation: throughput, latency percentiles, SLO goodput, KV cache, "
               "economics and, with --mlperf, the LoadGen scenario's result",
               concat({kDeployment, kServePools, under("precision", kPrecision), under("engine", kServeEngine),
                       under("workload", kServeWorkload), kFeasibility, kServeCounts,
                       under("prefill", kClock), under("decode", kClock),
                       under("ttft_ms", kPercentiles), under("tpot_ms", kPercentiles),
                       under("itl_ms", kPercentiles), under("e2e_latency_ms", kPercentiles),
                       uncertainty({"output_tokens_per_s", "requests_per_s", "ttft_ms.mean",
                                    "tpot_ms.mean", "e2e_latency_ms.mean"}),
                       kUncertaintyBasis,
                       kServeTail, under("system", kSystem), kServeEconomicsReason,
                       under("mlperf", optional(kServeMlperf)), kServeAssumptions})});
  t.push_back({"cost", "cost",
               "cost per die, package, unit and NRE, and the TCO in a described server (dies, "
               "system.params: one record each)",
               concat({{{"hardware", "hardware id", false, FieldType::kText}}, kFeasibility,
                       under("dies", concat({kDieId, kDieSize, kCostDie})),
                       kCostTop, under("package", kPackage),
                       under("tco", kTco), under("system", kSystem), kCostPerToken})});
  t.push_back({"fab", "fab",
               "wafers, fabs, capital and the binding input of a build-out (logic: one record "
               "per logic die; assumptions: one record each)",
               concat({kFabTop, kFeasibility, kFabShortfall, kFabUnits, under("logic", kFabLogic),
                       kFabPlan, under("assumptions", kFabAssumption)})});
  t.push_back({"validate", "validate",
               "predictions against measured rows, with error statistics by scenario, metric and "
               "hardware and the rows skipped with their reasons (rows, skipped, summary.by_*, "
               "summary.coverage: one record each)",
               concat({under("rows", kValidateRow), under("skipped", kValidateSkipped),
                       under("summary", concat({under("by_hardware", kErrorStats),
                                                under("by_metric", kErrorStats),
                                                under("by_runtime", kErrorStats),
                                                under("by_scenario", kErrorStats),
                                                under("coverage", kCoverage)})),
                       under("summary", kValidateFile), under("summary.overall", kErrorStats),
                       under("summary", kValidateCounts)})});
  t.push_back({"explore", "explore, pareto",
               "the Pareto front of a design search (designs: one record per design on the "
               "front; its metrics are the search's metric table, the columns of its database)",
               concat({under("designs", concat({kDesign, under("metrics", metric_fields()), kDesignPerModel})),
                       kSearchTop})});
  t.push_back({"sensitivity", "sensitivity",
               "elasticities of a design's figures with respect to every numeric hardware "
               "field, ranked, with the phase bounds and the binding field (fields: one record "
               "per hardware field)",
               concat({kSensitivityTop, under("scenario", kSensitivityScenario), kFeasibility,
                       kSensitivityBase, under("fields", kSensitivityField),
                       kSensitivityRanking})});
  const Fields validate_doc =
      concat({under("rows", kValidateRow), under("skipped", kValidateSkipped),
              under("summary", concat({under("by_hardware", kErrorStats),
                                       under("by_metric", kErrorStats),
                                       under("by_runtime", kErrorStats),
                                       under("by_scenario", kErrorStats),
                                       under("coverage", kCoverage)})),
              under("summary", kValidateFile), under("summary.overall", kErrorStats),
              under("summary", kValidateCounts)});
  t.push_back({"calibrate", "calibrate",
               "the fit of the calibration constants on measured rows: the objective before and "
               "after, the constants, MAPE by scenario, the hold-out splits and the validation "
               "under the fitted constants (parameters, by_scenario, leave_one_family_out, "
               "fit_one_family: one record each; validation_after: validate's document)",
               concat({under("by_scenario", kCalibrateScenario),
                       {{"evaluations", "evaluations of the objective", false,
                         FieldType::kInteger},
                        {"file", "the measured-data file", false, FieldType::kText}},
                       under("fit_one_family",
                             optional(calibrate_split("fitted_on", "the family fitted on"))),
                       under("leave_one_family_out",
                             optional(calibrate_split("held_out", "the family held out"))),
                       {{"mape_after_pct", "the objective (weighted MAPE) after the fit"},
                        {"mape_before_pct", "the objective before the fit"}},
                       under("parameters", kCalibrateConstant),
                       {{"rows", "rows fitted on", false, FieldType::kInteger}},
                       under("validation_after", validate_doc),
                       {{"weighting", "per-row or per-scenario weighting of the objective", false,
                         FieldType::kText}}})});
  return t;
}

}  // namespace

std::span<const ResultType> result_types() {
  static const std::vector<ResultType> types = build_types();
  return types;
}

const ResultType* find_result_type(std::string_view name) {
  for (const ResultType& t : result_types())
    if (t.name == name) return &t;
  return nullptr;
}

const ResultField* find_field(const ResultType& type, std::string_view key) {
  for (const ResultField& f : type.fields) {
    if (f.name == key) return &f;
    if (!f.key_meaning.empty() && key.size() > f.name.size() && key.starts_with(f.name) &&
        key[f.name.size()] == '.')
      return &f;
  }
  return nullptr;
}

std::string_view field_type_name(const ResultField& field) {
  switch (field.type) {
    case FieldType::kNumber: return "number";
    case FieldType::kInteger: return "integer";
    case FieldType::kBool: return "bool";
    case FieldType::kText: return "text";
    case FieldType::kTextList: return "text list";
    case FieldType::kObject: return "object";
    case FieldType::kAuto: break;
  }
  const auto unit = unit_of_field(field.name);
  if (!unit) return "any";
  return unit->kind == NumberKind::kCount ? "integer" : "number";
}

Table describe_result_type(const ResultType& type) {
  Table t({"field", "type", "unit", "quantity", "meaning"});
  for (const ResultField& f : type.fields) {
    const auto u = unit_of_field(f.name);
    const bool map = !f.key_meaning.empty();
    t.add_row({std::string(f.name) + (map ? ".*" : ""), std::string(field_type_name(f)),
               u ? std::string(u->unit) : "-",
               u ? std::string(u->quantity) : "-",
               std::string(f.meaning) + (map ? " (keys: " + std::string(f.key_meaning) + ")" : "")});
  }
  return t;
}

}  // namespace xpusim
