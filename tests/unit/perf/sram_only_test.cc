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
#include "xpusim/perf/op_model.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/workload/graph_builder.h"

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
  EXPECT_DOUBLE_EQ(streaming_bandwidth(h100, cal()).value(),
                   3.35e12 * cal().dram_efficiency * (1 - 160.0 / 3900.0));  // HBM3 refresh
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

// Weights stationary in the units' own memories (issue 9): the Cerebras WSE holds its weights in
// the 48 KiB of each core (memory.l1 is the backing store), so a weight GEMM runs on the cores
// holding that matrix, units x its share of the device's weights; Groq's MEM slices (memory.l2)
// stream weights to the MXM and a GPU has DRAM: neither is weight-stationary.
TEST(WeightStationary, FollowsTheBackingStoreNotThePreset) {
  EXPECT_TRUE(weight_stationary(hw("cerebras-wse-3")));
  EXPECT_FALSE(weight_stationary(hw("groq-lpu")));
  EXPECT_FALSE(weight_stationary(hw("h100-sxm-80gb")));
  const HardwareSpec wse = hw("cerebras-wse-3");
  EXPECT_EQ(weight_region_units(wse, Bytes(1e9), Bytes(16e9)), 900000 / 16);
  EXPECT_EQ(weight_region_units(wse, Bytes(16e9), Bytes(16e9)), 900000);
  EXPECT_EQ(weight_region_units(wse, Bytes(1), Bytes(16e9)), 1);           // at least one unit
  EXPECT_EQ(weight_region_units(wse, Bytes(1e9), Bytes(0)), 900000);       // nothing resident
  EXPECT_EQ(weight_region_units(wse, Bytes(0), Bytes(16e9)), 900000);      // no weights (attention)
}

TEST(WeightStationary, AGemmRunsOnTheRegionHoldingItsWeights) {
  // The decode qkv projection of Llama-3.1-8B (M = 1, 4096 x 6144 fp16, 50 MB) on the wafer: with
  // the 16 GB the wafer holds, its region is 900,000 x 50 MB / 16 GB ~ 2,800 cores, not the
  // 6,144 cores the whole-wafer split-K search takes: slower, and exactly the whole-wafer GEMM
  // on a chip of that many cores.
  const HardwareSpec wse = hw("cerebras-wse-3");
  const ModelSpec m = model("llama-3.1-8b");
  ParallelismPlan plan;
  PrecisionPlan prec;
  prec.weights = prec.activations = prec.kv_cache = Precision::kFp16;
  const Bytes resident = weight_bytes_per_device(m, plan, prec).value();
  const OpGraph g = build_decode_step(m, plan, prec, 1, 256).value();
  const Op* qkv = nullptr;
  for (const Op& op : g.layers.front().ops)
    if (op.name == "qkv_proj") qkv = &op;
  ASSERT_NE(qkv, nullptr);
  const int region = weight_region_units(wse, qkv->weight_bytes, resident);
  EXPECT_NEAR(region, 900000.0 * qkv->weight_bytes.value() / resident.value(), 1.0);
  const OpResult whole = predict_op(wse, *qkv, cal());
  const OpResult placed = predict_op(wse, *qkv, cal(), WeightPlacement{resident, 129});
  EXPECT_GT(placed.time, whole.time);
  const OpResult same = predict_op(
      hw("cerebras-wse-3", {"compute.units=" + std::to_string(region)}), *qkv, cal());
  EXPECT_DOUBLE_EQ(placed.time.value(), same.time.value());
  // A 128-row prefill of the same projection: the rows stream through the 129 regions of the step,
  // so the GEMM is charged its 128-row time x (1 + 127 / 129) / 128, not all of it.
  Op rows = *qkv;
  rows.gemm.m = 128;
  const OpResult region128 = predict_op(
      hw("cerebras-wse-3", {"compute.units=" + std::to_string(region)}), rows, cal());
  EXPECT_NEAR(predict_op(wse, rows, cal(), WeightPlacement{resident, 129}).time.value(),
              region128.time.value() * (1.0 + 127.0 / 129.0) / 128.0, 1e-15);
  EXPECT_DOUBLE_EQ(predict_op(wse, rows, cal(), WeightPlacement{resident, 1}).time.value(),
                   region128.time.value());
  // Not weight-stationary: the resident bytes change nothing (a GPU, Groq).
  for (const char* id : {"h100-sxm-80gb", "groq-lpu"}) {
    const HardwareSpec h = hw(id);
    EXPECT_DOUBLE_EQ(predict_op(h, *qkv, cal(), WeightPlacement{resident, 129}).time.value(),
                     predict_op(h, *qkv, cal()).time.value())
        << id;
  }
}

