// SPDX-License-Identifier: Apache-2.0
// space/v1 parsing: values and ranges in the field's units, and every bad input an exact
// message with file:line:column before any design is evaluated.
#include <gtest/gtest.h>

#include "result_text.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/base/text.h"

namespace xpusim {
namespace {

using testing::kServeSpace;
using testing::kSmallSpace;
using testing::kTied;
using testing::space_from;

std::string errors(const Result<SpaceSpec>& s) {
  EXPECT_FALSE(s.has_value());
  return s ? "" : xpusim::testing::error_text(s);
}

// `space` with the first `from` replaced by `to`.
std::string edited_space(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// kSmallSpace with `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  return edited_space(kSmallSpace, from, to);
}

TEST(Space, ParsesValuesRangesObjectivesAndConstraints) {
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->hardware, "h100-sxm-80gb");
  EXPECT_EQ(s->model, "llama-3.1-8b");
  EXPECT_EQ(s->batch, 16);
  EXPECT_EQ(s->input_len, 512);
  EXPECT_EQ(s->output_len, 64);
  ASSERT_EQ(s->parameters.size(), 3u);
  EXPECT_EQ(s->parameters[0].field_path, "compute.units");
  EXPECT_EQ(s->parameters[0].values[1].text, "132");
  // "2 TB/s" .. "4 TB/s" in 3 steps: canonical bytes/s, shown in the display unit.
  ASSERT_EQ(s->parameters[1].values.size(), 3u);
  EXPECT_DOUBLE_EQ(*s->parameters[1].values[0].number, 2e12);
  EXPECT_DOUBLE_EQ(*s->parameters[1].values[1].number, 3e12);
  EXPECT_DOUBLE_EQ(*s->parameters[1].values[2].number, 4e12);
  EXPECT_EQ(s->parameters[1].values[1].text, "3000000000000 B/s");
  EXPECT_EQ(s->parameters[2].target, ParameterTarget::kPlanTp);
  EXPECT_EQ(s->grid_size(), 12u);
  ASSERT_EQ(s->objectives.size(), 2u);
  EXPECT_TRUE(s->objectives[0].maximize);
  EXPECT_EQ(s->objectives[1].metric, Metric::kManufacturingCostUsd);
  ASSERT_EQ(s->constraints.size(), 1u);
  EXPECT_EQ(*s->constraints[0].max, 1000);
}

TEST(Space, GridOrderHasTheFirstParameterSlowest) {
  auto s = space_from(kSmallSpace);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->choice(0), (std::vector<uint32_t>{0, 0, 0}));
  EXPECT_EQ(s->choice(1), (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(s->choice(2), (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_EQ(s->choice(11), (std::vector<uint32_t>{1, 2, 1}));
}

TEST(Space, StepAndLogRangesAndIntegerRounding) {
  auto s = space_from(edited("{path: plan.tp, values: [1, 2]}",
                             "{path: plan.tp, range: {min: 1, max: 8, steps: 4, scale: log}}\n"
                             "  - {path: hardware.memory.dram.stacks, range: {min: 4, max: 8, step: 2}}"));
  ASSERT_TRUE(s) << to_string(s.error());
  std::vector<std::string> tp, stacks;
  for (const auto& v : s->parameters[2].values) tp.push_back(v.text);
  for (const auto& v : s->parameters[3].values) stacks.push_back(v.text);
  EXPECT_EQ(tp, (std::vector<std::string>{"1", "2", "4", "8"}));
  EXPECT_EQ(stacks, (std::vector<std::string>{"4", "6", "8"}));
}

TEST(Space, UnknownPathSaysDidYouMean) {
  EXPECT_EQ(errors(space_from(edited("hardware.compute.units", "hardware.compute.unit"))),
            "space.yaml:11:6: parameters[0].path: unknown parameter path "
            "\"hardware.compute.unit\"; did you mean \"hardware.compute.units\"?");
  EXPECT_EQ(errors(space_from(edited("plan.tp", "plan.tq"))),
            "space.yaml:13:6: parameters[2].path: unknown parameter path \"plan.tq\"; did you "
            "mean \"plan.tp\"?");
}

TEST(Space, MinAboveMaxIsAnError) {
  EXPECT_EQ(errors(space_from(edited("min: \"2 TB/s\", max: \"4 TB/s\"", "min: \"8 TB/s\", max: \"4 TB/s\""))),
            "space.yaml:12:52: parameters[1].range.min: min \"8 TB/s\" is greater than max "
            "\"4 TB/s\"; allowed: min <= max");
}

TEST(Space, ZeroStepsIsAnError) {
  EXPECT_EQ(errors(space_from(edited("steps: 3", "steps: 0"))),
            "space.yaml:12:82: parameters[1].range.steps: value \"0\" is out of range; allowed: "
            ">= 1 and <= 4.29497e+09 (values)");
}

// A sampled search (no grid bound) takes at most a million values per parameter: a billion steps
// took gigabytes of memory before the first design; a grid takes what its bound allows.
TEST(Space, ASampledSearchTakesAMillionValuesPerParameter) {
  const std::string big = edited("steps: 3", "steps: 2000000");
  EXPECT_NE(errors(space_from(big, std::nullopt))
                .find("parameters[1].range: the range has 2000000 values, more than the 1000000 "
                      "a parameter may take"),
            std::string::npos)
      << errors(space_from(big, std::nullopt));
  EXPECT_TRUE(space_from(edited("steps: 3", "steps: 2000"), std::nullopt));
  // A grid takes its own bound (no million values held here: each would be built).
  EXPECT_NE(errors(space_from(edited("steps: 3", "steps: 20"), 10))
                .find("the range has 20 values, more than the 10 a parameter may take"),
            std::string::npos);
}

TEST(Space, AValueWithoutItsUnitOrOutOfRangeIsAnError) {
  EXPECT_EQ(errors(space_from(edited("min: \"2 TB/s\"", "min: 2"))),
            "space.yaml:12:52: parameters[1].range.min: expected a bandwidth such as \"3.35 TB/s\", "
            "got \"2\" (a unit is required)");
  EXPECT_EQ(errors(space_from(edited("values: [114, 132]", "values: [114, -1]"))),
            "space.yaml:11:50: parameters[0].values[1]: hardware.compute.units: value \"-1\" is "
            "out of range; allowed: >= 1 and <= 1e+06");
}

TEST(Space, ObjectiveThatIsNotAMetric) {
  const std::string e = errors(space_from(edited("metric: manufacturing_cost_usd", "metric: cost_usd")));
  EXPECT_EQ(e.rfind("space.yaml:16:6: objectives[1].metric: expected one of: output_tokens_per_s, ", 0), 0u)
      << e;
  EXPECT_NE(e.find(", got \"cost_usd\"; did you mean \"manufacturing_cost_usd\"?"), std::string::npos) << e;
}

TEST(Space, GridLargerThanTheBoundIsAnError) {
  EXPECT_EQ(errors(space_from(kSmallSpace, 10)),
            "space.yaml:10:1: parameters: the grid has 2 x 3 x 2 = 12 designs, more than "
            "--max-designs 10; narrow the parameters, raise --max-designs, or sample it with "
            "--strategy random --max-evals N");
  EXPECT_TRUE(space_from(kSmallSpace, 12));
}

TEST(Space, UnknownKeysAndMissingPartsAreCollected) {
  const std::string e = errors(space_from(edited("range: {min", "rnge: {min")));
  EXPECT_NE(e.find("space.yaml:12:44: parameters[1].rnge: unknown key; did you mean \"range\"?"),
            std::string::npos) << e;
  EXPECT_NE(e.find("space.yaml:12:5: parameters[1]: missing \"values\" or \"range\""),
            std::string::npos) << e;
  EXPECT_EQ(errors(space_from(edited("values: [1, 2]", "values: [1, 1]"))),
            "space.yaml:13:33: parameters[2].values[1]: \"1\" is the same value as values[0]");
}

TEST(Space, ASectionOrAListWhereAValueBelongsIsOneError) {
  EXPECT_EQ(errors(space_from(edited("model: llama-3.1-8b", "model: {id: llama-3.1-8b}"))),
            "space.yaml:3:1: model: expected text, got a section");
  EXPECT_EQ(errors(space_from(edited("values: [1, 2]", "values: [[1, 2]]"))),
            "space.yaml:13:30: parameters[2].values[0]: expected an integer, got a list");
}

TEST(Space, ObjectivesFlag) {
  auto o = parse_objectives("tokens_per_s_per_w:max,ttft_ms:min", "--objectives");
  ASSERT_TRUE(o);
  ASSERT_EQ(o->size(), 2u);
  EXPECT_EQ((*o)[1].metric, Metric::kTtftMs);
  EXPECT_FALSE((*o)[1].maximize);
  auto bad = parse_objectives("ttft_m:min", "--objectives");
  ASSERT_FALSE(bad);
  EXPECT_NE(to_string(bad.error()).find("--objectives: unknown metric \"ttft_m\""), std::string::npos);
  EXPECT_NE(to_string(bad.error()).find("did you mean \"ttft_ms\"?"), std::string::npos);
}

// ---- serve scenarios ----

std::string serve_edited(const std::string& from, const std::string& to) {
  return edited_space(kServeSpace, from, to);
}

TEST(Space, ServeScenarioWithEngineParameters) {
  auto s = space_from(kServeSpace);
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->kind, ScenarioKind::kServe);
  EXPECT_EQ(s->engine, "vllm");
  EXPECT_EQ(s->requests, 64);
  EXPECT_EQ(s->concurrency, 16);
  EXPECT_FALSE(s->rate);
  EXPECT_EQ(*s->slo_ttft_ms, 500);
  ASSERT_EQ(s->parameters.size(), 3u);
  EXPECT_EQ(s->parameters[2].target, ParameterTarget::kEngine);
  EXPECT_EQ(s->parameters[2].field_path, "max_batch");
  EXPECT_EQ(s->grid_size(), 8u);
  // The serve settings are part of what a resumed search must match; a static space's canonical
  // text carries none of them.
  EXPECT_NE(canonical_space_text(*s).find("kind=serve"), std::string::npos);
  auto st = space_from(kSmallSpace);
  ASSERT_TRUE(st);
  EXPECT_EQ(canonical_space_text(*st).find("kind="), std::string::npos);
}

TEST(Space, ServeScenarioBadInput) {
  EXPECT_EQ(errors(space_from(serve_edited("  concurrency: 16\n", "  concurrency: 16\n  rate: 5\n"))),
            "space.yaml:10:3: scenario.concurrency: give a rate or a concurrency, not both");
  EXPECT_EQ(errors(space_from(serve_edited("  input_len: 256\n", ""))),
            "space.yaml: scenario.input_len: missing required key (an integer: tokens per "
            "request; or give scenario.dataset)");
  EXPECT_EQ(errors(space_from(serve_edited("  precision: bf16\n", "  precision: bf16\n  batch: 8\n"))),
            "space.yaml:14:3: scenario.batch: a serve scenario's engine forms its batches: "
            "give engine parameters (engine.max_batch) instead of scenario.batch");
  EXPECT_EQ(errors(space_from(serve_edited("engine.max_batch", "engine.max_btch"))),
            "space.yaml:17:6: parameters[2].path: unknown parameter path \"engine.max_btch\"; "
            "did you mean \"engine.max_batch\"?");
  EXPECT_EQ(errors(space_from(serve_edited("slo_tpot_ms: 30", "slo_tpot_ms: 0"))),
            "space.yaml:12:3: scenario.slo_tpot_ms: value \"0\" is out of range; allowed: > 0 and <= "
            "1e+09 (a latency limit; 1e9 ms is 11 days)");
  // Engine fields need a serve scenario; serve keys do not belong in a static one.
  EXPECT_EQ(errors(space_from(edited("  - {path: plan.tp, values: [1, 2]}\n",
                                     "  - {path: engine.max_batch, values: [8]}\n"))),
            "space.yaml:13:6: parameters[2].path: \"engine.max_batch\" sets the serving engine; it "
            "needs scenario.kind: serve");
  EXPECT_EQ(errors(space_from(edited("  batch: 16\n", "  batch: 16\n  rate: 4\n"))),
            "space.yaml:7:3: scenario.rate: rate belongs to a serve scenario (scenario.kind: serve)");
}

// ---- tied fields ----


std::string tied_edited(const std::string& from, const std::string& to) {
  return edited_space(kTied, from, to);
}

TEST(Space, TiedFieldsMoveWithTheirParameter) {
  auto s = space_from(kTied);
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->parameters.size(), 2u);
  EXPECT_EQ(s->grid_size(), 4u);  // tied fields add no dimension
  ASSERT_EQ(s->parameters[0].tied.size(), 2u);
  EXPECT_EQ(s->parameters[0].tied[0].field_path, "memory.dram.capacity");
  EXPECT_DOUBLE_EQ(*s->parameters[0].tied[1].values[1].number, 3.35e12);
  EXPECT_NE(canonical_space_text(*s).find("  tied hardware.memory.dram.capacity="), std::string::npos);
}

TEST(Space, TiedFieldsBadInput) {
  EXPECT_EQ(errors(space_from(tied_edited("values: [\"64 GiB\", \"80 GiB\"]", "values: [\"64 GiB\"]"))),
            "space.yaml:9:9: parameters[0].tied[0]: 1 values tied to the 2 of "
            "hardware.memory.dram.stacks; a tied field needs one value per value");
  EXPECT_EQ(errors(space_from(tied_edited("{path: hardware.memory.dram.capacity",
                                          "{path: plan.pp"))),
            "space.yaml:9:10: parameters[0].tied[0].path: \"plan.pp\" cannot be tied; allowed: "
            "hardware.*, engine.* and model.* fields");
  EXPECT_EQ(errors(space_from(tied_edited("{path: hardware.memory.dram.capacity",
                                          "{path: hardware.memory.dram.stacks"))),
            "space.yaml:9:10: parameters[0].tied[0].path: \"hardware.memory.dram.stacks\" is already "
            "set by parameters[0]");
}

}  // namespace
}  // namespace xpusim
