// SPDX-License-Identifier: Apache-2.0
// Speed of design-space exploration with a serve scenario (issue 8's bar: at least 10,000
// serving-scenario evaluations per minute, i.e. 167 designs/s on 2 cores). Each design is a whole
// serving simulation: the deployment compiled (device models, KV capacity), 500 ShareGPT requests
// arriving at 10 requests/s on 8 devices, the token economics of the run. Args: threads.
// items_per_second x 60 = designs per minute.
#include <benchmark/benchmark.h>

#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/space.h"

namespace {

using namespace xpusim;

const char* kServeSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-70b
scenario:
  kind: serve
  engine: vllm
  dataset: sharegpt
  requests: 500
  rate: 10
  slo_ttft_ms: 2000
  slo_tpot_ms: 50
  precision: fp8
  devices: 8
parameters:
  - {path: hardware.compute.units, values: [112, 132]}
  - {path: hardware.memory.dram.stacks, values: [5, 6]}
  - {path: hardware.memory.dram.bandwidth, range: {min: "3 TB/s", max: "6 TB/s", steps: 4}}
  - {path: plan.tp, values: [2, 4, 8]}
  - {path: engine.max_batch, values: [64, 256]}
objectives:
  - {metric: goodput_requests_per_s, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

constexpr int64_t kDesigns = 2 * 2 * 4 * 3 * 2;

// Times the grid of the space `text` (`designs` designs) from a fresh evaluator per iteration on
// state.range(0) threads, in pieces of `piece` designs.
void time_space(benchmark::State& state, const char* text, int64_t designs, size_t piece) {
  auto doc = Document::from_yaml(text, "bench.yaml", true).value();
  const SpaceSpec space = parse_space(doc).value();
  size_t feasible = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const DesignEvaluator e = DesignEvaluator::create(space).value();
    const auto idx = design_indices(space.grid_size(), SearchStrategy::kGrid, 0, 0);
    state.ResumeTiming();
    feasible = 0;
    evaluate_designs(e, idx, static_cast<int>(state.range(0)), piece, [&](std::vector<DesignResult>& b) {
      for (const auto& r : b) feasible += r.feasibility.feasible() ? 1 : 0;
    });
    benchmark::DoNotOptimize(feasible);
  }
  state.SetItemsProcessed(state.iterations() * designs);
  state.counters["feasible"] = static_cast<double>(feasible);
}

void BM_DseServeGrid(benchmark::State& state) { time_space(state, kServeSpace, kDesigns, 8); }
BENCHMARK(BM_DseServeGrid)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// A rate-search space (scenario.mlperf: server): each design is the MLPerf Server search of
// `serve --mlperf server` with its defaults -- an Offline run of the dataset's 24,576 samples that
// bounds the rate, then the bracket and 9 bisection steps, 11-14 Poisson runs of LoadGen's 600 s
// (rate x 600 samples each) -- Llama-2-70B with the MLPerf llama2-70b lengths on 8 B200-class
// devices, the vLLM profile. Args: threads.
const char* kRateSearchSpace = R"(schema: space/v1
hardware: b200-sxm-180gb
model: llama-2-70b
scenario:
  kind: serve
  engine: vllm
  dataset: mlperf-llama2-70b
  mlperf: server
  precision: fp8
  devices: 8
parameters:
  - {path: hardware.memory.dram.bandwidth, values: ["4 TB/s", "8 TB/s"]}
  - {path: plan.tp, values: [2, 4]}
objectives:
  - {metric: max_rate_requests_per_s, goal: max}
  - {metric: slo_cost_per_million_output_tokens_usd, goal: min}
)";

constexpr int64_t kRateDesigns = 2 * 2;

void BM_DseServeRateSearch(benchmark::State& state) {
  time_space(state, kRateSearchSpace, kRateDesigns, 1);
}
BENCHMARK(BM_DseServeRateSearch)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
