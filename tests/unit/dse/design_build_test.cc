// SPDX-License-Identifier: Apache-2.0
// A design's hardware and model built by typed set on a copy of the validated base spec (the
// evaluator's default) equal those built by re-reading the base document with the design's
// values as --set (the reference): the same specs, the same figures, and for invalid designs the
// same reason class and messages, over a grid that mixes valid and invalid combinations.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "unit/dse/dse_test_util.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/dse/design_evaluator.h"

namespace xpusim {
namespace {

using testing::space_from;

// 3 x 2 x 2 x 2 x 2 x 2 = 96 designs: 150 units exceed the 144 on the die, 7 stacks the 6 HBM
// sites, sram_only keeps a DRAM capacity, 7 KV heads do not divide 32 heads; a clock change
// leaves the datasheet peak unchecked; the L2 bandwidth is tied to the L2 capacity.
const char* kMixed = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: bf16}
parameters:
  - {path: hardware.compute.units, values: [96, 132, 150]}
  - {path: hardware.memory.dram.stacks, values: [5, 7]}
  - {path: hardware.memory.dram.type, values: [hbm3, sram_only]}
  - path: hardware.memory.l2.capacity
    values: ["40 MiB", "50 MiB"]
    tied:
      - {path: hardware.memory.l2.bandwidth, values: ["10 TB/s", "12 TB/s"]}
      - {path: hardware.compute.clock, values: ["1.83 GHz", "2.1 GHz"]}
  - {path: model.kv_heads, values: [8, 7]}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
)";

bool same_number(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

std::string messages(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) out += d.path + ": " + d.message + "\n";
  return out;
}

TEST(DesignBuild, TypedSetEqualsReparsingTheDocument) {
  auto space = space_from(kMixed);
  ASSERT_TRUE(space) << to_string(space.error());
  auto typed = DesignEvaluator::create(*space, DesignBuild::kTypedSet);
  auto reparse = DesignEvaluator::create(*space, DesignBuild::kReparseDocument);
  ASSERT_TRUE(typed && reparse);
  const auto& schema = hardware_schema();
  size_t valid = 0, invalid = 0, feasible = 0;
  for (uint64_t i = 0; i < space->grid_size(); ++i) {
    SCOPED_TRACE("design " + std::to_string(i) + ": " + canonical_assignment(*space, i));
    auto a = typed->hardware(i);
    auto b = reparse->hardware(i);
    ASSERT_EQ(a.has_value(), b.has_value());
    if (a) {
      ++valid;
      for (size_t f = 1; f < schema.fields().size(); ++f) {
        auto va = schema.get(*a, f);
        auto vb = schema.get(*b, f);
        ASSERT_EQ(va.has_value(), vb.has_value()) << schema.fields()[f].path;
        if (!va) continue;
        EXPECT_TRUE(same_number(va->number, vb->number)) << schema.fields()[f].path;
        EXPECT_EQ(va->text, vb->text) << schema.fields()[f].path;
        EXPECT_EQ(va->flag, vb->flag) << schema.fields()[f].path;
      }
    } else {
      ++invalid;
      EXPECT_EQ(messages(a.error()), messages(b.error()));
    }
    const DesignResult ra = typed->evaluate(i);
    const DesignResult rb = reparse->evaluate(i);
    EXPECT_EQ(ra.design_id, rb.design_id);
    EXPECT_EQ(ra.feasibility.to_string(), rb.feasibility.to_string());
    EXPECT_EQ(ra.feasibility.reason, rb.feasibility.reason);
    for (size_t m = 0; m < ra.metrics.size(); ++m)
      EXPECT_TRUE(same_number(ra.metrics[m], rb.metrics[m])) << metric_names()[m];
    feasible += ra.feasibility.feasible() ? 1 : 0;
  }
  // The grid exercises both kinds of hardware, and designs that run.
  EXPECT_GT(valid, 0u);
  EXPECT_GT(invalid, valid);
  EXPECT_GT(feasible, 0u);
}

// A serve space whose engine fields are set by typed set on the validated profile, against
// re-reading the engine document with them as overrides: 2 x 2 x 2 = 8 designs, the watermark
// 0.5 invalid (the engine's cross-field check), the others run.
const char* kEngineFields = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: serve
  engine: vllm
  input_len: 128
  output_len: 16
  requests: 16
  concurrency: 8
  precision: bf16
parameters:
  - {path: engine.max_batch, values: [4, 64]}
  - {path: engine.watermark, values: [0.01, 0.5]}
  - path: engine.kv_block_size
    values: [16, 32]
    tied:
      - {path: engine.max_num_tokens, values: [2048, 512]}
objectives:
  - {metric: output_tokens_per_s, goal: max}
)";

TEST(DesignBuild, EngineFieldsByTypedSetEqualReparsingTheProfile) {
  auto space = space_from(kEngineFields);
  ASSERT_TRUE(space) << to_string(space.error());
  auto typed = DesignEvaluator::create(*space, DesignBuild::kTypedSet);
  auto reparse = DesignEvaluator::create(*space, DesignBuild::kReparseDocument);
  ASSERT_TRUE(typed && reparse);
  size_t feasible = 0, invalid = 0;
  for (uint64_t i = 0; i < space->grid_size(); ++i) {
    SCOPED_TRACE("design " + std::to_string(i) + ": " + canonical_assignment(*space, i));
    const DesignResult ra = typed->evaluate(i);
    const DesignResult rb = reparse->evaluate(i);
    EXPECT_EQ(ra.feasibility.to_string(), rb.feasibility.to_string());
    for (size_t m = 0; m < ra.metrics.size(); ++m)
      EXPECT_TRUE(same_number(ra.metrics[m], rb.metrics[m])) << metric_names()[m];
    feasible += ra.feasibility.feasible() ? 1 : 0;
    invalid += ra.feasibility.reason == InfeasibleReason::kInvalid ? 1 : 0;
  }
  EXPECT_EQ(feasible, 4u);
  EXPECT_EQ(invalid, 4u);
}

}  // namespace
}  // namespace xpusim
