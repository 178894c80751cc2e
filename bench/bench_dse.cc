// SPDX-License-Identifier: Apache-2.0
// Speed of design-space exploration (issue 8's bar: one million static-scenario designs per
// minute on 2 cores for a Llama-3.1-70B space, i.e. 16,667 designs/s). BM_DseGrid is a whole
// grid on 1 and 2 threads (real time); BM_DseDesignUnshared one design whose hardware no other
// design shares, though its dies may (bandwidth and clock leave them alone: the cost memo
// serves it); BM_DseDistinctDies a grid in which every design has a die of its own (the worst
// case: every design pays the dies-per-wafer search); BM_DseBuildHardware the cost of building
// a design's hardware spec (typed set on the base spec, or re-parsing a Document: the reference).
#include <benchmark/benchmark.h>

#include "xpusim/config/document.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/space.h"

#include "dse_spaces.h"

namespace {

using namespace xpusim;
using bench::distinct_dies_space;
using bench::kSpace;
using bench::make_evaluator;

// The whole grid (756 designs, 252 hardware variants x 3 plans) from a fresh evaluator, so each
// hardware variant's area and cost are computed once as in a real search. Args: threads.
// Times the whole grid of `text` from a fresh evaluator per iteration on state.range(0) threads
// (pieces of 256 designs); counts the designs, and returns the share that ran the whole scenario.
double time_grid(benchmark::State& state, const char* text) {
  size_t designs = 0;
  double feasible_share = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const DesignEvaluator e = make_evaluator(text);
    const auto idx = design_indices(e.space().grid_size(), SearchStrategy::kGrid, 0, 0);
    state.ResumeTiming();
    size_t feasible = 0;
    evaluate_designs(e, idx, static_cast<int>(state.range(0)), 256, [&](std::vector<DesignResult>& b) {
      for (const auto& r : b) feasible += r.feasibility.feasible() ? 1 : 0;
    });
    benchmark::DoNotOptimize(feasible);
    designs = idx.size();
    feasible_share = static_cast<double>(feasible) / static_cast<double>(idx.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(designs));
  return feasible_share;
}

void BM_DseGrid(benchmark::State& state) {
  state.counters["feasible_share"] = time_grid(state, kSpace);  // designs that ran the whole scenario
  // Cost build-ups a grid needs (the other hardware variants share one through the cost memo).
  const DesignEvaluator e = make_evaluator(kSpace);
  evaluate_designs(e, design_indices(e.space().grid_size(), SearchStrategy::kGrid, 0, 0), 1, 256,
                   [](std::vector<DesignResult>&) {});
  state.counters["cost_buildups"] = static_cast<double>(e.costs_computed());
}
BENCHMARK(BM_DseGrid)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// The same grid judged on two models (bench::kTwoModelSpace: 70B and 8B, per-model figures):
// each design runs the static scenario once per model on one shared hardware stage. Args:
// threads. Designs/s here count designs (each two evaluations of the scenario).
void BM_DseGridTwoModels(benchmark::State& state) {
  state.counters["feasible_share"] = time_grid(state, bench::kTwoModelSpace);
}
BENCHMARK(BM_DseGridTwoModels)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// How a design's hardware is built, by the benchmark's argument: 0 typed set on a copy of the
// base spec (the evaluator's default), 1 re-reading the base document with --set (the reference,
// as every design was built before typed set).
DesignBuild build_of(const benchmark::State& state) {
  return state.range(0) == 0 ? DesignBuild::kTypedSet : DesignBuild::kReparseDocument;
}

// One design whose hardware differs from every other's (no plan parameter: nothing is shared):
// the hardware (see build_of), area, cost, plan checks, static scenario, token economics.
// Args: build (0 typed set, 1 document re-read).
void BM_DseDesignUnshared(benchmark::State& state) {
  std::string text = kSpace;
  text.replace(text.find("  - {path: plan.tp"), std::string::npos,
               "objectives:\n  - {metric: output_tokens_per_s_per_device, goal: max}\n");
  text.replace(text.find("precision: fp8}"), 15, "precision: fp8, devices: 8}");
  const DesignEvaluator e = make_evaluator(text, build_of(state));
  const uint64_t n = e.space().grid_size();
  uint64_t i = 0;
  for (auto _ : state) {
    DesignResult r = e.evaluate(i++ % n);
    benchmark::DoNotOptimize(r.metrics[0]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DseDesignUnshared)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Every design with a die of its own (the L2 capacity changes the die area): 128 designs from a
// fresh evaluator, so each pays the cost build-up. Args: threads.
void BM_DseDistinctDies(benchmark::State& state) {
  const std::string text = distinct_dies_space(128);
  size_t designs = 0;
  size_t buildups = 0;
  double feasible_share = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const DesignEvaluator e = make_evaluator(text);
    const auto idx = design_indices(e.space().grid_size(), SearchStrategy::kGrid, 0, 0);
    state.ResumeTiming();
    size_t feasible = 0;
    evaluate_designs(e, idx, static_cast<int>(state.range(0)), 256, [&](std::vector<DesignResult>& b) {
      for (const auto& r : b) feasible += r.feasibility.feasible() ? 1 : 0;
    });
    designs = idx.size();
    buildups = e.costs_computed();
    feasible_share = static_cast<double>(feasible) / static_cast<double>(idx.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(designs));
  state.counters["feasible_share"] = feasible_share;
  state.counters["cost_buildups"] = static_cast<double>(buildups);
}
BENCHMARK(BM_DseDistinctDies)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// The first step alone: the design's hardware spec, by typed set on a copy of the base spec and
// the cross-field checks on it (arg 0), or by copying the base document, applying the overrides
// and parsing it with the schema (arg 1, the reference).
void BM_DseBuildHardware(benchmark::State& state) {
  const DesignEvaluator e = make_evaluator(kSpace, build_of(state));
  const uint64_t n = e.space().grid_size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto hw = e.hardware(i++ % n);
    benchmark::DoNotOptimize(hw.has_value());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DseBuildHardware)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
