// SPDX-License-Identifier: Apache-2.0
// SeedsYield: a built-in YieldModel (registered as "seeds"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Seeds (exponential D distribution): 1/(1 + x) = negative binomial with alpha = 1.
class SeedsYield final : public YieldModel {
 public:
  std::string_view name() const override { return "seeds"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return 1.0 / (1.0 + mean_defects(a, d0));
  }
};

}  // namespace

std::unique_ptr<YieldModel> make_seeds_yield() { return std::make_unique<SeedsYield>(); }

}  // namespace xpusim::impl
