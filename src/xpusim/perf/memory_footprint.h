// SPDX-License-Identifier: Apache-2.0
// Device-memory footprint of a serving scenario (stage 5): weights, KV cache, activations and
// workspace against the usable DRAM capacity, with the largest batch that would fit.
#pragma once

#include <cstdint>
#include <string>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

struct MemoryFootprint {
  Bytes weights;              // per device
  Bytes kv_cache;             // per device, batch x (input + output) tokens
  Bytes activations;          // per device, peak transient buffers of the prefill
  Bytes workspace;            // runtime workspace (calibration.runtime_workspace)
  Bytes capacity;             // DRAM capacity of one device
  Bytes usable;               // weights + workspace + activations + the KV budget (a
                              // memory_usable_fraction of the memory they leave free)
  bool fits = false;
  std::string reason;         // why not, when !fits
  int64_t max_batch = 0;      // largest batch that fits with these lengths (0 = not even one)
  [[nodiscard]] Bytes total() const { return weights + kv_cache + activations + workspace; }
};

MemoryFootprint memory_footprint(const HardwareSpec& hw, const ModelSpec& model,
                                 const ParallelismPlan& plan, const PrecisionPlan& precision,
                                 int64_t batch, int64_t input_len, int64_t output_len,
                                 const PerfCalibration& cal);

// The KV-cache budget of a continuous-batching engine on one device: what is left for KV blocks
// after the weights, the activation buffers of the largest iteration (`max_step_tokens` query
// tokens) and the runtime workspace, times the engine's memory fraction -- of the memory left free
// by the rest (TensorRT-LLM kv_cache_free_gpu_mem_fraction) or of the whole device with the rest
// taken out of it (vLLM gpu_memory_utilization, SGLang mem_fraction_static).
struct KvBudget {
  Bytes weights;
  Bytes activations;
  Bytes workspace;
  Bytes capacity;
  Bytes kv;                   // bytes for KV blocks; <= 0 when nothing is left
};
KvBudget serving_kv_budget(const HardwareSpec& hw, const ModelSpec& model,
                           const ParallelismPlan& plan, const PrecisionPlan& precision,
                           int64_t max_step_tokens, double memory_fraction, bool fraction_of_total,
                           const PerfCalibration& cal);

}  // namespace xpusim
