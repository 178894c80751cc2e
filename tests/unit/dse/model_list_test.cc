// SPDX-License-Identifier: Apache-2.0
// A space judged on a list of models (`model: [a, b]`, `model_metrics: mean | per_model`): each
// model's figures equal that model run alone through the one-model path, the space's figures are
// their geometric means (hardware-only metrics once), a design infeasible for one model is
// infeasible with that model named, the front can be taken over a per-model objective, the
// results database and the MPI messages carry the per-model figures, and bad input is exit 1
// with a precise message before any evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "same_result.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/dse/result_db.h"

namespace xpusim {
namespace {

using testing::space_from;

// kSmallSpace's scenario and parameters (12 designs) on `models` (a YAML scalar or list) with
// `extra` lines before the objectives.
std::string space_text(const std::string& models, const std::string& extra = "",
                       const std::string& objectives =
                           "  - {metric: output_tokens_per_s_per_device, goal: max}\n"
                           "  - {metric: manufacturing_cost_usd, goal: min}\n") {
  return "schema: space/v1\nhardware: h100-sxm-80gb\nmodel: " + models + "\n" + extra +
         "scenario: {kind: static, batch: 16, input_len: 512, output_len: 64, precision: bf16}\n"
         "parameters:\n"
         "  - {path: hardware.compute.units, values: [114, 132]}\n"
         "  - {path: hardware.memory.dram.bandwidth, range: {min: \"2 TB/s\", max: \"4 TB/s\", "
         "steps: 3}}\n"
         "  - {path: plan.tp, values: [1, 2]}\n"
         "objectives:\n" + objectives;
}

DesignEvaluator evaluator(const std::string& text) {
  auto s = space_from(text);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().front().message);
  auto e = DesignEvaluator::create(s.value());
  EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().front().message);
  return std::move(e.value());
}

std::string first_error(const std::string& text) {
  auto s = space_from(text);
  if (s) return "";
  return s.error().front().path + ": " + s.error().front().message;
}

// The two models of the tests: 70B in bf16 does not fit one H100 (every tp 1 design is
// infeasible for it, feasible for 8B); tp 2 designs run both.
const char* kTwoModels = "[llama-3.1-8b, llama-3.1-70b]";

TEST(ModelList, EachModelsFiguresEqualThatModelAlone) {
  const DesignEvaluator both = evaluator(space_text(kTwoModels, "model_metrics: per_model\n"));
  const DesignEvaluator small = evaluator(space_text("llama-3.1-8b"));
  const DesignEvaluator large = evaluator(space_text("llama-3.1-70b"));
  ASSERT_EQ(both.space().grid_size(), 12u);
  size_t feasible = 0, infeasible_for_large = 0;
  for (uint64_t i = 0; i < 12; ++i) {
    const DesignResult r = both.evaluate(i), a = small.evaluate(i), b = large.evaluate(i);
    // Infeasible for one model: infeasible, that model named (the first in list order).
    ASSERT_EQ(r.feasibility.feasible(), a.feasibility.feasible() && b.feasibility.feasible()) << i;
    if (!r.feasibility.feasible()) {
      const DesignResult& failed = a.feasibility.feasible() ? b : a;
      EXPECT_EQ(r.feasibility.reason, failed.feasibility.reason);
      EXPECT_EQ(r.feasibility.detail, std::string("model ") +
                                          (a.feasibility.feasible() ? "llama-3.1-70b" : "llama-3.1-8b") +
                                          ": " + failed.feasibility.detail);
      EXPECT_TRUE(r.model_metrics.empty());
      infeasible_for_large += a.feasibility.feasible() ? 1 : 0;
      continue;
    }
    ++feasible;
    ASSERT_EQ(r.model_metrics.size(), 2 * kMetricCount);
    for (size_t m = 0; m < kMetricCount; ++m) {
      const auto metric = static_cast<Metric>(m);
      const double x = a.metrics[m], y = b.metrics[m];
      // Per model: exactly the one-model path's figure.
      EXPECT_TRUE(x == metric_value(r, metric, 0) || (std::isnan(x) && std::isnan(metric_value(r, metric, 0))))
          << metric_name(metric);
      EXPECT_TRUE(y == metric_value(r, metric, 1) || (std::isnan(y) && std::isnan(metric_value(r, metric, 1))))
          << metric_name(metric);
      // The space's figure: the geometric mean; a hardware-only one, the design's.
      if (hardware_only(metric)) {
        EXPECT_EQ(r.metrics[m], x) << metric_name(metric);
        EXPECT_EQ(x, y) << metric_name(metric);
      } else if (std::isfinite(x) && std::isfinite(y)) {
        EXPECT_NEAR(r.metrics[m], std::sqrt(x * y), 1e-12 * std::sqrt(x * y)) << metric_name(metric);
        EXPECT_GE(r.metrics[m], std::min(x, y) * (1 - 1e-12));
        EXPECT_LE(r.metrics[m], std::max(x, y) * (1 + 1e-12));
      } else {
        EXPECT_TRUE(std::isnan(r.metrics[m])) << metric_name(metric);
      }
    }
  }
  EXPECT_GT(feasible, 0u);
  EXPECT_GT(infeasible_for_large, 0u);  // the list's infeasibility is exercised
  // A design's id names its models: the same parameters on another list are another design.
  EXPECT_NE(both.evaluate(0).design_id, small.evaluate(0).design_id);
}

