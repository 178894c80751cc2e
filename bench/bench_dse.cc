// SPDX-License-Identifier: Apache-2.0
// Speed of design-space exploration (issue 8's bar: one million static-scenario designs per
// minute on 2 cores for a Llama-3.1-70B space). BM_DseEvaluate is one design end to end (hardware
// document copied, overrides applied and validated, plan checks, area, static scenario, cost,
// token economics); BM_DseBuildHardware only the first step, the cost of re-parsing a Document
// per design; BM_DseEvaluateThreads the same designs over 1 and 2 worker threads (real time).
#include <benchmark/benchmark.h>

#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/space.h"

namespace {

using namespace xpusim;

const char* kSpace = R"(schema: space/v1
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

const DesignEvaluator& evaluator() {
  static const DesignEvaluator e = [] {
    auto doc = Document::from_yaml(kSpace, "bench.yaml", true).value();
    return DesignEvaluator::create(parse_space(doc).value()).value();
  }();
  return e;
}

void BM_DseEvaluate(benchmark::State& state) {
  const DesignEvaluator& e = evaluator();
  const uint64_t n = e.space().grid_size();
  uint64_t i = 0;
  for (auto _ : state) {
    DesignResult r = e.evaluate(i++ % n);
    benchmark::DoNotOptimize(r.metrics[0]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DseEvaluate)->Unit(benchmark::kMicrosecond);

void BM_DseBuildHardware(benchmark::State& state) {
  const DesignEvaluator& e = evaluator();
  const uint64_t n = e.space().grid_size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto hw = e.hardware(i++ % n);
    benchmark::DoNotOptimize(hw.has_value());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DseBuildHardware)->Unit(benchmark::kMicrosecond);

// Args: threads. 1,512 designs (the whole grid) per iteration.
void BM_DseEvaluateThreads(benchmark::State& state) {
  const DesignEvaluator& e = evaluator();
  const auto idx = design_indices(e.space().grid_size(), SearchStrategy::kGrid, 0, 0);
  for (auto _ : state) {
    size_t feasible = 0;
    evaluate_designs(e, idx, static_cast<int>(state.range(0)), 256, [&](std::vector<DesignResult>& b) {
      for (const auto& r : b) feasible += r.feasibility.feasible() ? 1 : 0;
    });
    benchmark::DoNotOptimize(feasible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(idx.size()));
}
BENCHMARK(BM_DseEvaluateThreads)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
