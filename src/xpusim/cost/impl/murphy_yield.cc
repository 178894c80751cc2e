// SPDX-License-Identifier: Apache-2.0
// MurphyYield: a built-in YieldModel (registered as "murphy"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Murphy (1964): ((1 − e^-x)/x)², triangular distribution of D (SemiAnalysis default).
class MurphyYield final : public YieldModel {
 public:
  std::string_view name() const override { return "murphy"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    double x = mean_defects(a, d0);
    if (x < 1e-12) return 1.0;
    double f = -std::expm1(-x) / x;
    return f * f;
  }
};

}  // namespace

std::unique_ptr<YieldModel> make_murphy_yield() { return std::make_unique<MurphyYield>(); }

}  // namespace xpusim::impl
