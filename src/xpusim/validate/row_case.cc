// SPDX-License-Identifier: Apache-2.0
// Row interpretation rules. These are input-handling defaults for fields the sources leave blank,
// not tuning: each one is stated in docs/validation.md and recorded per row in
// RowCase::assumptions so that a report shows which rows relied on which default.
#include "xpusim/validate/row_case.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "xpusim/base/bounds.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/units/unit_parser.h"
#include "xpusim/validate/serving_stack.h"

namespace xpusim {
namespace {

// gpt-fast's generate.py default of --max_new_tokens (github:pytorch-labs/gpt-fast generate.py);
// the README figures are produced with it and do not state another length.
constexpr int kGptFastDefaultOutputLen = 200;

// vLLM benchmarks/benchmark_latency.py argparse defaults --input-len 32, --output-len 128
// (github:vllm-project/vllm, also in the ROCm fork; recalled, unverified).
constexpr int kBenchmarkLatencyDefaultInputLen = 32;
constexpr int kBenchmarkLatencyDefaultOutputLen = 128;

// nccl-tests busbw quoted without a message size is the plateau of the busbw-vs-size curve, which
// NCCL reaches for messages of a few hundred MB and above (nccl-tests README, ml-engineering
// network chapter); 1 GiB sits on that plateau.
constexpr double kDefaultAllReduceMessageGiB = 1.0;  // also used for p2p copies

tl::unexpected<std::string> reject(std::string reason) {
  return tl::unexpected<std::string>(std::move(reason));
}

// The "framework: ..." clause of the notes, lower-cased (a model name such as Mistral-Nemo
// elsewhere in the notes must not select a framework); the whole notes when there is none.
std::string framework_clause(const std::string& notes) {
  std::string l = ascii_lower(notes);
  const size_t at = l.find("framework:");
  if (at == std::string::npos) return l;
  const size_t end = l.find(';', at);
  return l.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool contains(const std::string& haystack_lower, std::string_view needle) {
  return haystack_lower.find(needle) != std::string::npos;
}

// Where `needle` first occurs in `haystack` as a whole word: no letter or digit on either side
// ("address" does not hold "add"; "..._TRT_MaxQ/" holds "maxq"). npos when it does not.
size_t find_word(const std::string& haystack, std::string_view needle) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    if ((at == 0 || !word_char(haystack[at - 1])) &&
        (end >= haystack.size() || !word_char(haystack[end])))
      return at;
  }
  return std::string::npos;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool metric_in(MeasuredMetric m, std::initializer_list<MeasuredMetric> allowed) {
  return std::find(allowed.begin(), allowed.end(), m) != allowed.end();
}

std::string metric_not_defined(const MeasuredRow& row) {
  return "metric " + std::string(metric_info(row.metric).name) +
         " is not predicted for scenario " + row.scenario;
}

bool is_16bit_or_wider(Precision p) {
  return p == Precision::kFp32 || p == Precision::kTf32 || p == Precision::kBf16 ||
         p == Precision::kFp16;
}

// Precision rules shared by static and op rows.
tl::expected<void, std::string> resolve_precisions(const MeasuredRow& row, const HardwareSpec& hw,
                                                    StaticCase& run,
                                                    std::vector<std::string>& assumptions) {
  std::string text = row.precision;
  if (text.empty()) {
    // NeMo tables and the NVIDIA batch-1 blog do not state the precision; both run 16-bit
    // checkpoints with TensorRT-LLM's default fp16 engines.
    text = "fp16";
    assumptions.emplace_back("precision blank -> fp16");
  }
  auto p = precision_from_string(text);
  if (!p) return reject("unknown precision \"" + text + "\" (allowed: " +
                                join(precision_names()) + ")");
  run.weights = *p;
  run.activations = *p;
  const std::string notes = ascii_lower(row.notes);
  const bool native = hw.compute.matrix.macs_per_cycle[index_of(*p)] > 0;
  // The 16-bit type weight-only runs compute in: bf16 where the notes say so (gpt-fast, vLLM
  // checkpoints), else fp16. Both have the same matrix rate on every preset.
  const Precision half = contains(notes, "bf16") ? Precision::kBf16 : Precision::kFp16;
  if (!is_16bit_or_wider(*p)) {
    if ((*p == Precision::kInt8 || *p == Precision::kInt4) && contains(notes, "weight-only")) {
      // gpt-fast int8/int4: weight-only quantisation, activations and math in bf16.
      run.activations = half;
      assumptions.emplace_back(std::string(to_string(*p)) +
                               " weight-only (notes): 16-bit activations");
    } else if (!native) {
      // fp8 checkpoints on A100 (vLLM): weights stored in fp8, upcast, 16-bit math.
      run.activations = half;
      assumptions.emplace_back(std::string(to_string(*p)) + " not native on " + hw.id +
                               ": weight-only, 16-bit activations");
    }
  }
  if (block_scaled(run.weights)) {
    if (run.weights == Precision::kFp4 && contains(notes, "mxfp4")) {
      run.weight_group = 32;  // OCP MX: 32 values per E8M0 scale (config/precision.h)
      assumptions.emplace_back("MXFP4 (notes): 32 values per scale, 4.25 bits per weight stored");
    } else if (auto group = group_size_from_notes(row.notes)) {
      run.weight_group = *group;
      assumptions.push_back(fmt::format(
          "{} group size {} (notes): {:g} bits per weight stored", to_string(run.weights), *group,
          8.0 * storage_bytes_per_element(run.weights, *group).value()));
    } else {
      const BlockScale block = default_block_scale(run.weights);
      assumptions.push_back(fmt::format("{} group size not stated -> {} ({:g} bits per weight)",
                                        to_string(run.weights), block.elements,
                                        8.0 * storage_bytes_per_element(run.weights).value()));
    }
  }
  if (row.kv_precision.empty()) {
    run.kv = run.activations;
    assumptions.emplace_back("kv_precision blank -> " + std::string(to_string(run.kv)));
  } else {
    auto kv = precision_from_string(row.kv_precision);
    if (!kv) return reject("unknown kv_precision \"" + row.kv_precision + "\"");
    run.kv = *kv;
  }
  return {};
}

tl::expected<void, std::string> resolve_parallelism(const MeasuredRow& row, StaticCase& run,
                                                     std::vector<std::string>& assumptions) {
  if (row.tp) {
    run.tp = *row.tp;
  } else {
    run.tp = row.num_devices;  // single node, all devices in one tensor-parallel group
    assumptions.push_back("tp blank -> num_devices = " + std::to_string(run.tp));
  }
  if (row.pp) {
    run.pp = *row.pp;
  } else {
    run.pp = 1;
    assumptions.emplace_back("pp blank -> 1");
  }
  const int group = run.tp * run.pp;
  if (row.num_devices % group != 0) {
    return reject("num_devices " + std::to_string(row.num_devices) +
                          " is not a multiple of tp*pp = " + std::to_string(group));
  }
  run.replicas = row.num_devices / group;
  return {};
}

// KV-cache format of a row (static or serving: the stack decides it, whatever the benchmark)
// whose kv_precision is blank, where the stack's default is not the activation format
// resolve_precisions takes:
// - vLLM (CUDA and ROCm): --kv-cache-dtype defaults to "auto", the model's dtype, also for FP8
//   checkpoints (vLLM engine arguments; recalled): fp8 weights keep a 16-bit KV cache unless
//   the run says fp8 (then the row's kv_precision is set). bf16 unless the notes say fp16.
// - fp4 (NVFP4) engines: no stack ships a 4-bit KV cache by default; the NVFP4 checkpoints
//   quantise the KV cache to fp8 (ModelOpt hf_quant_config kv_cache_quant_algo FP8; recalled).
// The previous "kv_precision blank -> ..." assumption is replaced by the rule applied.
void blank_kv_default(const MeasuredRow& row, StaticCase& run,
                      std::vector<std::string>& assumptions) {
  std::string why;
  if (run.kv == Precision::kFp8 && runtime_for_notes(row.notes) == "vllm") {
    const std::string notes = ascii_lower(row.notes);
    run.kv = contains(notes, "fp16") && !contains(notes, "bf16") ? Precision::kFp16
                                                                  : Precision::kBf16;
    why = " (vLLM --kv-cache-dtype auto: the model's 16-bit dtype)";
  } else if (run.kv == Precision::kFp4) {
    run.kv = Precision::kFp8;
    why = " (fp4 checkpoints keep an fp8 KV cache)";
  } else {
    return;
  }
  for (std::string& a : assumptions)
    if (a.starts_with("kv_precision blank -> "))
      a = "kv_precision blank -> " + std::string(to_string(run.kv)) + why;
}

tl::expected<RowCase, std::string> interpret_static(const MeasuredRow& row,
                                                    const HardwareSpec& hw) {
  using M = MeasuredMetric;
  if (!metric_in(row.metric, {M::kTtftMs, M::kTpotMs, M::kE2eLatencyMs, M::kOutputTokensPerS,
                              M::kTotalTokensPerS, M::kRequestsPerS, M::kTokensPerSPerUser}))
    return reject(metric_not_defined(row));
  RowCase c;
  c.kind = CaseKind::kStatic;
  if (row.model.empty()) return reject("missing field: model");
  if (!row.batch) return reject("missing field: batch");
  // vLLM's benchmarks/benchmark_latency.py (the ROCm/Oracle sweeps) defaults to --input-len 32
  // --output-len 128 (recalled from the script's argparse defaults); a row naming it without
  // the lengths ran them.
  const bool latency_script = contains(ascii_lower(row.notes), "benchmark_latency");
  c.run.batch = *row.batch;
  if (row.input_len) {
    c.run.input_len = *row.input_len;
  } else if (latency_script) {
    c.run.input_len = kBenchmarkLatencyDefaultInputLen;
    c.assumptions.push_back("input_len blank (benchmark_latency.py) -> " +
                            std::to_string(kBenchmarkLatencyDefaultInputLen));
  } else {
    return reject("missing field: input_len");
  }
  if (row.output_len) {
    c.run.output_len = *row.output_len;
  } else if (latency_script) {
    c.run.output_len = kBenchmarkLatencyDefaultOutputLen;
    c.assumptions.push_back("output_len blank (benchmark_latency.py) -> " +
                            std::to_string(kBenchmarkLatencyDefaultOutputLen));
  } else if (ascii_lower(row.notes).find("gpt-fast") != std::string::npos) {
    c.run.output_len = kGptFastDefaultOutputLen;
    c.assumptions.push_back("output_len blank (gpt-fast) -> " +
                            std::to_string(kGptFastDefaultOutputLen));
  } else {
    return reject("missing field: output_len");
  }
  if (auto r = resolve_parallelism(row, c.run, c.assumptions); !r) return reject(r.error());
  if (auto r = resolve_precisions(row, hw, c.run, c.assumptions); !r)
    return reject(r.error());
  if (row.kv_precision.empty()) blank_kv_default(row, c.run, c.assumptions);
  return c;
}

tl::expected<RowCase, std::string> interpret_gemm(const MeasuredRow& row, bool peak) {
  RowCase c;
  c.kind = peak ? CaseKind::kGemmPeak : CaseKind::kGemm;
  if (!(row.metric == MeasuredMetric::kGemmTflops || (!peak && row.metric == MeasuredMetric::kGemmLatencyMs)))
    return reject(metric_not_defined(row));
  if (!row.m || !row.n || !row.k) return reject("missing field: m, n and k are required");
  c.gemm.m = *row.m;
  c.gemm.n = *row.n;
  c.gemm.k = *row.k;
  c.gemm.batch = row.batch.value_or(1);
  // Each column is bounded (measured_row.cc); their FLOP product must fit int64 too.
  if (auto shape = check_gemm_shape(GemmShape{c.gemm.m, c.gemm.n, c.gemm.k, c.gemm.batch}); !shape)
    return reject("column " + shape.error().front().path + ": " + shape.error().front().message);
  std::string text = row.precision;
  if (text.empty()) {
    text = "fp16";
    c.assumptions.emplace_back("precision blank -> fp16");
  }
  auto p = precision_from_string(text);
  if (!p) return reject("unknown precision \"" + text + "\"");
  c.gemm.precision = *p;
  if (!peak && gemm_timed_back_to_back(row.notes)) {
    c.gemm.back_to_back = true;
    c.assumptions.emplace_back("timed over back-to-back calls (notes): kernel time, no host "
                               "round trip per call");
  }
  return c;
}

tl::expected<RowCase, std::string> interpret_op(const MeasuredRow& row, const HardwareSpec& hw) {
  RowCase c;
  c.kind = CaseKind::kOp;
  if (!metric_in(row.metric, {MeasuredMetric::kOpLatencyMs, MeasuredMetric::kLayerLatencyMs}))
    return reject(metric_not_defined(row));
  if (row.model.empty()) return reject("missing field: model");
  if (!row.batch) return reject("missing field: batch");
  if (!row.input_len) return reject("missing field: input_len");
  const std::string notes = ascii_lower(row.notes);
  size_t at = notes.find("layer prefill:");
  size_t skip = std::string_view("layer prefill:").size();
  c.op.phase = OpPhase::kPrefill;
  if (at == std::string::npos) {
    at = notes.find("layer decode:");
    skip = std::string_view("layer decode:").size();
    c.op.phase = OpPhase::kDecode;
  }
  if (at == std::string::npos)
    return reject("op row: notes do not name the operator (expected \"... layer "
                          "prefill: <op>\" or \"... layer decode: <op>\")");
  std::string rest = row.notes.substr(at + skip);
  std::string name = trim(rest.substr(0, rest.find(';')));
  if (ascii_lower(name).starts_with("whole layer")) {
    name.clear();
    if (row.metric != MeasuredMetric::kLayerLatencyMs)
      return reject("op row names the whole layer but its metric is not layer_latency_ms");
  } else {
    const auto& names = llmcompass_op_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string msg = "op row: unknown operator \"" + name + "\" (known: " + join(names) + ")";
      return reject(msg);
    }
    if (row.metric != MeasuredMetric::kOpLatencyMs)
      return reject("op row names operator " + name + " but its metric is not op_latency_ms");
  }
  c.op.op = name;
  c.run.batch = *row.batch;
  c.run.input_len = *row.input_len;
  if (c.op.phase == OpPhase::kDecode) {
    // LLMCompass decode rows: one step after input_len prompt + output_len generated tokens.
    if (!row.output_len) return reject("missing field: output_len (decode op row)");
    c.run.output_len = *row.output_len;
  } else {
    c.run.output_len = 1;
  }
  if (auto r = resolve_parallelism(row, c.run, c.assumptions); !r) return reject(r.error());
  if (auto r = resolve_precisions(row, hw, c.run, c.assumptions); !r)
    return reject(r.error());
  return c;
}

// ---- Serving rows ----------------------------------------------------------------------------

// The number after `key` in `notes_lower` ("max_num_tokens 2048", "kv fraction: 0.9").
std::optional<double> number_after(const std::string& notes_lower, std::string_view key) {
  size_t at = notes_lower.find(key);
  while (at != std::string::npos) {
    size_t p = at + key.size();
    while (p < notes_lower.size() && (notes_lower[p] == ' ' || notes_lower[p] == ':' ||
                                      notes_lower[p] == '=' || notes_lower[p] == '-'))
      ++p;
    size_t e = p;
    while (e < notes_lower.size() &&
           (std::isdigit(static_cast<unsigned char>(notes_lower[e])) || notes_lower[e] == '.' ||
            notes_lower[e] == ','))
      ++e;
    std::string digits;
    for (size_t i = p; i < e; ++i)
      if (notes_lower[i] != ',') digits += notes_lower[i];
    while (!digits.empty() && digits.back() == '.') digits.pop_back();
    if (!digits.empty()) {
      try {
        return std::stod(digits);
      } catch (...) {
      }
    }
    at = notes_lower.find(key, at + 1);
  }
  return std::nullopt;
}

// The count in front of `what` ("320 ShareGPT prompts", "2000 synthetic requests"), at the first
// occurrence of `what` that has one.
std::optional<int64_t> count_before(const std::string& notes_lower, std::string_view what) {
  for (size_t at = notes_lower.find(what); at != std::string::npos;
       at = notes_lower.find(what, at + 1)) {
    size_t e = at;
    while (e > 0 && notes_lower[e - 1] == ' ') --e;
    size_t b = e;
    while (b > 0 && (std::isdigit(static_cast<unsigned char>(notes_lower[b - 1])) ||
                     notes_lower[b - 1] == ','))
      --b;
    std::string digits;
    for (size_t i = b; i < e; ++i)
      if (notes_lower[i] != ',') digits += notes_lower[i];
    if (!digits.empty() && digits.size() <= 9) return std::stoll(digits);
  }
  return std::nullopt;
}

// The number of prompts a ShareGPT run sent, in the phrasings of the validation notes:
// "320 ShareGPT prompts", "ShareGPT 5000 prompts", "ShareGPT prompts (200)", "--num-prompts 320".
std::optional<int64_t> prompt_count(const std::string& notes_lower) {
  if (auto n = count_before(notes_lower, "sharegpt prompts")) return n;
  if (auto n = count_before(notes_lower, " prompts")) return n;
  for (std::string_view key : {"prompts (", "--num-prompts"}) {
    if (auto q = number_after(notes_lower, key); q && *q >= 1 && *q < 1e9)
      return static_cast<int64_t>(*q);
  }
  return std::nullopt;
}

// MLPerf benchmark dataset of a model (serving.md §1a); "" when the model has none here.
std::string mlperf_dataset(const std::string& model) {
  if (model == "llama-2-70b") return "mlperf-llama2-70b";
  if (model == "mixtral-8x7b") return "mlperf-mixtral-8x7b";
  if (model == "gpt-j-6b") return "mlperf-gpt-j";
  if (model == "llama-3.1-405b") return "mlperf-llama3.1-405b";
  if (model == "llama-3.1-8b") return "mlperf-llama3.1-8b";
  if (model == "deepseek-r1") return "mlperf-deepseek-r1";
  return "";
}

// The notes state attention data parallelism: "attention dp", "attention data parallel",
// "enable_attention_dp", "dp-attention" / "dp attention" (SGLang's flag), or the word "ADP".
bool states_attention_dp(const std::string& notes_lower) {
  for (std::string_view key : {"attention dp", "attention data parallel", "enable_attention_dp",
                               "dp-attention", "dp attention"})
    if (contains(notes_lower, key)) return true;
  return find_word(notes_lower, "adp") != std::string::npos;
}

// Row-interpretation rules for serving rows (docs/validation.md, "Serving rows"). Engine
// settings the notes state are applied as engine overrides; the engine-version defaults the
// sources imply are applied and recorded as assumptions.
tl::expected<RowCase, std::string> interpret_serving(const MeasuredRow& row,
                                                     const HardwareSpec& hw,
                                                     const ModelSpec& model) {
  const int64_t model_context = model.max_context;
  using M = MeasuredMetric;
  const std::string& s = row.scenario;
  const bool mlperf = s.starts_with("mlperf_");
  std::vector<MeasuredMetric> allowed;
  if (s == "max_throughput")
    allowed = {M::kOutputTokensPerS, M::kTotalTokensPerS, M::kRequestsPerS};
  else if (s == "concurrency")
    allowed = {M::kOutputTokensPerS, M::kMeanTtftMs, M::kMeanTpotMs, M::kRequestsPerS};
  else if (s == "mlperf_offline")
    allowed = {M::kOutputTokensPerS, M::kSamplesPerS};
  else
    allowed = {M::kOutputTokensPerS, M::kSamplesPerS, M::kMeanTtftMs, M::kMeanTpotMs};
  if (std::find(allowed.begin(), allowed.end(), row.metric) == allowed.end())
    return reject(metric_not_defined(row));
  if (row.model.empty()) return reject("missing field: model");
  RowCase c;
  c.kind = CaseKind::kServing;
  ServingRowCase& v = c.serving;
  std::vector<std::string>& as = c.assumptions;
  const std::string notes = ascii_lower(row.notes);

  // Deployment. MLPerf summaries do not state TP: the candidate with the highest Offline
  // throughput is taken (what a submitter tunes for).
  if (mlperf && !row.tp) {
    c.run.tp = 1;
    c.run.pp = row.pp.value_or(1);
    c.run.replicas = row.num_devices;
    v.choose_tp = true;
    as.emplace_back(s == "mlperf_offline"
                        ? "tp not stated (MLPerf) -> the power of two up to 8 dividing "
                          "num_devices with the highest simulated Offline tokens/s"
                        : "tp not stated (MLPerf) -> the power of two up to 8 dividing "
                          "num_devices with the highest simulated tokens/s in this scenario "
                          "under its latency limits");
  } else if (auto r = resolve_parallelism(row, c.run, as); !r) {
    return reject(r.error());
  }
  if (auto r = resolve_precisions(row, hw, c.run, as); !r) return reject(r.error());
  if (row.kv_precision.empty()) blank_kv_default(row, c.run, as);
  if (states_attention_dp(notes)) {
    c.run.attention_dp = true;
    as.emplace_back(
        "attention data parallelism (notes): attention replicated on the tp ranks, "
        "routed experts over ep = tp");
  }

  // Engine and its settings.
  const std::optional<std::string> framework = runtime_for_notes(row.notes);
  const std::string stack = framework_clause(row.notes);
  const bool trt = contains(stack, "tensorrt") || contains(stack, "nvidia nim") ||
                   (framework && framework->starts_with("tensorrt-llm"));
  auto set = [&](const std::string& assignment) { v.engine_overrides.push_back(assignment); };
  int64_t implied_requests = 0;  // a request count the benchmark implies (0: none)
  auto add = [&](StackSettings st) {
    v.engine = st.engine;
    for (auto& o : st.overrides) set(o);
    for (auto& a : st.assumptions) as.push_back(std::move(a));
    if (st.requests > 0) implied_requests = st.requests;
  };
  const VllmChoice vllm_gen = vllm_generation(stack, notes);
  const std::optional<SoftwareVersion> trt_version = tensorrt_llm_version(stack);
  // Stacks that run attention DP: TensorRT-LLM >= 1.0 (PyTorch backend, enable_attention_dp) and
  // SGLang (--enable-dp-attention) (recalled). A throughput row on one -- max_throughput or
  // MLPerf Offline, or any MLPerf scenario whose tp the validator searches -- is simulated with
  // and without it and the faster layout kept, as a submitter tuning for throughput does.
  // Attention DP is a layout of MoE models only (check_plan): nothing to try on a dense one.
  if (model.moe.enabled() &&
      ((trt_version && *trt_version >= SoftwareVersion{1, 0, 0}) || contains(stack, "sglang")) &&
      (s == "max_throughput" || s == "mlperf_offline" || v.choose_tp)) {
    v.try_attention_dp = true;
    as.emplace_back(
        "stack runs attention DP (TensorRT-LLM >= 1.0, SGLang): a MoE model is also "
        "simulated with attention DP (experts ep = tp), the faster layout kept");
  }
  if (contains(stack, "sglang")) {
    add(sglang_settings(stack, notes));
  } else if (framework && *framework == "vllm" && mlperf) {
    // An MLPerf row on vLLM is AMD's harness (NVIDIA's v4.1 settings are its own stack's).
    // Without a vLLM version, a v5.x round (results from 2025-04 on, recalled) ran V1.
    VllmChoice g = vllm_gen;
    if (!version_after(stack, "vllm") && contains(notes, "mlperf inference v5"))
      g = {VllmGeneration::kV1, "vLLM version not stated; MLPerf v5.x round (published from "
                                "2025-04, after vLLM 0.8.0; recalled) -> V1"};
    if (!g.why.empty()) as.push_back(g.why);
    add(vllm_mlperf_settings(row.model, s, g.generation));
  } else if (framework && *framework == "vllm" && vllm_gen.generation == VllmGeneration::kV1) {
    as.push_back(vllm_gen.why);
    add(vllm_v1_settings(notes, hw.id, hw.memory.dram.capacity));
  } else if (framework && *framework == "vllm") {
    if (!vllm_gen.why.empty()) as.push_back(vllm_gen.why);
    v.engine = "vllm-v0";
    // vLLM V0 (0.5-0.6): chunked prefill is on by default only when max_model_len > 32K (and
    // never with multi-step scheduling in 0.6.0); without it the token budget is
    // max(max_model_len, 2048), with it 2048 (arg_utils.py, serving.md §3b). max_model_len is the
    // notes' value, else the model's context.
    const auto len = number_after(notes, "max_model_len");
    const int64_t max_model_len = len ? static_cast<int64_t>(*len) : model_context;
    const auto steps = number_after(notes, "num-scheduler-steps");
    const bool chunked = max_model_len > 32768 && !steps;
    if (contains(stack, "vllm 0.5")) {
      set("runtime=vllm-0.5");
      as.emplace_back("vLLM 0.5: runtime vllm-0.5 (API server in the engine process)");
    }
    set(fmt::format("max_model_len={}", max_model_len));
    set(fmt::format("chunked_prefill={}", chunked));
    set(fmt::format("max_num_tokens={}", chunked ? 2048 : std::max<int64_t>(max_model_len, 2048)));
    if (steps) set(fmt::format("scheduler_steps={}", static_cast<int64_t>(*steps)));
    as.push_back(fmt::format("vLLM V0 defaults for max_model_len {}{}: chunked prefill {}, token "
                             "budget {}",
                             max_model_len, len ? "" : " (the model's context)",
                             chunked ? "on" : "off",
                             chunked ? 2048 : std::max<int64_t>(max_model_len, 2048)));
  } else if (trt) {
    v.engine = "trtllm";
    if (mlperf) {
      // NVIDIA's MLPerf v4.1 harness (serving.md §3a): max_util scheduling, KV fraction 0.90 of
      // the free memory, max_num_tokens 4096 (llama2-70b base config), chunked context on;
      // batch 896 (llama2-70b: H200 TP1 Server, H100 TP2 Offline).
      for (const char* a : {"admission=max_utilization", "memory_fraction=0.9",
                            "max_num_tokens=4096", "chunked_prefill=true", "max_batch=896"})
        set(a);
      as.emplace_back("MLPerf v4.1 NVIDIA harness settings: max_util, KV fraction 0.9 of free, "
                      "max_num_tokens 4096, chunked context, max_batch 896 (llama2-70b configs; "
                      "applied to every benchmark)");
      // v5.x rounds: NVIDIA's v5.1 configs where serving.md holds them. Those were read for the
      // B200 FP4 systems (R51 B200-SXM-180GBx8), so they apply to fp4 rows; fp8 rows (Hopper
      // classes) keep the v4.1 FP8 configs, the nearest ones read.
      StackSettings config;
      const bool v5_round = contains(notes, "mlperf inference v5") || row.id.starts_with("MLP5");
      if (v5_round && c.run.weights == Precision::kFp4) {
        config = nvidia_mlperf_v5_settings(row.model, s);
      } else {
        config = nvidia_mlperf_v4_deployment(row.model, hw.id, s);
      }
      // The config's degree replaces the search where the row states none and it divides the
      // system; its batch replaces the base config's 896.
      const int tp = config.tp;
      if (config.attention_dp && model.moe.enabled()) c.run.attention_dp = true;
      // NVIDIA's harness runs the Server and Interactive scenarios of llama2-70b (v4.1 and
      // v5.1) and mixtral-8x7b (v4.1) for min_duration = 2400000 ms (40 min; serving.md §2b),
      // 4x LoadGen's 600 s: the run's steady state weighs more against its ramp-up and drain.
      // The v5.x mixtral configs were not read: they keep 600 s.
      if (s != "mlperf_offline" &&
          (row.model == "llama-2-70b" || (row.model == "mixtral-8x7b" && !v5_round))) {
        v.min_duration = kNvidiaLlmRunDuration;
        as.emplace_back("NVIDIA harness LoadGen min_duration 2400 s (its llama2-70b v4.1/v5.1 "
                        "and mixtral-8x7b v4.1 configs, serving.md section 2b)");
      }
      if (!config.overrides.empty()) add(std::move(config));
      if (v.choose_tp && tp > 0 && row.num_devices % (tp * c.run.pp) == 0) {
        v.choose_tp = false;
        c.run.tp = tp;
        c.run.replicas = row.num_devices / (tp * c.run.pp);
        std::erase_if(as, [](const std::string& a) { return a.starts_with("tp not stated"); });
      }
    } else if (contains(stack, "0.10") && row.input_len && row.output_len) {
      // perf-overview engines are built per case with max_seq_len = ISL + OSL (GPT-J and
      // Falcon-180B run 2048 + 2048 beyond their 2048-token context).
      set(fmt::format("max_model_len={}", *row.input_len + *row.output_len));
      // gptManagerBenchmark v0.10: no chunked context, GUARANTEED_NO_EVICT, no block reuse,
      // 64-token blocks (trtllm-build default of that release; unverified).
      for (const char* a : {"runtime=tensorrt-llm-ifb", "chunked_prefill=true",
                            "admission=guaranteed_no_evict", "prefix_caching=false",
                            "kv_block_size=64"})
        set(a);
      as.emplace_back("TensorRT-LLM 0.10 gptManagerBenchmark: runtime tensorrt-llm-ifb (no CUDA "
                      "graphs), guaranteed_no_evict, no block reuse, 64-token blocks; chunked "
                      "context assumed: with max_num_tokens equal to a 2048-token prompt, an "
                      "unchunked prompt could join no iteration with a decode in flight, and the "
                      "measured 2048-token rows show batching");
    } else if ((trt_version && *trt_version >= SoftwareVersion{0, 11, 0}) ||
               contains(notes, "trtllm-bench")) {
      // TensorRT-LLM perf-overview v0.17 / v1.0: trtllm-bench throughput.
      add(trtllm_bench_settings(trt_version, c.run.pp, row.input_len, row.output_len));
    }
  } else {
    // No engine profile for this framework (JetStream, Saxml, MaxText, optimum-habana, NeuronX,
    // TGI, LMDeploy, ...): the most common continuous-batching engine's defaults, vLLM V1, so
    // that the row is predicted and listed with what was assumed.
    std::string name = trim(row.notes.substr(0, row.notes.find(';')));
    if (ascii_lower(name).starts_with("framework:")) name = trim(name.substr(10));
    if (name.empty()) name = "(none named)";
    const bool jetstream = contains(stack, "jetstream");
    as.push_back("framework \"" + name + "\" has no engine profile -> vLLM V1 defaults (fallback: "
                 "the most common continuous-batching engine)" +
                 (jetstream ? "; JetStream batches continuously over decode slots, whose default "
                              "count is not in serving.md"
                            : ""));
    add(vllm_v1_settings(notes, hw.id, hw.memory.dram.capacity));
  }
  if (auto b = number_after(notes, "max_batch_size"))
    set(fmt::format("max_batch={}", static_cast<int64_t>(*b)));
  if (auto t = number_after(notes, "max_num_tokens"))
    set(fmt::format("max_num_tokens={}", static_cast<int64_t>(*t)));
  if (auto f = number_after(notes, "kv_cache_free_gpu_mem_fraction"))
    set(fmt::format("memory_fraction={}", *f));

  // Workload.
  if (mlperf) {
    v.dataset = mlperf_dataset(row.model);
    if (v.dataset.empty()) return reject("no MLPerf dataset for model " + row.model);
    v.arrivals = s == "mlperf_offline"  ? ServingRowCase::Arrivals::kMlperfOffline
                 : s == "mlperf_server" ? ServingRowCase::Arrivals::kMlperfServer
                                        : ServingRowCase::Arrivals::kMlperfInteractive;
    return c;
  }
  if (row.input_len && row.output_len) {
    c.run.input_len = *row.input_len;
    c.run.output_len = *row.output_len;
  } else if (contains(notes, "sharegpt")) {
    v.dataset = "sharegpt";
  } else {
    return reject("serving row without input_len/output_len names no dataset in its notes");
  }
  if (s == "concurrency") {
    if (!row.batch) return reject("missing field: batch (the concurrency)");
    v.arrivals = ServingRowCase::Arrivals::kClosedLoop;
    v.concurrency = *row.batch;
    // AIPerf/NIM runs: enough requests for a steady state (not stated by the source).
    v.requests = std::max<int64_t>(100, 20 * v.concurrency);
    as.push_back(fmt::format("closed loop of {} clients, {} requests (count not stated)",
                             v.concurrency, v.requests));
    return c;
  }
  v.arrivals = ServingRowCase::Arrivals::kOffline;
  if (auto n = count_before(notes, "synthetic requests")) v.requests = *n;
  else if (auto p = prompt_count(notes)) v.requests = *p;
  if (v.requests <= 0 && implied_requests > 0) v.requests = implied_requests;
  if (v.requests <= 0) {
    v.requests = 1000;  // vLLM benchmark default --num-prompts 1000 (serving.md §1c)
    as.emplace_back("request count not in the notes -> 1000 (vLLM benchmark default)");
  }
  return c;
}

}  // namespace

