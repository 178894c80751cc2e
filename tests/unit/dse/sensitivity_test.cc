// SPDX-License-Identifier: Apache-2.0
// `xpusim sensitivity` and dse/sensitivity.h: elasticities that follow the resource that binds
// (DRAM bandwidth for a memory-bound decode, not the matrix engines), area that grows with the
// compute units, steps and skips that are noted, JSON keys, and bad flags that exit 1.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/sensitivity.h"

namespace xpusim {
namespace {

using xpusim::testing::run;

// The H100 preset with its DRAM bandwidth lowered to 0.8 TB/s: Llama-3.1-70B's fp8 decode at
// batch 1 is then dominated by reading the weights, and kernel overheads matter less.
std::string slow_h100(const testing::TempDir& dir) {
  std::ifstream in(std::string(XPUSIM_DATA_DIR) + "/presets/hardware/h100-sxm-80gb.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const auto at = text.find("bandwidth: 3.35 TB/s");
  EXPECT_NE(at, std::string::npos);
  text.replace(at, 20, "bandwidth: 0.8 TB/s ");
  return dir.write("h100-slow.yaml", text);
}

SensitivityReport report(const std::string& hardware, const std::string& model,
                         const std::string& precision, std::vector<Metric> metrics) {
  SpaceSpec space;
  space.hardware = hardware;
  space.model = model;
  space.batch = 1;
  space.input_len = 128;
  space.output_len = 2048;
  space.precision = precision;
  auto ev = DesignEvaluator::create(space);
  EXPECT_TRUE(ev) << (ev ? "" : to_string(ev.error()));
  return sensitivity(*ev, ParallelismPlan{}, metrics);
}

const FieldSensitivity& field(const SensitivityReport& r, const std::string& path) {
  for (const auto& f : r.fields)
    if (f.path == path) return f;
  ADD_FAILURE() << "no field " << path;
  static const FieldSensitivity none;
  return none;
}

TEST(Sensitivity, MemoryBoundDecodeFollowsDramBandwidthNotMatrixMacs) {
  testing::TempDir dir("xpusim_sensitivity");
  const SensitivityReport r = report(slow_h100(dir), "llama-3.1-70b", "fp8",
                                     {Metric::kOutputTokensPerSPerDevice, Metric::kTpotMs});
  ASSERT_TRUE(r.base.feasibility.feasible()) << r.base.feasibility.to_string();
  EXPECT_EQ(r.bounds.decode.rfind("dram", 0), 0u) << r.bounds.decode;
  const auto& bw = field(r, "memory.dram.bandwidth");
  ASSERT_EQ(bw.elasticity.size(), 2u);
  EXPECT_GT(bw.elasticity[0], 0.8);  // kernel overheads keep it a little below 1
  EXPECT_LT(bw.elasticity[0], 1.02);
  EXPECT_LT(bw.elasticity[1], -0.8);
  const auto& macs = field(r, "compute.matrix.macs_per_cycle.fp8");
  EXPECT_LT(std::fabs(macs.elasticity[0]), 0.05);
  // The central difference used both sides, 5% apart.
  ASSERT_TRUE(bw.low && bw.high);
  EXPECT_DOUBLE_EQ(*bw.low, 0.95 * 0.8e12);
  EXPECT_DOUBLE_EQ(*bw.high, 1.05 * 0.8e12);
  EXPECT_TRUE(bw.note.empty()) << bw.note;
  // Ranked by |elasticity| of the first metric: the bandwidth comes first.
  const auto order = rank_fields(r, 0);
  EXPECT_EQ(r.fields[order[0]].path, "memory.dram.bandwidth");
  for (size_t i = 1; i < order.size(); ++i) {
    const double a = r.fields[order[i - 1]].elasticity[0], b = r.fields[order[i]].elasticity[0];
    if (std::isfinite(b)) {
      EXPECT_GE(std::fabs(a), std::fabs(b));
    }
  }
}

TEST(Sensitivity, AreaAndCostGrowWithComputeUnitsAndStepsAreNoted) {
  // B200 publishes no units_on_die: the die holds the enabled units plus spares.
  const SensitivityReport r = report("b200-sxm-180gb", "llama-3.1-8b", "fp8",
                                     {Metric::kTotalAreaMm2, Metric::kManufacturingCostUsd});
  ASSERT_TRUE(r.base.feasibility.feasible()) << r.base.feasibility.to_string();
  const auto& units = field(r, "compute.units");
  EXPECT_GT(units.elasticity[0], 0.1);
  EXPECT_GT(units.elasticity[1], 0.0);
  // An integer field too small for 5% moves by 1 and says so.
  const auto& stacks = field(r, "memory.dram.stacks");
  EXPECT_NE(stacks.note.find("integer step 7 / 9"), std::string::npos) << stacks.note;
  // A declared peak that must match the derived one fails on both sides: skipped, with why.
  const auto& peak = field(r, "compute.datasheet_peak.fp8");
  EXPECT_TRUE(peak.skipped);
  EXPECT_TRUE(std::isnan(peak.elasticity[0]));
  EXPECT_NE(peak.note.find("skipped: -5.0% and +5.0% both fail"), std::string::npos) << peak.note;
}

TEST(SensitivityCli, JsonKeys) {
  auto r = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 "
               "--input-len 256 --output-len 64 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"hardware", "model", "scenario", "feasible", "infeasible_reason",
                        "infeasible_detail", "prefill_bound", "decode_bound", "step", "metrics",
                        "fields", "ranking"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["feasible"], true);
  EXPECT_TRUE(j["infeasible_reason"].is_null());
  EXPECT_TRUE(j["decode_bound"].is_string());
  EXPECT_EQ(j["step"], 0.05);
  for (const char* m : {"output_tokens_per_s_per_device", "ttft_ms", "tpot_ms",
                        "manufacturing_cost_usd", "total_area_mm2", "average_power_w"})
    EXPECT_TRUE(j["metrics"][m].is_number()) << m;
  ASSERT_GT(j["fields"].size(), 20u);
  const auto& f = j["fields"][0];
  for (const char* k : {"path", "value", "unit", "low", "high", "skipped", "elasticity", "note"})
    EXPECT_TRUE(f.contains(k)) << k;
  EXPECT_TRUE(f["elasticity"]["ttft_ms"].is_number());
  for (const auto& fj : j["fields"])
    if (fj["path"] == "compute.units") {
      EXPECT_EQ(fj["value"], 132);
      EXPECT_TRUE(fj["low"].is_number_integer());
      EXPECT_EQ(fj["unit"], "");
    } else if (fj["path"] == "memory.dram.bandwidth") {
      EXPECT_EQ(fj["value"], 3.35e12);
      EXPECT_EQ(fj["unit"], "B/s");
    }
  EXPECT_EQ(j["ranking"]["output_tokens_per_s_per_device"][0], f["path"]);
  // --metric chooses (and orders) the metrics.
  auto one = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 "
                 "--input-len 256 --output-len 64 --metric tpot_ms --format json");
  ASSERT_EQ(one.code, 0);
  const auto j1 = nlohmann::json::parse(one.out);
  EXPECT_EQ(j1["metrics"].size(), 1u);
  EXPECT_TRUE(j1["metrics"].contains("tpot_ms"));
}

TEST(SensitivityCli, TableNamesTheBoundAndAnInfeasibleBaseHasNoFigures) {
  auto t = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 "
               "--input-len 256 --output-len 64");
  ASSERT_EQ(t.code, 0);
  EXPECT_NE(t.out.find("bound: prefill "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("memory.dram.bandwidth"), std::string::npos);
  // 70B in bf16 does not fit one 80 GB device: a valid question, an INFEASIBLE answer.
  auto inf = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-70b --batch 1 "
                 "--input-len 128 --output-len 128");
  EXPECT_EQ(inf.code, 0);
  EXPECT_NE(inf.out.find("INFEASIBLE: memory: "), std::string::npos) << inf.out;
  auto j = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-70b --batch 1 "
               "--input-len 128 --output-len 128 --format json");
  ASSERT_EQ(j.code, 0);
  const auto js = nlohmann::json::parse(j.out);
  EXPECT_EQ(js["feasible"], false);
  EXPECT_EQ(js["infeasible_reason"], "memory");
  EXPECT_TRUE(js["fields"].empty());
  EXPECT_TRUE(js["decode_bound"].is_null());
  EXPECT_TRUE(js["metrics"]["tpot_ms"].is_null());
}

