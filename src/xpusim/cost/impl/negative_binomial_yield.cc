// SPDX-License-Identifier: Apache-2.0
// NegativeBinomialYield: a built-in YieldModel (registered as "negative_binomial"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/base/check.h"
#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Negative binomial (Stapper): (1 + x/alpha)^-alpha; alpha -> infinity gives Poisson.
class NegativeBinomialYield final : public YieldModel {
 public:
  explicit NegativeBinomialYield(double alpha) : alpha_(alpha) { XPUSIM_CHECK(alpha > 0, "alpha > 0"); }
  std::string_view name() const override { return "negative_binomial"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return std::pow(1.0 + mean_defects(a, d0) / alpha_, -alpha_);
  }

 private:
  double alpha_;
};

}  // namespace

std::unique_ptr<YieldModel> make_negative_binomial_yield(double alpha) { return std::make_unique<NegativeBinomialYield>(alpha); }

}  // namespace xpusim::impl
