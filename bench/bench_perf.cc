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

// Batch 32, 2048-token prompts, `output_len` tokens out, tensor parallelism 8 on 8 devices.
StaticScenario tp8_scenario(int64_t output_len) {
  StaticScenario sc;
  sc.plan.tp = 8;
  sc.devices = 8;
  sc.batch = 32;
  sc.input_len = 2048;
  sc.output_len = output_len;
  return sc;
}

// Args: output_len.
void BM_StaticLlama70bTp8(benchmark::State& state) {
  const HardwareSpec hw = testing::h100_like();
  const ModelSpec model = testing::llama70b_like();
  const StaticScenario sc = tp8_scenario(state.range(0));
  const PerfCalibration& cal = default_calibration();
  for (auto _ : state) {
    StaticResult r = simulate_static(hw, model, sc, cal).value();
    benchmark::DoNotOptimize(r.e2e_latency.value());  // a const value (see bench_serving.cc)
  }
}
BENCHMARK(BM_StaticLlama70bTp8)->Arg(256)->Arg(2048)->Unit(benchmark::kMicrosecond);

// The same scenario on a part whose TDP binds (the H100-like spec on N4 at 350 W, below its
// dense-GEMM power): each power-limited phase is timed at every clock the sustained-clock solver
// tries (perf/sustained_clock.h, about ten evaluations), so this is the cost of the power model's
// self-consistent clock over BM_StaticLlama70bTp8.
void BM_StaticLlama70bTp8PowerLimited(benchmark::State& state) {
  HardwareSpec hw = testing::h100_like();
  hw.physical.compute_die.count = 1;
  hw.physical.compute_die.node = "n4";
  hw.physical.tdp = units::watts(350);
  const ModelSpec model = testing::llama70b_like();
  const StaticScenario sc = tp8_scenario(state.range(0));
  const PerfCalibration& cal = default_calibration();
  const StaticResult probe = simulate_static(hw, model, sc, cal).value();
  if (!probe.prefill_clock.power_limited) state.SkipWithError("the TDP does not bind");
  for (auto _ : state) {
    StaticResult r = simulate_static(hw, model, sc, cal).value();
    benchmark::DoNotOptimize(r.e2e_latency.value());  // a const value (see bench_serving.cc)
  }
}
BENCHMARK(BM_StaticLlama70bTp8PowerLimited)->Arg(256)->Unit(benchmark::kMicrosecond);

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
