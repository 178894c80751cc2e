// SPDX-License-Identifier: Apache-2.0
// Packaging yields of shipping multi-die parts (package_cost.h): known-good dies, stacks and
// interposers, per-die bond yields, chip-last vs chip-first, and the cost build-ups of the MI300X,
// H100 and B200 presets against the published estimates (economics.md §3.3, §3.5).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/wafer.h"

namespace xpusim {
namespace {

CostBreakdown preset_cost(const char* id) {
  auto hw = load_hardware(id);
  EXPECT_TRUE(hw) << id;
  auto area = estimate_area(*hw);
  EXPECT_TRUE(area) << id;
  auto c = estimate_cost(*hw, *area);
  EXPECT_TRUE(c) << id;
  return *c;
}

// B200-like: two 800 mm² dies and 8 HBM stacks on one interposer (10 bonds).
std::vector<PackagedChip> two_die_package() {
  return {{"compute", 2, units::mm2(800), units::usd(250)},
          {"HBM stack", 8, kHbmStackFootprint, units::usd(360)}};
}

TEST(PackageYield, ChipLastAssemblyLosesBondsAndAttachOnly) {
  for (PackageKind kind : {PackageKind::kSiliconInterposer, PackageKind::kFanOut}) {
    auto r = package_cost(kind, two_die_package());
    ASSERT_TRUE(r);
    // Hand calculation: 10 bonds at 0.99, substrate attach 0.99; the interposer (tested before
    // dies go on it) is not in the assembly yield, only in the interposers made.
    EXPECT_NEAR(r->bonding_yield, std::pow(0.99, 10), 1e-12);
    EXPECT_NEAR(r->assembly_yield, std::pow(0.99, 11), 1e-12);
    EXPECT_LT(r->interposer_yield, 1.0);
    EXPECT_NEAR(r->interposer_starts, 1 / (r->interposer_yield * r->assembly_yield), 1e-12);
    // Known-good chips are lost only with failed assemblies: KGD (1/Y_assembly − 1).
    EXPECT_NEAR(r->wasted_known_good_dies.value(),
                (2 * 250 + 8 * 360) * (1 / std::pow(0.99, 11) - 1), 1e-9);
  }
}

TEST(PackageYield, ChipFirstCommitsDiesBeforeTheInterposerIsKnownGood) {
  PackageParams first;
  first.chip_last = false;
  auto last = package_cost(PackageKind::kFanOut, two_die_package());
  auto r = package_cost(PackageKind::kFanOut, two_die_package(), first);
  ASSERT_TRUE(last && r);
  EXPECT_NEAR(r->assembly_yield, r->interposer_yield * std::pow(0.99, 11), 1e-12);
  EXPECT_LT(r->assembly_yield, last->assembly_yield);
  EXPECT_NEAR(r->interposer_starts, last->interposer_starts, 1e-12);  // same interposers made
}

TEST(PackageYield, MoreBondsNeverRaiseTheAssemblyYield) {
  double prev = 1.0;
  for (int stacks : {0, 2, 4, 6, 8, 12}) {
    auto r = package_cost(PackageKind::kSiliconInterposer,
                          {{"compute", 1, units::mm2(800), units::usd(250)},
                           {"HBM stack", stacks, kHbmStackFootprint, units::usd(360)}});
    ASSERT_TRUE(r);
    EXPECT_LT(r->assembly_yield, prev) << stacks;
    prev = r->assembly_yield;
  }
}

// The figures: the model gave 17% for MI300X (8 XCDs stacked on 4 IODs, 8 HBM) and 27%
// for B200 (2 dies, 8 HBM), with 0.95 per silicon-interposer bond and the interposer's defect
// yield counted against the assembly. With known-good parts and 0.99 per bond (package_cost.h):
// 0.99^13 = 0.878 and 0.99^11 = 0.895.
TEST(PackageYield, ShippingMultiDiePackagesAssembleAtPublishedBondYields) {
  CostBreakdown mi300x = preset_cost("mi300x");
  EXPECT_EQ(mi300x.package.kind, PackageKind::kStackedOnSiliconInterposer);
  EXPECT_NEAR(mi300x.package.assembly_yield, std::pow(0.99, 13), 1e-9);
  EXPECT_NEAR(mi300x.package.stack_yield, 0.99 * 0.99, 1e-12);
  CostBreakdown b200 = preset_cost("b200-sxm-180gb");
  EXPECT_NEAR(b200.package.assembly_yield, std::pow(0.99, 11), 1e-9);
}

// Interposers per wafer are counted on the exact grid (package_cost.cc), not by the closed form,
// which undercounts dies this large by a third: a B200-size RDL interposer (2,988 mm²) fits 14,
// the published "16 B200 per CoWoS-L wafer, even at 100% yield" (economics.md §3.3) within the
// square-die simplification; the closed form gave 10.2. MI300X 16 (12.0), H100 32 (26.5).
TEST(PackageYield, InterposersPerWaferOnTheExactGrid) {
  struct Case { const char* id; double at_least, at_most; };
  for (const Case& c : {Case{"b200-sxm-180gb", 13, 17}, Case{"mi300x", 14, 19},
                        Case{"h100-sxm-80gb", 29, 34}}) {
    const CostBreakdown cost = preset_cost(c.id);
    const double n = cost.package.interposers_per_wafer;
    EXPECT_GE(n, c.at_least) << c.id;
    EXPECT_LE(n, c.at_most) << c.id;
    EXPECT_EQ(n, std::floor(n)) << c.id;  // whole interposers
    const Millimeters side(std::sqrt(cost.package.interposer_area.value()));
    WaferSpec ca;
    ca.edge_exclusion = units::mm(5);
    ca.scribe = units::mm(0.2);
    EXPECT_GT(n, gross_dies_formula(DieSize{side, side}, ca)) << c.id;
  }
}

// Published manufacturing-cost estimates (economics.md §3.5): MI300X ~$5,300 (Silicon Analysts,
// Feb 2026 [L]); H100 SXM $3,320 (Raymond James via Barron's, Aug 2023 [M]); B200 ~$6,400
// (Silicon Analysts [L]). The model lands within 35% of each; each package lies in the published
// $300-2,000 per-unit range (Silicon Analysts [L], §3.3). Model figures at 2026-12-07 (interposers
// counted on the exact grid): MI300X $5,888 (+11%), H100 $2,330 (-30%), B200 $5,385 (-16%);
// packages $1,344 / $352 / $957 against $1.2k / $750 / $1.1k published.
TEST(PackageYield, PresetCostsNearPublishedEstimates) {
  struct Case { const char* id; double published; };
  for (const Case& c : {Case{"mi300x", 5300}, Case{"h100-sxm-80gb", 3320},
                        Case{"b200-sxm-180gb", 6400}}) {
    CostBreakdown cost = preset_cost(c.id);
    EXPECT_NEAR(cost.manufacturing.value(), c.published, 0.35 * c.published) << c.id;
    EXPECT_GT(cost.package.total.value(), 300) << c.id;
    EXPECT_LT(cost.package.total.value(), 2000) << c.id;
  }
}

}  // namespace
}  // namespace xpusim
