// SPDX-License-Identifier: Apache-2.0
// A design is the base hardware with its parameters applied as --set applies them: its figures
// equal `xpusim run` / `xpusim cost` on the same inputs, and an invalid combination is a result
// with a reason class.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/perf/runtime_profile.h"

namespace xpusim {
namespace {

using testing::kServeSpace;
using testing::kSmallSpace;
using testing::space_from;

double metric(const DesignResult& r, Metric m) { return r.metrics[static_cast<size_t>(m)]; }

DesignEvaluator small_evaluator() {
  auto s = space_from(kSmallSpace);
  EXPECT_TRUE(s);
  auto e = DesignEvaluator::create(*s);
  EXPECT_TRUE(e) << (e ? "" : to_string(e.error()));
  return std::move(*e);
}

// Design `r` equals `xpusim run <command> --format json` in each of `metrics` (1e-5 relative).
void expect_equals_run(const DesignResult& r, const std::string& command,
                       std::initializer_list<std::pair<Metric, const char*>> metrics) {
  ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  auto run = xpusim::testing::run("run " + command + " --format json");
  ASSERT_EQ(run.code, 0) << run.out;
  const auto j = nlohmann::json::parse(run.out);
  for (const auto& [m, key] : metrics)
    EXPECT_NEAR(metric(r, m), j[key].get<double>(), 1e-5 * j[key].get<double>()) << key;
}

TEST(DesignEvaluator, EqualsTheLibraryCallsRunMakes) {
  const DesignEvaluator ev = small_evaluator();
  // Design 9 = (1, 1, 1): units 132, bandwidth 3 TB/s, tp 2.
  const DesignResult r = ev.evaluate(9);
  ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  auto hw = load_hardware("h100-sxm-80gb", {"compute.units=132", "memory.dram.bandwidth=3 TB/s"});
  ASSERT_TRUE(hw);
  auto model = load_model("llama-3.1-8b");
  ASSERT_TRUE(model);
  StaticScenario sc;
  sc.plan.tp = 2;
  sc.devices = 2;
  sc.batch = 16;
  sc.input_len = 512;
  sc.output_len = 64;
  sc.precision = precision_plan_for(Precision::kBf16);
  const PerfCalibration cal = with_runtime(default_calibration(),
                                           *find_runtime(default_calibration().runtimes, kDefaultRuntime));
  auto perf = simulate_static(*hw, *model, sc, cal);
  ASSERT_TRUE(perf);
  auto area = estimate_area(*hw);
  ASSERT_TRUE(area);
  auto cost = estimate_cost(*hw, *area);
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(metric(r, Metric::kOutputTokensPerS), perf->output_tokens_per_s.value());
  EXPECT_DOUBLE_EQ(metric(r, Metric::kOutputTokensPerSPerDevice), perf->output_tokens_per_s.value() / 2);
  EXPECT_DOUBLE_EQ(metric(r, Metric::kTtftMs), units::to_ms(perf->ttft));
  EXPECT_DOUBLE_EQ(metric(r, Metric::kManufacturingCostUsd), cost->manufacturing.value());
  EXPECT_DOUBLE_EQ(metric(r, Metric::kTotalAreaMm2), area->total_area.value());
  EXPECT_DOUBLE_EQ(metric(r, Metric::kTokensPerSPerUsd),
                   perf->output_tokens_per_s.value() / 2 / cost->manufacturing.value());
}

// The same designs through the command line: `xpusim run --set ...` and `xpusim cost`.
TEST(DesignEvaluator, EqualsXpusimRunAndCost) {
  const DesignEvaluator ev = small_evaluator();
  struct Case {
    uint64_t index;
    std::string sets;
    int tp;
  };
  for (const Case& c : {Case{0, "--set compute.units=114 --set memory.dram.bandwidth=2TB/s", 1},
                        Case{11, "--set compute.units=132 --set memory.dram.bandwidth=4TB/s", 2}}) {
    const DesignResult r = ev.evaluate(c.index);
    ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
    auto run = xpusim::testing::run(
        "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 16 --input-len 512 "
        "--output-len 64 --precision bf16 --tp " + std::to_string(c.tp) + " --format json " + c.sets);
    ASSERT_EQ(run.code, 0) << run.out;
    const auto j = nlohmann::json::parse(run.out);
    auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-5 * std::fabs(b); };
    EXPECT_TRUE(near(metric(r, Metric::kOutputTokensPerS), j["output_tokens_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kTpotMs), j["tpot_ms"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kAveragePowerW), j["average_power_w"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kCostPerMillionOutputTokensUsd),
                     j["cost_per_million_output_tokens_usd"].get<double>()));
    auto cost = xpusim::testing::run("cost --hardware h100-sxm-80gb --format json " + c.sets);
    ASSERT_EQ(cost.code, 0) << cost.out;
    const auto k = nlohmann::json::parse(cost.out);
    EXPECT_TRUE(near(metric(r, Metric::kManufacturingCostUsd), k["manufacturing_cost_usd"].get<double>()));
  }
}

TEST(DesignEvaluator, AnInvalidCombinationIsARecordedInfeasibleDesign) {
  // 160 SMs is more than the 144 on the H100 die (compute.units_on_die): the schema's check.
  auto s = space_from(std::string(kSmallSpace).replace(std::string(kSmallSpace).find("[114, 132]"), 10,
                                                       "[132, 160]"));
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const DesignResult r = ev->evaluate(6);
  EXPECT_EQ(r.feasibility.reason_name(), "invalid");
  EXPECT_EQ(r.feasibility.detail,
            "compute.units_on_die: 144 units on the die is fewer than the 160 enabled units "
            "(compute.units); must be >= 160");
  EXPECT_TRUE(std::isnan(metric(r, Metric::kOutputTokensPerS)));
}

TEST(DesignEvaluator, PlansAndMemoryGiveTheirReasonClasses) {
  auto s = space_from(std::string(kSmallSpace).replace(std::string(kSmallSpace).find("values: [1, 2]"), 14,
                                                       "values: [3, 8]"));
  ASSERT_TRUE(s);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->evaluate(0).feasibility.reason_name(), "parallelism");  // 3 does not divide 32 heads
  EXPECT_TRUE(ev->evaluate(1).feasibility.feasible());
}

TEST(DesignEvaluator, DesignIdsHashTheCanonicalAssignment) {
  const DesignEvaluator ev = small_evaluator();
  EXPECT_EQ(canonical_assignment(ev.space(), 9),
            "hardware.compute.units=132;hardware.memory.dram.bandwidth=3000000000000 B/s;plan.tp=2");
  EXPECT_EQ(ev.evaluate(9).design_id, hash_hex(canonical_assignment(ev.space(), 9)));
  EXPECT_NE(ev.evaluate(9).design_id, ev.evaluate(8).design_id);
}

// ---- serve scenarios ----

// A serve design equals `xpusim serve` with the same hardware, plan, engine fields, requests,
// arrivals and SLOs.
TEST(DesignEvaluator, ServeDesignsEqualXpusimServe) {
  auto s = space_from(kServeSpace);
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev) << to_string(ev.error());
  struct Case {
    uint64_t index;
    std::string flags;
  };
  // Designs (bandwidth, tp, max_batch): 1 = (2 TB/s, 1, 64), 6 = (3.35 TB/s, 2, 4).
  for (const Case& c : {Case{1, "--set memory.dram.bandwidth=2TB/s --tp 1 --max-batch 64"},
                        Case{6, "--set memory.dram.bandwidth=3.35TB/s --tp 2 --max-batch 4"}}) {
    const DesignResult r = ev->evaluate(c.index);
    ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
    auto serve = xpusim::testing::run(
        "serve --hardware h100-sxm-80gb --model llama-3.1-8b --engine vllm --precision bf16 "
        "--input-len 256 --output-len 32 --requests 64 --concurrency 16 --slo-ttft-ms 500 "
        "--slo-tpot-ms 30 --seed 0 --format json " + c.flags);
    ASSERT_EQ(serve.code, 0) << serve.out;
    const auto j = nlohmann::json::parse(serve.out);
    auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-5 * std::fabs(b); };
    EXPECT_TRUE(near(metric(r, Metric::kOutputTokensPerS), j["output_tokens_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kTtftMs), j["ttft_ms"]["mean"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kTpotP99Ms), j["tpot_ms"]["p99"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kRequestsPerS), j["requests_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kGoodputRequestsPerS),
                     j["goodput_requests_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kEnergyPerOutputTokenJ),
                     j["energy_per_output_token_j"].get<double>()));
  }
  // A larger sequence cap never lowers this closed loop's throughput (16 clients: 4 -> 64).
  EXPECT_GE(metric(ev->evaluate(1), Metric::kOutputTokensPerS),
            metric(ev->evaluate(0), Metric::kOutputTokensPerS));
}

