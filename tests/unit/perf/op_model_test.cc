// SPDX-License-Identifier: Apache-2.0
// Per-operator models against hand calculations: bandwidth-bound norms, decode attention bound by
// the KV-cache read (with the GQA re-read constant), compute-bound FlashAttention prefill.
#include "xpusim/perf/op_model.h"

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::h100_like;
using testing::llama70b_like;

const PerfCalibration& cal() { return default_calibration(); }

const Op& find(const OpGraph& g, const std::string& name) {
  for (const auto& lg : g.layers)
    for (const auto& op : lg.ops)
      if (op.name == name) return op;
  for (const auto& op : g.other_ops)
    if (op.name == name) return op;
  static const Op kNone;
  ADD_FAILURE() << "no op " << name;
  return kNone;
}

TEST(OpModel, NormIsBandwidthBoundHandCalculation) {
  // 8192 tokens x 8192 hidden x bf16, read input + residual, write both: 4 x 128 MiB.
  ParallelismPlan plan;
  OpGraph g = build_prefill(llama70b_like(), plan, PrecisionPlan{}, 4, 2048).value();
  const Op& norm = find(g, "attn_norm");
  const double bytes = 4.0 * 8192.0 * 8192.0 * 2.0;
  EXPECT_DOUBLE_EQ(norm.dram_bytes().value(), bytes);
  const HardwareSpec hw = h100_like();
  OpResult r = predict_op(hw, norm, cal());
  const double expect =
      bytes /
      memory_bandwidth(hw, cal()).for_stream(norm.activation_write / norm.dram_bytes()).value();
  EXPECT_EQ(r.bound, Bound::kDram);
  EXPECT_GE(r.time.value(), expect);
  EXPECT_LE(r.time.value(),
            expect * (1.0 + cal().overlap_loss) + cal().kernel_overhead.value() + 1e-12);
}

TEST(OpModel, DecodeAttentionReadsTheKvCache) {
  // Llama-70B at TP 8: 1 KV head per device, 8 query heads share it. 32 sequences x 4096 keys x
  // (K + V) x 128 x 2 B per layer = 64 MiB, plus gqa_kv_reread x 7 extra query heads.
  ParallelismPlan plan;
  plan.tp = 8;
  OpGraph g = build_decode_step(llama70b_like(), plan, PrecisionPlan{}, 32, 4096).value();
  const Op& att = find(g, "attention");
  const double kv = 32.0 * 4096.0 * 2.0 * 128.0 * 2.0;
  EXPECT_DOUBLE_EQ(att.kv_read.value(), kv);
  OpResult r = predict_op(h100_like(), att, cal());
  EXPECT_EQ(r.bound, Bound::kDram);
  const double expect_bytes = att.dram_bytes().value() + kv * 7.0 * cal().gqa_kv_reread;
  EXPECT_NEAR(r.bytes.dram.value(), expect_bytes, 1e-6 * expect_bytes);
  EXPECT_GE(r.time.value(), expect_bytes / (3.35e12 * cal().dram_efficiency));
}

TEST(OpModel, LongerContextNeverFasterInDecode) {
  ParallelismPlan plan;
  plan.tp = 8;
  Seconds prev;
  for (int64_t ctx : {1, 64, 512, 4096, 32768}) {
    OpGraph g = build_decode_step(llama70b_like(), plan, PrecisionPlan{}, 8, ctx).value();
    Seconds t = predict_op(h100_like(), find(g, "attention"), cal()).time;
    EXPECT_GE(t, prev) << ctx;
    prev = t;
  }
}

TEST(OpModel, PrefillAttentionIsComputeBound) {
  ParallelismPlan plan;
  plan.tp = 8;
  OpGraph g = build_prefill(llama70b_like(), plan, PrecisionPlan{}, 1, 8192).value();
  const Op& att = find(g, "attention");
  const HardwareSpec hw = h100_like();
  OpResult r = predict_op(hw, att, cal());
  EXPECT_TRUE(r.bound == Bound::kMatrix || r.bound == Bound::kSpecial);
  EXPECT_GE(r.time, att.flop / peak_matrix_rate(hw, Precision::kBf16));
}

