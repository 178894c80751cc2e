// SPDX-License-Identifier: Apache-2.0
// Area model: A100 and H100 predicted from their architecture within 10% of the published die
// areas (A100 826 mm², N7, NVIDIA whitepaper; H100 814 mm², 4N, economics.md §5.1), node
// scaling, reticle infeasibility, chiplet split, and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "unit/area/reference_chips.h"
#include "xpusim/area/area_model.h"

namespace xpusim {
namespace {

using testing::a100_die;
using testing::a100_sxm;
using testing::h100_die;
using testing::h100_sxm;

TEST(AreaModel, A100WithinTenPercentOfPublishedDie) {
  auto r = estimate_area(a100_sxm(), a100_die());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_NEAR(r->total_area.value(), 826.0, 82.6);
  EXPECT_TRUE(r->feasibility.feasible());
  EXPECT_EQ(r->units_on_die, 128);
}

TEST(AreaModel, H100WithinTenPercentOfPublishedDie) {
  auto r = estimate_area(h100_sxm(), h100_die());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_NEAR(r->total_area.value(), 814.0, 81.4);
  EXPECT_TRUE(r->feasibility.feasible());
}

TEST(AreaModel, ComponentsSumToDieArea) {
  auto r = estimate_area(h100_sxm(), h100_die());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->dies.size(), 1u);
  SquareMillimeters sum;
  for (const auto& c : r->dies[0].components) sum += c.area;
  EXPECT_NEAR(sum.value(), r->dies[0].area.value(), 1e-9);
  EXPECT_NEAR(r->dies[0].width.value() * r->dies[0].height.value(), r->dies[0].area.value(), 1e-6);
}

// A link family without published PHY figures is priced as NVLink4 ports, and the report says
// so; NVLink4 itself is a published family (no assumption).
TEST(AreaModel, UnpublishedLinkFamilyIsPricedAsNvlink4AndSaysSo) {
  auto known = estimate_area(h100_sxm(), h100_die());
  ASSERT_TRUE(known) << to_string(known.error());
  EXPECT_TRUE(known->assumptions.empty());
  HardwareSpec hw = h100_sxm();
  hw.interconnect.scale_up.name = "SomeLink";
  auto other = estimate_area(hw, h100_die());
  ASSERT_TRUE(other) << to_string(other.error());
  ASSERT_EQ(other->assumptions.size(), 1u);
  EXPECT_NE(other->assumptions[0].find("SomeLink"), std::string::npos);
  EXPECT_NE(other->assumptions[0].find("NVLink4"), std::string::npos);
  EXPECT_NEAR(other->total_area.value(), known->total_area.value(), 1e-9);
}

TEST(AreaModel, DefaultHarvestingFractionWhenDieInventoryUnknown) {
  auto r = estimate_area(a100_sxm());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->units_on_die, 120);  // ceil(108 / 0.9)
  EXPECT_EQ(r->dram_phys_on_die, 5);
}

// Same architecture on a newer node is smaller; PHYs do not shrink so the ratio is above the
// logic density ratio.
TEST(AreaModel, ShrinksMonotonicallyWithNode) {
  double prev = 1e30;
  for (ProcessNode n : kAllProcessNodes) {
    HardwareSpec hw = a100_sxm();
    hw.physical.compute_die.node = std::string(to_string(n));
    auto r = estimate_area(hw, a100_die());
    ASSERT_TRUE(r);
    EXPECT_LE(r->total_area.value(), prev) << to_string(n);
    prev = r->total_area.value();
  }
}

TEST(AreaModel, MoreUnitsMoreArea) {
  HardwareSpec hw = h100_sxm();
  auto small = estimate_area(hw, {.units_on_die = 144, .dram_phys_on_die = 6});
  auto big = estimate_area(hw, {.units_on_die = 200, .dram_phys_on_die = 6});
  ASSERT_TRUE(small && big);
  EXPECT_GT(big->total_area, small->total_area);
}

TEST(AreaModel, OversizedMonolithicDieIsInfeasibleNotAnError) {
  HardwareSpec hw = h100_sxm();
  hw.compute.units = 264;
  auto r = estimate_area(hw, {.units_on_die = 288, .dram_phys_on_die = 6});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->feasibility.feasible());
  EXPECT_EQ(r->feasibility.reason, InfeasibleReason::kReticle);
  EXPECT_NE(r->feasibility.to_string().find("exceeds the 26 x 33 mm reticle"), std::string::npos)
      << r->feasibility.to_string();
  // The excess is the die beyond the 26 x 33 mm field, and the detail says it.
  ASSERT_EQ(r->dies.size(), 1u);
  EXPECT_NEAR(r->reticle_excess.value(), r->dies[0].area.value() - 858.0, 1e-9);
  EXPECT_GT(r->reticle_excess.value(), 0);
  char by[64];
  std::snprintf(by, sizeof by, "by %.0f mm²", r->reticle_excess.value());
  EXPECT_NE(r->feasibility.detail.find(by), std::string::npos) << r->feasibility.detail;
}