TEST(ModelList, MeanKeepsOnlyTheMeansAndEqualsPerModel) {
  const DesignEvaluator mean = evaluator(space_text(kTwoModels));
  const DesignEvaluator per = evaluator(space_text(kTwoModels, "model_metrics: per_model\n"));
  EXPECT_FALSE(mean.space().per_model());
  for (uint64_t i = 0; i < 12; ++i) {
    const DesignResult a = mean.evaluate(i), b = per.evaluate(i);
    EXPECT_TRUE(a.model_metrics.empty());
    EXPECT_EQ(a.feasibility.to_string(), b.feasibility.to_string());
    for (size_t m = 0; m < kMetricCount; ++m)
      EXPECT_TRUE(a.metrics[m] == b.metrics[m] || (std::isnan(a.metrics[m]) && std::isnan(b.metrics[m])));
  }
}

TEST(ModelList, GeometricMeanOfZeroAndOfAMissingFigure) {
  MetricValues a = no_metrics(), b = no_metrics();
  const auto tps = static_cast<size_t>(Metric::kOutputTokensPerS);
  const auto ttft = static_cast<size_t>(Metric::kTtftMs);
  const auto cost = static_cast<size_t>(Metric::kManufacturingCostUsd);
  a[tps] = 4, b[tps] = 9;
  a[ttft] = 0, b[ttft] = 5;
  a[cost] = 100, b[cost] = 100;
  const MetricValues c = combine_models({a, b});
  EXPECT_DOUBLE_EQ(c[tps], 6.0);
  EXPECT_EQ(c[ttft], 0.0);
  EXPECT_EQ(c[cost], 100.0);
  EXPECT_TRUE(std::isnan(c[static_cast<size_t>(Metric::kTpotMs)]));
}

TEST(ModelList, FrontOverAPerModelObjectiveIsTheNonDominatedSet) {
  const DesignEvaluator e = evaluator(space_text(
      kTwoModels, "model_metrics: per_model\n",
      "  - {metric: output_tokens_per_s_per_device@llama-3.1-70b, goal: max}\n"
      "  - {metric: ttft_ms@llama-3.1-8b, goal: min}\n"));
  const SpaceSpec& s = e.space();
  ASSERT_EQ(s.objectives.size(), 2u);
  EXPECT_EQ(s.objectives[0].model, 1);
  EXPECT_EQ(s.objectives[1].model, 0);
  EXPECT_EQ(s.metric_ref_name(s.objectives[0].metric, s.objectives[0].model),
            "output_tokens_per_s_per_device@llama-3.1-70b");
  std::vector<DesignResult> all;
  FrontBuilder fb(s.objectives, s.constraints);
  for (uint64_t i = 0; i < s.grid_size(); ++i) {
    all.push_back(e.evaluate(i));
    fb.add(all.back());
  }
  const auto front = fb.front();
  ASSERT_FALSE(front.empty());
  std::set<uint64_t> on;
  for (const auto& f : front) on.insert(f.index);
  for (const auto& r : all) {
    if (!front_candidate(r, s.objectives, s.constraints)) {
      EXPECT_FALSE(on.contains(r.index));
      continue;
    }
    bool dominated = false;
    for (const auto& o : all)
      if (front_candidate(o, s.objectives, s.constraints) && dominates(o, r, s.objectives)) dominated = true;
    EXPECT_EQ(on.contains(r.index), !dominated) << r.index;
  }
}

TEST(ModelList, MessagesCrossRanksWithTheirPerModelFigures) {
  const DesignEvaluator e = evaluator(space_text(kTwoModels, "model_metrics: per_model\n"));
  std::vector<DesignResult> rs;
  for (uint64_t i = 0; i < 12; ++i) rs.push_back(e.evaluate(i));
  const auto back = decode_results(encode_results(rs));
  ASSERT_EQ(back.size(), rs.size());
  for (size_t i = 0; i < rs.size(); ++i) EXPECT_TRUE(dse_test::same(rs[i], back[i])) << i;
}

