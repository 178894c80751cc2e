// SPDX-License-Identifier: Apache-2.0
// Speed of the serving simulator (issue: serving simulator) and of the step model under it. Bars:
// an MLPerf Offline llama2-70b run on 8 x H100 in under 1 s of CPU, the Server rate search on the
// same system in under 10 s, >= 1,000,000 simulated requests per CPU-minute offline, and one
// memoised step of a mixed batch well under a microsecond. Presets are loaded from data/ (the
// benchmarks measure the shipped configurations); a preset that fails to load skips the benchmark.
// Counters marked "per CPU" use Counter::kIsRate, which divides by the measured (thread) CPU time.
// DoNotOptimize only ever sees const values: libbenchmark 1.7's non-const overload ("+m,r" under
// GCC) may clobber the object it is given, which the counters read afterwards.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/mlperf.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/workload/step_shape.h"

namespace {

using namespace xpusim;

// Diagnostics on one line, for SkipWithError.
std::string text(const Diagnostics& d) {
  std::string t = to_string(d);
  for (char& c : t)
    if (c == '\n') c = ' ';
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// A deployment as the CLI's `serve` builds it, from preset ids.
struct Deployment {
  HardwareSpec hw;
  ModelSpec model;
  SystemConfig config;
};

// Loads the presets; on failure marks `state` skipped (with the diagnostics) and returns nullopt.
std::optional<Deployment> load_deployment(benchmark::State& state, const std::string& hardware,
                                          const std::string& model, int devices, int tp,
                                          Precision precision, const std::string& engine) {
  auto hw = load_hardware(hardware);
  auto m = load_model(model);
  auto e = load_engine(engine);
  std::string error;
  if (!hw) error += "hardware " + hardware + ": " + text(hw.error()) + "; ";
  if (!m) error += "model " + model + ": " + text(m.error()) + "; ";
  if (!e) error += "engine " + engine + ": " + text(e.error()) + "; ";
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return std::nullopt;
  }
  Deployment d;
  d.hw = std::move(*hw);
  d.model = std::move(*m);
  d.config.devices = devices;
  d.config.plan.tp = tp;
  d.config.precision = precision_plan_for(precision);
  d.config.engine = std::move(*e);
  return d;
}

// Compiles the system; on failure (or an infeasible deployment) skips and returns nullptr.
std::unique_ptr<ServingSystem> create_system(benchmark::State& state, const Deployment& d) {
  auto s = ServingSystem::create(d.hw, d.model, d.config, default_calibration());
  if (!s) {
    state.SkipWithError(("ServingSystem::create: " + text(s.error())).c_str());
    return nullptr;
  }
  if (!(*s)->info().feasibility.feasible()) {
    state.SkipWithError(("infeasible deployment: " + (*s)->info().feasibility.to_string()).c_str());
    return nullptr;
  }
  return std::move(*s);
}

std::optional<DatasetSpec> dataset_or_skip(benchmark::State& state, const std::string& id) {
  auto d = load_dataset(id);
  if (!d) {
    state.SkipWithError(("dataset " + id + ": " + text(d.error())).c_str());
    return std::nullopt;
  }
  return std::move(*d);
}

// CPU time of the calling thread (what Google Benchmark reports as CPU time), in seconds.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Counters shared by the offline runs: simulated work per run and CPU throughput.
void report_run(benchmark::State& state, const ServingResult& last, int64_t runs) {
  const auto n = static_cast<double>(runs);
  state.counters["sim_requests"] = static_cast<double>(last.counters.completed);
  state.counters["sim_steps"] = static_cast<double>(last.counters.steps);
  state.counters["sim_output_tok_per_s"] = last.output_tokens_per_s.value();
  state.counters["sim_mean_decode_batch"] = last.mean_decode_batch;
  // Per CPU second (kIsRate divides the total by the CPU time of all iterations).
  state.counters["requests_per_cpu_s"] = benchmark::Counter(
      n * static_cast<double>(last.counters.completed), benchmark::Counter::kIsRate);
  state.counters["steps_per_cpu_s"] =
      benchmark::Counter(n * static_cast<double>(last.counters.steps), benchmark::Counter::kIsRate);
}

// ---- 1. MLPerf Offline llama2-70b on 8 x H100 ---------------------------------------------------
// Bar: one MLPerf Offline run (24,576 samples = the dataset's size and min_query_count) of
// llama2-70b on 8 x h100-sxm-80gb, tp 2 (4 replicas), fp8, TensorRT-LLM profile, in < 1 s of CPU.
constexpr int kMlperfDevices = 8;
constexpr int kMlperfTp = 2;

std::optional<Deployment> mlperf_deployment(benchmark::State& state) {
  return load_deployment(state, "h100-sxm-80gb", "llama-2-70b", kMlperfDevices, kMlperfTp,
                         Precision::kFp8, "trtllm");
}

// The samples an MLPerf Offline run draws (run_mlperf's seed 0 and sample count).
std::vector<RequestSpec> mlperf_offline_samples(const DatasetSpec& ds) {
  const int64_t n = ds.mlperf ? ds.mlperf->min_query_count : ds.size;
  return sample_requests(ds, n, 0).value();
}

// ServingSystem compiled once outside the loop; its device models (and their memos) are reused
// across runs, as in the MLPerf rate search. `bulk`: RunOptions::bulk_decode (the _RowByRow
// variant measures what bulk decoding of the steady rows saves; the runs are the same).
void mlperf_offline(benchmark::State& state, bool bulk) {
  auto d = mlperf_deployment(state);
  if (!d) return;
  auto ds = dataset_or_skip(state, "mlperf-llama2-70b");
  if (!ds) return;
  auto sys = create_system(state, *d);
  if (!sys) return;
  const std::vector<RequestSpec> requests = mlperf_offline_samples(*ds);
  RunOptions options;
  options.beam_width = ds->beam_width;
  options.bulk_decode = bulk;
  ServingResult last;
  int64_t runs = 0;
  for (auto _ : state) {
    auto r = sys->run(requests, ArrivalSpec{}, options);
    if (!r) {
      state.SkipWithError(("run: " + text(r.error())).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->duration.value());
    last = std::move(*r);
    ++runs;
  }
  report_run(state, last, runs);
  if (last.steady_output_tokens_per_s)
    state.counters["sim_steady_output_tok_per_s"] = last.steady_output_tokens_per_s->value();
}
void BM_MlperfOfflineLlama2_70b_8xH100(benchmark::State& state) { mlperf_offline(state, true); }
void BM_MlperfOfflineLlama2_70b_8xH100_RowByRow(benchmark::State& state) {
  mlperf_offline(state, false);
}
BENCHMARK(BM_MlperfOfflineLlama2_70b_8xH100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MlperfOfflineLlama2_70b_8xH100_RowByRow)->Unit(benchmark::kMillisecond);

// The same with ServingSystem::create inside the loop: what one `xpusim serve --mlperf offline`
// pays for the simulation (cold step-model memos included), preset loading excluded.
void BM_MlperfOfflineLlama2_70b_8xH100_WithCreate(benchmark::State& state) {
  auto d = mlperf_deployment(state);
  if (!d) return;
  auto ds = dataset_or_skip(state, "mlperf-llama2-70b");
  if (!ds) return;
  const std::vector<RequestSpec> requests = mlperf_offline_samples(*ds);
  RunOptions options;
  options.beam_width = ds->beam_width;
  ServingResult last;
  int64_t runs = 0;
  for (auto _ : state) {
    auto sys = create_system(state, *d);
    if (!sys) return;
    auto r = sys->run(requests, ArrivalSpec{}, options);
    if (!r) {
      state.SkipWithError(("run: " + text(r.error())).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->duration.value());
    last = std::move(*r);
    ++runs;
  }
  report_run(state, last, runs);
}
BENCHMARK(BM_MlperfOfflineLlama2_70b_8xH100_WithCreate)->Unit(benchmark::kMillisecond);

// ---- 2. MLPerf Server rate search ---------------------------------------------------------------
// Bar: run_mlperf(kServer) on the system of benchmark 1 -- the bisection over Poisson rates, each
// run at least LoadGen's minimum duration, then the confirming run -- in < 10 s of CPU.
void BM_MlperfServerSearchLlama2_70b_8xH100(benchmark::State& state) {
  auto d = mlperf_deployment(state);
  if (!d) return;
  auto ds = dataset_or_skip(state, "mlperf-llama2-70b");
  if (!ds) return;
  auto sys = create_system(state, *d);
  if (!sys) return;
  MlperfResult last;
  for (auto _ : state) {
    auto r = run_mlperf(*sys, *ds, MlperfScenario::kServer);
    if (!r) {
      state.SkipWithError(("run_mlperf: " + text(r.error())).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->max_qps.value());
    last = std::move(*r);
  }
  state.counters["sim_probes"] = static_cast<double>(last.probes.size());
  state.counters["sim_max_qps"] = last.max_qps.value();
  state.counters["sim_tokens_per_s"] = last.tokens_per_s.value();
  state.counters["sim_requests_reported_run"] = static_cast<double>(last.run.counters.completed);
  state.counters["sim_steps_reported_run"] = static_cast<double>(last.run.counters.steps);
  state.counters["valid"] = last.valid ? 1 : 0;
}
BENCHMARK(BM_MlperfServerSearchLlama2_70b_8xH100)->Iterations(1)->Unit(benchmark::kSecond);

// ---- 3. Offline simulated requests per CPU-minute -----------------------------------------------
// Bar: >= 1,000,000 simulated requests per CPU-minute in offline mode. llama-3.1-8b on
// 1 x h100-sxm-80gb, bf16, vLLM profile; 200,000 requests of fixed 200/200 lengths, or drawn from
// the ShareGPT dataset; the fixed lengths also row by row (RunOptions::bulk_decode off). And a
// model with local attention layers, decoded row by row whatever the option (its rows' key sums
// are not running sums: Engine, "Steady decode rows"): gpt-oss-20b (a 128-token window on every
// second layer), fp8, 20,000 requests of 2048/512, every context beyond the window.
enum class OfflineWorkload { kFixed200x200, kShareGpt, kFixed200x200RowByRow, kGptOss2048x512 };
constexpr int64_t kOfflineRequests = 200'000;

void BM_OfflineRequestsPerCpuMinute(benchmark::State& state, OfflineWorkload workload) {
  const bool gpt_oss = workload == OfflineWorkload::kGptOss2048x512;
  auto d =
      gpt_oss
          ? load_deployment(state, "h100-sxm-80gb", "gpt-oss-20b", 1, 1, Precision::kFp8, "vllm")
          : load_deployment(state, "h100-sxm-80gb", "llama-3.1-8b", 1, 1, Precision::kBf16, "vllm");
  if (!d) return;
  std::vector<RequestSpec> requests;
  if (workload == OfflineWorkload::kShareGpt) {
    auto ds = dataset_or_skip(state, "sharegpt");
    if (!ds) return;
    requests = sample_requests(*ds, kOfflineRequests, 0).value();
  } else if (gpt_oss) {
    requests = fixed_length_requests(20'000, 2048, 512, 0, 0, 0).value();
  } else {
    requests = fixed_length_requests(kOfflineRequests, 200, 200, 0, 0, 0).value();
  }
  auto sys = create_system(state, *d);
  if (!sys) return;
  RunOptions options;
  options.bulk_decode = workload != OfflineWorkload::kFixed200x200RowByRow;
  ServingResult last;
  int64_t runs = 0;
  const double cpu_start = thread_cpu_seconds();
  for (auto _ : state) {
    auto r = sys->run(requests, ArrivalSpec{}, options);
    if (!r) {
      state.SkipWithError(("run: " + text(r.error())).c_str());
      return;
    }
    benchmark::DoNotOptimize(r->duration.value());
    last = std::move(*r);
    ++runs;
  }
  const double cpu = thread_cpu_seconds() - cpu_start;
  report_run(state, last, runs);
  // Simulated requests per CPU-minute (a plain value: kIsRate would print it with a "/s" suffix).
  if (cpu > 0)
    state.counters["requests_per_cpu_min"] =
        60.0 * static_cast<double>(runs) * static_cast<double>(last.counters.completed) / cpu;
}
BENCHMARK_CAPTURE(BM_OfflineRequestsPerCpuMinute, fixed_200_200, OfflineWorkload::kFixed200x200)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OfflineRequestsPerCpuMinute, sharegpt, OfflineWorkload::kShareGpt)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OfflineRequestsPerCpuMinute, fixed_200_200_row_by_row,
                  OfflineWorkload::kFixed200x200RowByRow)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OfflineRequestsPerCpuMinute, gpt_oss_20b_2048_512,
                  OfflineWorkload::kGptOss2048x512)
    ->Unit(benchmark::kMillisecond);

// ---- 4. Step model ------------------------------------------------------------------------------
// Bar: DeviceModel::step of a memoised mixed step well under a microsecond (the simulator calls
// it once per engine iteration). llama-3.1-70b, tp 8, bf16, on h100-sxm-80gb.
struct StepFixture {
  HardwareSpec hw;
  ModelSpec model;
  ParallelismPlan plan;
  PrecisionPlan precision;
};

std::optional<StepFixture> step_fixture(benchmark::State& state) {
  auto hw = load_hardware("h100-sxm-80gb");
  auto m = load_model("llama-3.1-70b");
  if (!hw || !m) {
    const std::string error = (hw ? std::string() : "hardware: " + text(hw.error()) + "; ") +
                              (m ? std::string() : "model: " + text(m.error()));
    state.SkipWithError(error.c_str());
    return std::nullopt;
  }
  StepFixture f;
  f.hw = std::move(*hw);
  f.model = std::move(*m);
  f.precision = precision_plan_for(Precision::kBf16);
  f.plan.tp = 8;
  if (auto ok = check_plan(f.model, f.plan); !ok) {
    state.SkipWithError(("plan: " + text(ok.error())).c_str());
    return std::nullopt;
  }
  return f;
}

// A continuous-batching iteration: `chunks` prefill chunks of `chunk_tokens` (the last one ends
// its prompt) and `rows` decode rows at contexts spread over 200 .. 1800 tokens.
StepShape mixed_shape(int64_t chunks, int64_t chunk_tokens, int64_t rows, int window) {
  StepShape s;
  for (int64_t c = 0; c < chunks; ++c)
    add_prefill_chunk(s, chunk_tokens, c * 256, c + 1 == chunks, window);
  for (int64_t r = 0; r < rows; ++r) add_decode(s, 200 + (r * 37) % 1600, window);
  return s;
}

// One memoised mixed step: 4 chunks of 512 prompt tokens + 256 decode rows (2,304 tokens).
void BM_StepModelMixedStep(benchmark::State& state) {
  auto f = step_fixture(state);
  if (!f) return;
  DeviceModel dm =
      DeviceModel::create(f->hw, f->model, f->plan, f->precision, default_calibration()).value();
  const StepShape shape = mixed_shape(4, 512, 256, f->model.sliding_window);
  const StepTime warm = dm.step(shape).value();  // fills the memo for this token count
  for (auto _ : state) {
    const StepTime t = dm.step(shape).value();
    benchmark::DoNotOptimize(t);
  }
  state.counters["sim_step_ms"] = warm.kernels().value() * 1e3;
  state.counters["tokens"] = static_cast<double>(shape.tokens());
}
BENCHMARK(BM_StepModelMixedStep)->Unit(benchmark::kNanosecond);

// 4,096 shapes whose token counts spread over 1 .. 6,656 (0-3 prefill chunks of 1-2,048 tokens,
// 1-512 decode rows): each distinct count misses the memo once per fresh DeviceModel.
std::vector<StepShape> varied_shapes(int window) {
  std::vector<StepShape> shapes;
  shapes.reserve(4096);
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 4096; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto chunks = static_cast<int64_t>((x >> 60) % 4);
    const auto chunk_tokens = 1 + static_cast<int64_t>((x >> 33) % 2048);
    const auto rows = 1 + static_cast<int64_t>((x >> 13) % 512);
    shapes.push_back(mixed_shape(chunks, chunk_tokens, rows, window));
  }
  return shapes;
}

size_t distinct_token_counts(const std::vector<StepShape>& shapes) {
  std::set<int64_t> counts;
  for (const StepShape& s : shapes) counts.insert(s.tokens());
  return counts.size();
}

// Cycles through the 4,096 shapes with a DeviceModel built before the loop: the memo misses of the
// first cycle are amortised over the whole run, as in a long simulation.
void BM_StepModelVaryingTokens(benchmark::State& state) {
  auto f = step_fixture(state);
  if (!f) return;
  DeviceModel dm =
      DeviceModel::create(f->hw, f->model, f->plan, f->precision, default_calibration()).value();
  const std::vector<StepShape> shapes = varied_shapes(f->model.sliding_window);
  size_t i = 0;
  for (auto _ : state) {
    const StepTime t = dm.step(shapes[i]).value();
    benchmark::DoNotOptimize(t);
    if (++i == shapes.size()) i = 0;
  }
  state.counters["shapes"] = static_cast<double>(shapes.size());
  state.counters["distinct_token_counts"] = static_cast<double>(distinct_token_counts(shapes));
}
BENCHMARK(BM_StepModelVaryingTokens)->Unit(benchmark::kNanosecond);

// One cycle through the 4,096 shapes on a fresh DeviceModel (built outside the timing): every
// distinct token count misses the memo once, so this is the mean cost of a step when most steps
// are new -- the worst case a short simulation sees.
void BM_StepModelColdCycle(benchmark::State& state) {
  auto f = step_fixture(state);
  if (!f) return;
  const std::vector<StepShape> shapes = varied_shapes(f->model.sliding_window);
  for (auto _ : state) {
    state.PauseTiming();
    auto dm = std::make_unique<DeviceModel>(
        DeviceModel::create(f->hw, f->model, f->plan, f->precision, default_calibration()).value());
    state.ResumeTiming();
    for (const StepShape& s : shapes) {
      const StepTime t = dm->step(s).value();
      benchmark::DoNotOptimize(t);
    }
  }
  // Per step (kIsIterationInvariantRate: shapes x iterations / CPU time).
  state.counters["steps_per_cpu_s"] = benchmark::Counter(
      static_cast<double>(shapes.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["distinct_token_counts"] = static_cast<double>(distinct_token_counts(shapes));
}
BENCHMARK(BM_StepModelColdCycle)->Unit(benchmark::kMillisecond);

}  // namespace