TEST(OpModel, PrefillSoftmaxExpHiddenBehindTheMmas) {
  // softmax_overlap is a fixed model value (1, not fitted): the exp runs on the special-function
  // units beside the matrix engines, so prefill attention costs max(MMA, exp), not their sum.
  ASSERT_EQ(cal().softmax_overlap, 1.0);
  ParallelismPlan plan;
  plan.tp = 8;
  OpGraph g = build_prefill(llama70b_like(), plan, PrecisionPlan{}, 1, 8192).value();
  const Op& att = find(g, "attention");
  ASSERT_GT(att.special_ops, 0.0);
  const HardwareSpec hw = h100_like();
  Op no_exp = att;
  no_exp.special_ops = 0.0;
  const OpResult shipped = predict_op(hw, att, cal());
  const OpResult without = predict_op(hw, no_exp, cal());
  ASSERT_EQ(shipped.bound, Bound::kMatrix);  // the MMAs are the longer of the two here
  EXPECT_DOUBLE_EQ(shipped.time.value(), without.time.value());
  PerfCalibration serial = cal();
  serial.softmax_overlap = 0.0;  // FlashAttention-2-style serialisation costs more
  EXPECT_GT(predict_op(hw, att, serial).time.value(), shipped.time.value());
}

TEST(OpModel, DecodeAttentionHasNoFloorBeyondTheKernelGap) {
  // min_attention_time is a fixed 0 (not fitted): a tiny decode attention costs its few bytes
  // and its runtime's kernel gap, and a floor set by hand would only add to that.
  EXPECT_EQ(cal().min_attention_time.value(), 0.0);
  ParallelismPlan plan;
  plan.tp = 8;
  OpGraph g = build_decode_step(llama70b_like(), plan, PrecisionPlan{}, 1, 1).value();
  const Op& att = find(g, "attention");
  const HardwareSpec hw = h100_like();
  const OpResult r = predict_op(hw, att, cal());
  EXPECT_LT(r.time.value(), cal().kernel_overhead.value() + 1e-6);
  PerfCalibration floor = cal();
  floor.min_attention_time = units::us(20.0);
  EXPECT_GE(predict_op(hw, att, floor).time.value(), 20e-6);
}

TEST(OpModel, CollectiveOpOfGroupOneCostsNothing) {
  Op op;
  op.kind = OpKind::kCollective;
  op.collective = CollectiveKind::kAllReduce;
  op.collective_bytes = units::mib(1);
  op.group = 1;
  EXPECT_EQ(predict_op(h100_like(), op, cal()).time.value(), 0.0);
}

// The device's memory system computed once (what DeviceModel does for every op of every step)
// predicts every op exactly as predict_op computing it per op: GEMMs (dense and grouped MoE),
// attention, vector ops and collectives, on one-die, multi-die and SRAM-only parts, with and
// without a weight-stationary placement (whose GEMM regions get their own memory system).
TEST(OpModel, TheMemorySystemGivenOnceGivesTheSameOps) {
  const ModelSpec model = load_model("mixtral-8x7b").value();
  for (const char* id : {"h100-sxm-80gb", "mi300x", "b200-sxm-180gb", "cerebras-wse-3"}) {
    SCOPED_TRACE(id);
    const HardwareSpec hw = load_hardware(id).value();
    const MemoryBandwidth memory = memory_bandwidth(hw, cal());
    ParallelismPlan plan;
    plan.tp = 2;
    const OpGraph prefill = build_prefill(model, plan, PrecisionPlan{}, 4, 512).value();
    const OpGraph decode = build_decode_step(model, plan, PrecisionPlan{}, 32, 4096).value();
    int ops = 0, placed_regions = 0;
    for (const OpGraph* g : {&prefill, &decode}) {
      std::vector<const Op*> all;
      for (const auto& lg : g->layers)
        for (const auto& op : lg.ops) all.push_back(&op);
      for (const auto& op : g->other_ops) all.push_back(&op);
      for (const Op* op : all) {
        for (const WeightPlacement placement :
             {WeightPlacement{}, WeightPlacement{op->weight_bytes * 10.0, 4}}) {
          const OpResult a = predict_op(hw, *op, cal(), placement);
          const OpResult b = predict_op(hw, memory, *op, cal(), placement);
          EXPECT_EQ(a.time.value(), b.time.value()) << op->name;
          EXPECT_EQ(a.bytes.dram.value(), b.bytes.dram.value()) << op->name;
          EXPECT_EQ(a.bound, b.bound) << op->name;
          EXPECT_EQ(a.utilization, b.utilization) << op->name;
          ++ops;
          if (placement.resident.value() > 0 && op->weight_bytes.value() > 0 &&
              weight_stationary(hw))
            ++placed_regions;
        }
      }
    }
    EXPECT_GT(ops, 20);
    // The Cerebras WSE holds its weights in its cores: its GEMMs took the region path.
    if (std::string(id) == "cerebras-wse-3") {
      EXPECT_GT(placed_regions, 0);
    }
  }
}

}  // namespace
}  // namespace xpusim
