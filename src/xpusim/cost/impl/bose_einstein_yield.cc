// SPDX-License-Identifier: Apache-2.0
// BoseEinsteinYield: a built-in YieldModel (registered as "bose_einstein"). Ignores parametric and
// systematic (non-random) yield loss, like every model of the registry.
#include <cmath>
#include <memory>

#include "xpusim/base/check.h"
#include "xpusim/cost/impl/builtin_yield_models.h"

namespace xpusim::impl {
namespace {

// Bose-Einstein (Price 1970): (1 + A·D0_layer)^-n with D0_layer = D0/n. The SemiAnalysis
// calculator instead reads its D0 input as per-layer; pass n·D0_layer to reproduce it.
class BoseEinsteinYield final : public YieldModel {
 public:
  explicit BoseEinsteinYield(int layers) : layers_(layers) { XPUSIM_CHECK(layers >= 1, "layers >= 1"); }
  std::string_view name() const override { return "bose_einstein"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    double n = layers_;
    return std::pow(1.0 + mean_defects(a, d0) / n, -n);
  }

 private:
  int layers_;
};

}  // namespace

std::unique_ptr<YieldModel> make_bose_einstein_yield(int layers) { return std::make_unique<BoseEinsteinYield>(layers); }

}  // namespace xpusim::impl