const std::vector<std::string>& llmcompass_op_names() {
  static const std::vector<std::string> names = {
      "Q_K_V",         "Q_mul_K",       "A_mul_V", "Wo_proj",       "W1_proj",      "W2_proj",
      "Softmax",       "LayerNorm_MHA", "LayerNorm_FFN", "GeLU",    "AllReduce_MHA", "AllReduce_FFN"};
  return names;
}

const std::vector<std::string>& simulated_scenarios() {
  static const std::vector<std::string> names = {
      "static",         "gemm",          "gemm_peak",     "membw",
      "allreduce",      "p2p",           "op",            "max_throughput",
      "concurrency",    "mlperf_offline", "mlperf_server", "mlperf_interactive"};
  return names;
}

bool is_serving_scenario(const std::string& s) {
  return s == "max_throughput" || s == "concurrency" || s.starts_with("mlperf_");
}

std::optional<MemBwCase> membw_kernel_from_notes(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  // Whole words only ("address" holds "add", "copyright" "copy"); the first kernel named wins.
  // The kernels and their write shares are the memory model's (perf/memory_system.h).
  std::optional<MemBwCase> best;
  std::size_t best_at = std::string::npos;
  for (const StreamKernel& k : stream_kernels()) {
    const std::size_t at = find_word(l, k.name);
    if (at < best_at) {
      best_at = at;
      best = MemBwCase{std::string(k.name), k.write_fraction};
    }
  }
  return best;
}

