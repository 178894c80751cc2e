// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/chip_cost.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "xpusim/cost/node_economics.h"

namespace xpusim {
namespace {

// Package design NRE (Chiplet Actuary parameter.ini, economics.md §3.6): organic
// area·$3e3·factor + $3e5 (area in mm² of the package... taken per cm² here: the repo's unit is
// ambiguous, a per-mm² reading gives $10M for a GPU-size substrate, larger than its FO NRE), and
// $15M for fan-out / interposer packages.
constexpr double kOrganicNrePerCm2 = 3e3;
constexpr Usd kOrganicNreFixed{3e5};
constexpr Usd kAdvancedPackageNre{15e6};

// Area of one compute unit incl. the integration overhead (the redundant region of the die).
SquareMillimeters unit_area(const DieArea& die, int units_on_this_die) {
  SquareMillimeters s;
  for (const auto& c : die.components) {
    if (c.name == "matrix engines" || c.name == "vector units" || c.name == "register files" ||
        c.name == "L1 / shared memory" || c.name == kControlCrossbarComponent ||
        c.name == kControlMeshComponent)
      s += c.area;
  }
  return s * kIntegrationOverhead / std::max(1, units_on_this_die);
}

SquareMillimeters component_area(const DieArea& die, std::string_view name) {
  for (const auto& c : die.components)
    if (c.name == name) return c.area;
  return SquareMillimeters(0);
}

}  // namespace

int wafer_scale_dies(SquareMillimeters area, const WaferSpec& wafer) {
  const double r = wafer.diameter.value() / 2.0 - wafer.edge_exclusion.value();
  return r > 0 && area.value() <= std::numbers::pi * r * r ? 1 : 0;
}

Usd die_design_nre(SquareMillimeters area, ProcessNode node) {
  const Usd nre300 = node_economics(node).design_nre_300mm2;
  const double rel = area.value() / 300.0;
  return nre300 * (0.5 * rel + 0.3 * rel + 0.2);
}

Result<CostBreakdown> estimate_cost(const HardwareSpec& hw, const AreaReport& area,
                                    const CostAssumptions& a) {
  Diagnostics diags;
  if (a.d0 && !(a.d0->value() >= 0 && a.d0->is_finite()))
    diags.push_back({.path = "defect_density",
                     .message = fmt::format("defect density must be >= 0 per cm², got {}",
                                            units::to_per_cm2(*a.d0))});
  if (a.wafer_price && !(a.wafer_price->value() > 0 && a.wafer_price->is_finite()))
    diags.push_back({.path = "wafer_cost", .message = fmt::format("wafer cost must be > 0 USD, "
                                                                  "got {}", a.wafer_price->value())});
  if (!(a.volume >= 1) || !std::isfinite(a.volume))
    diags.push_back({.path = "volume", .message = fmt::format("volume must be >= 1 package, got {}",
                                                              a.volume)});
  if (!(a.test_value_share >= 0 && a.test_value_share <= 1))
    diags.push_back({.path = "test_value_share",
                     .message = fmt::format("test share must be in [0, 1], got {}",
                                            a.test_value_share)});
  if (!diags.empty()) return tl::unexpected(diags);
  auto model = YieldModelRegistry::builtin().create(a.yield_model, a.yield_params);
  if (!model) return tl::unexpected(model.error());
  auto pkg_kind = parse_package_kind(hw.physical.package.empty()
                                         ? (hw.memory.dram.type.rfind("hbm", 0) == 0 ? "cowos_s"
                                                                                     : "organic")
                                         : hw.physical.package);
  if (!pkg_kind) return tl::unexpected(pkg_kind.error());

  CostBreakdown r;
  r.feasibility = area.feasibility;
  r.volume = a.volume;
  std::vector<PackagedChip> chips;
  for (const auto& die : area.dies) {
    DieCost dc;
    dc.name = die.name;
    dc.count = die.count;
    dc.node = die.node;
    dc.area = die.area;
    dc.size = DieSize{die.width, die.height};
    const NodeEconomics& ne = node_economics(die.node);
    const PerSquareMillimeter d0 = a.d0.value_or(ne.d0);
    dc.wafer_price = a.wafer_price.value_or(ne.wafer_price);
    if (die.wafer_scale) {
      dc.full_dies = wafer_scale_dies(die.area, a.wafer);
      dc.gross_dies_formula = dc.full_dies;
    } else {
      dc.gross_dies_formula = std::max(0.0, gross_dies_formula(dc.size, a.wafer));
      WaferSpec wafer = a.wafer;
      wafer.reticle = false;  // oversized dies are flagged by the area model; still count them
      auto grid = count_dies_on_grid(dc.size, wafer);
      if (!grid) return tl::unexpected(grid.error());
      dc.full_dies = grid->full_dies;
    }
    dc.defect_free_yield = (*model)->yield(die.area, d0);
    dc.sellable_yield = dc.defect_free_yield;
    if (a.harvesting && die.name == kComputeDieName) {
      const int units_here = (area.units_on_die + die.count - 1) / die.count;
      const int required = (hw.compute.units + die.count - 1) / die.count;
      std::vector<RedundantGroup> groups;
      groups.push_back({units_here, std::min(required, units_here), unit_area(die, units_here)});
      const int phys = area.dram_phys_on_die;
      const SquareMillimeters phy = component_area(die, "HBM PHYs") +
                                    component_area(die, "HBM controllers");
      if (phys > 0 && die.count == 1 && phy.value() > 0) {
        groups.push_back({phys, std::max(0, std::min(hw.memory.dram.stacks, phys)),
                          phy * kIntegrationOverhead / phys});
      }
      const Result<double> harvested = harvested_yield(**model, d0, die.area, groups);
      if (!harvested) return tl::unexpected(harvested.error());
      dc.sellable_yield = *harvested;
    }
    if (dc.full_dies == 0 || dc.sellable_yield <= 0) {
      r.feasibility.mark(InfeasibleReason::kWafer,
                         fmt::format("no good {} dies per wafer ({} whole dies, sellable yield {})",
                                     die.name, dc.full_dies, dc.sellable_yield));
      dc.cost_per_good_die = Usd(0);
    } else {
      dc.cost_per_good_die = dc.wafer_price / (dc.full_dies * dc.sellable_yield);
    }
    r.logic_dies += dc.cost_per_good_die * dc.count;
    // soic_cowos: compute dies are hybrid-bonded on the I/O dies (MI300: 2 XCDs per IOD) and the
    // I/O dies sit on the interposer (AMD ISSCC 2024 MI300 paper, via press coverage).
    const bool stack = *pkg_kind == PackageKind::kStackedOnSiliconInterposer;
    chips.push_back({die.name, die.count, die.area, dc.cost_per_good_die,
                     stack && die.name == kComputeDieName, stack && die.name == kIoDieName});
    // A stitched wafer-scale die repeats one reticle field's design across the wafer (Cerebras
    // designs one field of cores and stitches it): its design effort is that field's.
    const SquareMillimeters designed =
        die.wafer_scale ? min(die.area, kReticleWidth * kReticleHeight) : die.area;
    const Usd nre = die_design_nre(designed, die.node);
    r.design_nre += nre;
    r.mask_nre += ne.mask_set;
    r.dies.push_back(dc);
  }
  // Memory: priced per GB of package capacity (economics.md §3.4).
  if (hw.memory.dram.capacity.value() > 0) {
    auto price = memory_price(a.memory, hw.memory.dram.type);
    if (!price) return tl::unexpected(price.error());
    r.memory = *price * hw.memory.dram.capacity;
    const bool hbm = hw.memory.dram.type.rfind("hbm", 0) == 0;
    if (hbm && hw.memory.dram.stacks > 0) {
      chips.push_back({"HBM stack", hw.memory.dram.stacks, kHbmStackFootprint,
                       r.memory / hw.memory.dram.stacks});
    }
  }
  auto pkg = package_cost(*pkg_kind, chips, a.package);
  if (!pkg) return tl::unexpected(pkg.error());
  r.package = *pkg;
  r.test_assembly = a.test_per_package + (r.logic_dies + r.memory + r.package.total) *
                                             a.test_value_share;
  r.manufacturing = r.logic_dies + r.memory + r.package.total + r.test_assembly;
  if (*pkg_kind == PackageKind::kOrganic) {
    double sub_cm2 = area.total_area.value() * a.package.package_area_factor / 100.0;
    r.design_nre += kOrganicNreFixed + Usd(sub_cm2 * kOrganicNrePerCm2);
  } else {
    r.design_nre += kAdvancedPackageNre;
  }
  r.nre_per_unit = r.design_nre / a.volume;
  r.total_per_unit = r.manufacturing + r.nre_per_unit;
  return r;
}

}  // namespace xpusim
