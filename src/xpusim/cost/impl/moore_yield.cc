// SPDX-License-Identifier: Apache-2.0
// MooreYield: a built-in YieldModel (registered as "moore"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Moore: e^-√x; very pessimistic for small dies.
class MooreYield final : public YieldModel {
 public:
  std::string_view name() const override { return "moore"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return std::exp(-std::sqrt(mean_defects(a, d0)));
  }
};

}  // namespace

std::unique_ptr<YieldModel> make_moore_yield() { return std::make_unique<MooreYield>(); }

}  // namespace xpusim::impl
