// SPDX-License-Identifier: Apache-2.0
// Stacked packages (soic_cowos, AMD MI300-class): compute dies hybrid-bonded on base dies, bases
// and HBM on a silicon interposer. Hand calculation of the Chiplet Actuary formulas with the
// stacked dies taken off the interposer, the per-base hybrid-bond yield, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"

namespace xpusim {
namespace {

// MI300X-like: 8 compute dies of 115 mm² (2 per base), 4 base dies of 370 mm², 8 HBM stacks.
std::vector<PackagedChip> mi300_like(bool stacked) {
  return {{"compute", 8, units::mm2(115), units::usd(50), stacked, false},
          {"io", 4, units::mm2(370), units::usd(60), false, stacked},
          {"HBM stack", 8, kHbmStackFootprint, units::usd(400)}};
}

TEST(StackedPackage, HandCalculation) {
  const PackageParams p;
  auto r = package_cost(PackageKind::kStackedOnSiliconInterposer, mi300_like(true), p);
  ASSERT_TRUE(r) << r.error()[0].message;
  // Interposer under the 4 bases and 8 HBM stacks only: 1.1 x (4·370 + 8·110) = 2,596 mm².
  EXPECT_NEAR(r->interposer_area.value(), 1.1 * (4 * 370 + 8 * 110), 1e-9);
  // 12 chips bonded to the interposer at 0.99 each; 2 hybrid bonds per base at 0.99.
  EXPECT_NEAR(r->bonding_yield, std::pow(0.99, 12), 1e-12);
  EXPECT_NEAR(r->stack_yield, 0.99 * 0.99, 1e-12);
  // Known-good stacks and interposer: the assembly loses the 12 bonds and the substrate attach
  // only, not the interposer's or the stacks' yield.
  EXPECT_NEAR(r->assembly_yield, std::pow(0.99, 12) * 0.99, 1e-12);
  EXPECT_NEAR(r->interposer_starts, 1 / (r->interposer_yield * r->assembly_yield), 1e-12);
  // Stacking: µbump-like process cost on 8·115 mm² + the stacks scrapped by failed bonds.
  const double stacks_kgd = 8 * 50 + 4 * 60;
  EXPECT_NEAR(r->stacking.value(), 0.01 * 8 * 115 + stacks_kgd * (1 / (0.99 * 0.99) - 1), 1e-9);
  // Chip-last: every known-good chip, stacked or not, is lost with a failed interposer bond.
  const double kgd = 8 * 50 + 4 * 60 + 8 * 400;
  EXPECT_NEAR(r->wasted_known_good_dies.value(),
              kgd * (1 / (std::pow(0.99, 12) * 0.99) - 1), 1e-6);
  EXPECT_NEAR(r->bumps.value(), 0.01 * (4 * 370 + 8 * 110), 1e-9);
  EXPECT_NEAR(r->total.value(), (r->interposer + r->substrate + r->bumps + r->package_defect +
                                 r->wasted_known_good_dies + r->stacking).value(), 1e-9);
}

TEST(StackedPackage, CheaperThanPlacingEveryDieOnTheInterposer) {
  // 20 chips and a larger interposer vs 12 chips and the stacks: the bond yield no longer
  // compounds over the compute dies.
  auto flat = package_cost(PackageKind::kSiliconInterposer, mi300_like(false));
  auto stacked = package_cost(PackageKind::kStackedOnSiliconInterposer, mi300_like(true));
  ASSERT_TRUE(flat && stacked);
  EXPECT_LT(stacked->interposer_area, flat->interposer_area);
  EXPECT_GT(stacked->bonding_yield, flat->bonding_yield);
  EXPECT_LT(stacked->total, flat->total);
}

TEST(StackedPackage, WorseHybridBondCostsMore) {
  PackageParams good, bad;
  bad.hybrid_bond_yield = 0.9;
  auto a = package_cost(PackageKind::kStackedOnSiliconInterposer, mi300_like(true), good);
  auto b = package_cost(PackageKind::kStackedOnSiliconInterposer, mi300_like(true), bad);
  ASSERT_TRUE(a && b);
  EXPECT_NEAR(b->stack_yield, 0.81, 1e-12);
  EXPECT_GT(b->stacking, a->stacking);
}

TEST(StackedPackage, Errors) {
  auto wrong_kind = package_cost(PackageKind::kSiliconInterposer, mi300_like(true));
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error()[0].message, "stacked chips need the soic_cowos package kind");
  std::vector<PackagedChip> no_base = mi300_like(true);
  no_base[1].base = false;
  auto nb = package_cost(PackageKind::kStackedOnSiliconInterposer, no_base);
  ASSERT_FALSE(nb);
  EXPECT_EQ(nb.error()[0].message, "stacked chips need base chips to sit on");
  PackageParams p;
  p.hybrid_bond_yield = 0;
  auto y = package_cost(PackageKind::kStackedOnSiliconInterposer, mi300_like(true), p);
  ASSERT_FALSE(y);
  EXPECT_EQ(y.error()[0].message, "bonding and attach yields must be in (0, 1]");
  auto typo = parse_package_kind("soic_cowo");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error()[0].message.find("did you mean 'soic_cowos'?"), std::string::npos);
  auto ok = parse_package_kind("soic_cowos");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, PackageKind::kStackedOnSiliconInterposer);
}

TEST(StackedPackage, Mi300xStackedCostsLessThanFlat) {
  // The MI300X preset with the package kind set in C++ (the YAML choice is the hardware schema's):
  // XCDs on the IODs instead of beside them: a smaller interposer and 12 bonds instead of 20.
  auto hw = load_hardware("mi300x");
  ASSERT_TRUE(hw);
  auto area = estimate_area(*hw);
  ASSERT_TRUE(area);
  hw->physical.package = "cowos_s";
  auto flat = estimate_cost(*hw, *area);
  hw->physical.package = "soic_cowos";
  auto stacked = estimate_cost(*hw, *area);
  ASSERT_TRUE(flat && stacked);
  EXPECT_EQ(stacked->package.kind, PackageKind::kStackedOnSiliconInterposer);
  EXPECT_LT(stacked->package.interposer_area, flat->package.interposer_area);
  EXPECT_LT(stacked->manufacturing, flat->manufacturing);
  EXPECT_LT(stacked->package.total, flat->package.total);
  EXPECT_DOUBLE_EQ(stacked->logic_dies.value(), flat->logic_dies.value());
}

}  // namespace
}  // namespace xpusim
