// SPDX-License-Identifier: Apache-2.0
// Derived fields of a space (`derive: "PATH * C"`): values computed from another field's, tied to
// its grid parameter (no grid dimension); unknown references, cycles, unit mismatches and values
// out of the field's range are errors before any design is evaluated.
#include <gtest/gtest.h>

#include "result_text.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/design_evaluator.h"

namespace xpusim {
namespace {

using testing::space_from;

// HBM stacks with a capacity of 16 GiB and 0.67 TB/s per stack, and a derived-from-derived
// bandwidth of the L2 (a chain), beside a plan parameter.
std::string space_with(const std::string& derived) {
  return R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: bf16}
parameters:
  - {path: hardware.memory.dram.stacks, values: [4, 5, 6]}
)" + derived + R"(  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
)";
}

std::string errors(const std::string& text) {
  auto s = space_from(text);
  EXPECT_FALSE(s.has_value());
  return s ? "" : xpusim::testing::error_text(s);
}

TEST(Derived, ValuesFollowTheirFieldWithoutAGridDimension) {
  auto s = space_from(space_with(
      "  - {path: hardware.memory.dram.bandwidth, derive: \"hardware.memory.dram.capacity / 24 s\"}\n"
      "  - {path: hardware.memory.dram.capacity, derive: \"hardware.memory.dram.stacks * 16 GiB\"}\n"
      "  - {path: hardware.memory.dram.sites, derive: \"hardware.memory.dram.stacks + 1\"}\n"));
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->parameters.size(), 2u);  // stacks (with three derived fields) and plan.tp
  EXPECT_EQ(s->grid_size(), 6u);
  const SpaceParameter& stacks = s->parameters[0];
  ASSERT_EQ(stacks.tied.size(), 3u);
  // Resolved in dependency order: capacity and sites first, then the bandwidth from capacity.
  EXPECT_EQ(stacks.tied[0].path, "hardware.memory.dram.capacity");
  EXPECT_EQ(stacks.tied[0].derive, "hardware.memory.dram.stacks * 16 GiB");
  EXPECT_DOUBLE_EQ(*stacks.tied[0].values[1].number, 5 * 16.0 * (1 << 30));
  EXPECT_EQ(stacks.tied[1].path, "hardware.memory.dram.sites");
  EXPECT_EQ(*stacks.tied[1].values[2].number, 7);
  EXPECT_EQ(stacks.tied[2].path, "hardware.memory.dram.bandwidth");
  EXPECT_DOUBLE_EQ(*stacks.tied[2].values[0].number, 4 * 16.0 * (1 << 30) / 24);

  // Each design carries its derived values, as a tied field would.
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  auto hw = ev->hardware(4);  // stacks 6, tp 1
  ASSERT_TRUE(hw) << to_string(hw.error());
  EXPECT_EQ(hw->memory.dram.stacks, 6);
  EXPECT_EQ(*hw->memory.dram.sites, 7);
  EXPECT_DOUBLE_EQ(hw->memory.dram.capacity.value(), 6 * 16.0 * (1 << 30));
  EXPECT_NE(canonical_assignment(*s, 4).find("hardware.memory.dram.capacity=103079215104 B"),
            std::string::npos)
      << canonical_assignment(*s, 4);
}

TEST(Derived, BadExpressionsAreErrorsBeforeEvaluation) {
  // An unknown reference, with "did you mean".
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.capacity, derive: "
                              "\"hardware.memory.dram.stack * 16 GiB\"}\n"))
                .find("parameters[1].derive: \"hardware.memory.dram.stack\" is not a parameter, "
                      "tied or derived field of this space; did you mean "
                      "\"hardware.memory.dram.stacks\"?"),
            std::string::npos);
  // A cycle.
  EXPECT_NE(errors(space_with(
                "  - {path: hardware.memory.dram.capacity, derive: \"hardware.memory.dram.bandwidth * 1 s\"}\n"
                "  - {path: hardware.memory.dram.bandwidth, derive: \"hardware.memory.dram.capacity / 1 s\"}\n"))
                .find("derived fields form a cycle: hardware.memory.dram.capacity -> "
                      "hardware.memory.dram.bandwidth -> hardware.memory.dram.capacity"),
            std::string::npos);
  // Units that do not agree: stacks x a bandwidth is no capacity; a sum of unlike quantities.
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.capacity, derive: "
                              "\"hardware.memory.dram.stacks * 16 GB/s\"}\n"))
                .find("units do not agree: \"hardware.memory.dram.stacks\" is a plain number, so "
                      "the expression is a bandwidth; hardware.memory.dram.capacity is a capacity"),
            std::string::npos);
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.sites, derive: "
                              "\"hardware.memory.dram.stacks + 1 GB\"}\n"))
                .find("units do not agree"),
            std::string::npos);
  // A value out of the field's range, a fraction for an integer field, a malformed expression.
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.sites, derive: "
                              "\"hardware.memory.dram.stacks * 100\"}\n"))
                .find("hardware.memory.dram.stacks = 4 gives hardware.memory.dram.sites: value"),
            std::string::npos);
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.sites, derive: "
                              "\"hardware.memory.dram.stacks * 1.5\"}\n"))
                .find("7.5 is not an integer"),
            std::string::npos);
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.sites, derive: "
                              "\"hardware.memory.dram.stacks * 2 + 1\"}\n"))
                .find("expected one operator"),
            std::string::npos);
  // derive with values; a derived plan field; a derived text field.
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.sites, values: [6], derive: "
                              "\"hardware.memory.dram.stacks\"}\n"))
                .find("values and derive are exclusive"),
            std::string::npos);
  EXPECT_NE(errors(space_with("  - {path: plan.pp, derive: \"hardware.memory.dram.stacks\"}\n"))
                .find("\"plan.pp\" cannot be derived"),
            std::string::npos);
  EXPECT_NE(errors(space_with("  - {path: hardware.memory.dram.type, derive: "
                              "\"hardware.memory.dram.stacks\"}\n"))
                .find("only numeric fields are derived"),
            std::string::npos);
}

TEST(Derived, ATiedFieldMayBeDerived) {
  auto s = space_from(R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: bf16}
parameters:
  - path: hardware.memory.dram.stacks
    values: [4, 5]
    tied:
      - {path: hardware.memory.dram.capacity, derive: "24 GB * hardware.memory.dram.stacks"}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
)");
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->parameters[0].tied.size(), 1u);
  EXPECT_DOUBLE_EQ(*s->parameters[0].tied[0].values[1].number, 120e9);
}

}  // namespace
}  // namespace xpusim
