// SPDX-License-Identifier: Apache-2.0
// Routed experts in their own format (PrecisionPlan::expert_weights / expert_activations,
// --expert-precision): the plan's normal form, the graph's formats and bytes per op, the weights
// a device holds, the executed plan per class, the step times between the uniform plans, and the
// power model's matrix activity per format.
#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/perf/sustained_clock.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

using testing::h100_like;
using testing::llama8b_like;
using testing::mixtral8x7b_like;

const PrecisionPlan kBf16Fp4Experts =
    precision_plan_for(Precision::kBf16, std::nullopt, Precision::kFp4);

TEST(ExpertPrecision, PlanKeepsOnlyTheFormatsThatDiffer) {
  // fp4 experts take the NVFP4 recipe's weights and activations; the rest and the KV stay bf16.
  EXPECT_EQ(kBf16Fp4Experts.weights, Precision::kBf16);
  EXPECT_EQ(kBf16Fp4Experts.kv_cache, Precision::kBf16);
  EXPECT_EQ(kBf16Fp4Experts.expert_weights, Precision::kFp4);
  EXPECT_EQ(kBf16Fp4Experts.expert_activations, Precision::kFp4);
  EXPECT_TRUE(kBf16Fp4Experts.mixed());
  EXPECT_EQ(kBf16Fp4Experts.experts().math(), Precision::kFp4);
  EXPECT_FALSE(kBf16Fp4Experts.experts().mixed());
  // int4 experts are weight-only: only their weights differ.
  const PrecisionPlan int4 = precision_plan_for(Precision::kBf16, std::nullopt, Precision::kInt4);
  EXPECT_EQ(int4.expert_weights, Precision::kInt4);
  EXPECT_FALSE(int4.expert_activations.has_value());
  EXPECT_EQ(int4.experts().math(), Precision::kBf16);
  // Experts in the plan's own format: the uniform plan itself.
  for (Precision p : {Precision::kBf16, Precision::kFp8, Precision::kFp4, Precision::kInt4}) {
    EXPECT_EQ(precision_plan_for(p, std::nullopt, p), precision_plan_for(p)) << to_string(p);
    EXPECT_FALSE(precision_plan_for(p).mixed());
    EXPECT_EQ(precision_plan_for(p).experts(), precision_plan_for(p));
  }
}

TEST(ExpertPrecision, RoutedExpertGemmsAloneTakeTheExpertFormats) {
  const ModelSpec m = mixtral8x7b_like();
  const OpGraph mixed = build_decode_step(m, ParallelismPlan{}, kBf16Fp4Experts, 16, 1000).value();
  const OpGraph bf16 =
      build_decode_step(m, ParallelismPlan{}, precision_plan_for(Precision::kBf16), 16, 1000)
          .value();
  int experts = 0;
  for (size_t g = 0; g < mixed.layers.size(); ++g) {
    for (size_t i = 0; i < mixed.layers[g].ops.size(); ++i) {
      const Op& op = mixed.layers[g].ops[i];
      const Op& ref = bf16.layers[g].ops[i];
      ASSERT_EQ(op.name, ref.name);
      if (op.grouped) {
        ++experts;
        EXPECT_EQ(op.weight_precision, Precision::kFp4) << op.name;
        EXPECT_EQ(op.math_precision, Precision::kFp4) << op.name;
        // NVFP4 weights and inputs: 4.5 bits stored against 16.
        EXPECT_DOUBLE_EQ(op.weight_bytes.value(), ref.weight_bytes.value() * 4.5 / 16) << op.name;
        EXPECT_DOUBLE_EQ(op.activation_read.value(), ref.activation_read.value() * 4.5 / 16)
            << op.name;
        EXPECT_DOUBLE_EQ(op.flop.value(), ref.flop.value()) << op.name;
      } else {
        EXPECT_EQ(op.weight_precision, ref.weight_precision) << op.name;
        EXPECT_EQ(op.math_precision, ref.math_precision) << op.name;
        EXPECT_DOUBLE_EQ(op.dram_bytes().value(), ref.dram_bytes().value()) << op.name;
      }
    }
  }
  EXPECT_EQ(experts, 2);  // experts_up, experts_down
}

