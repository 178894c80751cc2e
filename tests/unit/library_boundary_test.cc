// SPDX-License-Identifier: Apache-2.0
// The library boundary (issue 10): every public entry point a caller can reach without the command
// line (Python bindings, MPI ranks) called with the shapes the command line rejects -- a plan that
// cannot shard the model, devices not a multiple of tp x pp, zero, negative and overflowing batch
// and lengths, step shapes with negative or impossible counts, GEMMs and collectives of no size --
// returns an error (a Diagnostic naming the field), never aborts. Just calls and checks the Result:
// an abort fails the whole test binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "unit/perf/test_specs.h"
#include "xpusim/area/area_model.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/cost/wafer.h"
#include "xpusim/cost/yield_model.h"
#include "xpusim/fab/buildout.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_footprint.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::h100_like;
using testing::llama8b_like;
using testing::tp_scenario;

constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();

// The error's text (all diagnostics), for the message checks.
template <class T>
std::string why(const Result<T>& r) {
  return r ? std::string("<no error>") : to_string(r.error());
}

// Expects an error whose text contains `needle`.
#define EXPECT_ERROR(expr, needle)                                                   \
  do {                                                                               \
    const auto result_ = (expr);                                                     \
    EXPECT_FALSE(result_.has_value()) << #expr;                                      \
    EXPECT_NE(why(result_).find(needle), std::string::npos) << #expr << ": " << why(result_); \
  } while (false)

const PerfCalibration& cal() { return default_calibration(); }
const PrecisionPlan kBf16 = precision_plan_for(Precision::kBf16);

ParallelismPlan plan(int tp, int pp = 1, int microbatches = 1) {
  ParallelismPlan p;
  p.tp = tp;
  p.pp = pp;
  p.microbatches = microbatches;
  return p;
}

TEST(LibraryBoundary, PlansTheModelCannotHold) {
  const ModelSpec m = llama8b_like();  // 32 heads, 8 KV heads, 32 layers
  EXPECT_ERROR(check_plan(m, plan(0)), "tp: must be >= 1, got 0");
  EXPECT_ERROR(check_plan(m, plan(3)), "must divide the 32 attention heads");
  EXPECT_ERROR(check_plan(m, plan(1, 33)), "exceeds the 32 layers");
  ModelSpec empty;  // a spec built in code without its sizes
  EXPECT_ERROR(check_plan(empty, plan(1)), "model.layers: must be >= 1");
  // Every function that shards the model checks the plan (tp 0 would divide by zero).
  EXPECT_ERROR(weight_bytes_per_device(m, plan(0), kBf16), "tp");
  EXPECT_ERROR(kv_bytes_per_token_per_device(m, plan(0), kBf16), "tp");
  EXPECT_ERROR(kv_bytes_per_token_per_device(empty, plan(1), kBf16), "model.");
  EXPECT_ERROR(build_prefill(m, plan(3), kBf16, 1, 128), "attention heads");
  EXPECT_ERROR(build_decode_step(m, plan(1, 0), kBf16, 1, 128), "pp: must be >= 1");
  EXPECT_ERROR(build_attention(m, plan(0), kBf16, decode_shape(m, 1, 10), true), "tp");
  EXPECT_ERROR(DeviceModel::create(h100_like(), m, plan(5), kBf16, cal()), "attention heads");
  EXPECT_ERROR(memory_footprint(h100_like(), m, plan(0), kBf16, 1, 128, 16, cal()), "tp");
  EXPECT_ERROR(serving_kv_budget(h100_like(), m, plan(3), kBf16, 8192, 0.9, false, cal()), "tp");
}