// The asked precision as the base hardware executes it (issue 9, precision actually executed):
// fp8 on A100 is weight-only bf16, said in the JSON's scenario and in a note line.
TEST(SensitivityCli, SaysWhenTheBaseHardwareFallsBackFromTheAskedPrecision) {
  const std::string args = "sensitivity --hardware a100-sxm-80gb --model llama-3.1-8b --batch 8 "
                           "--input-len 256 --output-len 32 --precision fp8 --metric tpot_ms";
  auto j = run(args + " --format json");
  ASSERT_EQ(j.code, 0) << j.out;
  const auto js = nlohmann::json::parse(j.out);
  EXPECT_EQ(js["scenario"]["weight_only_fallback"], true);
  EXPECT_NE(js["scenario"]["math_execution"], "fp8");
  auto t = run(args);
  ASSERT_EQ(t.code, 0);
  EXPECT_NE(t.out.find("note: fp8 GEMMs run as"), std::string::npos) << t.out;
  auto h = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 "
               "--input-len 256 --output-len 32 --precision fp8 --metric tpot_ms --format json");
  ASSERT_EQ(h.code, 0);
  EXPECT_EQ(nlohmann::json::parse(h.out)["scenario"]["weight_only_fallback"], false);
}

TEST(SensitivityCli, BadFlagsExitOne) {
  const std::string base = "sensitivity --model llama-3.1-8b --batch 8 --input-len 256 "
                           "--output-len 64 ";
  const std::string h100 = "--hardware h100-sxm-80gb ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--metric cost_usd", "--metric: unknown metric \"cost_usd\""},
      {"--metric tpot_ms --metric tpot_ms", "given twice"},
      {"--step 0", "--step"},
      {"--step 0.9", "--step"},
      {"--step nan", "--step"},
      // Every real field's step was 0 and only integer fields were ranked.
      {"--step 1e-320", "--step: 1e-320 is out of range; allowed 1e-6 .. 0.5"},
      // A serving figure of a static batch was a column of nulls.
      {"--metric ttft_p99_ms", "metric \"ttft_p99_ms\" is a serving figure; this scenario is a "
                               "static batch"},
      {"--scenario serve --metric max_rate_requests_per_s",
       "is a figure of an MLPerf rate search"},
      {"--precision fp9", "--precision: unknown precision \"fp9\""},
      {"--tp 2 --devices 3", "--devices: 3 devices is not a multiple of tp x pp = 2"},
      {"--tp 3", "--tp"},
      {"--batch 0", "--batch"},
      {"--set compute.units=100", "--set"},
      {"--hardware no-such-chip", "no-such-chip"},
  };
  for (const auto& [flags, message] : cases) {
    auto r = run(base + (flags.rfind("--hardware", 0) == 0 ? "" : h100) + flags, true);
    EXPECT_EQ(r.code, 1) << flags << "\n" << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << flags << "\n" << r.out;
  }
  // A request beyond the model's context names the flag.
  auto ctx = run("sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 1 "
                 "--input-len 200000 --output-len 64", true);
  EXPECT_EQ(ctx.code, 1);
  EXPECT_NE(ctx.out.find("<command line>: --input-len: input_len 200000 + output_len 64"),
            std::string::npos) << ctx.out;
}