// With Poisson arrivals too: the space's seed draws the lengths and the next seed the arrival
// times, as `serve --seed` does (a design once drew both from one seed, and its run differed).
TEST(DesignEvaluator, ServeDesignsWithPoissonArrivalsEqualXpusimServe) {
  std::string text = kServeSpace;
  const std::string closed = "  concurrency: 16\n";
  text.replace(text.find(closed), closed.size(), "  rate: 40\n  seed: 3\n");
  auto s = space_from(text);
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev) << to_string(ev.error());
  const DesignResult r = ev->evaluate(1);  // (2 TB/s, tp 1, max_batch 64)
  ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  auto serve = xpusim::testing::run(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --engine vllm --precision bf16 "
      "--input-len 256 --output-len 32 --requests 64 --rate 40 --seed 3 --slo-ttft-ms 500 "
      "--slo-tpot-ms 30 --format json --set memory.dram.bandwidth=2TB/s --tp 1 --max-batch 64");
  ASSERT_EQ(serve.code, 0) << serve.out;
  const auto j = nlohmann::json::parse(serve.out);
  auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-5 * std::fabs(b); };
  EXPECT_TRUE(near(metric(r, Metric::kRequestsPerS), j["requests_per_s"].get<double>()))
      << metric(r, Metric::kRequestsPerS) << " vs " << j["requests_per_s"];
  EXPECT_TRUE(near(metric(r, Metric::kTtftMs), j["ttft_ms"]["mean"].get<double>()));
  EXPECT_TRUE(near(metric(r, Metric::kTpotP99Ms), j["tpot_ms"]["p99"].get<double>()));
}