TEST(LibraryBoundary, StepShapesWithImpossibleCounts) {
  const ModelSpec m = llama8b_like();
  EXPECT_ERROR(build_step(m, plan(1), kBf16, StepShape{}), "at least one query token");
  StepShape negative;
  negative.decode_tokens = -5;
  negative.sampled_rows = -5;
  EXPECT_ERROR(build_step(m, plan(1), kBf16, negative), "shape.decode_tokens: must be in [0, 2^40]");
  StepShape chunk;  // the add_* helpers never abort: they mark the shape
  add_prefill_chunk(chunk, 0, 0, true, 0);
  add_prefill_chunk(chunk, 10, -1, true, 0);
  add_decode(chunk, 0, 0);
  add_decode(chunk, 10, 0, kHuge);
  EXPECT_EQ(chunk.invalid_segments, 4);
  EXPECT_TRUE(chunk.empty());
  EXPECT_ERROR(check_step_shape(chunk), "4 segment(s) were added with out-of-range arguments");
  StepShape mixed;  // one valid chunk and one invalid row: still rejected
  add_prefill_chunk(mixed, 128, 0, true, 0);
  add_decode(mixed, -3, 0);
  EXPECT_ERROR(build_step(m, plan(1), kBf16, mixed), "1 segment(s)");
  StepShape no_chunks;
  no_chunks.prefill_tokens = 100;
  no_chunks.prefill_max_keys = 100;
  EXPECT_ERROR(check_step_shape(no_chunks), "every chunk holds at least one token");
  StepShape nan_keys;
  nan_keys.decode_tokens = 1;
  nan_keys.decode_max_keys = 1;
  nan_keys.decode_keys = std::nan("");
  EXPECT_ERROR(check_step_shape(nan_keys), "shape.decode_keys: must be finite and >= 0");
  // The static shapes: sizes below 1 and a batch x length beyond 2^40 tokens (no int64 overflow).
  EXPECT_ERROR(build_prefill(m, plan(1), kBf16, 0, 128), "out-of-range");
  EXPECT_ERROR(build_prefill(m, plan(1), kBf16, kHuge, 128), "out-of-range");
  EXPECT_ERROR(build_prefill(m, plan(1), kBf16, 4, -1), "out-of-range");
  EXPECT_ERROR(build_decode_step(m, plan(1), kBf16, 1, 0), "out-of-range");
  EXPECT_ERROR(build_decode_step(m, plan(1), kBf16, kHuge, 10), "out-of-range");

  Result<DeviceModel> dm = DeviceModel::create(h100_like(), m, plan(1), kBf16, cal());
  ASSERT_TRUE(dm) << why(dm);
  EXPECT_ERROR(dm->step(StepShape{}), "at least one query token");
  EXPECT_ERROR(dm->step(negative), "shape.decode_tokens");
  EXPECT_ERROR(dm->step(chunk), "out-of-range arguments");
  EXPECT_ERROR(dm->evaluate(prefill_shape(m, kHuge, kHuge)), "out-of-range arguments");
  EXPECT_ERROR(dm->decode_attention(0, 0, 1), "rows");
  EXPECT_ERROR(dm->decode_attention(4, 2, 10), "rows <= keys");
  EXPECT_ERROR(dm->decode_attention(1, 1, kHuge), "max_keys");
  // The valid shapes still work after the rejected ones (nothing was left half-done).
  EXPECT_TRUE(dm->step(decode_shape(m, 8, 100)));
}

