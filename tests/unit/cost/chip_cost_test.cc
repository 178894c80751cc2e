// SPDX-License-Identifier: Apache-2.0
// Cost per good package: the H100 build-up against the published estimates (economics.md §3.5,
// loose: $3,320 Raymond James 2023; Silicon Analysts 2026 logic $300 / HBM $1.4k / package $750),
// packaging formulas (Chiplet Actuary, §4), NRE amortisation, monotonic invariants and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "unit/area/reference_chips.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/node_economics.h"
#include "xpusim/cost/tco.h"

namespace xpusim {
namespace {

CostBreakdown h100_cost(const CostAssumptions& a = {}) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  EXPECT_TRUE(area);
  auto c = estimate_cost(hw, *area, a);
  EXPECT_TRUE(c) << (c ? "" : to_string(c.error()));
  return *c;
}

TEST(ChipCost, H100BuildUpNearPublishedEstimates) {
  CostBreakdown c = h100_cost();
  // Published manufacturing cost $3,320 (Raymond James, 2023, [M]); the model lands within 35%
  // (-33%: with 0.99 per bond the package no longer carries 0.95^6 bond losses; what remains
  // short is test/assembly and the CoWoS service price, see package_yield_test.cc).
  EXPECT_NEAR(c.manufacturing.value(), 3320, 0.35 * 3320);
  // Logic die: Silicon Analysts $300, Weibo ~$200 ([L]); within a factor 2.
  EXPECT_GT(c.logic_dies.value(), 150);
  EXPECT_LT(c.logic_dies.value(), 600);
  // HBM3: 80 GB x $15/GB.
  EXPECT_NEAR(c.memory.value(), 1200, 1e-6);
  // CoWoS: $723-750 published ([L]); within the published $300-2,000 per-unit range ([L]): the
  // model prices the interposer as a 55 nm-class wafer, not at TSMC's CoWoS service price.
  EXPECT_GT(c.package.total.value(), 300);
  EXPECT_LT(c.package.total.value(), 750 * 2.0);
  // Harvesting rescues most defective GH100 dies (132 of 144 SMs enabled).
  EXPECT_GT(c.dies[0].sellable_yield, c.dies[0].defect_free_yield);
  EXPECT_TRUE(c.feasibility.feasible());
  // Sum of the parts.
  EXPECT_NEAR(c.manufacturing.value(),
              (c.logic_dies + c.memory + c.package.total + c.test_assembly).value(), 1e-6);
}

// Chiplet Actuary silicon interposer: ~29 H100-size interposers per wafer is also the published
// "~29 H100 per CoWoS wafer" (economics.md §3.3).
TEST(PackageCost, InterposerCountMatchesPublishedPackagesPerCowosWafer) {
  CostBreakdown c = h100_cost();
  EXPECT_NEAR(c.package.interposers_per_wafer, 29, 3);
}

TEST(PackageCost, OrganicSingleDieFollowsChipletActuary) {
  // One 100 mm² die, KGD $10: substrate 4·100·0.005 = $2, bumps $0.5, bond yield 0.99.
  auto p = package_cost(PackageKind::kOrganic, {{"die", 1, units::mm2(100), units::usd(10)}});
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->substrate.value(), 2.0, 1e-9);
  EXPECT_NEAR(p->bumps.value(), 0.5, 1e-9);
  EXPECT_NEAR(p->wasted_known_good_dies.value(), 10 * (1 / 0.99 - 1), 1e-9);
  EXPECT_NEAR(p->total.value(), 2.5 / 0.99 + 10 * (1 / 0.99 - 1), 1e-9);
}

TEST(PackageCost, ChipFirstWastesMoreKnownGoodDiesThanChipLast) {
  std::vector<PackagedChip> chips = {{"die", 2, units::mm2(400), units::usd(200)}};
  PackageParams last;
  PackageParams first;
  first.chip_last = false;
  auto a = package_cost(PackageKind::kSiliconInterposer, chips, last);
  auto b = package_cost(PackageKind::kSiliconInterposer, chips, first);
  ASSERT_TRUE(a && b);
  EXPECT_GT(b->wasted_known_good_dies, a->wasted_known_good_dies);
}

TEST(ChipCost, GrowsWithAreaAndDefectDensity) {
  auto hw = testing::h100_sxm();
  double prev = 0;
  for (int units_on_die : {144, 160, 180}) {
    auto area = estimate_area(hw, {.units_on_die = units_on_die, .dram_phys_on_die = 6});
    ASSERT_TRUE(area);
    auto c = estimate_cost(hw, *area);
    ASSERT_TRUE(c);
    EXPECT_GT(c->manufacturing.value(), prev);
    prev = c->manufacturing.value();
  }
  prev = 0;
  for (double d0 : {0.0, 0.05, 0.1, 0.2, 0.4}) {
    CostAssumptions a;
    a.d0 = units::per_cm2(d0);
    CostBreakdown c = h100_cost(a);
    EXPECT_GT(c.manufacturing.value(), prev) << d0;
    prev = c.manufacturing.value();
  }
}