// A serve scenario: elasticities of the serving figures, ranked, with the binding field; the same
// seed gives the same answer.
TEST(SensitivityCli, ServeScenarioRanksServingMetricsWithTheBinding) {
  const std::string cmd = "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --input-len 256 "
                          "--output-len 32 --requests 50 --concurrency 16 --slo-ttft-ms 500 "
                          "--slo-tpot-ms 30 --seed 3 --format json";
  auto r = run(cmd);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["scenario"]["kind"], "serve");  // implied by the serve flags
  EXPECT_EQ(j["scenario"]["engine"], "vllm");
  EXPECT_EQ(j["scenario"]["seed"], 3);
  EXPECT_TRUE(j["scenario"]["batch"].is_null());
  for (const char* m : {"requests_per_s", "goodput_requests_per_s", "ttft_p99_ms", "tpot_p99_ms"}) {
    EXPECT_TRUE(j["metrics"][m].is_number()) << m;
    EXPECT_TRUE(j["ranking"].contains(m)) << m;
    EXPECT_TRUE(j["binding"].contains(m)) << m;
  }
  EXPECT_GT(j["metrics"]["requests_per_s"], 0.0);
  // Decode of an 8B model at 16 sequences streams its weights: the DRAM bandwidth moves requests/s
  // more than the matrix engines do, and binds.
  double bw = 0, macs = 0;
  for (const auto& f : j["fields"]) {
    if (f["path"] == "memory.dram.bandwidth") bw = f["elasticity"]["requests_per_s"];
    if (f["path"] == "compute.matrix.macs_per_cycle.bf16") macs = f["elasticity"]["requests_per_s"];
  }
  EXPECT_GT(bw, 0.3);
  EXPECT_GT(bw, std::fabs(macs));
  EXPECT_EQ(j["binding"]["requests_per_s"]["field"], j["ranking"]["requests_per_s"][0]);
  // Deterministic for the seed.
  EXPECT_EQ(run(cmd).out, r.out);
  // The table names the binding field.
  auto t = run("sensitivity --scenario serve --hardware h100-sxm-80gb --model llama-3.1-8b "
               "--input-len 256 --output-len 32 --requests 50 --concurrency 16");
  ASSERT_EQ(t.code, 0) << t.out;
  EXPECT_NE(t.out.find("serve on vllm, 50 requests"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("binding: "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("goodput_requests_per_s"), std::string::npos) << t.out;
}

TEST(SensitivityCli, ServeFlagsAreCheckedPerScenario) {
  const std::string base = "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--scenario serve --batch 8 --input-len 256 --output-len 32", "--batch: a serve scenario"},
      {"--scenario static --batch 8 --input-len 256 --output-len 32 --rate 2",
       "--scenario: static takes no serve flags"},
      {"--scenario serve --output-len 32", "--input-len: required without --dataset"},
      {"--input-len 256 --output-len 32", "--batch: required for the static scenario"},
      {"--rate 2 --concurrency 4 --input-len 256 --output-len 32", "--concurrency: give --rate or"},
      {"--scenario server --batch 8 --input-len 256 --output-len 32", "--scenario"},
      {"--requests 0 --input-len 256 --output-len 32", "--requests"},
  };
  for (const auto& [flags, message] : cases) {
    auto r = run(base + flags, true);
    EXPECT_EQ(r.code, 1) << flags << "\n" << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << flags << "\n" << r.out;
  }
}

}  // namespace
}  // namespace xpusim
