// SPDX-License-Identifier: Apache-2.0
// Serve spaces with an MLPerf scenario (`scenario.mlperf`): each design's figure is the rate
// search `xpusim serve --mlperf` runs (serving/mlperf.h, the same code), so a design equals serve
// with the same flags; a design that meets the limits at no rate is infeasible ("latency");
// conflicting keys are precise errors before any evaluation; the results do not depend on the
// number of threads.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/space.h"

namespace xpusim {
namespace {

using testing::space_from;

double metric(const DesignResult& r, Metric m) { return r.metrics[static_cast<size_t>(m)]; }

using testing::mlperf_rate_space;

DesignEvaluator evaluator(const std::string& text) {
  auto s = space_from(text);
  EXPECT_TRUE(s) << (s ? "" : to_string(s.error()));
  auto e = DesignEvaluator::create(*s);
  EXPECT_TRUE(e) << (e ? "" : to_string(e.error()));
  return std::move(*e);
}

bool near(double a, double b) { return std::fabs(a - b) <= 1e-5 * std::fabs(b); }

// A design equals `xpusim serve --mlperf server` on the same design, flags and cap: the same rate
// (serve prints it to 6 significant figures), the same p99s and tokens/s.
TEST(MlperfSpace, ServerDesignEqualsServeMlperf) {
  const DesignEvaluator ev = evaluator(mlperf_rate_space());
  struct Case {
    uint64_t index;
    std::string flags;
  };
  // Designs (bandwidth, tp): 0 = (2 TB/s, 1), 3 = (3.35 TB/s, 2).
  for (const Case& c : {Case{0, "--set memory.dram.bandwidth=2TB/s --tp 1"},
                        Case{3, "--set memory.dram.bandwidth=3.35TB/s --tp 2"}}) {
    const DesignResult r = ev.evaluate(c.index);
    ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
    auto serve = xpusim::testing::run(
        "serve --hardware h100-sxm-80gb --model llama-3.1-8b --engine vllm --precision bf16 "
        "--dataset mlperf-llama3.1-8b --mlperf server --requests 300 --max-samples 400 "
        "--min-duration-s 20 --seed 0 --format json " + c.flags);
    ASSERT_EQ(serve.code, 0) << serve.out;
    const auto j = nlohmann::json::parse(serve.out);
    const auto& ml = j["mlperf"];
    EXPECT_GT(metric(r, Metric::kMaxRateRequestsPerS), 0);
    EXPECT_TRUE(near(metric(r, Metric::kMaxRateRequestsPerS), ml["max_qps"].get<double>()))
        << metric(r, Metric::kMaxRateRequestsPerS) << " vs " << ml["max_qps"];
    EXPECT_TRUE(near(metric(r, Metric::kSloOutputTokensPerS), ml["tokens_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kTtftP99Ms), ml["ttft_p99_ms"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kTpotP99Ms), ml["tpot_p99_ms"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kOutputTokensPerS), j["output_tokens_per_s"].get<double>()));
    EXPECT_TRUE(near(metric(r, Metric::kEnergyPerOutputTokenJ),
                     j["energy_per_output_token_j"].get<double>()));
    // The rate meets the limits; the limit that bound it is over 100% at the first failing rate.
    EXPECT_LE(metric(r, Metric::kTtftP99Ms), 2000.0);
    EXPECT_LE(metric(r, Metric::kTpotP99Ms), 100.0);
    const double ttft_pct = metric(r, Metric::kTtftP99OfLimitPct);
    const double tpot_pct = metric(r, Metric::kTpotP99OfLimitPct);
    EXPECT_GT(std::max(ttft_pct, tpot_pct), 100.0);
    const std::string binding = ml["binding"].get<std::string>();
    EXPECT_EQ(binding, ttft_pct > tpot_pct ? "ttft" : "tpot");
    // A Server run without inferred tokens: the MLPerf figure is the run's tokens/s, so the cost
    // per token at the SLO is the run's.
    EXPECT_TRUE(near(metric(r, Metric::kSloCostPerMillionOutputTokensUsd),
                     metric(r, Metric::kCostPerMillionOutputTokensUsd)));
  }
}

// Offline: the rate is the saturated sample rate `serve --mlperf offline` reports.
TEST(MlperfSpace, OfflineDesignEqualsServeMlperf) {
  const DesignEvaluator ev = evaluator(mlperf_rate_space("offline", "", 150));
  const DesignResult r = ev.evaluate(1);  // (2 TB/s, tp 2)
  ASSERT_TRUE(r.feasibility.feasible()) << r.feasibility.to_string();
  auto serve = xpusim::testing::run(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --engine vllm --precision bf16 "
      "--dataset mlperf-llama3.1-8b --mlperf offline --requests 150 --max-samples 400 "
      "--min-duration-s 20 --seed 0 --format json --set memory.dram.bandwidth=2TB/s --tp 2");
  ASSERT_EQ(serve.code, 0) << serve.out;
  const auto j = nlohmann::json::parse(serve.out);
  EXPECT_TRUE(near(metric(r, Metric::kMaxRateRequestsPerS),
                   j["mlperf"]["samples_per_s"].get<double>()));
  EXPECT_TRUE(near(metric(r, Metric::kSloOutputTokensPerS),
                   j["mlperf"]["tokens_per_s"].get<double>()));
  // No search, no binding limit.
  EXPECT_TRUE(std::isnan(metric(r, Metric::kTtftP99OfLimitPct)));
  EXPECT_TRUE(std::isnan(metric(r, Metric::kTpotP99OfLimitPct)));
  // The MLPerf figure counts the saturated phase only: at least the whole run's rate, and the
  // cost per token at it no more than the whole run's.
  EXPECT_GE(metric(r, Metric::kSloOutputTokensPerS), metric(r, Metric::kOutputTokensPerS));
  EXPECT_LE(metric(r, Metric::kSloCostPerMillionOutputTokensUsd),
            metric(r, Metric::kCostPerMillionOutputTokensUsd));
}

// Decode-bound (a TPOT limit tight enough to bind): more HBM bandwidth never lowers the
// sustainable rate (to the bisection's precision, 2^-9 of each design's bracket).
TEST(MlperfSpace, MoreBandwidthNeverLowersTheRate) {
  const std::string text = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: serve
  engine: vllm
  dataset: mlperf-llama3.1-8b
  mlperf: server
  requests: 150
  max_samples: 400
  min_duration_s: 20
  slo_tpot_ms: 20
  precision: bf16
parameters:
  - {path: hardware.memory.dram.bandwidth, values: ["1.5 TB/s", "2 TB/s", "2.7 TB/s", "3.35 TB/s", "4.5 TB/s"]}
objectives:
  - {metric: max_rate_requests_per_s, goal: max}
)";
  const DesignEvaluator ev = evaluator(text);
  double previous = 0;
  for (uint64_t i = 0; i < 5; ++i) {
    const DesignResult r = ev.evaluate(i);
    ASSERT_TRUE(r.feasibility.feasible()) << i << ": " << r.feasibility.to_string();
    const double rate = metric(r, Metric::kMaxRateRequestsPerS);
    EXPECT_GE(rate, previous * (1.0 - 1.0 / 256)) << "design " << i;
    previous = rate;
  }
}

// A limit no rate can meet (a 1 ms TTFT: one prefill takes longer) makes the design infeasible
// with its own reason class.
TEST(MlperfSpace, NoPassingRateIsInfeasibleLatency) {
  const DesignEvaluator ev = evaluator(mlperf_rate_space("server", "  slo_ttft_ms: 1\n"));
  const DesignResult r = ev.evaluate(0);
  ASSERT_FALSE(r.feasibility.feasible());
  EXPECT_EQ(r.feasibility.reason_name(), "latency");
  EXPECT_NE(r.feasibility.detail.find("p99 TTFT"), std::string::npos) << r.feasibility.detail;
  EXPECT_TRUE(std::isnan(metric(r, Metric::kMaxRateRequestsPerS)));
}

// The same results on 1 and 2 threads (evaluation is a pure function of the design index).
TEST(MlperfSpace, ThreadCountDoesNotChangeResults) {
  const DesignEvaluator ev = evaluator(mlperf_rate_space());
  auto all = [&](int threads) {
    std::vector<std::string> rows(4);
    const auto idx = design_indices(4, SearchStrategy::kGrid, 0, 0);
    evaluate_designs(ev, idx, threads, 1, [&](std::vector<DesignResult>& batch) {
      for (const auto& r : batch) {
        std::string row = r.design_id + " " + r.feasibility.to_string();
        for (double m : r.metrics) row += " " + std::to_string(m);
        rows[r.index] = row;
      }
    });
    return rows;
  };
  EXPECT_EQ(all(1), all(2));
}

// The metrics are objectives `pareto --objectives` accepts.
TEST(MlperfSpace, MetricsAreObjectives) {
  auto o = parse_objectives("max_rate_requests_per_s:max,slo_output_tokens_per_s:max,"
                            "slo_cost_per_million_output_tokens_usd:min,"
                            "ttft_p99_of_limit_pct:min,tpot_p99_of_limit_pct:min",
                            "--objectives");
  ASSERT_TRUE(o) << to_string(o.error());
  EXPECT_EQ(o->size(), 5u);
}

std::string errors_of(const std::string& text) {
  auto s = space_from(text);
  if (!s) return to_string(s.error());
  auto e = DesignEvaluator::create(*s);
  return e ? "" : to_string(e.error());
}

// Conflicting or meaningless keys: a precise error naming the key, before any evaluation.
TEST(MlperfSpace, BadInputIsAPreciseError) {
  std::string e = errors_of(mlperf_rate_space("server", "  rate: 10\n"));
  EXPECT_NE(e.find("scenario.rate"), std::string::npos) << e;
  EXPECT_NE(e.find("sets its own arrivals"), std::string::npos) << e;
  e = errors_of(mlperf_rate_space("offline", "  concurrency: 8\n"));
  EXPECT_NE(e.find("scenario.concurrency"), std::string::npos) << e;
  e = errors_of(mlperf_rate_space("servr"));
  EXPECT_NE(e.find("scenario.mlperf"), std::string::npos) << e;
  EXPECT_NE(e.find("server"), std::string::npos) << e;
  // A dataset without MLPerf limits.
  std::string text = mlperf_rate_space();
  text.replace(text.find("mlperf-llama3.1-8b"), 18, "sharegpt");
  e = errors_of(text);
  EXPECT_NE(e.find("scenario.mlperf"), std::string::npos) << e;
  EXPECT_NE(e.find("not an MLPerf benchmark dataset"), std::string::npos) << e;
  // Fixed lengths instead of a dataset.
  text = mlperf_rate_space();
  text.replace(text.find("dataset: mlperf-llama3.1-8b"), 27, "input_len: 128\n  output_len: 16");
  e = errors_of(text);
  EXPECT_NE(e.find("needs scenario.dataset of an MLPerf benchmark"), std::string::npos) << e;
  // max_samples without mlperf; mlperf in a static scenario.
  text = mlperf_rate_space();
  text.replace(text.find("  mlperf: server\n"), 17, "");
  e = errors_of(text);
  EXPECT_NE(e.find("scenario.max_samples"), std::string::npos) << e;
  EXPECT_NE(e.find("scenario.min_duration_s"), std::string::npos) << e;
  e = errors_of(R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, mlperf: server}
parameters:
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s, goal: max}
)");
  EXPECT_NE(e.find("scenario.mlperf"), std::string::npos) << e;
  EXPECT_NE(e.find("serve scenario"), std::string::npos) << e;
}

// On the command line: exit 1 with the message, for explore and for serve --max-samples alone.
TEST(MlperfSpace, BadInputExitsOne) {
  testing::TempDir dir("mlperf_space_test");
  const std::string bad = dir.write("bad.yaml", mlperf_rate_space("server", "  rate: 10\n"));
  auto r = xpusim::testing::run("explore " + bad + " --quiet", true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("sets its own arrivals"), std::string::npos) << r.out;
  r = xpusim::testing::run(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --dataset mlperf-llama3.1-8b "
      "--max-samples 100",
      true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--max-samples"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

// The worked example of docs/dse.md loads and its designs are built (not evaluated: each is a
// whole rate search).
TEST(MlperfSpace, WorkedExampleLoads) {
  auto s = load_space(std::string(XPUSIM_DATA_DIR) + "/spaces/accel-2026-llama2-70b-mlperf.yaml");
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->mlperf, "server");
  EXPECT_FALSE(s->max_samples);     // LoadGen's run lengths: the figures are valid MLPerf runs
  EXPECT_FALSE(s->min_duration_s);
  auto e = DesignEvaluator::create(*s);
  ASSERT_TRUE(e) << to_string(e.error());
  EXPECT_EQ(s->grid_size(), 24u);
}

}  // namespace
}  // namespace xpusim
