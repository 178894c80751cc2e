// SPDX-License-Identifier: Apache-2.0
// Packaging cost (Chiplet Actuary, Feng & Ma DAC 2022, economics.md §4): organic substrate,
// fan-out RDL interposer, silicon interposer (CoWoS-class), chip-first or chip-last, with bonding,
// interposer and assembly yields and the known-good dies they waste; plus HBM stack prices.
// Input: the known-good chips going into the package; output: the package's cost build-up.
// Known-good parts: every die and HBM stack is tested before bonding (its defect yield is in its
// known-good cost), and chip-last interposers are tested before dies are committed, so a package
// assembly fails only with its bonds and its substrate attach, never with a compound die yield.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

enum class PackageKind {
  kOrganic,
  kFanOut,
  kSiliconInterposer,
  kStackedOnSiliconInterposer,  // compute dies hybrid-bonded on base dies (SoIC), bases + HBM on
                                // a silicon interposer (CoWoS-S): AMD MI300
};

// "organic" | "fan_out" | "cowos_s" | "cowos_l" | "emib" | "soic_cowos" (physical.package).
// CoWoS-L (RDL interposer with local silicon bridges) is costed as fan-out RDL and EMIB (bridges in
// an organic substrate) as organic: approximations, the bridges themselves are ignored.
Result<PackageKind> parse_package_kind(std::string_view name);
std::string_view to_string(PackageKind kind);

// Chiplet Actuary parameter.ini defaults (economics.md §3.3, model inputs dated 2024), except the
// per-die bond yields of interposer packages (below).
//
// Bond yields, per die placed (flip-chip C4 on a substrate, µbump chip-on-wafer on an interposer):
// published cost models put one bond at 0.98 .. 0.999. Chiplet Actuary uses 0.99 for flip-chip
// on organic substrates and, as its own unsourced inputs, 0.98 for RDL and 0.95 for silicon
// interposers; Stow, Akgun, Barnes, Gu and Xie (ICCAD 2016, 2.5D/3D cost analysis) assume 0.99
// per die-to-interposer bond (unverified here). 0.95 per die compounds to 54% for the twelve dies
// of an MI300X-class package, at odds with such packages shipping in volume, so every kind uses
// 0.99 by default; `--bond-yield` sets another value.
// Rework (reflowing or replacing a failed die before underfill) is not modelled: no published
// rework rate was found, so a failed bond scraps the assembly (pessimistic).
struct PackageParams {
  UsdPerSquareMillimeter substrate_cost{0.005};  // organic substrate per mm² (x layer factor)
  double package_area_factor = 4.0;              // substrate area = 4 x (dies or interposer)
  UsdPerSquareMillimeter c4_bump_cost{0.005};    // per mm² of die, organic packages
  UsdPerSquareMillimeter microbump_cost{0.01};   // per mm² of die, interposer packages
  double organic_bond_yield = 0.99;              // per chip
  // Fan-out RDL interposer.
  Usd rdl_wafer_cost{1200};
  PerSquareMillimeter rdl_d0{0.05 / 100};
  double rdl_clustering = 3;
  double rdl_area_factor = 1.2;
  double rdl_bond_yield = 0.99;                  // per die (see above; Chiplet Actuary 0.98)
  // Silicon interposer: a 55 nm-class wafer (CSET $1,937 for 65 nm, used by Chiplet Actuary).
  Usd si_wafer_cost{1937};
  PerSquareMillimeter si_d0{0.06 / 100};
  double si_clustering = 6;
  double si_area_factor = 1.1;
  double si_bond_yield = 0.99;                   // per die (see above; Chiplet Actuary 0.95)
  double substrate_attach_yield = 0.99;          // interposer-to-substrate (y3)
  // Hybrid (Cu-Cu, bumpless) bond of one die stacked on a base die, SoIC-class. Assumption (n/f:
  // economics.md has no published per-die hybrid-bond yield): 0.99, Chiplet Actuary's per-chip
  // organic bond yield; die-to-wafer hybrid bonding is done in a wafer-fab clean room.
  double hybrid_bond_yield = 0.99;
  bool chip_last = true;                         // CoWoS is chip-last; chip-first for InFO-class
};

// A known-good chip placed in the package (logic die or HBM stack).
struct PackagedChip {
  std::string name;
  int count = 0;
  SquareMillimeters area;    // footprint of one chip
  Usd known_good_cost;       // cost of one known-good chip (raw + defect share)
  // Stacked packages only: `stacked` chips are hybrid-bonded on top of the `base` chips (spread
  // evenly over them) and take no interposer area; the rest sit on the interposer.
  bool stacked = false;
  bool base = false;
};

struct PackageCost {
  PackageKind kind = PackageKind::kOrganic;
  SquareMillimeters interposer_area;   // 0 for organic
  double interposers_per_wafer = 0;    // gross, Chiplet Actuary formula
  double interposer_yield = 1;         // y1: interposers without a killer defect
  double bonding_yield = 1;            // y2 = bond^n (n chips on the interposer or substrate)
  double stack_yield = 1;              // one base die with its stacked dies: hybrid^(stacked/base);
                                       // stacks are tested before they go on the interposer
  Usd stacking;                        // hybrid-bond process + stacks scrapped by failed bonds
  // Probability that an assembly of known-good parts ends in a good package, i.e. the fraction
  // of the known-good chips committed to assembly that end in one: organic y2; chip-last y2 y3
  // (the interposer is known good before dies go on it); chip-first y1 y2 y3 (the RDL is built on
  // the dies).
  double assembly_yield = 1;
  double interposer_starts = 0;        // interposers made per good package: 1 / (y1 y2 y3)
                                       // (0 without an interposer)
  Usd interposer;                      // raw interposer incl. its wiring cost
  Usd substrate;
  Usd bumps;
  Usd package_defect;                  // interposer/substrate thrown away by failed assemblies
  Usd wasted_known_good_dies;          // KGD thrown away with failed assemblies
  Usd total;                           // everything above
};

// Package cost for `chips` (Chiplet Actuary package.py formulas, economics.md §4; the µbump cost
// is charged per chip, not once per chip type as in the repo). Stacked packages first build
// known-good stacks (base + its stacked dies), then place them on the interposer chip-last.
// Errors: no chips, bad params, stacked chips without base chips (or in another package kind).
Result<PackageCost> package_cost(PackageKind kind, const std::vector<PackagedChip>& chips,
                                 const PackageParams& params = {});

// HBM and DRAM prices per GB by generation (economics.md §3.4); unknown types error with the
// known ones.
struct MemoryPrices {
  UsdPerByte hbm2e{7.0 / 1e9};   // LLMCompass cost_model.py (DRAMeXchange, Oct 2023) [M]
  UsdPerByte hbm3{15.0 / 1e9};   // Weibo analyst via PHP.cn (H100: 6 x 16 GB ~ $1,500), 2023 [L]
  UsdPerByte hbm3e{15.0 / 1e9};  // social post (okx.com), 2025 [L]
  UsdPerByte hbm4{19.5 / 1e9};   // TrendForce 2025: HBM4 >= 30% above HBM3E
  UsdPerByte ddr{2.4 / 1e9};     // DDR5/GDDR/LPDDR, LLMCompass (Oct 2023) [M]
};
Result<UsdPerByte> memory_price(const MemoryPrices& prices, std::string_view dram_type);

// Footprint of an HBM stack on the interposer (assumption: HBM2E/HBM3 packages are about
// 10-11 mm x 11 mm; JEDEC outlines, unverified here).
inline constexpr SquareMillimeters kHbmStackFootprint{110.0};

}  // namespace xpusim
