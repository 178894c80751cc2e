// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/pareto.h"

#include <algorithm>
#include <cmath>

namespace xpusim {

bool dominates(const MetricValues& a, const MetricValues& b,
               const std::vector<SpaceObjective>& objectives) {
  bool better = false;
  for (const auto& o : objectives) {
    const double x = a[static_cast<size_t>(o.metric)];
    const double y = b[static_cast<size_t>(o.metric)];
    if (o.maximize ? x < y : x > y) return false;
    if (x != y) better = true;
  }
  return better;
}

bool dominates(const DesignResult& a, const DesignResult& b,
               const std::vector<SpaceObjective>& objectives) {
  bool better = false;
  for (const auto& o : objectives) {
    const double x = metric_value(a, o.metric, o.model);
    const double y = metric_value(b, o.metric, o.model);
    if (o.maximize ? x < y : x > y) return false;
    if (x != y) better = true;
  }
  return better;
}

bool front_candidate(const DesignResult& r, const std::vector<SpaceObjective>& objectives,
                     const std::vector<SpaceConstraint>& constraints) {
  if (!r.feasibility.feasible()) return false;
  for (const auto& o : objectives)
    if (!std::isfinite(metric_value(r, o.metric, o.model))) return false;
  for (const auto& c : constraints) {
    const double v = metric_value(r, c.metric, c.model);
    if (!std::isfinite(v)) return false;
    if (c.min && v < *c.min) return false;
    if (c.max && v > *c.max) return false;
  }
  return true;
}

FrontBuilder::FrontBuilder(std::vector<SpaceObjective> objectives,
                           std::vector<SpaceConstraint> constraints)
    : objectives_(std::move(objectives)), constraints_(std::move(constraints)) {}

void FrontBuilder::add(const DesignResult& r) {
  ++evaluated_;
  if (!r.feasibility.feasible()) {
    ++infeasible_[std::string(r.feasibility.reason_name())];
    return;
  }
  ++feasible_;
  if (!front_candidate(r, objectives_, constraints_)) return;
  ++within_constraints_;
  for (const auto& a : archive_)
    if (dominates(a, r, objectives_)) return;
  std::erase_if(archive_, [&](const DesignResult& a) { return dominates(r, a, objectives_); });
  archive_.push_back(r);
}

std::vector<DesignResult> FrontBuilder::front() const {
  std::vector<DesignResult> f = archive_;
  std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return f;
}

}  // namespace xpusim