TEST(WeightStationary, BatchOneDecodeSeesOneRegionAtATimeAndStaysMonotonic) {
  // Llama-3.1-8B fp16, batch 1 on one wafer. GEMM i runs on units x W_i / W cores (W the resident
  // weights) at 8 MAC per cycle each, so it takes at least (W_i / 2 B) / (units x W_i / W x 8 x
  // clock) = (W / 2 B) / (units x 8 x clock): every weight GEMM of the token costs about the whole
  // model's MACs on the whole wafer, and a decode step at least that times the GEMMs it passes.
  StaticScenario sc = scenario(1, 1, 1, Precision::kFp16);
  sc.precision.activations = sc.precision.kv_cache = Precision::kFp16;
  sc.input_len = sc.output_len = 128;
  const ModelSpec m = model("llama-3.1-8b");
  const HardwareSpec wse = hw("cerebras-wse-3");
  const StaticResult r = simulate_static(wse, m, sc, cal()).value();
  ASSERT_TRUE(r.feasibility.feasible());
  const Bytes resident = weight_bytes_per_device(m, sc.plan, sc.precision).value();
  const OpGraph g = build_decode_step(m, sc.plan, sc.precision, 1, 256).value();
  double gemms = 0;
  for (const Op& op : g.layers.front().ops)
    if (op.kind == OpKind::kGemm && op.weight_bytes.value() > 0) gemms += m.layers * op.count;
  for (const Op& op : g.other_ops)
    if (op.kind == OpKind::kGemm && op.weight_bytes.value() > 0) gemms += op.count;
  EXPECT_EQ(gemms, 32 * 4 + 1);  // qkv, o, gate+up, down per layer; the LM head
  const double per_gemm = resident.value() / 2.0 / (900000.0 * 8 * 1.1e9);
  EXPECT_GT(r.tpot.value(), gemms * per_gemm);
  // More cores, more per-core SRAM bandwidth, a faster clock: never slower.
  for (const std::string& o : {std::string("compute.units=950000"),
                               std::string("memory.l1.bandwidth=46 GB/s"),
                               std::string("compute.clock=1.2 GHz")}) {
    const StaticResult more = simulate_static(hw("cerebras-wse-3", {o}), m, sc, cal()).value();
    EXPECT_LE(more.tpot.value(), r.tpot.value() * (1 + 1e-12)) << o;
  }
}

TEST(StaticallyScheduled, WeightConversionOverlapsTheMatrixEngine) {
  // Weight-only int8 GEMV on Groq (fp16 activations: the MXM runs fp16, the VXM converts each
  // weight). Statically scheduled, the VXM feeds the MXM over the streams in the same cycles:
  // matrix time = max(MMAs, conversion); the same chip dynamically scheduled converts in the
  // same warps before the MMAs: the sum (the tile searches may then pick different tiles).
  const GemmShape gemv{1, 7168, 8192, 1};
  const GemmOperands w8{Precision::kFp16, Precision::kInt8};
  const HardwareSpec stat = hw("groq-lpu");
  const HardwareSpec dyn = hw("groq-lpu", {"compute.execution=dynamic"});
  const GemmResult gs = detail::predict_gemm_unchecked(stat, gemv, w8, cal());
  const GemmResult gd = detail::predict_gemm_unchecked(dyn, gemv, w8, cal());
  // M = 1: every tile converts the whole weight matrix once.
  const double conv_rate = 5120 / 2.0 * 0.9e9 * cal().vector_efficiency;  // lane ops per second
  const Seconds conv(1.0 * 7168 * 8192 * cal().dequant_ops_per_weight / conv_rate);
  // Dynamic: conversion plus the MMAs of its tile. Static: the conversion binds (~118 us against
  // ~20 us of padded MMAs), and the tile the dynamic chip chose is no better for it.
  EXPECT_GT(gd.matrix_time, conv);
  EXPECT_GE(gs.matrix_time.value(), conv.value() * (1 - 1e-12));
  EXPECT_LE(gs.matrix_time.value(),
            std::max(conv.value(), (gd.matrix_time - conv).value()) * (1 + 1e-9));
  EXPECT_LT(gs.time, gd.time);
}

}  // namespace
}  // namespace xpusim
