// SPDX-License-Identifier: Apache-2.0
// Multi-objective evolutionary search over a space (dse/ stage 3, `--strategy nsga2`): pagmo2's
// NSGA-II (Deb et al., "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEC
// 6(2), 2002; Debian libpagmo-dev) on the space as an integer problem, one decision variable per
// parameter (its value index). Each generation's designs reach the caller as one batch, so the
// caller evaluates them in parallel (threads, MPI ranks) and writes them to its database; a design
// is evaluated once per search (memoised by grid index), and designs the caller already knows
// (a resumed database) are looked up, never evaluated.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/space.h"

namespace xpusim {

// Population and generations from the evaluation budget N (--max-evals): the population is the
// largest multiple of 4 not above sqrt(N), within [8, 256] (pagmo's NSGA-II needs a multiple of 4
// of at least 5: 8 is the smallest), and generations = N / population - 1 (the initial population
// is the first share), so at most population x (generations + 1) <= N designs are proposed.
struct Nsga2Plan {
  uint64_t population = 0;
  uint64_t generations = 0;
  [[nodiscard]] uint64_t proposals() const { return population * (generations + 1); }
};

inline constexpr uint64_t kNsga2MinPopulation = 8;
inline constexpr uint64_t kNsga2MaxPopulation = 256;

// The plan for `max_evals` over a space with `objectives` objectives; an error naming --max-evals
// (fewer than 2 x 8 evaluations: one population and one generation) or --strategy (fewer than two
// objectives: NSGA-II ranks by Pareto dominance, pagmo refuses one objective).
Result<Nsga2Plan> nsga2_plan(uint64_t max_evals, size_t objectives);

// What NSGA-II minimises for a design (one value per objective). A front candidate (feasible,
// finite objectives, every constraint met; pareto.h) gets its objective values, negated where the
// goal is max. Every other design gets the same penalty in each objective, above any real figure
// (|figure| < kNsga2Penalty = 1e15), so any candidate dominates it: a feasible design that misses
// a constraint gets kNsga2Penalty x (1 + 2 v / (1 + v)), with v the sum of the relative
// violations |value - bound| / |bound| (|bound| < 1e-12 counts as 1), which is below 3 x
// kNsga2Penalty and grows with v, so the search moves towards the constraints; an infeasible
// design, or one without a figure an objective or a constraint needs, gets 3 x kNsga2Penalty.
inline constexpr double kNsga2Penalty = 1e15;
std::vector<double> nsga2_fitness(const DesignResult& r, const std::vector<SpaceObjective>& objectives,
                                  const std::vector<SpaceConstraint>& constraints);

// Evaluates the grid designs `indices` (distinct, none seen before in this search) and returns
// their results in the same order.
using DesignBatch = std::function<std::vector<DesignResult>(const std::vector<uint64_t>& indices)>;

struct Nsga2Outcome {
  uint64_t proposed = 0;   // decision vectors NSGA-II asked for (population x (generations + 1))
  uint64_t evaluated = 0;  // distinct designs handed to `evaluate`
  uint64_t known = 0;      // distinct designs found in `known` instead
};

// Runs NSGA-II over `space` with `plan` and `seed` (crossover probability 0.95, mutation
// probability 1 / parameters: each gene is redrawn uniformly among its values with that
// probability; pagmo's defaults for the rest). Deterministic for the seed: pagmo's generator is
// seeded from it and every batch is handed over in the order NSGA-II proposes the designs.
// `known`: results already evaluated (a resumed database), used instead of evaluating them.
Nsga2Outcome nsga2_search(const SpaceSpec& space, const Nsga2Plan& plan, uint64_t seed,
                          const std::vector<DesignResult>& known, const DesignBatch& evaluate);

}  // namespace xpusim
