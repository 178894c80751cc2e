// SPDX-License-Identifier: Apache-2.0
// Speed of the exact dies-per-wafer grid search (cost/wafer.cc count_dies_on_grid), the bulk of
// a design's cost build-up when every design has a die of its own (issue 8). Each iteration
// counts one die of a sweep of compute-die sizes a design search visits (26 mm wide, as the
// area model sizes a near-reticle die, 20 to 33 mm high; and 8 to 25 mm squares), on the
// default 300 mm wafer with the reticle off, as the cost model calls it. Arg 0: the search as it
// was before issue 8's bound (tests/unit/cost/wafer_reference.cc, the tests' reference); 1: the
// current search.
#include <benchmark/benchmark.h>

#include <vector>

#include "cost/wafer_reference.h"
#include "xpusim/cost/wafer.h"

namespace {

using namespace xpusim;

std::vector<DieSize> die_sweep(bool near_reticle) {
  std::vector<DieSize> dies;
  for (int k = 0; k < 64; ++k) {
    if (near_reticle) {
      dies.push_back({units::mm(26), units::mm(20 + 13.0 * k / 63)});
    } else {
      const double side = 8 + 17.0 * k / 63;
      dies.push_back({units::mm(side), units::mm(side)});
    }
  }
  return dies;
}

void run(benchmark::State& state, bool near_reticle) {
  const std::vector<DieSize> dies = die_sweep(near_reticle);
  WaferSpec wafer;
  wafer.reticle = false;
  const bool reference = state.range(0) == 0;
  size_t i = 0;
  for (auto _ : state) {
    const DieSize& d = dies[i++ % dies.size()];
    auto g = reference ? wafer_reference::reference_count_dies_on_grid(d, wafer)
                       : count_dies_on_grid(d, wafer);
    benchmark::DoNotOptimize(g->full_dies);
  }
  state.SetItemsProcessed(state.iterations());
}

// Compute dies of 520 to 858 mm² (26 mm wide): the distinct-die design space's dies.
void BM_DiesPerWaferLargeDies(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_DiesPerWaferLargeDies)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Square dies of 8 to 25 mm (64 to 625 mm²).
void BM_DiesPerWaferSquareDies(benchmark::State& state) { run(state, false); }
BENCHMARK(BM_DiesPerWaferSquareDies)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