// A design with tied fields is the base hardware with all of them set: `run --set` of each.
TEST(DesignEvaluator, TiedFieldsAreSetTogether) {
  auto s = space_from(testing::kTied);
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  auto hw = ev->hardware(0);
  ASSERT_TRUE(hw) << to_string(hw.error());
  EXPECT_EQ(hw->memory.dram.stacks, 4);
  EXPECT_DOUBLE_EQ(hw->memory.dram.bandwidth.value(), 2.68e12);
  expect_equals_run(ev->evaluate(0),
                    "--hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
                    "--output-len 32 --precision bf16 --set memory.dram.stacks=4 "
                    "--set memory.dram.capacity=64GiB --set memory.dram.bandwidth=2.68TB/s",
                    {{Metric::kOutputTokensPerS, "output_tokens_per_s"}});
  // The design id hashes every field the design sets, tied ones included (design 2: 5 stacks, tp 1).
  EXPECT_EQ(canonical_assignment(*s, 2),
            "hardware.memory.dram.stacks=5;hardware.memory.dram.capacity=85899345920 B;"
            "hardware.memory.dram.bandwidth=3350000000000 B/s;plan.tp=1");
}

// model.* parameters: each design's model is the model file with its fields set, as
// `run --set model.PATH=VALUE` sets them.
TEST(DesignEvaluator, ModelFieldsAreParameters) {
  auto s = space_from(R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: bf16}
parameters:
  - {path: model.layers, values: [16, 32]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
)");
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->parameters[0].target, ParameterTarget::kModel);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const DesignResult half = ev->evaluate(0), full = ev->evaluate(1);
  ASSERT_TRUE(half.feasibility.feasible() && full.feasibility.feasible());
  EXPECT_GT(metric(half, Metric::kOutputTokensPerS), 1.5 * metric(full, Metric::kOutputTokensPerS));
  auto run = xpusim::testing::run(
      "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 --output-len 32 "
      "--precision bf16 --format json --set model.layers=16");
  ASSERT_EQ(run.code, 0) << run.out;
  const double cli = nlohmann::json::parse(run.out)["output_tokens_per_s"].get<double>();
  EXPECT_NEAR(metric(half, Metric::kOutputTokensPerS), cli, 1e-5 * cli);
}

// A design without a matrix engine for the space's precision runs weight-only at 16-bit math
// (run's precision.weight_only_fallback) and says so in weight_only_gemm_pct: 100 for the H100
// whose fp8 engines the parameter removes, 0 for the one that keeps them; the constraint
// weight_only_gemm_pct <= 0 leaves only the native design feasible within constraints.
TEST(DesignEvaluator, AFallbackPrecisionIsAMetricAndAConstraint) {
  auto s = space_from(R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: fp8}
parameters:
  - {path: hardware.compute.matrix.macs_per_cycle.fp8, values: [0, 1024]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
constraints:
  - {metric: weight_only_gemm_pct, max: 0}
)");
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev) << to_string(ev.error());
  const DesignResult none = ev->evaluate(0), native = ev->evaluate(1);
  ASSERT_TRUE(none.feasibility.feasible()) << none.feasibility.to_string();
  ASSERT_TRUE(native.feasibility.feasible()) << native.feasibility.to_string();
  EXPECT_EQ(metric(none, Metric::kWeightOnlyGemmPct), 100.0);
  EXPECT_EQ(metric(native, Metric::kWeightOnlyGemmPct), 0.0);
  auto run = xpusim::testing::run(
      "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
      "--output-len 32 --precision fp8 --format json --set compute.matrix.macs_per_cycle.fp8=0");
  ASSERT_EQ(run.code, 0) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out)["precision"]["weight_only_fallback"], true);
  FrontBuilder fb(s->objectives, s->constraints);
  fb.add(none);
  fb.add(native);
  ASSERT_EQ(fb.front().size(), 1u);
  EXPECT_EQ(fb.front()[0].index, native.index);
}

