// SPDX-License-Identifier: Apache-2.0
// The design spaces the dse benchmarks evaluate (bench_dse.cc on threads, bench_dse_mpi.cc on
// MPI ranks), so that both measure the same work.
#pragma once

#include <string>

#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/space.h"

namespace xpusim::bench {

// The evaluator of a space given as text (the benchmarks' spaces are valid: .value()).
inline DesignEvaluator make_evaluator(const std::string& text,
                                      DesignBuild build = DesignBuild::kTypedSet) {
  auto doc = Document::from_yaml(text, "bench.yaml", true).value();
  return DesignEvaluator::create(parse_space(doc).value(), build).value();
}

// Llama-3.1-70B on H100 variants: 4 x 3 x 7 x 3 x 3 = 756 designs, 252 hardware variants x 3
// plans; the designs share 12 cost build-ups (dies and memory), as a real sweep does.
inline const char* kSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-70b
scenario: {kind: static, batch: 64, input_len: 2048, output_len: 256, precision: fp8}
parameters:
  - {path: hardware.compute.units, values: [96, 112, 128, 132]}
  - {path: hardware.memory.dram.stacks, range: {min: 4, max: 6, step: 1}}
  - {path: hardware.memory.dram.bandwidth, range: {min: "2 TB/s", max: "8 TB/s", steps: 7, scale: log}}
  - {path: hardware.compute.clock, values: ["1.6 GHz", "1.83 GHz", "2.0 GHz"]}
  - {path: plan.tp, values: [2, 4, 8]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

// kSpace judged on two models (Llama-3.1-70B and -8B) with each model's figures kept
// (model_metrics: per_model): the same 756 designs, each running the static scenario twice.
inline const char* kTwoModelSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: [llama-3.1-70b, llama-3.1-8b]
model_metrics: per_model
scenario: {kind: static, batch: 64, input_len: 2048, output_len: 256, precision: fp8}
parameters:
  - {path: hardware.compute.units, values: [96, 112, 128, 132]}
  - {path: hardware.memory.dram.stacks, range: {min: 4, max: 6, step: 1}}
  - {path: hardware.memory.dram.bandwidth, range: {min: "2 TB/s", max: "8 TB/s", steps: 7, scale: log}}
  - {path: hardware.compute.clock, values: ["1.6 GHz", "1.83 GHz", "2.0 GHz"]}
  - {path: plan.tp, values: [2, 4, 8]}
objectives:
  - {metric: output_tokens_per_s_per_device@llama-3.1-70b, goal: max}
  - {metric: output_tokens_per_s_per_device@llama-3.1-8b, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

// kSpace at twelve times the designs (4 x 3 x 28 x 9 x 3 = 9,072), with the same 12 cost build-ups:
// a call long enough (~0.5 s on one core) that what a call pays once (the first round's sizing, the
// build-ups every rank computes for its own designs, the wait for the last piece) weighs on it as
// on a real sweep of many thousands of designs rather than as on the 756-design grid's ~40 ms.
inline const char* kLargeSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-70b
scenario: {kind: static, batch: 64, input_len: 2048, output_len: 256, precision: fp8}
parameters:
  - {path: hardware.compute.units, values: [96, 112, 128, 132]}
  - {path: hardware.memory.dram.stacks, range: {min: 4, max: 6, step: 1}}
  - {path: hardware.memory.dram.bandwidth, range: {min: "2 TB/s", max: "8 TB/s", steps: 28, scale: log}}
  - {path: hardware.compute.clock, range: {min: "1.6 GHz", max: "2.0 GHz", steps: 9}}
  - {path: plan.tp, values: [2, 4, 8]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

// `designs` designs, each with a die of its own (the L2 capacity changes the die area): every
// design pays a cost build-up (the worst case for throughput). tp 8 (8 devices, one replica) so
// that the designs whose die fits the reticle also fit the model and run the whole static
// scenario; without it every design was infeasible (memory at tp 1) and the benchmark timed only
// the checks, area and cost.
inline std::string distinct_dies_space(int designs) {
  return R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-70b
scenario: {kind: static, batch: 64, input_len: 2048, output_len: 256, precision: fp8, devices: 8}
parameters:
  - {path: hardware.memory.l2.capacity, range: {min: "20 MiB", max: "80 MiB", steps: )" +
         std::to_string(designs) + R"(}}
  - {path: plan.tp, values: [8]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";
}

}  // namespace xpusim::bench
