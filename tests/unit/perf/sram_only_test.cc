// SPDX-License-Identifier: Apache-2.0
// SRAM-only designs (Groq LPU, Cerebras WSE-3: memory.dram.type sram_only): weights, KV and
// activations live in the last on-chip level (config/hardware_schema.h backing_store), whose
// capacity binds the footprint and whose bandwidth streams the weights -- no division by an absent
// DRAM, no per-chip constant. Also the split-K search that lets a chip of many small units (the
// WSE's 900,000 cores) spread a GEMV over them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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
  // M = 1: every tile converts the whole weight matrix once on the VXM's 5,120 ALUs
  // (compute.vector.lanes_per_unit), at their issue rate where the compiler schedules them
  // (vector_issue_efficiency 1), at the fitted GPU vector_efficiency where dispatched dynamically.
  const double lane_ops = 5120 * 0.9e9;  // per second
  const double ops = 7168.0 * 8192 * cal().dequant_ops_per_weight;
  const Seconds conv_s(ops / lane_ops), conv_d(ops / (lane_ops * cal().vector_efficiency));
  ASSERT_LT(cal().vector_efficiency, 1.0);
  // Dynamic: conversion plus the MMAs of its tile. Static: the conversion binds (25.5 us against
  // ~20 us of MMAs padded to 20 rows: 20 x 7168 x 8192 / (102,400 x 0.9 GHz x the matrix
  // efficiencies)), alone.
  EXPECT_GT(gd.matrix_time, conv_d);
  EXPECT_NEAR(gs.matrix_time.value(), conv_s.value(), conv_s.value() * 1e-9);
  EXPECT_NEAR(conv_s.value(), 25.49e-6, 0.01e-6);
  EXPECT_LT(gs.time, gd.time);
}

TEST(StaticallyScheduled, VectorUnitsIssueAtTheirHardwareRate) {
  // A compiler-scheduled chip loses no vector issue slots to occupancy or latency hiding
  // (vector_issue_efficiency = 1); the fitted GPU vector_efficiency applies to dynamic chips only.
  const HardwareSpec groq = hw("groq-lpu");
  const HardwareSpec dyn = hw("groq-lpu", {"compute.execution=dynamic"});
  EXPECT_DOUBLE_EQ(vector_issue_efficiency(groq, cal()), 1.0);
  EXPECT_DOUBLE_EQ(vector_issue_efficiency(dyn, cal()), cal().vector_efficiency);
  EXPECT_DOUBLE_EQ(vector_issue_efficiency(hw("cerebras-wse-3"), cal()), 1.0);
  EXPECT_DOUBLE_EQ(vector_issue_efficiency(hw("h100-sxm-80gb"), cal()), cal().vector_efficiency);
  // A compute-bound element-wise op (1e12 FLOP, nothing to read): FLOP / (5120 x 0.9 GHz).
  Op ew;
  ew.kind = OpKind::kElementwise;
  ew.flop = FlopCount(1e12);
  const OpResult rs = predict_op(groq, ew, cal());
  const OpResult rd = predict_op(dyn, ew, cal());
  EXPECT_EQ(rs.bound, Bound::kVector);
  EXPECT_NEAR(rs.time.value(), 1e12 / (5120 * 0.9e9), 1e-12);
  EXPECT_GT(rd.time, rs.time);
}

TEST(StaticallyScheduled, NeverSlowerThanTheSameChipDynamicallyScheduled) {
  // Invariant over GEMM shapes, operand formats and both SRAM-only chips (and a GPU described as
  // statically scheduled): the compiler's schedule removes dispatch costs and issue losses, it
  // never adds any.
  const std::vector<GemmShape> shapes = {
      {1, 4096, 4096, 1}, {1, 1280, 8192, 1}, {16, 7168, 8192, 1}, {128, 8192, 3584, 1},
      {2048, 4096, 4096, 1}, {1, 128, 128, 8}};
  const std::vector<GemmOperands> formats = {{Precision::kFp16, Precision::kFp16},
                                             {Precision::kFp16, Precision::kInt8},
                                             {Precision::kInt8, Precision::kInt8},
                                             {Precision::kFp16, Precision::kInt4}};
  for (const char* id : {"groq-lpu", "cerebras-wse-3", "h100-sxm-80gb"}) {
    const HardwareSpec stat = hw(id, {"compute.execution=statically_scheduled"});
    const HardwareSpec dyn = hw(id, {"compute.execution=dynamic"});
    for (const GemmShape& s : shapes) {
      for (const GemmOperands& f : formats) {
        const GemmResult gs = detail::predict_gemm_unchecked(stat, s, f, cal());
        const GemmResult gd = detail::predict_gemm_unchecked(dyn, s, f, cal());
        EXPECT_LE(gs.time.value(), gd.time.value() * (1 + 1e-12))
            << id << " " << s.m << "x" << s.n << "x" << s.k << " " << to_string(f.b);
      }
    }
  }
  // The whole decode step of the published Groq deployment's model.
  const StaticScenario sc = scenario(8, 80, 1, Precision::kInt8);
  const StaticResult rs = simulate_static(hw("groq-lpu"), model("llama-2-70b"), sc, cal()).value();
  const StaticResult rd = simulate_static(hw("groq-lpu", {"compute.execution=dynamic"}),
                                          model("llama-2-70b"), sc, cal())
                              .value();
  EXPECT_LT(rs.tpot, rd.tpot);
}