TEST(LibraryBoundary, StaticScenariosTheCommandLineRejects) {
  const HardwareSpec hw = h100_like();
  const ModelSpec m = llama8b_like();
  auto sim = [&](StaticScenario sc) { return simulate_static(hw, m, sc, cal()); };
  StaticScenario sc = tp_scenario(1, 1, 128, 128);
  sc.batch = kHuge;  // `run --batch 9223372036854775807` aborted in graph_builder.cc before
  EXPECT_ERROR(sim(sc), "batch: must be in [1, 2^40]");
  sc.batch = int64_t{1} << 35;  // each size valid, the batch's tokens beyond 2^40
  EXPECT_ERROR(sim(sc), "exceeds 2^40 tokens");
  sc = tp_scenario(1, 0, 128, 128);
  EXPECT_ERROR(sim(sc), "batch");
  sc = tp_scenario(1, 1, -4, 128);
  EXPECT_ERROR(sim(sc), "input_len");
  sc = tp_scenario(1, 1, 128, 0);
  EXPECT_ERROR(sim(sc), "output_len");
  sc = tp_scenario(2, 1, 128, 128);
  sc.devices = 3;
  EXPECT_ERROR(sim(sc), "3 devices is not a multiple of tp x pp = 2");
  sc.devices = 0;
  EXPECT_ERROR(sim(sc), "0 devices");
  sc.devices = -8;
  EXPECT_ERROR(sim(sc), "-8 devices");
  sc = tp_scenario(1, 2, 128, 128);
  sc.plan = plan(1, 2, 4);
  sc.devices = 2;
  EXPECT_ERROR(sim(sc), "4 microbatches for a batch of 2");
  sc = tp_scenario(3, 1, 128, 128);
  EXPECT_ERROR(sim(sc), "attention heads");
  EXPECT_ERROR(smallest_feasible_plan(hw, m, sc, cal()), "attention heads");
  // The DeviceModel overload also checks that the scenario is the device's.
  Result<DeviceModel> dm = DeviceModel::create(hw, m, plan(1), kBf16, cal());
  ASSERT_TRUE(dm);
  StaticScenario other = tp_scenario(2, 1, 128, 128);
  EXPECT_ERROR(simulate_static(*dm, other), "must be the device model's");
  EXPECT_ERROR(memory_footprint(hw, m, plan(1), kBf16, 1, kHuge, 1, cal()), "input_len");
  EXPECT_ERROR(serving_kv_budget(hw, m, plan(1), kBf16, 0, 0.9, false, cal()), "max_step_tokens");
  EXPECT_ERROR(serving_kv_budget(hw, m, plan(1), kBf16, 8192, 0.0, false, cal()), "memory_fraction");
}

TEST(LibraryBoundary, GemmsAndCollectivesOfNoSize) {
  const HardwareSpec hw = h100_like();
  EXPECT_ERROR(predict_gemm(hw, GemmShape{0, 8, 8, 1}, Precision::kBf16, cal()), "m: 0 is out of range; allowed 1 .. 2147483647");
  EXPECT_ERROR(predict_gemm(hw, GemmShape{8, -1, 8, 1}, Precision::kBf16, cal()), "n: -1 is out of range");
  EXPECT_ERROR(predict_gemm(hw, GemmShape{8, 8, 8, 0}, Precision::kBf16, cal()), "batch");
  // `gemm --m/--n/--k 9223372036854775807` printed 8,755 TFLOP/s and negative waves.
  EXPECT_ERROR(predict_gemm(hw, GemmShape{kHuge, kHuge, kHuge, 1}, Precision::kBf16, cal()),
               "m: 9223372036854775807 is out of range");
  EXPECT_ERROR(predict_gemm(hw, GemmShape{1, 1, 1, kHuge}, Precision::kBf16, cal()),
               "batch: 9223372036854775807 is out of range");
  EXPECT_TRUE(predict_gemm(hw, GemmShape{1, 1, 1, 1}, Precision::kBf16, cal()));
  EXPECT_ERROR(predict_collective(hw, CollectiveKind::kAllReduce, units::mib(1), 0, cal()),
               "group of >= 1 devices, got 0");
  EXPECT_ERROR(predict_collective(hw, CollectiveKind::kAllReduce, Bytes(-1.0), 8, cal()), "bytes");
  EXPECT_ERROR(predict_collective(hw, CollectiveKind::kAllGather, Bytes(std::nan("")), 8, cal()),
               "finite");
}

TEST(LibraryBoundary, TokenEconomicsOfAResultThatIsNotASimulation) {
  const HardwareSpec hw = testing::h100_like();
  StaticScenario sc = tp_scenario(1, 1, 128, 128);
  StaticResult made_up;  // "feasible", zero latency: used to abort on a check
  made_up.replicas = 1;
  EXPECT_ERROR(token_economics(hw, sc, made_up), "finite positive latency");
  FleetWork empty_pool;
  empty_pool.devices = 0;
  EXPECT_ERROR(serving_token_economics(hw, kBf16, {empty_pool}, Seconds(1), 10), "pools[0]");
  EXPECT_ERROR(serving_token_economics(hw, kBf16, {}, Seconds(std::nan("")), 10), "wall");
}

