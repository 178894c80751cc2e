// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/nsga2_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include "xpusim/base/check.h"
#include "xpusim/dse/explorer.h"
#include "xpusim/dse/pareto.h"

namespace xpusim {
namespace {

// The state of one search, shared by the copies pagmo makes of the problem and the batch
// evaluator (both hold a pointer to it): the fitness of every design seen, by grid index.
struct SearchState {
  const SpaceSpec* space = nullptr;
  const DesignBatch* evaluate = nullptr;
  std::unordered_map<uint64_t, std::vector<double>> fitness;
  std::unordered_set<uint64_t> known_unused;  // known designs not proposed yet
  Nsga2Outcome outcome;

  // The parameters with more than one value: NSGA-II's decision variables (pagmo refuses a
  // variable whose bounds are equal); a parameter with one value is fixed at it.
  std::vector<size_t> variables;

  uint64_t index_of(const double* x) const {
    uint64_t index = 0;
    size_t next = 0;
    for (size_t p = 0; p < space->parameters.size(); ++p) {
      const auto k = static_cast<uint64_t>(space->parameters[p].values.size());
      if (next == variables.size() || variables[next] != p) {
        index *= k;  // value 0, its only one
        continue;
      }
      // pagmo keeps integer genes integral and within the bounds; clamp anyway.
      const double v = std::clamp(std::round(x[next++]), 0.0, static_cast<double>(k - 1));
      index = index * k + static_cast<uint64_t>(v);
    }
    return index;
  }

  // The fitness of the designs in `dvs` (decision vectors back to back).
  pagmo::vector_double batch(const pagmo::vector_double& dvs) {
    const size_t nx = variables.size();
    std::vector<uint64_t> indices;
    for (size_t i = 0; i + nx <= dvs.size(); i += nx) indices.push_back(index_of(&dvs[i]));
    return lookup(indices);
  }

  // The fitness of grid designs `indices`, evaluating the new ones in one batch in the order
  // they first appear.
  pagmo::vector_double lookup(const std::vector<uint64_t>& indices) {
    outcome.proposed += indices.size();
    std::vector<uint64_t> fresh;
    for (uint64_t i : indices) {
      if (known_unused.erase(i) != 0) ++outcome.known;
      if (!fitness.contains(i)) {
        fitness.emplace(i, std::vector<double>());
        fresh.push_back(i);
      }
    }
    if (!fresh.empty()) {
      const std::vector<DesignResult> results = (*evaluate)(fresh);
      XPUSIM_CHECK(results.size() == fresh.size(), "one result per design of the batch");
      for (const auto& r : results)
        fitness[r.index] = nsga2_fitness(r, space->objectives, space->constraints);
      outcome.evaluated += fresh.size();
    }
    pagmo::vector_double out;
    out.reserve(indices.size() * space->objectives.size());
    for (uint64_t i : indices) {
      const auto& f = fitness.at(i);
      XPUSIM_CHECK(f.size() == space->objectives.size(), "a fitness per objective");
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }
};

// The space as a pagmo user-defined problem: one integer decision variable per parameter.
struct SpaceProblem {
  SearchState* state = nullptr;
  [[nodiscard]] pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    return state->batch(x);
  }
  [[nodiscard]] std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double lb, ub;
    for (size_t p : state->variables) {
      lb.push_back(0);
      ub.push_back(static_cast<double>(state->space->parameters[p].values.size() - 1));
    }
    return {lb, ub};
  }
  [[nodiscard]] pagmo::vector_double::size_type get_nobj() const {
    return state->space->objectives.size();
  }
  [[nodiscard]] pagmo::vector_double::size_type get_nix() const {
    return state->variables.size();
  }
  [[nodiscard]] std::string get_name() const { return "xpusim design space"; }
};

// pagmo's batch fitness evaluator: a whole population (or generation of offspring) at once.
struct SpaceBatch {
  SearchState* state = nullptr;
  pagmo::vector_double operator()(const pagmo::problem&, const pagmo::vector_double& dvs) const {
    return state->batch(dvs);
  }
  [[nodiscard]] std::string get_name() const { return "xpusim batch evaluator"; }
};

}  // namespace