std::optional<Bytes> message_size_from_notes(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  size_t at = l.find("message size");
  while (at != std::string::npos) {
    size_t p = at + std::string_view("message size").size();
    while (p < notes.size() && (notes[p] == ' ' || notes[p] == ':' || notes[p] == '=')) ++p;
    size_t e = p;
    while (e < notes.size() && (std::isdigit(static_cast<unsigned char>(notes[e])) ||
                                notes[e] == '.'))
      ++e;
    if (e > p) {
      size_t u = e;
      while (u < notes.size() && notes[u] == ' ') ++u;
      size_t ue = u;
      while (ue < notes.size() && std::isalpha(static_cast<unsigned char>(notes[ue]))) ++ue;
      auto q = parse_quantity<Bytes::Dimension>(notes.substr(p, e - p) + " " +
                                               notes.substr(u, ue - u));
      if (q) return *q;
    }
    at = l.find("message size", at + 1);
  }
  return std::nullopt;
}

std::optional<int64_t> prompt_count_from_notes(const std::string& notes) {
  return prompt_count(ascii_lower(notes));
}

std::optional<int> system_devices_from_notes(const std::string& notes, std::string_view part) {
  const std::string l = ascii_lower(notes);
  const std::string want = ascii_lower(part);
  for (size_t at = l.find('('); at != std::string::npos; at = l.find('(', at + 1)) {
    size_t p = at + 1, e = p;
    while (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e])) && e - p < 6) ++e;
    if (e == p || e >= l.size() || l[e] != 'x') continue;
    size_t name = e + 1;
    while (name < l.size() && l[name] == ' ') ++name;
    const size_t end = l.find_first_of(",)", name);
    const std::string accel = l.substr(name, end == std::string::npos ? end : end - name);
    if (accel.empty() || !contains(accel, want)) continue;
    return std::stoi(l.substr(p, e - p));
  }
  return std::nullopt;
}

