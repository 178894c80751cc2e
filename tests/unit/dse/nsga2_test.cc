// SPDX-License-Identifier: Apache-2.0
// `--strategy nsga2`: the budget becomes a valid pagmo population and generation count, the
// fitness ranks every candidate above every penalised design, the front NSGA-II finds on a
// 432-design space is close to the grid's exact front (hypervolume) while evaluating fewer than
// half of the designs, and the search is deterministic for a seed whatever the thread count,
// also when resumed from a partial database.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <pagmo/utils/hypervolume.hpp>

#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/nsga2_search.h"
#include "xpusim/dse/pareto.h"

namespace xpusim {
namespace {

using testing::space_from;

// Llama-3.1-8B on H100 variants: 6 x 6 x 3 x 4 = 432 designs, objectives tokens/s per device
// (max) and manufacturing cost (min), a power constraint that some designs miss.
const char* kMediumSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 32, input_len: 1024, output_len: 128, precision: bf16}
parameters:
  - {path: hardware.compute.units, values: [66, 96, 114, 132, 148, 160]}
  - {path: hardware.memory.dram.bandwidth, range: {min: "1 TB/s", max: "6 TB/s", steps: 6}}
  - {path: hardware.compute.clock, values: ["1.2 GHz", "1.6 GHz", "1.98 GHz"]}
  - {path: plan.tp, values: [1, 2, 4, 8]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
constraints:
  - {metric: average_power_w, max: 650}
)";

TEST(Nsga2Plan, PopulationIsAMultipleOfFourNearTheSquareRootOfTheBudget) {
  auto p = nsga2_plan(16, 2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->population, 8u);
  EXPECT_EQ(p->generations, 1u);
  p = nsga2_plan(1000, 2);  // sqrt = 31.6 -> 28; 1000 / 28 = 35 shares
  ASSERT_TRUE(p);
  EXPECT_EQ(p->population, 28u);
  EXPECT_EQ(p->generations, 34u);
  EXPECT_LE(p->proposals(), 1000u);
  p = nsga2_plan(1000000, 3);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->population, kNsga2MaxPopulation);
  EXPECT_EQ(p->generations, 1000000u / 256 - 1);
  auto small = nsga2_plan(15, 2);
  ASSERT_FALSE(small);
  EXPECT_EQ(to_string(small.error()),
            "<command line>: --max-evals: 15 is too small for --strategy nsga2: at least 16 (a "
            "population of 8, the smallest NSGA-II takes, and one generation)\n");
  auto one = nsga2_plan(100, 1);
  ASSERT_FALSE(one);
  EXPECT_EQ(to_string(one.error()),
            "<command line>: --strategy: nsga2 needs at least two objectives (it ranks designs by "
            "Pareto dominance); the space has 1: use grid, random or lhs\n");
}

TEST(Nsga2Fitness, CandidatesBeatConstraintMissesWhichBeatInfeasibleDesigns) {
  const std::vector<SpaceObjective> obj = {{Metric::kOutputTokensPerS, true},
                                           {Metric::kManufacturingCostUsd, false}};
  const std::vector<SpaceConstraint> con = {{Metric::kAveragePowerW, std::nullopt, 700.0}};
  DesignResult ok;
  ok.metrics[static_cast<size_t>(Metric::kOutputTokensPerS)] = 2000;
  ok.metrics[static_cast<size_t>(Metric::kManufacturingCostUsd)] = 5000;
  ok.metrics[static_cast<size_t>(Metric::kAveragePowerW)] = 650;
  EXPECT_EQ(nsga2_fitness(ok, obj, con), (std::vector<double>{-2000, 5000}));
  DesignResult hot = ok, hotter = ok;
  hot.metrics[static_cast<size_t>(Metric::kAveragePowerW)] = 770;      // 10% over
  hotter.metrics[static_cast<size_t>(Metric::kAveragePowerW)] = 1400;  // 100% over
  const auto f_hot = nsga2_fitness(hot, obj, con);
  const auto f_hotter = nsga2_fitness(hotter, obj, con);
  EXPECT_DOUBLE_EQ(f_hot[0], kNsga2Penalty * (1 + 2 * 0.1 / 1.1));
  EXPECT_DOUBLE_EQ(f_hotter[1], kNsga2Penalty * 2);
  DesignResult bad;
  bad.feasibility = Feasibility::infeasible(InfeasibleReason::kMemory, "x");
  const auto f_bad = nsga2_fitness(bad, obj, con);
  EXPECT_EQ(f_bad, (std::vector<double>(2, 3 * kNsga2Penalty)));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_LT(nsga2_fitness(ok, obj, con)[i], f_hot[i]);
    EXPECT_LT(f_hot[i], f_hotter[i]);
    EXPECT_LT(f_hotter[i], f_bad[i]);
  }
}

