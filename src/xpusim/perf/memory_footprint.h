// SPDX-License-Identifier: Apache-2.0
// Device-memory footprint of a serving scenario (stage 5): weights, KV cache, activations and
// workspace against the usable DRAM capacity, with the largest batch that would fit.
#pragma once

#include <cstdint>
#include <string>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

struct MemoryFootprint {
  Bytes weights;              // per device
  Bytes kv_cache;             // per device, batch x (input + output) tokens
  Bytes activations;          // per device, peak transient buffers of the prefill
  Bytes workspace;            // runtime workspace (calibration.runtime_workspace; 0 on sram_only
                              // designs, which have no device memory for it)
  Bytes capacity;             // backing-store capacity of one device (DRAM, or the on-chip SRAM
                              // of sram_only designs: config/hardware_schema.h backing_store)
  Bytes usable;               // weights + workspace + activations + the KV budget (a
                              // memory_usable_fraction of the memory they leave free)
  bool fits = false;
  std::string reason;         // why not, when !fits
  int64_t max_batch = 0;      // largest batch that fits with these lengths (0 = not even one;
                              // at most kMaxStepTokens / (input_len + output_len))
  [[nodiscard]] Bytes total() const { return weights + kv_cache + activations + workspace; }
};

// Checks the sizes of a static batch: batch, input_len and output_len >= 1, and the batch's tokens
// batch x (input_len + output_len) at most kMaxStepTokens (step_shape.h). Errors name the field.
Result<void> check_batch_lengths(int64_t batch, int64_t input_len, int64_t output_len);

// The footprint of `batch` requests of input_len + output_len tokens on one device of a replica
// sharded by `plan`. Errors: a plan check_plan() rejects, sizes check_batch_lengths() rejects.
Result<MemoryFootprint> memory_footprint(const HardwareSpec& hw, const ModelSpec& model,
                                         const ParallelismPlan& plan,
                                         const PrecisionPlan& precision, int64_t batch,
                                         int64_t input_len, int64_t output_len,
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
// Errors: a plan check_plan() rejects, max_step_tokens outside [1, kMaxStepTokens], a memory
// fraction outside (0, 1].
Result<KvBudget> serving_kv_budget(const HardwareSpec& hw, const ModelSpec& model,
                                   const ParallelismPlan& plan, const PrecisionPlan& precision,
                                   int64_t max_step_tokens, double memory_fraction,
                                   bool fraction_of_total, const PerfCalibration& cal);

}  // namespace xpusim
