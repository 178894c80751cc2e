// SPDX-License-Identifier: Apache-2.0
// Speed of the performance model: one full static scenario of a Llama-3.1-70B-shaped model on 8
// devices with tensor parallelism 8 (prefill + every decode step) must cost < 1 ms of CPU, and a
// single GEMM prediction a few microseconds. Specs are built in C++ (tests/unit/perf/test_specs.h)
// so the benchmark does not depend on preset files.
#include <benchmark/benchmark.h>

#include "unit/perf/test_specs.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/static_sim.h"

namespace {

using namespace xpusim;

// Args: output_len.
void BM_StaticLlama70bTp8(benchmark::State& state) {
  const HardwareSpec hw = testing::h100_like();
  const ModelSpec model = testing::llama70b_like();
  StaticScenario sc;
  sc.plan.tp = 8;
  sc.devices = 8;
  sc.batch = 32;
  sc.input_len = 2048;
  sc.output_len = state.range(0);
  const PerfCalibration& cal = default_calibration();
  for (auto _ : state) {
    StaticResult r = simulate_static(hw, model, sc, cal).value();
    benchmark::DoNotOptimize(r.e2e_latency.value());  // a const value (see bench_serving.cc)
  }
}
BENCHMARK(BM_StaticLlama70bTp8)->Arg(256)->Arg(2048)->Unit(benchmark::kMicrosecond);

// Args: m (n = k = 8192).
void BM_Gemm(benchmark::State& state) {
  const HardwareSpec hw = testing::h100_like();
  const PerfCalibration& cal = default_calibration();
  const GemmShape shape{state.range(0), 8192, 8192, 1};
  for (auto _ : state) {
    GemmResult r = predict_gemm(hw, shape, Precision::kBf16, cal).value();
    benchmark::DoNotOptimize(r.time.value());  // a const value (see bench_serving.cc)
  }
}
BENCHMARK(BM_Gemm)->Arg(1)->Arg(32)->Arg(8192)->Unit(benchmark::kMicrosecond);

}  // namespace