TEST(ModelList, BadListsAndMetricsArePreciseErrors) {
  EXPECT_EQ(first_error(space_text("[]")),
            "model: an empty list of models; give a model preset id or file, or a list of at "
            "least one");
  EXPECT_EQ(first_error(space_text("[llama-3.1-8b, llama-3.1-70b, llama-3.1-8b]")),
            "model[2]: model \"llama-3.1-8b\" is already in the list (model[0]); each model may "
            "be given once");
  EXPECT_NE(first_error(space_text(kTwoModels, "model_metrics: average\n"))
                .find("model_metrics: "),
            std::string::npos);
  EXPECT_NE(first_error(space_text(kTwoModels, "model_metrics: average\n")).find("per_model"),
            std::string::npos);
  EXPECT_EQ(first_error(space_text("[llama-3.1-8b]", "model_metrics: per_model\n")),
            "model_metrics: per_model needs a list of at least two models under `model:`; this "
            "space has one");
  const std::string obj70 = "  - {metric: output_tokens_per_s@llama-3.1-405b, goal: max}\n";
  EXPECT_EQ(first_error(space_text(kTwoModels, "model_metrics: per_model\n", obj70)),
            "objectives[0].metric: model \"llama-3.1-405b\" is not one of the space's models; "
            "allowed: llama-3.1-8b, llama-3.1-70b; did you mean \"llama-3.1-70b\"?");
  EXPECT_NE(first_error(space_text(kTwoModels, "",
                                   "  - {metric: output_tokens_per_s@llama-3.1-8b, goal: max}\n"))
                .find("model_metrics: per_model"),
            std::string::npos);
  EXPECT_EQ(first_error(space_text(kTwoModels, "model_metrics: per_model\n",
                                   "  - {metric: manufacturing_cost_usd@llama-3.1-8b, goal: min}\n")),
            "objectives[0].metric: \"manufacturing_cost_usd\" depends on the hardware alone, the "
            "same for every model: name it without @llama-3.1-8b");
  EXPECT_NE(first_error(space_text(kTwoModels, "model_metrics: per_model\n",
                                   "  - {metric: tokens_per_s@llama-3.1-8b, goal: max}\n"))
                .find("unknown metric \"tokens_per_s\""),
            std::string::npos);
  // The same per-model metric twice is one objective given twice.
  EXPECT_NE(first_error(space_text(kTwoModels, "model_metrics: per_model\n",
                                   "  - {metric: ttft_ms@llama-3.1-8b, goal: min}\n"
                                   "  - {metric: ttft_ms@llama-3.1-8b, goal: max}\n"))
                .find("is already an objective"),
            std::string::npos);
  // An unknown model id: the loader's "did you mean", at the list entry of the space file.
  auto s = space_from(space_text("[llama-3.1-8b, llama-3.1-7b]"));
  ASSERT_TRUE(s.has_value());
  auto e = DesignEvaluator::create(*s);
  ASSERT_FALSE(e.has_value());
  const Diagnostic& d = e.error().front();
  EXPECT_EQ(d.file, "space.yaml");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.path, "model[1]");
  EXPECT_NE(d.message.find("did you mean"), std::string::npos) << d.message;
}

TEST(ModelList, OneModelSpacesAreUnchanged) {
  auto one = space_from(space_text("llama-3.1-8b"));
  auto listed = space_from(space_text("[llama-3.1-8b]"));
  ASSERT_TRUE(one && listed);
  EXPECT_EQ(one->model_count(), 1u);
  EXPECT_EQ(canonical_space_text(*one), canonical_space_text(*listed));
  EXPECT_EQ(canonical_space_text(*one).find("models="), std::string::npos);
  EXPECT_EQ(canonical_assignment(*one, 3), canonical_assignment(*listed, 3));
  auto two = space_from(space_text(kTwoModels));
  auto other = space_from(space_text("[llama-3.1-70b, llama-3.1-8b]"));
  EXPECT_NE(canonical_space_text(*two), canonical_space_text(*one));
  EXPECT_NE(canonical_space_text(*two), canonical_space_text(*other));
}

// ---- the command line ------------------------------------------------------------------------

using xpusim::testing::run;

class ModelListCli : public ::testing::Test {
 protected:
  xpusim::testing::TempDir dir{"xpusim_dse_models"};
  std::string space = dir.write(
      "space.yaml", space_text(kTwoModels, "model_metrics: per_model\n",
                               "  - {metric: output_tokens_per_s_per_device@llama-3.1-70b, goal: max}\n"
                               "  - {metric: manufacturing_cost_usd, goal: min}\n"));
};

