// SPDX-License-Identifier: Apache-2.0
// PoissonYield: a built-in YieldModel (registered as "poisson"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Poisson: e^-x; random, unclustered defects (the most pessimistic classical model).
class PoissonYield final : public YieldModel {
 public:
  std::string_view name() const override { return "poisson"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return std::exp(-mean_defects(a, d0));
  }
};

}  // namespace

std::unique_ptr<YieldModel> make_poisson_yield() { return std::make_unique<PoissonYield>(); }

}  // namespace xpusim::impl
