// SPDX-License-Identifier: Apache-2.0
// Row interpretation rules. These are input-handling defaults for fields the sources leave blank,
// not tuning: each one is stated in docs/validation.md and recorded per row in
// RowCase::assumptions so that a report shows which rows relied on which default.
#include "xpusim/validate/row_case.h"

#include <algorithm>
#include <cctype>

#include "xpusim/base/text.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/units/unit_parser.h"

namespace xpusim {
namespace {

// gpt-fast's generate.py default of --max_new_tokens (github:pytorch-labs/gpt-fast generate.py);
// the README figures are produced with it and do not state another length.
constexpr int kGptFastDefaultOutputLen = 200;

// nccl-tests busbw quoted without a message size is the plateau of the busbw-vs-size curve, which
// NCCL reaches for messages of a few hundred MB and above (nccl-tests README, ml-engineering
// network chapter); 1 GiB sits on that plateau.
constexpr double kDefaultAllReduceMessageGiB = 1.0;  // also used for p2p copies

tl::unexpected<std::string> reject(std::string reason) {
  return tl::unexpected<std::string>(std::move(reason));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(const std::string& haystack_lower, std::string_view needle) {
  return haystack_lower.find(needle) != std::string::npos;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool metric_in(Metric m, std::initializer_list<Metric> allowed) {
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
  const std::string notes = lower(row.notes);
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

tl::expected<RowCase, std::string> interpret_static(const MeasuredRow& row,
                                                    const HardwareSpec& hw) {
  using M = Metric;
  if (!metric_in(row.metric, {M::kTtftMs, M::kTpotMs, M::kE2eLatencyMs, M::kOutputTokensPerS,
                              M::kTotalTokensPerS, M::kRequestsPerS, M::kTokensPerSPerUser}))
    return reject(metric_not_defined(row));
  RowCase c;
  c.kind = CaseKind::kStatic;
  if (row.model.empty()) return reject("missing field: model");
  if (!row.batch) return reject("missing field: batch");
  if (!row.input_len) return reject("missing field: input_len");
  c.run.batch = *row.batch;
  c.run.input_len = *row.input_len;
  if (row.output_len) {
    c.run.output_len = *row.output_len;
  } else if (lower(row.notes).find("gpt-fast") != std::string::npos) {
    c.run.output_len = kGptFastDefaultOutputLen;
    c.assumptions.push_back("output_len blank (gpt-fast) -> " +
                            std::to_string(kGptFastDefaultOutputLen));
  } else {
    return reject("missing field: output_len");
  }
  if (auto r = resolve_parallelism(row, c.run, c.assumptions); !r) return reject(r.error());
  if (auto r = resolve_precisions(row, hw, c.run, c.assumptions); !r)
    return reject(r.error());
  return c;
}

tl::expected<RowCase, std::string> interpret_gemm(const MeasuredRow& row, bool peak) {
  RowCase c;
  c.kind = peak ? CaseKind::kGemmPeak : CaseKind::kGemm;
  if (!(row.metric == Metric::kGemmTflops || (!peak && row.metric == Metric::kGemmLatencyMs)))
    return reject(metric_not_defined(row));
  if (!row.m || !row.n || !row.k) return reject("missing field: m, n and k are required");
  c.gemm.m = *row.m;
  c.gemm.n = *row.n;
  c.gemm.k = *row.k;
  c.gemm.batch = row.batch.value_or(1);
  std::string text = row.precision;
  if (text.empty()) {
    text = "fp16";
    c.assumptions.emplace_back("precision blank -> fp16");
  }
  auto p = precision_from_string(text);
  if (!p) return reject("unknown precision \"" + text + "\"");
  c.gemm.precision = *p;
  return c;
}

tl::expected<RowCase, std::string> interpret_op(const MeasuredRow& row, const HardwareSpec& hw) {
  RowCase c;
  c.kind = CaseKind::kOp;
  if (!metric_in(row.metric, {Metric::kOpLatencyMs, Metric::kLayerLatencyMs}))
    return reject(metric_not_defined(row));
  if (row.model.empty()) return reject("missing field: model");
  if (!row.batch) return reject("missing field: batch");
  if (!row.input_len) return reject("missing field: input_len");
  const std::string notes = lower(row.notes);
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
  if (lower(name).starts_with("whole layer")) {
    name.clear();
    if (row.metric != Metric::kLayerLatencyMs)
      return reject("op row names the whole layer but its metric is not layer_latency_ms");
  } else {
    const auto& names = llmcompass_op_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string msg = "op row: unknown operator \"" + name + "\" (known: " + join(names) + ")";
      return reject(msg);
    }
    if (row.metric != Metric::kOpLatencyMs)
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

}  // namespace

const std::vector<std::string>& llmcompass_op_names() {
  static const std::vector<std::string> names = {
      "Q_K_V",         "Q_mul_K",       "A_mul_V", "Wo_proj",       "W1_proj",      "W2_proj",
      "Softmax",       "LayerNorm_MHA", "LayerNorm_FFN", "GeLU",    "AllReduce_MHA", "AllReduce_FFN"};
  return names;
}

const std::vector<std::string>& simulated_scenarios() {
  static const std::vector<std::string> names = {"static", "gemm",      "gemm_peak", "membw",
                                                 "allreduce", "p2p", "op"};
  return names;
}

bool is_serving_scenario(const std::string& s) {
  return s == "max_throughput" || s == "concurrency" || s.starts_with("mlperf_");
}

std::optional<Bytes> message_size_from_notes(const std::string& notes) {
  const std::string l = lower(notes);
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

bool notes_say_bidirectional(const std::string& notes) {
  const std::string l = lower(notes);
  return contains(l, "bidirectional") || contains(l, "bidir") || contains(l, "duplex");
}

bool notes_say_host_to_device(const std::string& notes) {
  const std::string l = lower(notes);
  return contains(l, "host-to-device") || contains(l, "host to device") || contains(l, "h2d");
}

std::optional<std::string> runtime_for_notes(const std::string& notes) {
  const std::string l = lower(notes);
  if (contains(l, "nemo")) return "nemo";
  if (contains(l, "tensorrt-llm") || contains(l, "trt-llm")) return "tensorrt-llm";
  if (contains(l, "gpt-fast")) return "gpt-fast";
  if (contains(l, "vllm")) return "vllm";
  if (contains(l, "pytorch") || contains(l, "torch.")) return "pytorch-eager";
  return std::nullopt;
}

namespace {

tl::expected<RowCase, std::string> interpret_row_kind(const MeasuredRow& row,
                                                      const HardwareSpec& hw);

}  // namespace

tl::expected<RowCase, std::string> interpret_row(const MeasuredRow& row, const HardwareSpec& hw) {
  auto c = interpret_row_kind(row, hw);
  if (!c) return c;
  if (auto rt = runtime_for_notes(row.notes)) {
    c->runtime = *rt;
  } else {
    c->runtime = std::string(kDefaultRuntime);
    c->assumptions.push_back("framework in the notes maps to no runtime profile -> " +
                             c->runtime);
  }
  return c;
}

namespace {

tl::expected<RowCase, std::string> interpret_row_kind(const MeasuredRow& row,
                                                      const HardwareSpec& hw) {
  const std::string& s = row.scenario;
  if (is_serving_scenario(s))
    return reject("serving scenario " + s +
                          ": needs the serving simulator (not yet implemented)");
  if (s == "static") return interpret_static(row, hw);
  if (s == "gemm") return interpret_gemm(row, false);
  if (s == "gemm_peak") return interpret_gemm(row, true);
  if (s == "op") return interpret_op(row, hw);
  RowCase c;
  if (s == "membw") {
    if (row.metric != Metric::kMemBwGbs) return reject(metric_not_defined(row));
    c.kind = CaseKind::kMemBw;
    return c;
  }
  if (s == "allreduce") {
    if (row.metric != Metric::kBusbwGbs) return reject(metric_not_defined(row));
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
    if (row.metric != Metric::kP2pGbs) return reject(metric_not_defined(row));
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
  std::vector<std::string> known = simulated_scenarios();
  for (const char* serving : {"max_throughput", "concurrency", "mlperf_offline", "mlperf_server",
                              "mlperf_interactive"})
    known.emplace_back(serving);
  std::string msg = "unknown scenario \"" + s + "\"";
  if (auto m = closest_match(s, known)) msg += "; did you mean \"" + *m + "\"?";
  return reject(msg);
}

}  // namespace

}  // namespace xpusim