Result<Nsga2Plan> nsga2_plan(uint64_t max_evals, size_t objectives) {
  if (objectives < 2)
    return fail(Diagnostic{.file = "<command line>", .path = "--strategy",
                           .message = fmt::format("nsga2 needs at least two objectives (it ranks "
                                                  "designs by Pareto dominance); the space has {}: "
                                                  "use grid, random or lhs",
                                                  objectives)});
  if (max_evals < 2 * kNsga2MinPopulation)
    return fail(Diagnostic{
        .file = "<command line>", .path = "--max-evals",
        .message = fmt::format("{} is too small for --strategy nsga2: at least {} (a population "
                               "of {}, the smallest NSGA-II takes, and one generation)",
                               max_evals, 2 * kNsga2MinPopulation, kNsga2MinPopulation)});
  uint64_t root = static_cast<uint64_t>(std::sqrt(static_cast<double>(max_evals)));
  while (root * root > max_evals) --root;  // exact integer square root
  while ((root + 1) * (root + 1) <= max_evals) ++root;
  Nsga2Plan plan;
  plan.population = std::clamp(root / 4 * 4, kNsga2MinPopulation, kNsga2MaxPopulation);
  plan.generations = max_evals / plan.population - 1;
  return plan;
}

std::vector<double> nsga2_fitness(const DesignResult& r, const std::vector<SpaceObjective>& objectives,
                                  const std::vector<SpaceConstraint>& constraints) {
  const auto value = [&](const auto& o) { return metric_value(r, o.metric, o.model); };
  std::vector<double> f(objectives.size(), 3 * kNsga2Penalty);
  if (!r.feasibility.feasible()) return f;
  for (const auto& o : objectives)
    if (!std::isfinite(value(o))) return f;
  double violation = 0;
  for (const auto& c : constraints) {
    const double v = value(c);
    if (!std::isfinite(v)) return f;
    const auto relative = [&](double bound, double excess) {
      violation += std::max(0.0, excess) / (std::abs(bound) < 1e-12 ? 1.0 : std::abs(bound));
    };
    if (c.min) relative(*c.min, *c.min - v);
    if (c.max) relative(*c.max, v - *c.max);
  }
  if (violation > 0) {
    std::fill(f.begin(), f.end(), kNsga2Penalty * (1 + 2 * violation / (1 + violation)));
    return f;
  }
  for (size_t i = 0; i < objectives.size(); ++i)
    f[i] = objectives[i].maximize ? -value(objectives[i]) : value(objectives[i]);
  return f;
}

Nsga2Outcome nsga2_search(const SpaceSpec& space, const Nsga2Plan& plan, uint64_t seed,
                          const std::vector<DesignResult>& known, const DesignBatch& evaluate) {
  XPUSIM_CHECK(plan.population >= kNsga2MinPopulation && plan.population % 4 == 0,
               "an NSGA-II population is a multiple of 4, at least 8 (nsga2_plan)");
  SearchState state;
  state.space = &space;
  state.evaluate = &evaluate;
  XPUSIM_CHECK(plan.generations <= std::numeric_limits<unsigned>::max(), "pagmo counts generations in unsigned");
  for (const auto& r : known) {
    state.fitness.emplace(r.index, nsga2_fitness(r, space.objectives, space.constraints));
    state.known_unused.insert(r.index);
  }

  // pagmo seeds are 32 bits: two words of SplitMix64 from the seed, one for the initial
  // population and one for the algorithm's generator.
  uint64_t s = seed;
  const auto pop_seed = static_cast<unsigned>(splitmix64(s) >> 32);
  const auto algo_seed = static_cast<unsigned>(splitmix64(s) >> 32);
  for (size_t p = 0; p < space.parameters.size(); ++p)
    if (space.parameters[p].values.size() > 1) state.variables.push_back(p);
  if (state.variables.empty()) {  // a space of one design: nothing to search
    (void)state.lookup({0});
    return state.outcome;
  }
  pagmo::problem problem{SpaceProblem{&state}};
  const pagmo::bfe bfe{SpaceBatch{&state}};
  pagmo::population pop(problem, bfe, plan.population, pop_seed);
  const double mutation = 1.0 / static_cast<double>(std::max<size_t>(1, state.variables.size()));
  pagmo::nsga2 algorithm(static_cast<unsigned>(plan.generations), 0.95, 10.0, mutation, 50.0,
                         algo_seed);
  algorithm.set_bfe(bfe);
  if (plan.generations > 0) pop = algorithm.evolve(pop);
  return state.outcome;
}

}  // namespace xpusim