TEST(LibraryBoundary, ServingSystemAndWorkloads) {
  const HardwareSpec hw = h100_like();
  SystemConfig c;
  c.plan = plan(2);
  c.devices = 3;
  c.precision = kBf16;
  c.engine.runtime = "vllm";
  EXPECT_ERROR(ServingSystem::create(hw, llama8b_like(), c, cal()), "not a multiple of tp x pp");
  c.plan = plan(1);
  c.devices = 1;
  auto sys = ServingSystem::create(hw, llama8b_like(), c, cal());
  ASSERT_TRUE(sys) << why(sys);
  std::vector<RequestSpec> huge(1);
  huge[0].input_len = kHuge;
  huge[0].output_len = 1;
  EXPECT_ERROR((*sys)->run(huge, ArrivalSpec{}), "input_len + output_len <= 2^40");
  std::vector<RequestSpec> one(1);
  one[0].input_len = 16;
  one[0].output_len = 4;
  RunOptions no_beams;
  no_beams.beam_width = 0;
  EXPECT_ERROR((*sys)->run(one, ArrivalSpec{}, no_beams), "beam_width: must be >= 1");

  EXPECT_ERROR(fixed_length_requests(-1, 128, 16, 0, 0, 1), "must be >= 0, got -1");
  EXPECT_ERROR(fixed_length_requests(10, 0, 16, 0, 0, 1), "input_len");
  EXPECT_ERROR(fixed_length_requests(10, kHuge, 16, 0, 0, 1), "input_len");
  EXPECT_ERROR(fixed_length_requests(10, 16, 16, std::nan(""), 0, 1), "input_stdev");
  DatasetSpec d;  // built in code: input min 5 > max 2, a normal length without spread
  d.input.min = 5;
  d.input.max = 2;
  d.output.kind = LengthDistribution::Kind::kNormal;
  EXPECT_ERROR(sample_requests(d, 10, 1), "needs 1 <= min <= max, got min 5 and max 2");
  EXPECT_ERROR(sample_requests(d, 10, 1), "output: a normal or lognormal length needs");
  d.output.kind = LengthDistribution::Kind::kFixed;
  d.input.min = 1;
  d.input.max = d.output.max = 100;
  d.input.mean = d.output.mean = 10;
  EXPECT_TRUE(sample_requests(d, 10, 1));
  d.prefix.groups = 0;
  EXPECT_ERROR(sample_requests(d, 10, 1), "prefix");
}

TEST(LibraryBoundary, SiliconEconomics) {
  HardwareSpec no_units = h100_like();
  no_units.compute.units = 0;
  EXPECT_FALSE(estimate_area(no_units).has_value());
  EXPECT_ERROR(count_dies_on_grid(DieSize{units::mm(-1), units::mm(10)}, WaferSpec{}), "die width");
  auto murphy = YieldModelRegistry::builtin().create("murphy", {});
  ASSERT_TRUE(murphy);
  EXPECT_ERROR(harvested_yield(**murphy, units::per_cm2(0.1), units::mm2(800),
                               {{10, 12, units::mm2(4)}}),
               "0 <= required <= on_die");
  CostAssumptions bad;
  bad.volume = 0;
  AreaReport area;
  EXPECT_ERROR(estimate_cost(h100_like(), area, bad), "volume");
  CostBreakdown cost;
  EXPECT_ERROR(plan_fabs(h100_like(), cost, CountRate(0)), "units per year must be > 0");
  EXPECT_ERROR(plan_for_budget(h100_like(), cost, Usd(-1)), "budget must be > 0");
}

}  // namespace
}  // namespace xpusim