// scenario.expert_precision: a space's MoE model runs its routed experts in their own format,
// the design equal to `xpusim run --expert-precision`; the line joins the canonical text (a
// resumed search refuses the other plan) and only then; a space of dense models refuses it.
TEST(DesignEvaluator, ExpertPrecisionRunsAsTheCommandLine) {
  std::string text = kSmallSpace;
  auto replace = [&](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("model: llama-3.1-8b", "model: gpt-oss-20b");
  replace("  precision: bf16\n", "  precision: bf16\n  expert_precision: fp4\n");
  auto s = space_from(text);
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->expert_precision, "fp4");
  EXPECT_NE(canonical_space_text(*s).find("expert_precision=fp4\n"), std::string::npos);
  EXPECT_EQ(canonical_space_text(*space_from(kSmallSpace)).find("expert_precision"),
            std::string::npos);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev) << to_string(ev.error());
  expect_equals_run(ev->evaluate(0),  // units 114, 2 TB/s, tp 1
                    "--hardware h100-sxm-80gb --model gpt-oss-20b --batch 16 --input-len 512 "
                    "--output-len 64 --precision bf16 --expert-precision fp4 "
                    "--set compute.units=114 --set memory.dram.bandwidth=2TB/s",
                    {{Metric::kTpotMs, "tpot_ms"}, {Metric::kTtftMs, "ttft_ms"}});
  // H100 has no fp4 engine: the routed experts run weight-only, the bf16 rest as asked. Of a
  // token's weight-GEMM parameters (gpt-oss-20b: 2.39B routed, 0.64B attention) that is ~79%.
  const double pct = metric(ev->evaluate(0), Metric::kWeightOnlyGemmPct);
  EXPECT_GT(pct, 75.0);
  EXPECT_LT(pct, 83.0);
  text = kSmallSpace;
  replace("  precision: bf16\n", "  precision: bf16\n  expert_precision: fp4\n");
  auto d = space_from(text);
  ASSERT_TRUE(d) << to_string(d.error());
  auto refused = DesignEvaluator::create(*d);
  ASSERT_FALSE(refused);
  EXPECT_NE(to_string(refused.error())
                .find("scenario.expert_precision: \"fp4\" is given, but no "
                      "model of the space has routed experts"),
            std::string::npos)
      << to_string(refused.error());
}

// scenario.weight_group_size: the space's 4-bit weights take the checkpoint's group, the design
// equal to `xpusim run --weight-group-size`; the line joins the canonical text only when given;
// a space whose weights carry no block scales refuses it, and the schema bounds it.
TEST(DesignEvaluator, WeightGroupSizeRunsAsTheCommandLine) {
  std::string text = kSmallSpace;
  auto replace = [&](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("model: llama-3.1-8b", "model: gpt-oss-20b");
  replace("  precision: bf16\n",
          "  precision: bf16\n  expert_precision: fp4\n  weight_group_size: 32\n");
  auto s = space_from(text);
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->weight_group_size, 32);
  EXPECT_NE(canonical_space_text(*s).find("weight_group_size=32\n"), std::string::npos);
  EXPECT_EQ(canonical_space_text(*space_from(kSmallSpace)).find("weight_group_size"),
            std::string::npos);
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev) << to_string(ev.error());
  expect_equals_run(ev->evaluate(0),
                    "--hardware h100-sxm-80gb --model gpt-oss-20b --batch 16 --input-len 512 "
                    "--output-len 64 --precision bf16 --expert-precision fp4 "
                    "--weight-group-size 32 --set compute.units=114 "
                    "--set memory.dram.bandwidth=2TB/s",
                    {{Metric::kTpotMs, "tpot_ms"}, {Metric::kTtftMs, "ttft_ms"}});
  text = kSmallSpace;
  replace("  precision: bf16\n", "  precision: bf16\n  weight_group_size: 32\n");
  auto d = space_from(text);
  ASSERT_TRUE(d) << to_string(d.error());
  auto refused = DesignEvaluator::create(*d);
  ASSERT_FALSE(refused);
  EXPECT_NE(to_string(refused.error())
                .find("scenario.weight_group_size: 32 is given with bf16 weights, which carry "
                      "no block scales"),
            std::string::npos)
      << to_string(refused.error());
  text = kSmallSpace;
  replace("  precision: bf16\n", "  precision: int4\n  weight_group_size: 0\n");
  auto zero = space_from(text);
  ASSERT_FALSE(zero);
  EXPECT_NE(to_string(zero.error()).find("scenario.weight_group_size"), std::string::npos)
      << to_string(zero.error());
}

}  // namespace
}  // namespace xpusim