TEST_F(ModelListCli, JsonHasPerModelMetricsAndThreadsDoNotMatter) {
  auto r = run("explore " + space + " --threads 2 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(run("explore " + space + " --threads 1 --format json").out, r.out);
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["designs"].empty());
  const auto& d = j["designs"][0];
  EXPECT_TRUE(d["per_model_metrics"]["output_tokens_per_s_per_device@llama-3.1-8b"].is_number());
  EXPECT_TRUE(d["per_model_metrics"]["ttft_ms@llama-3.1-70b"].is_number());
  // Hardware-only metrics once, not per model.
  EXPECT_FALSE(d["per_model_metrics"].contains("manufacturing_cost_usd@llama-3.1-8b"));
  EXPECT_TRUE(d["metrics"]["manufacturing_cost_usd"].is_number());
  EXPECT_EQ(j["objectives"][0]["metric"], "output_tokens_per_s_per_device@llama-3.1-70b");
  auto t = run("explore " + space);
  ASSERT_EQ(t.code, 0);
  EXPECT_NE(t.out.find("output_tokens_per_s_per_device@llama-3.1-70b"), std::string::npos) << t.out;
  auto c = run("explore " + space + " --format csv");
  ASSERT_EQ(c.code, 0);
  EXPECT_NE(c.out.find("designs.per_model_metrics.ttft_ms@llama-3.1-8b"), std::string::npos) << c.out;
}

TEST_F(ModelListCli, DatabaseColumnsResumeAndPareto) {
  const std::string full = dir.file("full.sqlite"), part = dir.file("part.sqlite");
  ASSERT_EQ(run("explore " + space + " --db " + full).code, 0);
  {
    SQLite::Database db(full, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT \"output_tokens_per_s@llama-3.1-8b\", "
                            "\"output_tokens_per_s@llama-3.1-70b\", output_tokens_per_s FROM "
                            "designs WHERE feasible = 1");
    size_t rows = 0;
    while (q.executeStep()) {
      ++rows;
      const double a = q.getColumn(0).getDouble(), b = q.getColumn(1).getDouble();
      EXPECT_NEAR(q.getColumn(2).getDouble(), std::sqrt(a * b), 1e-9 * std::sqrt(a * b));
    }
    EXPECT_GT(rows, 0u);
  }
  ASSERT_EQ(run("explore " + space + " --db " + part + " --strategy random --max-evals 5").code, 0);
  ASSERT_EQ(run("explore " + space + " --db " + part + " --resume").code, 0);
  EXPECT_EQ(run("pareto --db " + part + " --format json").out,
            run("pareto --db " + full + " --format json").out);
  // pareto over another per-model objective, read back from the columns.
  auto p = run("pareto --db " + full + " --objectives ttft_ms@llama-3.1-8b:min,"
               "manufacturing_cost_usd:min --format json");
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_EQ(nlohmann::json::parse(p.out)["objectives"][0]["metric"], "ttft_ms@llama-3.1-8b");
  auto bad = run("pareto --db " + full + " --objectives ttft_ms@llama-3.1-405b:min", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("not one of the space's models"), std::string::npos) << bad.out;
  // Another list of models is another space: no resume into this database.
  const std::string other = dir.write("other.yaml", space_text("[llama-3.1-8b, mistral-7b]",
                                                               "model_metrics: per_model\n"));
  auto r = run("explore " + other + " --db " + full + " --resume", true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("holds the results of another space"), std::string::npos) << r.out;
}

TEST_F(ModelListCli, BadInputIsExitOneBeforeAnyEvaluation) {
  const std::string bad = dir.write("bad.yaml", space_text("[llama-3.1-8b, llama-3.1-7b]"));
  auto r = run("explore " + bad + " --db " + dir.file("never.sqlite"), true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("bad.yaml:3:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("model[1]"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.sqlite")));
  const std::string unknown_mode =
      dir.write("mode.yaml", space_text(kTwoModels, "model_metrics: median\n"));
  r = run("explore " + unknown_mode, true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("model_metrics"), std::string::npos) << r.out;
}

TEST_F(ModelListCli, Nsga2AndServeScenarios) {
  auto n = run("explore " + space + " --strategy nsga2 --max-evals 16 --seed 1 --format json");
  ASSERT_EQ(n.code, 0) << n.out;
  EXPECT_FALSE(nlohmann::json::parse(n.out)["designs"].empty());
  const std::string serve = dir.write("serve.yaml", R"(schema: space/v1
hardware: h100-sxm-80gb
model: [llama-3.1-8b, mistral-7b]
model_metrics: per_model
scenario: {kind: serve, engine: vllm, input_len: 256, output_len: 32, requests: 32, concurrency: 8, precision: bf16}
parameters:
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: requests_per_s@mistral-7b, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)");
  auto s = run("explore " + serve + " --format json");
  ASSERT_EQ(s.code, 0) << s.out;
  const auto j = nlohmann::json::parse(s.out);
  ASSERT_FALSE(j["designs"].empty());
  EXPECT_TRUE(j["designs"][0]["per_model_metrics"]["requests_per_s@llama-3.1-8b"].is_number());
}

}  // namespace
}  // namespace xpusim