struct Search {
  Nsga2Outcome outcome;
  std::vector<DesignResult> evaluated;  // in evaluation order
};

Search run_nsga2(const DesignEvaluator& ev, const Nsga2Plan& plan, uint64_t seed, int threads,
                 const std::vector<DesignResult>& known = {}) {
  Search s;
  s.outcome = nsga2_search(ev.space(), plan, seed, known, [&](const std::vector<uint64_t>& fresh) {
    std::vector<DesignResult> out;
    evaluate_designs(ev, fresh, threads, 7, [&](std::vector<DesignResult>& b) {
      out.insert(out.end(), b.begin(), b.end());
    });
    s.evaluated.insert(s.evaluated.end(), out.begin(), out.end());
    return out;
  });
  return s;
}

// Hypervolume of the front of `results` in the (minimised) fitness space, to the reference point.
double hypervolume(const std::vector<DesignResult>& results, const SpaceSpec& space,
                   const std::vector<double>& ref) {
  FrontBuilder fb(space.objectives, space.constraints);
  for (const auto& r : results) fb.add(r);
  std::vector<std::vector<double>> points;
  for (const auto& r : fb.front()) points.push_back(nsga2_fitness(r, space.objectives, space.constraints));
  if (points.empty()) return 0;
  return pagmo::hypervolume(points).compute(ref);
}

TEST(Nsga2Search, FindsAFrontCloseToTheGridsWithFewerEvaluations) {
  auto s = space_from(kMediumSpace);
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  std::vector<DesignResult> all;
  evaluate_designs(*ev, design_indices(s->grid_size(), SearchStrategy::kGrid, 0, 0), 2, 256,
                   [&](std::vector<DesignResult>& b) { all.insert(all.end(), b.begin(), b.end()); });
  ASSERT_EQ(all.size(), 432u);
  // Reference point: the worst candidate in each objective, 1% of the range beyond it.
  std::vector<double> lo(2, 1e300), hi(2, -1e300);
  size_t candidates = 0;
  for (const auto& r : all) {
    if (!front_candidate(r, s->objectives, s->constraints)) continue;
    ++candidates;
    const auto f = nsga2_fitness(r, s->objectives, s->constraints);
    for (size_t i = 0; i < 2; ++i) lo[i] = std::min(lo[i], f[i]), hi[i] = std::max(hi[i], f[i]);
  }
  ASSERT_GT(candidates, 50u);
  ASSERT_LT(candidates, 432u);  // the constraint binds somewhere
  std::vector<double> ref(2);
  for (size_t i = 0; i < 2; ++i) ref[i] = hi[i] + 0.01 * (hi[i] - lo[i]);
  const double exact = hypervolume(all, *s, ref);
  ASSERT_GT(exact, 0);

  const Nsga2Plan plan = *nsga2_plan(200, 2);
  const Search found = run_nsga2(*ev, plan, 1, 2);
  EXPECT_EQ(found.outcome.proposed, plan.proposals());
  EXPECT_EQ(found.outcome.evaluated, found.evaluated.size());
  EXPECT_LT(found.evaluated.size(), 432u / 2);
  std::set<uint64_t> distinct;
  for (const auto& r : found.evaluated) distinct.insert(r.index);
  EXPECT_EQ(distinct.size(), found.evaluated.size());  // never evaluated twice
  const double got = hypervolume(found.evaluated, *s, ref);
  EXPECT_GT(got / exact, 0.95) << "nsga2 " << got << " grid " << exact;
  // A random sample of the same size does worse (the search is not a sample in disguise).
  std::vector<DesignResult> sample;
  for (uint64_t i : design_indices(432, SearchStrategy::kRandom, found.evaluated.size(), 1))
    sample.push_back(all[i]);
  EXPECT_GT(got, hypervolume(sample, *s, ref));
}

