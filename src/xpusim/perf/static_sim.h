// SPDX-License-Identifier: Apache-2.0
// Static-batch scenario driver (stage 5), a client of the step model (step_model.h): a fixed batch
// of requests, each with input_len prompt tokens and output_len generated tokens, started together
// (TensorRT-LLM gptSessionBenchmark, vLLM benchmark_latency). Prefill + every decode step -> TTFT,
// TPOT, latency, throughput, memory and a per-op breakdown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/memory_footprint.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/workload/op_graph.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

struct StaticScenario {
  ParallelismPlan plan;
  PrecisionPlan precision;
  int64_t batch = 1;          // requests per model replica
  int64_t input_len = 1;
  int64_t output_len = 1;
  int devices = 1;            // total devices; replicas = devices / (tp * pp)
};

struct StaticResult {
  bool feasible = false;
  std::string infeasible_reason;
  Seconds ttft;               // request_overhead + prefill of the whole batch (1st token)
  Seconds tpot;               // mean decode step, context input_len+1 .. input_len+output_len-1
  Seconds e2e_latency;        // ttft + (output_len - 1) x tpot
  TokensPerSecond output_tokens_per_s;  // whole system: replicas x batch x output_len / e2e
  int replicas = 0;
  MemoryFootprint memory;
  PhaseBreakdown prefill;
  PhaseBreakdown decode;      // the step at the mean context (input_len + output_len / 2)
};

// The static scenario on an existing DeviceModel (whose plan, precision and calibration it uses;
// scenario.plan and scenario.precision must equal them).
StaticResult simulate_static(DeviceModel& device, const StaticScenario& scenario);

// Never fails on a valid scenario: an infeasible one (does not fit, no tier for the group) comes
// back with feasible = false and the reason; times are still filled where computable.
// Precondition: check_plan(model, scenario.plan) passed, batch/input_len/output_len >= 1,
// devices a multiple of tp * pp.
StaticResult simulate_static(const HardwareSpec& hw, const ModelSpec& model,
                             const StaticScenario& scenario, const PerfCalibration& cal);

}  // namespace xpusim
