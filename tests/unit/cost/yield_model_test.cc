// SPDX-License-Identifier: Apache-2.0
// Yield-model registry (CONVENTIONS §7): every built-in model, invariants (Y(0)=1, falls with area
// and D0, NB -> Poisson as alpha grows), harvesting, and the error messages for bad names/params.
#include <gtest/gtest.h>

#include <cmath>

#include "xpusim/cost/yield_model.h"

namespace xpusim {
namespace {

TEST(YieldRegistry, ListsTheSevenBuiltins) {
  auto names = YieldModelRegistry::builtin().names();
  EXPECT_EQ(names, (std::vector<std::string>{"poisson", "murphy", "seeds", "rectangular", "moore",
                                             "negative_binomial", "bose_einstein"}));
  for (const auto& n : names) {
    auto m = YieldModelRegistry::builtin().create(n, {});
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)->name(), n);
    EXPECT_FALSE(YieldModelRegistry::builtin().description(n).empty());
  }
}

TEST(YieldRegistry, YieldFallsWithAreaAndDefectDensity) {
  for (const auto& n : YieldModelRegistry::builtin().names()) {
    auto m = YieldModelRegistry::builtin().create(n, {});
    ASSERT_TRUE(m);
    EXPECT_DOUBLE_EQ((*m)->yield(units::mm2(800), units::per_cm2(0)), 1.0) << n;
    double prev = 1.0;
    for (double a : {50.0, 100.0, 200.0, 400.0, 800.0, 1600.0}) {
      double y = (*m)->yield(units::mm2(a), units::per_cm2(0.1));
      EXPECT_LT(y, prev) << n << " " << a;
      EXPECT_GT(y, 0.0);
      prev = y;
    }
    EXPECT_GT((*m)->yield(units::mm2(400), units::per_cm2(0.05)),
              (*m)->yield(units::mm2(400), units::per_cm2(0.2)))
        << n;
  }
}

TEST(YieldRegistry, NegativeBinomialTendsToPoissonAndSeedsIsAlphaOne) {
  auto& reg = YieldModelRegistry::builtin();
  auto poisson = reg.create("poisson", {});
  auto nb = reg.create("negative_binomial", {.alpha = 1e6});
  auto nb1 = reg.create("negative_binomial", {.alpha = 1});
  auto seeds = reg.create("seeds", {});
  ASSERT_TRUE(poisson && nb && nb1 && seeds);
  auto a = units::mm2(600);
  auto d = units::per_cm2(0.1);
  EXPECT_NEAR((*nb)->yield(a, d), (*poisson)->yield(a, d), 1e-6);
  EXPECT_NEAR((*nb1)->yield(a, d), (*seeds)->yield(a, d), 1e-12);
}

TEST(YieldRegistry, DuplicateNameIsAnError) {
  YieldModelRegistry r;
  register_builtin_yield_models(r);
  auto again = r.add("murphy", "x", nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error()[0].message, "yield model 'murphy' is registered twice");
}

TEST(YieldRegistryErrors, UnknownNameListsKnownOnesWithDidYouMean) {
  auto m = YieldModelRegistry::builtin().create("murpy", {});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error()[0].message,
            "unknown yield model 'murpy'; known models: poisson, murphy, seeds, rectangular, "
            "moore, negative_binomial, bose_einstein; did you mean 'murphy'?");
}

TEST(YieldRegistryErrors, BadParametersNamed) {
  auto m = YieldModelRegistry::builtin().create("negative_binomial", {.alpha = -1, .layers = 0});
  ASSERT_FALSE(m);
  ASSERT_EQ(m.error().size(), 2u);
  EXPECT_EQ(m.error()[0].message, "the clustering parameter alpha must be > 0, got -1");
  EXPECT_EQ(m.error()[1].message, "the number of critical layers must be >= 1, got 0");
}

TEST(Harvesting, SpareUnitsRaiseSellableYield) {
  auto m = YieldModelRegistry::builtin().create("poisson", {});
  ASSERT_TRUE(m);
  const auto d0 = units::per_cm2(0.1);
  const auto die = units::mm2(800);
  const double plain = (*m)->yield(die, d0);
  // No spares: same as the whole-die model (Poisson is exactly multiplicative over regions).
  EXPECT_NEAR(harvested_yield(**m, d0, die, {{100, 100, units::mm2(4)}}).value(), plain, 1e-12);
  double prev = plain;
  for (int spares : {1, 4, 12}) {
    double y = harvested_yield(**m, d0, die, {{100 + spares, 100, units::mm2(4)}}).value();
    // Same die area: the spare units replace non-redundant area.
    EXPECT_GT(y, prev) << spares;
    prev = y;
  }
  // Bounded by the yield of the non-redundant rest.
  EXPECT_LE(prev, (*m)->yield(die - units::mm2(4 * 112), d0) + 1e-12);
}

}  // namespace
}  // namespace xpusim
