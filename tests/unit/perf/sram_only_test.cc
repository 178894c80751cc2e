// SPDX-License-Identifier: Apache-2.0
// SRAM-only designs (Groq LPU, Cerebras WSE-3: memory.dram.type sram_only): weights, KV and
// activations live in the last on-chip level (config/hardware_schema.h backing_store), whose
// capacity binds the footprint and whose bandwidth streams the weights -- no division by an absent
// DRAM, no per-chip constant. Also the split-K search that lets a chip of many small units (the
// WSE's 900,000 cores) spread a GEMV over them.
#include <gtest/gtest.h>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_footprint.h"
#include "xpusim/perf/static_sim.h"

namespace xpusim {
namespace {

const PerfCalibration& cal() { return default_calibration(); }

HardwareSpec hw(const std::string& id, const std::vector<std::string>& overrides = {}) {
  auto h = load_hardware(id, overrides);
  EXPECT_TRUE(h) << id << ": " << (h ? "" : to_string(h.error()));
  return h ? *h : HardwareSpec{};
}

ModelSpec model(const std::string& id) {
  auto m = load_model(id);
  EXPECT_TRUE(m) << id;
  return m ? *m : ModelSpec{};
}

StaticScenario scenario(int tp, int pp, int64_t batch, Precision weights = Precision::kBf16) {
  StaticScenario sc;
  sc.plan.tp = tp;
  sc.plan.pp = pp;
  sc.devices = tp * pp;
  sc.batch = batch;
  sc.input_len = 1024;
  sc.output_len = 256;
  sc.precision.weights = weights;
  return sc;
}

TEST(SramOnly, FootprintIsCheckedAgainstTheOnChipSram) {
  // 70B in 16-bit on one Groq chip: 141 GB of weights against 220 MiB of SRAM.
  const StaticResult one =
      simulate_static(hw("groq-lpu"), model("llama-3.1-70b"), scenario(1, 1, 1), cal()).value();
  ASSERT_FALSE(one.feasibility.feasible());
  EXPECT_EQ(one.feasibility.reason_name(), "memory");
  EXPECT_DOUBLE_EQ(one.memory.capacity.value(), 220.0 * 1024 * 1024);
  EXPECT_EQ(one.memory.workspace.value(), 0.0);  // no device memory for a GPU runtime's workspace
  EXPECT_NE(one.feasibility.detail.find("but the device has 0.2 GB"), std::string::npos)
      << one.feasibility.detail;
  EXPECT_EQ(one.memory.max_batch, 0);

  // Cerebras: 8B in 16-bit (16 GB) fits the 44 GB of one wafer; 70B needs four wafers.
  const HardwareSpec wse = hw("cerebras-wse-3");
  EXPECT_TRUE(simulate_static(wse, model("llama-3.1-8b"), scenario(1, 1, 1), cal())
                  ->feasibility.feasible());
  EXPECT_FALSE(simulate_static(wse, model("llama-3.1-70b"), scenario(1, 1, 1), cal())
                   ->feasibility.feasible());
  const StaticResult four =
      simulate_static(wse, model("llama-3.1-70b"), scenario(1, 4, 1), cal()).value();
  EXPECT_TRUE(four.feasibility.feasible()) << four.feasibility.to_string();
}

TEST(SramOnly, SeventyBRunsAcrossHundredsOfGroqChips) {
  // Llama-2-70B with int8 weights over 640 chips (tp 8 in a GroqNode, one layer per stage): the
  // per-chip share fits 220 MiB and the run gives finite, positive figures.
  const StaticResult r = simulate_static(hw("groq-lpu"), model("llama-2-70b"),
                                         scenario(8, 80, 1, Precision::kInt8), cal())
                             .value();
  ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  EXPECT_LT(r.memory.total(), r.memory.capacity);
  EXPECT_GT(r.tpot.value(), 0.0);
  EXPECT_LT(r.tpot.value(), 1.0);  // not a division by an absent DRAM bandwidth
  EXPECT_GT(r.output_tokens_per_s.value(), 0.0);
}

TEST(SramOnly, WeightsStreamFromTheOnChipLevel) {
  // A weight-bound decode GEMV (M = 1, 4096 x 14336 bf16 = 117 MB) on Groq: its "dram" bytes are
  // read from the 80 TB/s SRAM at l2_efficiency, not from a zero DRAM bandwidth.
  const HardwareSpec groq = hw("groq-lpu");
  EXPECT_DOUBLE_EQ(streaming_bandwidth(groq, cal()).value(), 80e12 * cal().l2_efficiency);
  const HardwareSpec h100 = hw("h100-sxm-80gb");
  EXPECT_DOUBLE_EQ(streaming_bandwidth(h100, cal()).value(), 3.35e12 * cal().dram_efficiency);
  const GemmShape gemv{1, 14336, 4096, 1};
  const GemmResult g = predict_gemm(groq, gemv, Precision::kFp16, cal()).value();
  EXPECT_GE(g.dram_time.value(), g.bytes.dram.value() / (80e12 * cal().l2_efficiency) * (1 - 1e-12));
  EXPECT_LT(g.time.value(), 1e-3);
  // More on-chip bandwidth never makes it slower; less never faster.
  const GemmResult wide =
      predict_gemm(hw("groq-lpu", {"memory.l2.bandwidth=160 TB/s"}), gemv, Precision::kFp16, cal())
          .value();
  const GemmResult narrow =
      predict_gemm(hw("groq-lpu", {"memory.l2.bandwidth=20 TB/s"}), gemv, Precision::kFp16, cal())
          .value();
  EXPECT_LE(wide.time, g.time);
  EXPECT_GE(narrow.time, g.time);
  EXPECT_GT(narrow.dram_time, g.dram_time);
}

TEST(SramOnly, ManySmallUnitsSplitKToFillTheWafer) {
  // A 4096 x 4096 GEMV on 900,000 cores of 8 MAC/cycle. With at most 16-way split-K and 16-row
  // tiles (the GPU library search) the best tile would be 16 x 32 x 256 MACs on one core: 131,072
  // MACs / 8.8 GMAC/s = 15 us. With rows down to min_m = 1 and split-K while the jobs fit two
  // waves, the 48 KiB core keeps a 1 x 32 x 128 tile (tk 128 fits) and K / 128 = 32-way split:
  // 4,096 MACs per core, < 1 us.
  const HardwareSpec wse = hw("cerebras-wse-3");
  const GemmResult g = predict_gemm(wse, GemmShape{1, 4096, 4096, 1}, Precision::kBf16, cal()).value();
  EXPECT_EQ(g.tile.m, 1);
  EXPECT_EQ(g.tiles, 4096 / g.tile.n * (4096 / g.tile.k));
  EXPECT_EQ(g.waves, 1);
  const double rate = 8 * 1.1e9 * cal().matrix_efficiency * cal().runtime_matrix_efficiency;
  EXPECT_NEAR(g.matrix_time.value(), 1.0 * g.tile.n * g.tile.k / rate, 1e-15);
  EXPECT_LT(g.matrix_time.value(), 1e-6);
  // A GPU keeps its library tiles: never fewer than 16 rows.
  const GemmResult h = predict_gemm(hw("h100-sxm-80gb"), GemmShape{1, 4096, 4096, 1},
                                    Precision::kBf16, cal())
                           .value();
  EXPECT_GE(h.tile.m, 16);
}

TEST(StaticallyScheduled, NoLaunchGapsHostStepsOrCollectiveSetUp) {
  // The same chip described both ways (compute.execution, not the preset id): statically scheduled,
  // a GEMM costs its kernel time alone, a collective its link time alone, and a decode step no
  // runtime step cost; dynamically scheduled, each pays the runtime profile's overheads.
  ASSERT_GT(cal().kernel_overhead.value(), 0.0);
  ASSERT_GT(cal().collective_latency.value(), 0.0);
  ASSERT_GT(cal().step_overhead.value(), 0.0);
  const HardwareSpec stat = hw("groq-lpu");
  const HardwareSpec dyn = hw("groq-lpu", {"compute.execution=dynamic"});
  ASSERT_EQ(stat.compute.execution, Execution::kStaticallyScheduled);
  EXPECT_EQ(hw("h100-sxm-80gb").compute.execution, Execution::kDynamic);  // the default
  const GemmShape gemv{1, 4096, 4096, 1};
  const GemmResult gs = predict_gemm(stat, gemv, Precision::kFp16, cal()).value();
  const GemmResult gd = predict_gemm(dyn, gemv, Precision::kFp16, cal()).value();
  EXPECT_DOUBLE_EQ(gd.time.value(), gs.time.value() + cal().kernel_overhead.value());
  EXPECT_DOUBLE_EQ(gs.isolated_call_time.value(), gs.time.value());
  EXPECT_NE(gs.bound, Bound::kLatency);
  const Bytes msg(1 << 20);
  const CollectiveResult cs =
      predict_collective(stat, CollectiveKind::kAllReduce, msg, 8, cal()).value();
  const CollectiveResult cd =
      predict_collective(dyn, CollectiveKind::kAllReduce, msg, 8, cal()).value();
  EXPECT_NEAR(cd.time.value() - cs.time.value(), cal().collective_latency.value(), 1e-15);
  // A decode step: TPOT drops by at least the step cost and a gap per kernel.
  const StaticScenario sc = scenario(8, 80, 1, Precision::kInt8);
  const StaticResult rs = simulate_static(stat, model("llama-2-70b"), sc, cal()).value();
  const StaticResult rd = simulate_static(dyn, model("llama-2-70b"), sc, cal()).value();
  EXPECT_GT(rd.tpot.value() - rs.tpot.value(),
            cal().step_overhead.value() + 80 * cal().kernel_overhead.value());
  // Cerebras WSE-3 is described the same way.
  EXPECT_EQ(hw("cerebras-wse-3").compute.execution, Execution::kStaticallyScheduled);
}

}  // namespace
}  // namespace xpusim