std::optional<SystemBoard> system_board(const MeasuredRow& row, const HardwareSpec& hw) {
  // HGX baseboards (NVIDIA HGX A100 / H100 / H200 product pages, recalled): the 8-GPU board links
  // every GPU to NVSwitch chips; the 4-GPU board has none and links the GPUs directly, each GPU's
  // NVLink links split over its 3 peers (A100: 12 links, 4 per pair; H100/H200: 18, 6 per pair).
  // Only the generations with a 4-GPU HGX board on record (NVLink3 A100, NVLink4 H100/H200): a
  // 4-GPU system of a later part is not known to be such a board, and keeps the preset.
  const LinkTierSpec& t = hw.interconnect.scale_up;
  const std::string family = ascii_lower(t.name);
  if (!t.present || t.topology != "switched" || t.domain_size != 8 ||
      (family != "nvlink3" && family != "nvlink4"))
    return std::nullopt;
  const std::optional<int> devices = system_devices_from_notes(row.notes, "sxm");
  if (!devices || *devices != 4 || row.num_devices != 4) return std::nullopt;
  SystemBoard b;
  b.overrides = {"interconnect.scale_up.topology=fully_connected",
                 "interconnect.scale_up.domain_size=4"};
  // No switch, so no in-switch reduction (NVLink SHARP) either.
  if (t.in_network_reduction)
    b.overrides.push_back("interconnect.scale_up.in_network_reduction=false");
  b.assumption = fmt::format(
      "system of 4 SXM devices -> an HGX 4-GPU baseboard: no NVSwitch (nor its in-switch "
      "reduction), each GPU's {} links "
      "split over its 3 peers ({:.0f} GB/s per pair and direction; the preset describes the "
      "8-GPU NVSwitch board)",
      t.name, units::to_gb_per_s(t.bandwidth) / 3.0);
  return b;
}