TEST(StaticallyScheduled, ConversionNeverBindsWhenTheMatrixEngineTakesTheWeightsNatively) {
  // int8 x int8 on the TSP's MXM (int32 accumulation) and fp8 x fp8 on an H100: no weight is
  // converted, so the vector lanes cannot change the GEMM time; weight-only formats (16-bit
  // activations) do depend on them.
  struct Case {
    const char* id;
    GemmOperands native, weight_only;
  };
  const Case cases[] = {
      {"groq-lpu", {Precision::kInt8, Precision::kInt8}, {Precision::kFp16, Precision::kInt8}},
      {"h100-sxm-80gb", {Precision::kFp8, Precision::kFp8}, {Precision::kBf16, Precision::kFp8}},
  };
  for (const Case& c : cases) {
    const HardwareSpec full = hw(c.id);
    const HardwareSpec one_lane = hw(c.id, {"compute.vector.lanes_per_unit=1"});
    for (const GemmShape& s : {GemmShape{1, 7168, 8192, 1}, GemmShape{512, 8192, 8192, 1}}) {
      EXPECT_DOUBLE_EQ(detail::predict_gemm_unchecked(full, s, c.native, cal()).time.value(),
                       detail::predict_gemm_unchecked(one_lane, s, c.native, cal()).time.value())
          << c.id;
      EXPECT_GT(detail::predict_gemm_unchecked(one_lane, s, c.weight_only, cal()).time,
                detail::predict_gemm_unchecked(full, s, c.weight_only, cal()).time)
          << c.id;
    }
  }
  // Not given, the lanes are the FMA lanes (fp32 FLOP / 2): stating that count changes nothing.
  const HardwareSpec h100 = hw("h100-sxm-80gb");
  const HardwareSpec stated = hw("h100-sxm-80gb", {"compute.vector.lanes_per_unit=128"});
  const GemmShape gemv{1, 8192, 8192, 1};
  const GemmOperands w8{Precision::kBf16, Precision::kInt8};
  EXPECT_DOUBLE_EQ(detail::predict_gemm_unchecked(h100, gemv, w8, cal()).time.value(),
                   detail::predict_gemm_unchecked(stated, gemv, w8, cal()).time.value());
}

TEST(StaticallyScheduled, GroqSeventyBLayerAtTp8IsTheConversionOfItsWeights) {
  // Hand check: Llama-2-70B (hidden 8192, 64 query / 8 KV heads of 128, MLP 28672) at tp 8, int8
  // weights, fp16 activations, one decode token. Per chip and layer the weight GEMMs are
  //   QKV  n = (8192 + 2 x 1024) / 8 = 1280, k = 8192   10.49 M weights
  //   O    n = 8192, k = 8192 / 8 = 1024                 8.39 M
  //   up+gate n = 2 x 28672 / 8 = 7168, k = 8192        58.72 M
  //   down n = 8192, k = 28672 / 8 = 3584               29.36 M
  // 106.95 M int8 weights, 2 lane ops each on 5,120 VXM ALUs at 0.9 GHz: 106.95e6 x 2 / 4.608e12
  // = 46.42 us, chained with the MXM (fp16 at 102,400 MACs per cycle, 20 padded rows: ~36 us) and
  // the MEM slices (107 MB at 80 TB/s: 1.3 us), so the conversion is the layer's time.
  const HardwareSpec groq = hw("groq-lpu");
  const GemmOperands w8{Precision::kFp16, Precision::kInt8};
  double conv = 0, layer = 0;
  for (const GemmShape& s : {GemmShape{1, 1280, 8192, 1}, GemmShape{1, 8192, 1024, 1},
                             GemmShape{1, 7168, 8192, 1}, GemmShape{1, 8192, 3584, 1}}) {
    const GemmResult g = detail::predict_gemm_unchecked(groq, s, w8, cal());
    const double c = static_cast<double>(s.n) * static_cast<double>(s.k) * 2 / (5120 * 0.9e9);
    EXPECT_NEAR(g.matrix_time.value(), c, c * 1e-9) << s.n << "x" << s.k;
    EXPECT_EQ(g.bound, Bound::kMatrix);
    // The MEM-slice stream hides behind it but for the overlap loss (< 1%).
    EXPECT_GE(g.time.value(), c);
    EXPECT_LE(g.time.value(), c * 1.01);
    conv += c;
    layer += g.time.value();
  }
  EXPECT_NEAR(conv, 46.42e-6, 0.01e-6);
  // The 80 layers of a token add at least 80 x 46.42 us = 3.71 ms to the TPOT (at most ~300
  // tokens/s per user at tp 8, whatever the stage count); attention, norms, the tp all-reduces
  // and the 79 stage hops add the rest.
  const StaticResult r = simulate_static(groq, model("llama-2-70b"),
                                         scenario(8, 80, 1, Precision::kInt8), cal())
                             .value();
  EXPECT_GE(r.tpot.value(), 80 * layer);
}

