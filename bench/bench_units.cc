// SPDX-License-Identifier: Apache-2.0
// Parsing unit-bearing strings sits on the path of every file and every --set override.
#include <benchmark/benchmark.h>

#include "xpusim/units/unit_parser.h"

static void BM_ParseBandwidth(benchmark::State& state) {
  for (auto _ : state) {
    auto q = xpusim::parse_quantity<xpusim::BytesPerSecond::Dimension>("3.35 TB/s");
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_ParseBandwidth);