std::optional<Watts> power_limit_from_notes(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  static constexpr std::array<std::string_view, 8> kPhrases = {
      "power-capped to", "power capped to", "power-limited to", "power limited to",
      "power limit of",  "power limit",     "power cap of",     "power cap"};
  for (std::string_view phrase : kPhrases) {
    for (size_t at = l.find(phrase); at != std::string::npos; at = l.find(phrase, at + 1)) {
      size_t p = at + phrase.size();
      while (p < l.size() && (l[p] == ' ' || l[p] == ':' || l[p] == '=')) ++p;
      size_t e = p;
      while (e < l.size() && (std::isdigit(static_cast<unsigned char>(l[e])) || l[e] == '.')) ++e;
      size_t u = e;
      while (u < l.size() && l[u] == ' ') ++u;
      // Watts: "w" not followed by a letter (not "wafer", not "with").
      if (e == p || u >= l.size() || l[u] != 'w' ||
          (u + 1 < l.size() && std::isalpha(static_cast<unsigned char>(l[u + 1]))))
        continue;
      const double w = std::strtod(l.substr(p, e - p).c_str(), nullptr);
      if (std::isfinite(w) && w > 0) return Watts(w);
    }
  }
  return std::nullopt;
}

std::optional<int> group_size_from_notes(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  static constexpr std::array<std::string_view, 3> kPhrases = {"group size", "groupsize",
                                                               "group-size"};
  for (std::string_view phrase : kPhrases) {
    for (size_t at = l.find(phrase); at != std::string::npos; at = l.find(phrase, at + 1)) {
      size_t p = at + phrase.size();
      while (p < l.size() && (l[p] == ' ' || l[p] == ':' || l[p] == '=')) ++p;
      size_t e = p;
      while (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e])) && e - p < 6) ++e;
      // A whole number: not followed by another digit or a decimal point.
      if (e == p ||
          (e < l.size() && (std::isdigit(static_cast<unsigned char>(l[e])) || l[e] == '.')))
        continue;
      const long v = std::strtol(l.substr(p, e - p).c_str(), nullptr, 10);
      if (v >= bounds::kWeightGroup.lo && v <= bounds::kWeightGroup.hi) return static_cast<int>(v);
    }
  }
  return std::nullopt;
}

