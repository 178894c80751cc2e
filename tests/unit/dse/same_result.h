// SPDX-License-Identifier: Apache-2.0
// Equality of two design results as the dse tests compare them (search_test.cc, rank_split_test.cc):
// the same design, the same feasibility verdict, and every metric equal (NaN, an absent metric,
// equals NaN).
#pragma once

#include <cmath>
#include <cstddef>

#include "xpusim/dse/design_evaluator.h"

namespace xpusim::dse_test {

inline bool same(const DesignResult& a, const DesignResult& b) {
  if (a.index != b.index || a.design_id != b.design_id ||
      a.feasibility.reason != b.feasibility.reason || a.feasibility.detail != b.feasibility.detail)
    return false;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const double x = a.metrics[i], y = b.metrics[i];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  if (a.model_metrics.size() != b.model_metrics.size()) return false;
  for (std::size_t i = 0; i < a.model_metrics.size(); ++i) {
    const double x = a.model_metrics[i], y = b.model_metrics[i];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

}  // namespace xpusim::dse_test
