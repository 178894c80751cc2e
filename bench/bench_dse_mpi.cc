// SPDX-License-Identifier: Apache-2.0
// Throughput of explore across MPI ranks (issue 8's bar: within 10% of linear from 1 to 2 ranks).
// Run the same binary as one process and as a job, and compare items_per_second:
//   ./build/bench/xpusim_bench_mpi
//   mpirun -np 2 ./build/bench/xpusim_bench_mpi      (as root: --allow-run-as-root)
// Each rank evaluates with one thread, so N ranks use N cores. BM_DseGridRanks is the 756-design
// grid of bench_dse.cc (designs share their cost build-ups: each rank computes those its blocks
// need, as a real job does), BM_DseDistinctDiesRanks 1,024 designs each with a die of its own.
// Both time a whole evaluation from a fresh evaluator on every rank, in blocks as explore cuts
// them (balanced_block: rounds of at most 256 per rank, split by each rank's rate), results gathered to rank 0; rank 0
// reports (the others print nothing). The iteration counts are fixed: every rank must run the
// same number of collective evaluations. docs/dse.md has the figures measured.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>

#include "xpusim/dse/explorer.h"
#include "xpusim/dse/rank_group.h"

#include "dse_spaces.h"

namespace {

using namespace xpusim;

const RankGroup* g_group = nullptr;

// The whole space of `text` across the ranks; counts designs (and ranks) on rank 0.
void evaluate_space(benchmark::State& state, const std::string& text) {
  size_t designs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const DesignEvaluator e = bench::make_evaluator(text);
    const auto idx = design_indices(e.space().grid_size(), SearchStrategy::kGrid, 0, 0);
    (void)g_group->gather("", false);  // rank 0 starts the clock once every rank is ready
    state.ResumeTiming();
    size_t feasible = 0;
    evaluate_designs(e, idx, *g_group, 1, balanced_block(idx.size(), g_group->size(), 256), false,
                     [&](std::vector<DesignResult>& b) {
      for (const auto& r : b) feasible += r.feasibility.feasible() ? 1 : 0;
    });
    benchmark::DoNotOptimize(feasible);
    designs = idx.size();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(designs));
  state.counters["ranks"] = g_group->size();
}

void BM_DseGridRanks(benchmark::State& state) { evaluate_space(state, bench::kSpace); }
BENCHMARK(BM_DseGridRanks)->Iterations(30)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DseDistinctDiesRanks(benchmark::State& state) {
  evaluate_space(state, bench::distinct_dies_space(1024));
}
BENCHMARK(BM_DseDistinctDiesRanks)->Iterations(5)->UseRealTime()->Unit(benchmark::kMillisecond);

// Ranks other than 0 report nothing.
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  auto group = rank_group_from_environment("xpusim_bench_mpi");
  if (!group) {
    std::fprintf(stderr, "%s", to_string(group.error()).c_str());
    return 1;
  }
  g_group = group->get();
  benchmark::Initialize(&argc, argv);
  if (g_group->rank() == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  return 0;
}
