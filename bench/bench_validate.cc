// SPDX-License-Identifier: Apache-2.0
// Speed of `xpusim validate` on the whole public measured file (855 rows): reading and checking
// the CSV, loading every preset the rows name, and predicting every row -- the 560 serving rows
// are serving simulations (the 45 MLPerf Server rate searches dominate; groups of rows run on
// every core); one calibration evaluation (predictions only, presets already loaded) bounds how
// long `xpusim calibrate` takes.
#include <benchmark/benchmark.h>

#include <string>

#include "xpusim/perf/calibration.h"
#include "xpusim/validate/validator.h"

namespace {

using namespace xpusim;

// The shared data sits next to the repository (../shared); found from this file's path so that
// the benchmark needs no extra compile definition.
std::string public_file() {
  std::string here = __FILE__;                       // <repo>/bench/bench_validate.cc
  std::string repo = here.substr(0, here.rfind("/bench/"));
  return repo + "/../shared/validation/measured_public.csv";
}
const std::string kPublic = public_file();

// The whole command minus printing: parse + prepare + predict + summarise.
void BM_ValidatePublicFile(benchmark::State& state) {
  for (auto _ : state) {
    auto set = load_measured_file(kPublic);
    if (!set) {
      state.SkipWithError("measured_public.csv not readable");
      return;
    }
    ValidationReport rep = Validator(std::move(*set)).run(default_calibration());
    benchmark::DoNotOptimize(rep.overall.mape);
  }
}
BENCHMARK(BM_ValidatePublicFile)->Unit(benchmark::kMillisecond);

// One evaluation of the calibration objective: predictions of every prepared row.
void BM_ValidateRunOnly(benchmark::State& state) {
  auto set = load_measured_file(kPublic);
  if (!set) {
    state.SkipWithError("measured_public.csv not readable");
    return;
  }
  Validator v(std::move(*set));
  for (auto _ : state) {
    ValidationReport rep = v.run(default_calibration());
    benchmark::DoNotOptimize(rep.overall.mape);
  }
}
BENCHMARK(BM_ValidateRunOnly)->Unit(benchmark::kMillisecond);

}  // namespace
