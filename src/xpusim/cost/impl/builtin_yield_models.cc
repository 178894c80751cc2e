// SPDX-License-Identifier: Apache-2.0
// The seven built-in YieldModel implementations. Formulas as implemented in the SemiAnalysis die
// yield calculator (src/config/yieldModels.ts @48058e7) plus Stapper's negative binomial
// (economics.md §2.2). x = D0·A is the mean number of killer defects per die. All ignore
// parametric and systematic (non-random) yield loss.
#include <cmath>
#include <memory>

#include "xpusim/base/check.h"
#include "xpusim/cost/yield_model.h"

namespace xpusim {
namespace {

double mean_defects(SquareMillimeters area, PerSquareMillimeter d0) { return (area * d0); }

// Poisson: e^-x; random, unclustered defects (the most pessimistic classical model).
class PoissonYield final : public YieldModel {
 public:
  std::string_view name() const override { return "poisson"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return std::exp(-mean_defects(a, d0));
  }
};

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

// Seeds (exponential D distribution): 1/(1 + x) = negative binomial with alpha = 1.
class SeedsYield final : public YieldModel {
 public:
  std::string_view name() const override { return "seeds"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return 1.0 / (1.0 + mean_defects(a, d0));
  }
};

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

// Moore: e^-√x; very pessimistic for small dies.
class MooreYield final : public YieldModel {
 public:
  std::string_view name() const override { return "moore"; }
  double yield(SquareMillimeters a, PerSquareMillimeter d0) const override {
    return std::exp(-std::sqrt(mean_defects(a, d0)));
  }
};

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

void must(Result<void> r) { XPUSIM_CHECK(r.has_value(), "duplicate built-in yield model"); }

}  // namespace

void register_builtin_yield_models(YieldModelRegistry& r) {
  must(r.add("poisson", "e^-x: random unclustered defects",
             [](const YieldParams&) { return std::make_unique<PoissonYield>(); }));
  must(r.add("murphy", "((1-e^-x)/x)^2: Murphy 1964, SemiAnalysis default",
             [](const YieldParams&) { return std::make_unique<MurphyYield>(); }));
  must(r.add("seeds", "1/(1+x): exponential defect density",
             [](const YieldParams&) { return std::make_unique<SeedsYield>(); }));
  must(r.add("rectangular", "(1-e^-2x)/(2x): uniform defect density",
             [](const YieldParams&) { return std::make_unique<RectangularYield>(); }));
  must(r.add("moore", "e^-sqrt(x)", [](const YieldParams&) { return std::make_unique<MooreYield>(); }));
  must(r.add("negative_binomial", "(1+x/alpha)^-alpha: Stapper, clustered defects (--alpha)",
             [](const YieldParams& p) { return std::make_unique<NegativeBinomialYield>(p.alpha); }));
  must(r.add("bose_einstein", "(1+x/n)^-n: Price 1970, n critical layers (--layers)",
             [](const YieldParams& p) { return std::make_unique<BoseEinsteinYield>(p.layers); }));
}

}  // namespace xpusim
