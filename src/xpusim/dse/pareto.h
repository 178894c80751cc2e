// SPDX-License-Identifier: Apache-2.0
// The Pareto front of a search: the feasible designs that meet the constraints and that no other
// such design dominates (at least as good in every objective, better in one). Designs with equal
// objectives are all kept. The front is a set: the order designs arrive in does not change it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/space.h"

namespace xpusim {

// True when `a` dominates `b` over `objectives` (both with finite objective values).
bool dominates(const MetricValues& a, const MetricValues& b,
               const std::vector<SpaceObjective>& objectives);

// As above over two results, per-model objectives (SpaceObjective::model) included.
bool dominates(const DesignResult& a, const DesignResult& b,
               const std::vector<SpaceObjective>& objectives);

// Feasible, every objective finite, every constraint met.
bool front_candidate(const DesignResult& r, const std::vector<SpaceObjective>& objectives,
                     const std::vector<SpaceConstraint>& constraints);

// Counts designs by outcome and keeps the non-dominated candidates as they arrive.
class FrontBuilder {
 public:
  FrontBuilder(std::vector<SpaceObjective> objectives, std::vector<SpaceConstraint> constraints);

  void add(const DesignResult& r);

  // The front, ordered by design index.
  [[nodiscard]] std::vector<DesignResult> front() const;
  [[nodiscard]] uint64_t evaluated() const { return evaluated_; }
  [[nodiscard]] uint64_t feasible() const { return feasible_; }
  [[nodiscard]] uint64_t within_constraints() const { return within_constraints_; }
  // Infeasible designs per reason class ("memory", "invalid", ...).
  [[nodiscard]] const std::map<std::string, uint64_t>& infeasible() const { return infeasible_; }
  [[nodiscard]] const std::vector<SpaceObjective>& objectives() const { return objectives_; }

 private:
  std::vector<SpaceObjective> objectives_;
  std::vector<SpaceConstraint> constraints_;
  std::vector<DesignResult> archive_;
  uint64_t evaluated_ = 0, feasible_ = 0, within_constraints_ = 0;
  std::map<std::string, uint64_t> infeasible_;
};

}  // namespace xpusim
