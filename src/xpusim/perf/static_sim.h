// SPDX-License-Identifier: Apache-2.0
// Static-batch scenario driver (stage 5), a client of the step model (step_model.h): a fixed batch
// of requests, each with input_len prompt tokens and output_len generated tokens, started together
// (TensorRT-LLM gptSessionBenchmark, vLLM benchmark_latency). Prefill + every decode step -> TTFT,
// TPOT, latency, throughput, memory and a per-op breakdown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
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

// The compute clock a phase ran at (perf/sustained_clock.h): the boost clock, or the highest clock
// within the TDP when the phase's power at boost exceeds it.
struct PhaseClock {
  Hertz sustained_clock;
  bool power_limited = false;
};

struct StaticResult {
  // Infeasible: the footprint exceeds the device memory (kMemory), a collective has no
  // interconnect tier (kNetwork). The times, the throughput and the per-op breakdowns are then
  // left zero and empty: they are not predictions.
  Feasibility feasibility;
  Seconds ttft;               // request_overhead + prefill of the whole batch (1st token)
  Seconds tpot;               // mean decode step, context input_len+1 .. input_len+output_len-1
  Seconds e2e_latency;        // ttft + (output_len - 1) x tpot
  TokensPerSecond output_tokens_per_s;  // whole system: replicas x batch x output_len / e2e
  int replicas = 0;
  MemoryFootprint memory;     // always computed (it says why a batch does not fit)
  PhaseBreakdown prefill;
  PhaseBreakdown decode;      // the step at the mean context (input_len + output_len / 2)
  // Each phase at the clock its own activity sustains: prefill from the prefill step's activity,
  // decode from the mean-context step's (the times above are at these clocks).
  PhaseClock prefill_clock;
  PhaseClock decode_clock;
};

// Checks what a caller of simulate_static can get wrong: the plan (check_plan), the sizes
// (check_batch_lengths), devices >= tp x pp and a multiple of it, microbatches <= batch.
Result<void> check_static_scenario(const ModelSpec& model, const StaticScenario& scenario);

// The static scenario on an existing DeviceModel (whose plan, precision and calibration it uses;
// scenario.plan and scenario.precision must equal them, else an error).
Result<StaticResult> simulate_static(DeviceModel& device, const StaticScenario& scenario);

// Errors: what check_static_scenario() rejects. An infeasible scenario is not an error: it comes
// back with its feasibility (reason class and detail) and the memory footprint, no times.
Result<StaticResult> simulate_static(const HardwareSpec& hw, const ModelSpec& model,
                                     const StaticScenario& scenario, const PerfCalibration& cal);

// The alternative to an infeasible scenario: the smallest tp with the scenario's pp, else the plan
// with the fewest devices per replica (then the fewest stages), whose footprint fits and whose
// collectives have an interconnect tier, for the same batch, lengths, ep, microbatches and
// precision. nullopt when none does (up to tp = the heads and pp = the layers). Errors as for
// simulate_static.
Result<std::optional<ParallelismPlan>> smallest_feasible_plan(const HardwareSpec& hw,
                                                              const ModelSpec& model,
                                                              const StaticScenario& scenario,
                                                              const PerfCalibration& cal);

}  // namespace xpusim