RowSystem row_system(const MeasuredRow& row, const HardwareSpec& hw) {
  RowSystem s;
  const double tdp = hw.physical.tdp.value();
  const std::string preset_tdp =
      tdp > 0 ? fmt::format("the preset's {:g} W TDP", tdp) : std::string("the preset's (no TDP)");
  if (auto board = system_board(row, hw)) {
    s.overrides = board->overrides;
    s.assumptions.push_back(board->assumption);
  }
  if (auto cap = power_limit_from_notes(row.notes)) {
    s.overrides.push_back(fmt::format("physical.tdp={:g} W", cap->value()));
    s.assumptions.push_back(fmt::format(
        "power limit {:g} W per device (notes) -> physical.tdp instead of {}: the sustained "
        "clock is solved under it",
        cap->value(), preset_tdp));
  } else if (find_word(ascii_lower(row.notes), "maxq") != std::string::npos) {
    s.assumptions.push_back(fmt::format(
        "MLPerf MaxQ system: the devices run under power limits the submitter set and the row "
        "does not state; {} is kept, so the prediction is the system's at full power (an "
        "upper bound on throughput)",
        preset_tdp));
  }
  return s;
}

bool notes_say_bidirectional(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  return contains(l, "bidirectional") || contains(l, "bidir") || contains(l, "duplex");
}