// The wafer's fabric (compute.mesh_hop_cycles on a compute.network mesh): a GEMM spread over a
// square region of u cores fills and drains over ~2 sqrt(u) router hops.
TEST(MeshFabric, AGemmPaysTheFillOfItsRegionOnce) {
  const HardwareSpec wse = hw("cerebras-wse-3");
  ASSERT_EQ(wse.compute.network, UnitNetwork::kMesh);
  ASSERT_DOUBLE_EQ(wse.compute.mesh_hop_cycles, 1.0);
  // Hand check: a region of 10,000 cores (side 100): 200 hops at 1.1 GHz = 181.8 ns.
  EXPECT_NEAR(mesh_fill_latency(wse, 10000).value(), 200 / 1.1e9, 1e-15);
  EXPECT_EQ(mesh_fill_latency(hw("h100-sxm-80gb"), 132).value(), 0.0);  // a crossbar
  EXPECT_EQ(mesh_fill_latency(hw("cerebras-wse-3", {"compute.mesh_hop_cycles=0"}), 10000).value(),
            0.0);
  // The GEMM of such a region: the same tiles, later by the fill of the units its tiles occupy.
  const HardwareSpec region = hw("cerebras-wse-3", {"compute.units=10000"});
  const HardwareSpec no_hops =
      hw("cerebras-wse-3", {"compute.units=10000", "compute.mesh_hop_cycles=0"});
  const GemmShape gemv{1, 4096, 4096, 1};
  const GemmOperands fp16{Precision::kFp16, Precision::kFp16};
  const GemmResult g = detail::predict_gemm_unchecked(region, gemv, fp16, cal());
  const GemmResult g0 = detail::predict_gemm_unchecked(no_hops, gemv, fp16, cal());
  EXPECT_EQ(g.tiles, g0.tiles);
  const double active = static_cast<double>(std::min<int64_t>(10000, g.tiles));
  EXPECT_NEAR((g.time - g0.time).value(), 2 * std::sqrt(active) / 1.1e9, 1e-15);
}

TEST(MeshFabric, MoreHopLatencyNeverSpeedsUp) {
  const StaticScenario sc = scenario(1, 1, 1);
  double last = 0;
  for (const char* cycles : {"0", "1", "2", "8"}) {
    const StaticResult r =
        simulate_static(hw("cerebras-wse-3", {std::string("compute.mesh_hop_cycles=") + cycles}),
                        model("llama-3.1-8b"), sc, cal())
            .value();
    EXPECT_GT(r.tpot.value(), last) << cycles;
    last = r.tpot.value();
  }
}

TEST(MeshFabric, AHopLatencyAppliesToAMeshOnly) {
  // On a crossbar the field is ignored (a design search may switch compute.network of a mesh
  // design): no fill, the same GEMM time.
  const HardwareSpec h100 = hw("h100-sxm-80gb");
  const HardwareSpec hops = hw("h100-sxm-80gb", {"compute.mesh_hop_cycles=4"});
  EXPECT_EQ(mesh_fill_latency(hops, 132).value(), 0.0);
  const GemmShape s{4096, 4096, 4096, 1};
  EXPECT_DOUBLE_EQ(predict_gemm(hops, s, Precision::kBf16, cal())->time.value(),
                   predict_gemm(h100, s, Precision::kBf16, cal())->time.value());
  EXPECT_EQ(mesh_fill_latency(hw("cerebras-wse-3", {"compute.network=crossbar"}), 10000).value(),
            0.0);
  // Out of range: an error naming the field and the allowed values.
  auto out = load_hardware("cerebras-wse-3", {"compute.mesh_hop_cycles=5000"});
  ASSERT_FALSE(out);
  EXPECT_NE(to_string(out.error()).find("compute.mesh_hop_cycles: value \"5000\" is out of "
                                        "range; allowed: 0 or >= 0.1 and <= 1000"),
            std::string::npos)
      << to_string(out.error());
}

}  // namespace
}  // namespace xpusim
