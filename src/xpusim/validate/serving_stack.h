// SPDX-License-Identifier: Apache-2.0
// Which serving engine, at which version's defaults, a serving row's notes describe: version
// parsing of the `framework:` clause ("vLLM 0.6.3", "vllm v0.10.1", "TensorRT-LLM 1.0"), the
// `version/date:` month, and the engine settings of the stacks the public file lacks (vLLM V1,
// TensorRT-LLM trtllm-bench, MLPerf harnesses of other submitters and rounds, the fallback for
// frameworks without an engine profile). Used by interpret_serving (row_case.cc); the rules and
// their sources are in docs/validation.md, "Serving rows of the hidden kinds".
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/units/quantity.h"

namespace xpusim {

struct SoftwareVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const SoftwareVersion&) const = default;
};

// The version written right after `name` in `text_lower` (lower-cased): "vllm 0.6.3",
// "vllm v0.10.1", "tensorrt-llm 1.0", "vllm=0.8.5"; the first occurrence followed by a number.
// nullopt: the name is absent or no number follows it.
std::optional<SoftwareVersion> version_after(std::string_view text_lower, std::string_view name);

// The TensorRT-LLM release named in a lower-cased framework clause, after "tensorrt-llm",
// "trt-llm", "tensorrt_llm" or "trtllm" ("tensorrt-llm 0.9.0", "trt-llm v1.0"); nullopt if none.
std::optional<SoftwareVersion> tensorrt_llm_version(std::string_view text_lower);

// Year and month of the notes' `version/date:` clause ("2025-08", "2024-09 (vLLM v0.5.4)").
// nullopt: no such clause or no YYYY-MM in it.
struct YearMonth {
  int year = 0;
  int month = 0;
  auto operator<=>(const YearMonth&) const = default;
};
std::optional<YearMonth> year_month_of_notes(std::string_view notes_lower);

// vLLM's engine generation for a row: V1 from 0.8 (its default engine), V0 up to 0.7 (V1 opt-in
// in 0.7); version-less: V1 when the row's date is 2025-04 or later, else V0 (today's rule).
enum class VllmGeneration { kV0, kV1 };
struct VllmChoice {
  VllmGeneration generation = VllmGeneration::kV0;
  std::string why;  // for the row's assumptions
};
VllmChoice vllm_generation(std::string_view framework_lower, std::string_view notes_lower);

// Engine settings chosen for a row: engine preset id, "path=value" overrides, assumptions, and a
// request count the benchmark implies (0 = none).
struct StackSettings {
  std::string engine;
  std::vector<std::string> overrides;
  std::vector<std::string> assumptions;
  int64_t requests = 0;
  int tp = 0;  // the tensor-parallel degree the configuration states (0: not stated)
  bool attention_dp = false;  // the configuration runs attention data parallelism (MoE models)
};

// SGLang's scheduler for a row: from 0.4 (released 2024-12, recalled) the overlap scheduler
// ("zero-overhead batch scheduler") is the default, runtime sglang-0.4 (schedule_overlap);
// version-less rows dated 2025-01 or later take it too. Older and undated rows run runtime sglang
// (the serial SGLang 0.3 profile the public rows were fitted on). Engine preset sglang either way.
StackSettings sglang_settings(std::string_view framework_lower, std::string_view notes_lower);

// vLLM V1 defaults (engine preset `vllm`): the token budget and max_num_seqs by device memory
// (>= 70 GiB and not an A100: 8192 API server / 16384 LLM class, 1024 sequences; else 2048 / 8192,
// 256), chunked prefill always on, prefix caching on.
StackSettings vllm_v1_settings(std::string_view notes_lower, const std::string& hardware_id,
                               Bytes device_memory);

// TensorRT-LLM trtllm-bench throughput (perf-overview v0.17 / v1.0). Lengths may be absent.
StackSettings trtllm_bench_settings(std::optional<SoftwareVersion> version, int pp,
                                    std::optional<int64_t> input_len,
                                    std::optional<int64_t> output_len);

// NVIDIA's MLPerf v5.1 TensorRT-LLM harness values for `model` and `scenario` (B200 configs),
// with the degree where serving.md states it (llama2-70b TP1; llama3.1-405b Server TP4) and its
// attention data parallelism (deepseek-r1); empty overrides when the benchmark has none (the
// caller keeps the v4.1 settings).
StackSettings nvidia_mlperf_v5_settings(const std::string& model, const std::string& scenario);

// NVIDIA's MLPerf v4.1 llama2-70b configs by accelerator class (serving.md section 3a, R41
// closed/NVIDIA/configs/llama2-70b): the tensor-parallel degree and the batch of the Offline and
// Server scenarios where the reference states them (H200 TP1 806 / 896, H100 SXM TP2 896 / 1024,
// H100 NVL TP2 1300 / 640). Empty settings for any other model or class.
StackSettings nvidia_mlperf_v4_deployment(const std::string& model, const std::string& hardware_id,
                                          const std::string& scenario);

// AMD's MLPerf vLLM harness (v4.1 MI300X llama2-70b) for a vLLM MLPerf row.
StackSettings vllm_mlperf_settings(const std::string& model, const std::string& scenario,
                                   VllmGeneration generation);

// Requests trtllm-bench's perf-overview datasets hold for an ISL/OSL pair (0: pair not listed).
int64_t perf_overview_request_count(int64_t input_len, int64_t output_len);

}  // namespace xpusim