bool notes_say_host_to_device(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  return contains(l, "host-to-device") || contains(l, "host to device") || contains(l, "h2d");
}

bool gemm_timed_back_to_back(const std::string& notes) {
  const std::string l = ascii_lower(notes);
  // rocblas-bench and hipblaslt-bench (github:ROCm/rocBLAS clients/benchmarks, ROCm/hipBLASLt
  // clients/benchmarks) time -i iterations between two synchronisations and report the mean:
  // back-to-back kernels, no host round trip per call (recalled from their client code).
  return contains(l, "rocblas-bench") || contains(l, "hipblaslt-bench") ||
         contains(l, "back-to-back");
}

std::optional<std::string> runtime_for_notes(const std::string& notes) {
  const std::string l = framework_clause(notes);
  if (contains(l, "nemo")) return "nemo";
  if (contains(l, "tensorrt-llm") || contains(l, "trt-llm") || contains(l, "trtllm")) {
    // TensorRT-LLM's executor-based benchmarks (trtllm-bench, trtllm-serve; the perf-overview
    // tables from v0.17 on are trtllm-bench runs, recalled) replay decode steps from CUDA
    // graphs like the other executor stacks (MLPerf harness, NIM): tensorrt-llm-serve. The
    // v0.5-v0.10 gptSessionBenchmark/gptManagerBenchmark rows keep the profiles fitted on them.
    // Before 0.7 the gptSession runtime decoded GQA on the masked-MHA kernel (no XQA):
    // tensorrt-llm-0.5, the 0.9 profile with one KV read per query head.
    const auto v = tensorrt_llm_version(l);
    const bool executor = contains(l, "trtllm-bench") || contains(l, "trtllm-serve") ||
                          (v && *v >= SoftwareVersion{0, 17, 0});
    if (executor) return "tensorrt-llm-serve";
    if (v && *v < SoftwareVersion{0, 7, 0}) return "tensorrt-llm-0.5";
    return "tensorrt-llm";
  }
  if (contains(l, "gpt-fast")) return "gpt-fast";
  // vLLM on CUDA and its ROCm/Gaudi builds: on ROCm the decode step is captured as a HIP graph
  // (hipGraph, the CUDA-graph equivalent vLLM uses on ROCm), the same mechanism.
  if (contains(l, "vllm")) return "vllm";
  // optimum-habana generation (huggingface/optimum-habana examples/text-generation): a PyTorch
  // model whose decode step is replayed from an HPU graph, a Python token loop with no serving
  // scheduler (no per-sequence host work), K/V expanded per query head (Hugging Face repeat_kv):
  // gpt-fast's mechanism, not vLLM's (whose 200 us per sequence per step is its scheduler's and
  // detokeniser's). JetStream / MaxText / JAX: the decode step is one XLA-compiled program
  // (jax.jit), no host work between its kernels: the same mechanism. Known mismatch: gpt-fast's
  // matrix_efficiency 0.81 is Inductor's Triton GEMMs against cuBLAS; the HPU graph compiler's
  // and XLA's GEMMs are the vendor library itself (1). Not fitted on Gaudi or TPU (no rows).
  if (contains(l, "optimum-habana") || contains(l, "optimum habana") ||
      contains(l, "jetstream") || contains(l, "maxtext") || contains(l, "jax"))
    return "gpt-fast";
  // GEMM library benchmarks call the vendor BLAS once per GEMM, as PyTorch eager does (the
  // profile whose matrix_efficiency is the library's by definition).
  if (contains(l, "rocblas") || contains(l, "hipblaslt") || contains(l, "hipblas") ||
      contains(l, "cublas"))
    return "pytorch-eager";
  if (contains(l, "pytorch") || contains(l, "torch.")) return "pytorch-eager";
  return std::nullopt;
}

