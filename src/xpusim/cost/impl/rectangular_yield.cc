// SPDX-License-Identifier: Apache-2.0
// RectangularYield: a built-in YieldModel (registered as "rectangular"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Rectangular (uniform D distribution on [0, 2 D0]): (1 − e^-2x)/(2x).
class RectangularYield final : public YieldModel {
 public:
  std::string_view name() const override { return "rectangular"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    double x = mean_defects(a, d0);
    if (x < 1e-12) return 1.0;
    return -std::expm1(-2 * x) / (2 * x);
  }
};

}  // namespace

std::unique_ptr<YieldModel> make_rectangular_yield() { return std::make_unique<RectangularYield>(); }

}  // namespace xpusim::impl