TEST(ExpertPrecision, DeviceHoldsTheRoutedExpertsAtTheirWidth) {
  const ModelSpec m = mixtral8x7b_like();
  ParallelismPlan ep2;
  ep2.tp = 2;
  ep2.ep = 2;
  const double bf16 =
      weight_bytes_per_device(m, ep2, precision_plan_for(Precision::kBf16))->value();
  const double mixed = weight_bytes_per_device(m, ep2, kBf16Fp4Experts)->value();
  // Routed expert parameters on one device: layers x experts / ep x 3 matrices x hidden x ffn /
  // (tp / ep), each 2 - 0.5625 bytes narrower (NVFP4: 4.5 bits stored).
  const double routed = 1.0 * m.layers * (m.moe.experts / 2) * 3.0 * m.hidden *
                        static_cast<double>(m.moe.expert_ffn);
  EXPECT_NEAR(bf16 - mixed, routed * (2.0 - 0.5625), 1e-9 * bf16);
}

TEST(ExpertPrecision, EachClassFallsBackOnItsOwn) {
  // Hopper has no fp4 engine: the experts run W4A16, the bf16 rest as asked.
  const PrecisionPlan h100 = executed_precision_plan(h100_like(), kBf16Fp4Experts);
  EXPECT_EQ(h100.activations, Precision::kBf16);
  EXPECT_EQ(h100.expert_weights, Precision::kFp4);
  EXPECT_FALSE(h100.expert_activations.has_value());  // bf16, as the rest
  EXPECT_EQ(executed_expert_math(h100_like(), kBf16Fp4Experts).math, Precision::kBf16);
  EXPECT_TRUE(executed_expert_math(h100_like(), kBf16Fp4Experts).weight_only_fallback);
  EXPECT_FALSE(executed_math(h100_like(), kBf16Fp4Experts).weight_only_fallback);
  EXPECT_EQ(precision_fallback_note(h100_like(), kBf16Fp4Experts).value_or(""),
            "routed experts: fp4 GEMMs run as bf16 on h100-test (no fp4 matrix engine): "
            "weight-only, fp4 weights dequantised to bf16, bf16 activations");
  // fp8 attention with fp4 experts on Hopper: both clauses, each its own.
  const PrecisionPlan fp8_fp4 = precision_plan_for(Precision::kFp8, std::nullopt, Precision::kFp4);
  EXPECT_EQ(executed_math(h100_like(), fp8_fp4).math, Precision::kFp8);
  EXPECT_EQ(executed_expert_math(h100_like(), fp8_fp4).math, Precision::kBf16);
  // Blackwell has the fp4 engine: the plan runs as asked.
  const HardwareSpec b200 = load_hardware("b200-sxm-180gb").value();
  EXPECT_EQ(executed_precision_plan(b200, kBf16Fp4Experts), kBf16Fp4Experts);
  EXPECT_FALSE(precision_fallback_note(b200, kBf16Fp4Experts));
}

StaticResult static_run(const HardwareSpec& hw, const PrecisionPlan& p) {
  StaticScenario sc;
  sc.batch = 16;
  sc.input_len = 1024;
  sc.output_len = 128;
  sc.precision = p;
  return simulate_static(hw, mixtral8x7b_like(), sc, default_calibration()).value();
}