namespace {

tl::expected<RowCase, std::string> interpret_row_kind(const MeasuredRow& row,
                                                      const HardwareSpec& hw,
                                                      const ModelSpec* model);

}  // namespace

tl::expected<RowCase, std::string> interpret_row(const MeasuredRow& row, const HardwareSpec& hw,
                                                 const ModelSpec* model) {
  auto c = interpret_row_kind(row, hw, model);
  if (!c) return c;
  // A bandwidth, collective or copy test's prediction uses no runtime profile (nccl-tests runs
  // NCCL's defaults, validator.cc nccl_defaults; copies run on the copy engines): none is named.
  if (c->kind == CaseKind::kMemBw || c->kind == CaseKind::kAllReduce ||
      c->kind == CaseKind::kP2p) {
    c->runtime.clear();
    return c;
  }
  if (auto rt = runtime_for_notes(row.notes)) {
    c->runtime = *rt;
  } else if (c->kind == CaseKind::kGemm || c->kind == CaseKind::kGemmPeak) {
    // A GEMM microbenchmark is one call of the framework's or vendor's matrix library per GEMM:
    // pytorch-eager (matrix_efficiency 1 = the library's; its host call and launch gap).
    c->runtime = "pytorch-eager";
    c->assumptions.emplace_back("GEMM benchmark, framework in the notes maps to no runtime "
                                "profile -> pytorch-eager (one library call per GEMM)");
  } else if (c->kind == CaseKind::kServing) {
    // A serving row runs its engine profile's runtime (set when the engine loads, validator.cc
    // prepare_serving): nothing to assume here.
    c->runtime = std::string(kDefaultRuntime);
  } else {
    c->runtime = std::string(kDefaultRuntime);
    c->assumptions.push_back("framework in the notes maps to no runtime profile -> " +
                             c->runtime);
  }
  return c;
}

namespace {

tl::expected<RowCase, std::string> interpret_row_kind(const MeasuredRow& row,
                                                      const HardwareSpec& hw,
                                                      const ModelSpec* model) {
  const std::string& s = row.scenario;
  if (is_serving_scenario(s)) {
    if (!model) return reject("serving row: the model must be loaded to interpret it");
    return interpret_serving(row, hw, *model);
  }
  if (s == "static") return interpret_static(row, hw);
  if (s == "gemm") return interpret_gemm(row, false);
  if (s == "gemm_peak") return interpret_gemm(row, true);
  if (s == "op") return interpret_op(row, hw);
  RowCase c;
  if (s == "membw") {
    if (row.metric != MeasuredMetric::kMemBwGbs) return reject(metric_not_defined(row));
    c.kind = CaseKind::kMemBw;
    if (auto k = membw_kernel_from_notes(row.notes)) {
      c.membw = *k;
    } else {
      c.assumptions.emplace_back(
          "kernel not in notes -> triad (2 reads, 1 write: BabelStream's headline kernel)");
    }
    return c;
  }
  if (s == "allreduce") {
    if (row.metric != MeasuredMetric::kBusbwGbs) return reject(metric_not_defined(row));
    c.kind = CaseKind::kAllReduce;
    c.allreduce.devices = row.num_devices;
    if (c.allreduce.devices < 2)
      return reject("all-reduce needs num_devices >= 2, got " +
                            std::to_string(row.num_devices));
    if (auto m = message_size_from_notes(row.notes)) {
      c.allreduce.message = *m;
    } else {
      c.allreduce.message = units::gib(kDefaultAllReduceMessageGiB);
      c.assumptions.emplace_back("message size not in notes -> 1 GiB (busbw plateau)");
    }
    return c;
  }
  if (s == "p2p") {
    if (row.metric != MeasuredMetric::kP2pGbs) return reject(metric_not_defined(row));
    c.kind = CaseKind::kP2p;
    if (notes_say_host_to_device(row.notes)) {
      c.p2p.path = P2pPath::kHostToDevice;
    } else if (row.num_devices < 2) {
      return reject("device-to-device p2p needs num_devices >= 2");
    }
    c.p2p.bidirectional = notes_say_bidirectional(row.notes);
    if (auto m = message_size_from_notes(row.notes)) {
      c.p2p.message = *m;
    } else {
      // nvbandwidth's default copy buffer is 512 MiB (github:NVIDIA/nvbandwidth README); any
      // size that large is on the bandwidth plateau, so the shared 1 GiB default is used.
      c.p2p.message = units::gib(kDefaultAllReduceMessageGiB);
      c.assumptions.emplace_back("message size not in notes -> 1 GiB");
    }
    c.assumptions.emplace_back(std::string(c.p2p.path == P2pPath::kHostToDevice
                                               ? "host-to-device"
                                               : "device-to-device") +
                               (c.p2p.bidirectional ? ", bidirectional" : ", unidirectional") +
                               " (notes)");
    return c;
  }
  const std::vector<std::string>& known = simulated_scenarios();
  std::string msg = "unknown scenario \"" + s + "\"";
  if (auto m = closest_match(s, known)) msg += "; did you mean \"" + *m + "\"?";
  return reject(msg);
}

}  // namespace

}  // namespace xpusim
