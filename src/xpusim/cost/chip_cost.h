// SPDX-License-Identifier: Apache-2.0
// Cost per good package from the architecture: area (area/) -> dies per wafer -> yield with
// harvesting -> known-good die cost, + HBM + packaging + test/assembly, + NRE amortised over a
// volume (economics.md §3, §4, §7.3). `xpusim cost` prints it; fab/ reuses the per-die figures.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/area/area_model.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/cost/package_cost.h"
#include "xpusim/cost/wafer.h"
#include "xpusim/cost/yield_model.h"

namespace xpusim {

// Test, burn-in and final assembly (assumptions; Silicon Analysts Feb 2026 [L] puts H100 at $920
// and MI300X at $600, without a method): a fixed cost per package plus a share of the value of
// the silicon and memory it holds.
inline constexpr Usd kTestAssemblyPerPackage{100.0};
inline constexpr double kTestAssemblyValueShare = 0.15;

struct CostAssumptions {
  std::string yield_model = "murphy";         // SemiAnalysis calculator default
  YieldParams yield_params;
  std::optional<PerSquareMillimeter> d0;      // default: node_economics(node).d0
  std::optional<Usd> wafer_price;             // default: node_economics(node).wafer_price
  WaferSpec wafer;                            // 300 mm, SemiAnalysis-like defaults (wafer.h)
  bool harvesting = true;                     // disabled units/PHY sites rescue defective dies
  PackageParams package;
  MemoryPrices memory;
  Usd test_per_package = kTestAssemblyPerPackage;
  double test_value_share = kTestAssemblyValueShare;
  double volume = 1e6;                        // packages sold over the design's life (NRE)
};

struct DieCost {
  std::string name;              // kComputeDieName / kIoDieName (area/area_model.h)
  int count = 0;                 // per package
  ProcessNode node = ProcessNode::kN7;
  SquareMillimeters area;
  DieSize size;
  double gross_dies_formula = 0; // Chiplet Actuary closed form
  int full_dies = 0;             // exact grid count
  double defect_free_yield = 0;  // yield model on the whole die
  double sellable_yield = 0;     // with harvesting (= defect_free_yield when off)
  Usd wafer_price;
  Usd cost_per_good_die;
};

struct CostBreakdown {
  std::vector<DieCost> dies;
  Usd logic_dies;                // Σ count x cost per good die
  Usd memory;                    // HBM / DRAM at $/GB
  PackageCost package;
  Usd test_assembly;
  Usd manufacturing;             // cost per good package: dies + memory + package + test
  Usd design_nre;                // all die types + package design (incl. first tape-out)
  Usd mask_nre;                  // of which: mask sets
  double volume = 0;
  Usd nre_per_unit;
  Usd total_per_unit;            // manufacturing + NRE per unit
  // The area's (kReticle), or kWafer when a die has no good die per wafer; the die costs are then
  // zero and the totals not predictions.
  Feasibility feasibility;
};

// Cost build-up for `hw` whose area is `area`. Errors: unknown yield model or memory type, bad
// parameters (negative D0, volume <= 0, ...). A die beyond the reticle is reported infeasible
// (with the rest of the build-up still computed).
Result<CostBreakdown> estimate_cost(const HardwareSpec& hw, const AreaReport& area,
                                    const CostAssumptions& assumptions = {});

// Dies per wafer of a wafer-scale (stitched) die of `area`: 1 when the area fits within the
// usable circle of `wafer` (diameter less twice the edge exclusion), else 0. A stitched die is
// the array of reticle fields the wafer holds, its corners clipped by the wafer edge (Cerebras
// WSE-3: 46,225 mm², a 215 mm square whose 304 mm diagonal exceeds the 300 mm wafer), so its
// area, not its bounding square, must fit. The yield comes from its redundant units
// (harvested_yield); a defect outside them loses the wafer.
int wafer_scale_dies(SquareMillimeters area, const WaferSpec& wafer);

// NRE of a die of `area` at `node` (Chiplet Actuary §3.6): NRE_300·(0.5·A/300 + 0.3·A/300 + 0.2)
// (module, chip and fixed shares).
Usd die_design_nre(SquareMillimeters area, ProcessNode node);

}  // namespace xpusim