// A parameter with one value is fixed, not a decision variable (pagmo refuses equal bounds);
// a space of one design is that design, evaluated once.
TEST(Nsga2Search, ParametersWithOneValueAreFixed) {
  const auto fixed = [](std::string text, const std::string& values, const std::string& one) {
    return text.replace(text.find(values), values.size(), one);
  };
  const std::string text =
      fixed(kMediumSpace, "values: [66, 96, 114, 132, 148, 160]", "values: [132]");
  auto s = space_from(text);
  ASSERT_TRUE(s) << to_string(s.error());
  auto ev = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev);
  const Search found = run_nsga2(*ev, *nsga2_plan(64, 2), 1, 1);
  EXPECT_GT(found.evaluated.size(), 8u);
  for (const auto& r : found.evaluated) EXPECT_LT(r.index, 72u);  // 6 x 3 x 4 designs with 132 SMs
  const std::string one = fixed(
      fixed(fixed(text, R"(range: {min: "1 TB/s", max: "6 TB/s", steps: 6})", R"(values: ["2 TB/s"])"),
            R"(values: ["1.2 GHz", "1.6 GHz", "1.98 GHz"])", R"(values: ["1.6 GHz"])"),
      "values: [1, 2, 4, 8]", "values: [2]");
  auto s1 = space_from(one);
  ASSERT_TRUE(s1) << to_string(s1.error());
  ASSERT_EQ(s1->grid_size(), 1u);
  auto ev1 = DesignEvaluator::create(*s1);
  ASSERT_TRUE(ev1);
  const Search single = run_nsga2(*ev1, *nsga2_plan(64, 2), 1, 2);
  ASSERT_EQ(single.evaluated.size(), 1u);
  EXPECT_EQ(single.evaluated[0].index, 0u);
  EXPECT_EQ(single.outcome.proposed, 1u);
}

bool same_rows(const std::vector<DesignResult>& a, const std::vector<DesignResult>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].index != b[i].index || a[i].design_id != b[i].design_id) return false;
    for (size_t m = 0; m < kMetricCount; ++m)
      if (!(a[i].metrics[m] == b[i].metrics[m] ||
            (std::isnan(a[i].metrics[m]) && std::isnan(b[i].metrics[m]))))
        return false;
  }
  return true;
}

TEST(Nsga2Search, DeterministicForASeedOnAnyThreadCountAndWhenResumed) {
  auto s = space_from(kMediumSpace);
  ASSERT_TRUE(s);
  auto ev1 = DesignEvaluator::create(*s);
  auto ev2 = DesignEvaluator::create(*s);
  ASSERT_TRUE(ev1 && ev2);
  const Nsga2Plan plan = *nsga2_plan(120, 2);
  const Search a = run_nsga2(*ev1, plan, 5, 1);
  const Search b = run_nsga2(*ev2, plan, 5, 2);
  EXPECT_TRUE(same_rows(a.evaluated, b.evaluated));
  EXPECT_FALSE(same_rows(a.evaluated, run_nsga2(*ev1, plan, 6, 1).evaluated));
  // Resumed with the first 30 designs known (a database a killed run left): the same designs
  // proposed, those 30 looked up, the rest evaluated in the same order.
  const std::vector<DesignResult> known(a.evaluated.begin(), a.evaluated.begin() + 30);
  const Search resumed = run_nsga2(*ev2, plan, 5, 2, known);
  EXPECT_EQ(resumed.outcome.known, 30u);
  EXPECT_EQ(resumed.outcome.evaluated, a.evaluated.size() - 30);
  EXPECT_TRUE(same_rows(resumed.evaluated,
                        std::vector<DesignResult>(a.evaluated.begin() + 30, a.evaluated.end())));
}

}  // namespace
}  // namespace xpusim