TEST(ExpertPrecision, MixedPlanRunsBetweenTheUniformPlans) {
  const HardwareSpec b200 = load_hardware("b200-sxm-180gb").value();
  const StaticResult bf16 = static_run(b200, precision_plan_for(Precision::kBf16));
  const StaticResult fp4 = static_run(b200, precision_plan_for(Precision::kFp4, Precision::kBf16));
  const StaticResult mixed = static_run(b200, kBf16Fp4Experts);
  ASSERT_TRUE(bf16.feasibility.feasible() && fp4.feasibility.feasible() &&
              mixed.feasibility.feasible());
  EXPECT_LT(mixed.tpot.value(), bf16.tpot.value());
  EXPECT_GT(mixed.tpot.value(), fp4.tpot.value());
  EXPECT_LT(mixed.ttft.value(), bf16.ttft.value());
  EXPECT_GT(mixed.ttft.value(), fp4.ttft.value());
  EXPECT_LT(mixed.memory.weights.value(), bf16.memory.weights.value());
  EXPECT_GT(mixed.memory.weights.value(), fp4.memory.weights.value());
  // A uniform plan written with --expert-precision equal to --precision is the same run.
  const StaticResult same = static_run(
      b200, precision_plan_for(Precision::kFp8, std::nullopt, Precision::kFp8));
  const StaticResult fp8 = static_run(b200, precision_plan_for(Precision::kFp8));
  EXPECT_EQ(same.tpot.value(), fp8.tpot.value());
  EXPECT_EQ(same.ttft.value(), fp8.ttft.value());
}

TEST(ExpertPrecision, StepSplitsTheExpertFlopAndThePowerModelCountsItInItsFormat) {
  const HardwareSpec b200 = load_hardware("b200-sxm-180gb").value();
  DeviceModel dm = DeviceModel::create(b200, mixtral8x7b_like(), ParallelismPlan{},
                                       kBf16Fp4Experts, default_calibration())
                       .value();
  StepShape s;
  add_prefill_chunk(s, 2048, 0, true, 0);
  const StepTime t = dm.step(s).value();
  EXPECT_GT(t.expert_flop.value(), 0);
  EXPECT_GT(t.gemm_flop.value(), 0);
  // Routed experts: 2 of 8 experts per token, 2 x 3 x hidden x expert_ffn FLOP per token each.
  const ModelSpec m = mixtral8x7b_like();
  EXPECT_NEAR(t.expert_flop.value(),
              2048.0 * m.layers * m.moe.experts_per_token * 6.0 * m.hidden * m.moe.expert_ffn,
              1e-9 * t.expert_flop.value());
  DeviceWork w;
  w.expert_flop = t.expert_flop;
  const ActivityRates experts = device_activity(b200, kBf16Fp4Experts, w, Seconds(1));
  EXPECT_GT(experts.matrix[index_of(Precision::kFp4)].value(), 0);
  EXPECT_EQ(experts.matrix[index_of(Precision::kBf16)].value(), 0);
  w = DeviceWork{};
  w.gemm_flop = t.gemm_flop;
  const ActivityRates rest = device_activity(b200, kBf16Fp4Experts, w, Seconds(1));
  EXPECT_EQ(rest.matrix[index_of(Precision::kFp4)].value(), 0);
  EXPECT_GT(rest.matrix[index_of(Precision::kBf16)].value(), 0);
  // An fp4 plan on Hopper computes in bf16 (weight-only), and its power says so.
  w = DeviceWork{};
  w.gemm_flop = t.gemm_flop;
  const ActivityRates h100 =
      device_activity(h100_like(), precision_plan_for(Precision::kFp4), w, Seconds(1));
  EXPECT_GT(h100.matrix[index_of(Precision::kBf16)].value(), 0);
  EXPECT_EQ(h100.matrix[index_of(Precision::kFp8)].value(), 0);
}

TEST(ExpertPrecision, DenseModelHasNoExpertsToFormat) {
  // The graph of a dense model is the same under a mixed plan: nothing is routed.
  const OpGraph a = build_decode_step(llama8b_like(), ParallelismPlan{}, kBf16Fp4Experts, 8, 100)
                        .value();
  const OpGraph b = build_decode_step(llama8b_like(), ParallelismPlan{},
                                      precision_plan_for(Precision::kBf16), 8, 100)
                        .value();
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t g = 0; g < a.layers.size(); ++g)
    for (size_t i = 0; i < a.layers[g].ops.size(); ++i)
      EXPECT_DOUBLE_EQ(a.layers[g].ops[i].dram_bytes().value(),
                       b.layers[g].ops[i].dram_bytes().value());
}

}  // namespace
}  // namespace xpusim
