// SPDX-License-Identifier: Apache-2.0
// How a measured row becomes something the perf model can simulate: the row interpretation rules
// (blank tp/pp/precision/kv_precision/output_len defaults, weight-only quantisation, collective
// message size and p2p direction read from the notes). Sits between measured_row.h (typed CSV
// rows) and validator.h (prediction and error). Every default applied is recorded in the case.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/config/precision.h"
#include "xpusim/units/quantity.h"
#include "xpusim/validate/measured_row.h"

namespace xpusim {

enum class CaseKind { kStatic, kGemm, kGemmPeak, kMemBw, kAllReduce, kP2p, kOp, kServing };

// A static batch (also the run an op row is one layer of).
struct StaticCase {
  int tp = 1;
  int pp = 1;
  int replicas = 1;  // data-parallel copies: num_devices / (tp * pp)
  bool attention_dp = false;  // the notes state attention data parallelism (experts ep = tp)
  Precision weights = Precision::kFp16;
  Precision activations = Precision::kFp16;
  Precision kv = Precision::kFp16;
  int weight_group = 0;  // values per scale of fp4/int4 weights the notes state (0 = default)
  int batch = 1;
  int input_len = 1;
  int output_len = 1;
};

struct GemmCase {
  long long m = 0, n = 0, k = 0;
  int batch = 1;  // batch count of a batched GEMM
  Precision precision = Precision::kFp16;
  // gemm rows: the benchmark averages back-to-back calls (rocblas-bench, hipblaslt-bench: their
  // -i iterations between two device synchronisations), so a row is the kernel time with its
  // launch gap, not one host-timed isolated call (LLMCompass). Set by gemm_timed_back_to_back.
  bool back_to_back = false;
};

// True when a gemm row's notes name a benchmark that averages back-to-back calls of the library
// (rocblas-bench, hipblaslt-bench, "back-to-back") rather than timing one call from the host.
bool gemm_timed_back_to_back(const std::string& notes);

struct AllReduceCase {
  Bytes message;     // bytes reduced per device
  int devices = 0;
};

enum class P2pPath { kDeviceToDevice, kHostToDevice };
struct P2pCase {
  P2pPath path = P2pPath::kDeviceToDevice;
  bool bidirectional = false;  // figure is the sum of both directions
  Bytes message;               // bytes per copy
};

enum class OpPhase { kPrefill, kDecode };
struct OpCase {
  OpPhase phase = OpPhase::kPrefill;
  std::string op;  // LLMCompass operator name (Q_K_V, Softmax, ...); "" = whole layer
};

// NVIDIA's MLPerf harness sets LoadGen's min_duration to 2400000 ms (40 min) for llama2-70b and
// mixtral-8x7b (R41 configs, v4.1; R51 B200 llama2, v5.1; serving.md §2b "NVIDIA run length").
inline constexpr Seconds kNvidiaLlmRunDuration{2400.0};

// A serving run (max_throughput, concurrency and MLPerf rows): the engine and its settings, the
// workload and how it arrives. Deployment (tp, pp, replicas, precision) and fixed lengths are in
// RowCase::run.
struct ServingRowCase {
  enum class Arrivals { kOffline, kClosedLoop, kMlperfOffline, kMlperfServer, kMlperfInteractive };
  Arrivals arrivals = Arrivals::kOffline;
  int64_t concurrency = 0;                   // kClosedLoop clients
  std::string engine;                        // engine preset id
  std::vector<std::string> engine_overrides; // "path=value", validated by the engine schema
  std::string dataset;                       // dataset id; "" = fixed lengths (run.input_len/..)
  int64_t requests = 0;                      // requests simulated (MLPerf: 0 = the dataset's)
  bool choose_tp = false;                    // tp not stated: the candidate with the most tokens/s
  // The stack runs attention DP (TensorRT-LLM >= 1.0, SGLang) and the row measures throughput:
  // the validator also tries attention DP (MoE models) and keeps the faster layout
  // (docs/validation.md, "Attention data parallelism").
  bool try_attention_dp = false;
  // The submitter's LoadGen min_duration for a Server/Interactive run, where its configuration
  // states one (NVIDIA's harness: 2400 s for llama2-70b and mixtral-8x7b); unset: the
  // benchmark's 600 s (mlperf.min_duration of the dataset).
  std::optional<Seconds> min_duration;
};

// A memory-bandwidth test (membw rows): the kernel the notes name and the share of its bytes
// that are writes, which sets its read/write turnaround loss (perf/memory_system.h).
struct MemBwCase {
  std::string kernel = "triad";  // BabelStream kernel: copy, mul, add, triad, dot, read, write
  double write_fraction = 1.0 / 3.0;
};

// The BabelStream-style kernel named in a membw row's notes and its write share: copy and mul
// (scale) read one array and write one (1/2), add and triad read two and write one (1/3), dot
// and read-only kernels write nothing (0), write/init/fill only write (1), nstream reads three
// and writes one (1/4). nullopt: none named.
std::optional<MemBwCase> membw_kernel_from_notes(const std::string& notes);

struct RowCase {
  CaseKind kind = CaseKind::kStatic;
  MemBwCase membw;        // kMemBw
  StaticCase run;         // kStatic, kOp
  GemmCase gemm;          // kGemm, kGemmPeak
  AllReduceCase allreduce;
  P2pCase p2p;
  OpCase op;
  ServingRowCase serving;
  // RuntimeProfile name (from the notes' framework, see runtime_for_notes; a serving row's is its
  // engine's); empty for bandwidth, collective and copy rows, whose prediction uses none.
  std::string runtime;
  std::vector<std::string> assumptions;  // the defaults applied, for the report
};

// The runtime profile of a row's `framework:` note (docs/validation.md, "Runtime profiles" and
// "Rows on other vendors' stacks"): "nemo" before "tensorrt-llm" (NeMo rows name both);
// TensorRT-LLM's executor benchmarks (trtllm-bench / trtllm-serve, or a version >= 0.17) ->
// "tensorrt-llm-serve", 0.7-0.16 or no version -> "tensorrt-llm", before 0.7 (no XQA) ->
// "tensorrt-llm-0.5"; "gpt-fast" before "pytorch"
// (gpt-fast is PyTorch compiled); "vllm" (CUDA and ROCm builds); optimum-habana, JetStream,
// MaxText, JAX -> "gpt-fast" (one graph-replayed or compiled program per decode step); GEMM libraries (rocBLAS, hipBLASLt, cuBLAS) and any
// other "pytorch" -> "pytorch-eager". nullopt: no profile matches.
std::optional<std::string> runtime_for_notes(const std::string& notes);

// The LLMCompass single-layer operator names the op scenario knows (notes "gpt3 layer decode: X").
const std::vector<std::string>& llmcompass_op_names();

// Scenario names the validator can simulate (the serving ones included).
const std::vector<std::string>& simulated_scenarios();
bool is_serving_scenario(const std::string& scenario);

// Interprets `row` on `hw` (needed to know whether fp8 runs natively) and, for serving rows, its
// model (engine defaults depend on the context length). The error is the reason the row cannot be
// simulated (unsupported scenario or metric, a missing field, ...).
tl::expected<RowCase, std::string> interpret_row(const MeasuredRow& row, const HardwareSpec& hw,
                                                 const ModelSpec* model = nullptr);

// The baseboard of the row's system where it differs from the scale-up tier of the hardware
// preset (docs/validation.md, "4-GPU baseboards"): `overrides` are hardware --set assignments
// applied to the preset for this row, `assumption` says so in the report.
struct SystemBoard {
  std::vector<std::string> overrides;
  std::string assumption;
};

// An HGX 4-GPU baseboard: the row's system holds 4 SXM devices (notes "(4x H100-SXM-80GB, ...)",
// the MLPerf system description) and the preset's scale-up tier is an NVLink3/NVLink4 switch
// domain of 8 (topology switched, domain 8: the HGX A100/H100/H200 8-GPU board). The 4-GPU board has no NVSwitch: each GPU's
// NVLink links go directly to its 3 peers, split evenly (fully_connected, domain 4), and nothing
// reduces in a switch (in_network_reduction false where the preset sets it). nullopt when
// the rule does not apply.
std::optional<SystemBoard> system_board(const MeasuredRow& row, const HardwareSpec& hw);

// The power limit the notes set on each device ("power-capped to 330 W", "power-limited to 330W",
// "power limit of 450 W", "power cap: 450 W"; case-insensitive): the device's TDP for this row,
// the budget its sustained clock is solved under (area/power_model.h sustained_clock). nullopt
// when absent or not a positive, finite number of watts.
std::optional<Watts> power_limit_from_notes(const std::string& notes);

// The quantisation group size the notes state for 4-bit weights ("group size 32", "groupsize
// 128", "group-size: 64"; case-insensitive): values per scale, config/precision.h
// storage_bytes_per_element. nullopt when absent or not a whole number in bounds::kWeightGroup (1..65536).
std::optional<int> group_size_from_notes(const std::string& notes);

// The row's system where it differs from the hardware preset: the baseboard (system_board) and a
// power limit the notes state (physical.tdp). `overrides` are hardware --set assignments for this
// row; `assumptions` say what was applied, or, for an MLPerf MaxQ system (a power submission: the
// submitter lowers the devices' power limits to where energy per sample suits it) without a
// stated limit, that the preset's TDP was kept.
struct RowSystem {
  std::vector<std::string> overrides;
  std::vector<std::string> assumptions;
};
RowSystem row_system(const MeasuredRow& row, const HardwareSpec& hw);

// The devices of the system the notes describe: the N of "(Nx NAME" where NAME contains `part`
// (case-insensitive; "(4x H100-SXM-80GB, TensorRT)" -> 4 for part "sxm"). nullopt when absent.
std::optional<int> system_devices_from_notes(const std::string& notes, std::string_view part);

// The number of prompts a benchmark run sent (case-insensitive): "320 ShareGPT prompts",
// "ShareGPT 5000 prompts", "ShareGPT prompts (200)", "--num-prompts 320". nullopt when absent.
std::optional<int64_t> prompt_count_from_notes(const std::string& notes);

// Notes helpers (exposed for tests): the first quantity of bytes after "message size"
// ("message size 256 MB", "message size: 1 GiB"); the direction of a p2p copy.
std::optional<Bytes> message_size_from_notes(const std::string& notes);
bool notes_say_bidirectional(const std::string& notes);
bool notes_say_host_to_device(const std::string& notes);

}  // namespace xpusim