TEST(ChipCost, MoreVolumeLowersNrePerUnit) {
  double prev = 1e30;
  for (double v : {1e4, 1e5, 1e6, 1e7}) {
    CostAssumptions a;
    a.volume = v;
    CostBreakdown c = h100_cost(a);
    EXPECT_LT(c.nre_per_unit.value(), prev);
    EXPECT_NEAR(c.nre_per_unit.value() * v, c.design_nre.value(), 1e-3);
    prev = c.nre_per_unit.value();
  }
}

TEST(ChipCost, DesignNreFollowsChipletActuarySplit) {
  // 300 mm² at 7 nm: the full $298M; 600 mm²: 0.8·2 + 0.2 = 1.8x.
  EXPECT_NEAR(die_design_nre(units::mm2(300), ProcessNode::kN7).value(), 298e6, 1);
  EXPECT_NEAR(die_design_nre(units::mm2(600), ProcessNode::kN7).value(), 1.8 * 298e6, 1);
}

// The nodes without a published NRE (N6, N4, N2) take their parent's per transistor, so the
// same design (an H100) never costs less to design on the denser node of a family; before
// 2026-12-07, per mm², it did (N2 below N3 by the die's shrink).
TEST(ChipCost, FamilyNodesNeverMakeTheSameDesignCheaperToDesign) {
  const struct { ProcessNode parent, node; } pairs[] = {{ProcessNode::kN7, ProcessNode::kN6},
                                                        {ProcessNode::kN5, ProcessNode::kN4},
                                                        {ProcessNode::kN3, ProcessNode::kN2}};
  for (const auto& p : pairs) {
    auto nre_on = [](ProcessNode n) {
      auto hw = testing::h100_sxm();
      hw.physical.compute_die.node = std::string(to_string(n));
      auto area = estimate_area(hw);
      EXPECT_TRUE(area);
      auto c = estimate_cost(hw, *area);
      EXPECT_TRUE(c) << (c ? "" : to_string(c.error()));
      return c->design_nre.value();
    };
    EXPECT_GE(nre_on(p.node), nre_on(p.parent)) << to_string(p.node);
    // Per transistor: the parent's $ per 300 mm² times the logic density ratio.
    EXPECT_NEAR(node_economics(p.node).design_nre_300mm2.value(),
                node_economics(p.parent).design_nre_300mm2.value() *
                    (technology(p.node).logic_density / technology(p.parent).logic_density),
                1.0);
  }
}

TEST(ChipCostErrors, NegativeDefectDensityAndBadVolume) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  CostAssumptions a;
  a.d0 = units::per_cm2(-0.1);
  a.volume = 0;
  auto c = estimate_cost(hw, *area, a);
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 2u);
  EXPECT_EQ(c.error()[0].message, "defect density must be >= 0 per cm², got -0.1");
  EXPECT_EQ(c.error()[1].message, "volume must be >= 1 package, got 0");
}

TEST(ChipCostErrors, MisspelledYieldModelAndPackage) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  CostAssumptions a;
  a.yield_model = "posson";
  auto c = estimate_cost(hw, *area, a);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error()[0].message.find("did you mean 'poisson'?"), std::string::npos);
  hw.physical.package = "cowos-s";
  auto d = estimate_cost(hw, *area);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error()[0].message.find("unknown package 'cowos-s'"), std::string::npos);
  EXPECT_NE(d.error()[0].message.find("did you mean 'cowos_s'?"), std::string::npos);
}

TEST(Tco, EnergyAndTokensArithmetic) {
  TcoAssumptions a;
  a.lifetime = units::seconds(1000);
  a.electricity = UsdPerJoule(1e-6);
  a.pue = 1.5;
  a.system_power_factor = 2.0;
  a.system_fixed_power = units::watts(0);  // proportional part only here
  auto t = total_cost_of_ownership(units::usd(1000), units::watts(100), a);
  ASSERT_TRUE(t);
  EXPECT_NEAR(t->energy.value(), 100 * 1000 * 2.0 * 1.5, 1e-9);
  EXPECT_NEAR(t->energy_cost.value(), 0.3, 1e-12);
  EXPECT_NEAR(t->total.value(), 1000.3, 1e-9);
  // 1000 s at 10 tokens/s = 10^4 tokens -> $1000.3 / 0.01 M tokens.
  auto c = cost_per_million_tokens(*t, TokensPerSecond(10), a);
  ASSERT_TRUE(c);
  EXPECT_NEAR(c->value(), 1000.3 * 100, 1e-6);
  // More throughput, cheaper tokens.
  auto c2 = cost_per_million_tokens(*t, TokensPerSecond(20), a);
  ASSERT_TRUE(c2);
  EXPECT_LT(*c2, *c);
}

TEST(TcoErrors, ZeroThroughputAndNegativePower) {
  auto t = total_cost_of_ownership(units::usd(1000), units::watts(-5));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error()[0].message, "power must be >= 0 W, got -5");
  auto ok = total_cost_of_ownership(units::usd(1000), units::watts(5));
  ASSERT_TRUE(ok);
  auto c = cost_per_million_tokens(*ok, TokensPerSecond(0));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error()[0].message, "throughput must be > 0 tokens/s, got 0");
}

}  // namespace
}  // namespace xpusim