TEST(AreaModel, TwoChipletsFitTheReticleAndPayDieToDie) {
  HardwareSpec hw = h100_sxm();
  hw.compute.units = 264;
  hw.physical.compute_die.count = 2;
  auto r = estimate_area(hw, {.units_on_die = 288, .dram_phys_on_die = 6});
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_TRUE(r->feasibility.feasible()) << r->feasibility.to_string();
  ASSERT_EQ(r->dies.size(), 1u);
  EXPECT_EQ(r->dies[0].count, 2);
  bool has_d2d = false;
  for (const auto& c : r->dies[0].components) has_d2d |= c.name == "die-to-die PHY";
  EXPECT_TRUE(has_d2d);
  EXPECT_NEAR(r->total_area.value(), 2 * r->dies[0].area.value(), 1e-9);
}

TEST(AreaModel, IoDieHoldsTheMemoryPhys) {
  HardwareSpec hw = h100_sxm();
  hw.physical.io_die = {"IOD", 2, std::nullopt, "n6"};
  auto r = estimate_area(hw, h100_die());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->dies.size(), 2u);
  bool io_has_phy = false, compute_has_phy = false;
  for (const auto& c : r->dies[1].components) io_has_phy |= c.name == "HBM PHYs";
  for (const auto& c : r->dies[0].components) compute_has_phy |= c.name == "HBM PHYs";
  EXPECT_TRUE(io_has_phy);
  EXPECT_FALSE(compute_has_phy);
}

TEST(AreaModel, SramEfficiencyFollowsLlmCompassTable) {
  EXPECT_NEAR(sram_array_efficiency(units::kib(4)), 0.076, 1e-12);
  EXPECT_NEAR(sram_array_efficiency(units::kib(128)), 0.704, 1e-12);
  EXPECT_NEAR(sram_array_efficiency(units::kib(512)), 0.602, 1e-12);
  EXPECT_NEAR(sram_array_efficiency(units::mib(64)), 0.602, 1e-12);  // built from 512 KiB units
  // LLMCompass: FP16 FPU 25,344 transistors, FP32 134,069 (economics.md §5.2).
  EXPECT_NEAR(transistors_per_mac(Precision::kFp16), 25344, 1);
  EXPECT_NEAR(transistors_per_mac(Precision::kFp32), 134069, 1);
}

TEST(AreaModelErrors, MissingNodeNamesTheFieldAndTheChoices) {
  HardwareSpec hw = a100_sxm();
  hw.physical.compute_die.node = "";
  auto r = estimate_area(hw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].path, "physical.compute_die.node");
  EXPECT_NE(r.error()[0].message.find("n16, n7, n6, n5, n4, n3, n2"), std::string::npos);
}

// HBM without a stack count ("0 = not given") would build a die without its memory interface and
// price a package without its stacks (before 2026-12-07: silently, cheaper); GDDR and sram_only
// designs are not affected.
TEST(AreaModelErrors, HbmWithoutAStackCountIsRefusedByName) {
  HardwareSpec hw = a100_sxm();
  ASSERT_EQ(hw.memory.dram.type.rfind("hbm", 0), 0u);
  hw.memory.dram.stacks = 0;
  auto r = estimate_area(hw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].path, "memory.dram.stacks");
  EXPECT_NE(r.error()[0].message.find("give the stack count"), std::string::npos);
  hw.memory.dram.type = "gddr6";
  EXPECT_TRUE(estimate_area(hw));
}

TEST(AreaModelErrors, MisspelledNodeGetsDidYouMean) {
  HardwareSpec hw = a100_sxm();
  hw.physical.compute_die.node = "n77";
  auto r = estimate_area(hw);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("unknown process node 'n77'"), std::string::npos);
  EXPECT_NE(r.error()[0].message.find("did you mean 'n7'?"), std::string::npos);
}

TEST(AreaModelErrors, FewerUnitsOnDieThanEnabled) {
  auto r = estimate_area(a100_sxm(), {.units_on_die = 100});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("100 units on the die is fewer than the 108 enabled units"),
            std::string::npos);
}

}  // namespace
}  // namespace xpusim
