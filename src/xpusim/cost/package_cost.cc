// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/package_cost.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/base/text.h"
#include "xpusim/cost/wafer.h"

namespace xpusim {
namespace {

const std::vector<std::string> kPackageNames = {"organic", "fan_out", "cowos_s", "cowos_l", "emib",
                                                "soic_cowos"};

// Organic substrate layer factor (Chiplet Actuary): 1 for a single die; multi-die 1.5 / 1.75 / 2
// for substrates up to 17² / 30² mm² / larger.
double layer_factor(int n_chips, SquareMillimeters substrate) {
  if (n_chips <= 1) return 1.0;
  if (substrate.value() <= 17.0 * 17.0) return 1.5;
  if (substrate.value() <= 30.0 * 30.0) return 1.75;
  return 2.0;
}

double nb_yield(SquareMillimeters a, PerSquareMillimeter d0, double c) {
  return std::pow(1.0 + (a * d0) / c, -c);
}

}  // namespace

Result<PackageKind> parse_package_kind(std::string_view name) {
  if (name == "organic" || name == "emib") return PackageKind::kOrganic;
  if (name == "fan_out" || name == "cowos_l") return PackageKind::kFanOut;
  if (name == "cowos_s") return PackageKind::kSiliconInterposer;
  if (name == "soic_cowos") return PackageKind::kStackedOnSiliconInterposer;
  std::string msg = fmt::format("unknown package '{}'; known packages: {}", name, join(kPackageNames));
  if (auto m = closest_match(name, kPackageNames)) msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = "physical.package", .message = msg});
}

std::string_view to_string(PackageKind kind) {
  switch (kind) {
    case PackageKind::kOrganic: return "organic";
    case PackageKind::kFanOut: return "fan_out";
    case PackageKind::kSiliconInterposer: return "silicon_interposer";
    case PackageKind::kStackedOnSiliconInterposer: return "stacked_on_silicon_interposer";
  }
  return "?";
}

Result<PackageCost> package_cost(PackageKind kind, const std::vector<PackagedChip>& chips,
                                 const PackageParams& p) {
  // n, die_area: chips placed on the substrate or interposer; stacked chips ride on their bases.
  int n = 0, n_stacked = 0, n_base = 0;
  SquareMillimeters die_area, stacked_area;
  Usd kgd, kgd_stack;
  for (const auto& c : chips) {
    if (c.count < 0 || !(c.area.value() >= 0) || !(c.known_good_cost.value() >= 0))
      return fail(fmt::format("packaged chip '{}' needs count, area and cost >= 0", c.name));
    kgd += c.known_good_cost * c.count;
    if (c.stacked) {
      n_stacked += c.count;
      stacked_area += c.area * c.count;
      kgd_stack += c.known_good_cost * c.count;
      continue;
    }
    n += c.count;
    die_area += c.area * c.count;
    if (c.base) {
      n_base += c.count;
      kgd_stack += c.known_good_cost * c.count;
    }
  }
  if (n == 0) return fail("a package needs at least one chip");
  const bool stacked = kind == PackageKind::kStackedOnSiliconInterposer;
  if (n_stacked > 0 && !stacked)
    return fail("stacked chips need the soic_cowos package kind");
  if (stacked && n_stacked > 0 && n_base == 0)
    return fail("stacked chips need base chips to sit on");
  auto in01 = [](double v) { return v > 0 && v <= 1; };
  if (!in01(p.organic_bond_yield) || !in01(p.rdl_bond_yield) || !in01(p.si_bond_yield) ||
      !in01(p.substrate_attach_yield) || !in01(p.hybrid_bond_yield))
    return fail("bonding and attach yields must be in (0, 1]");

  PackageCost r;
  r.kind = kind;
  if (n_stacked > 0) {
    // Known-good stacks first (TSMC SoIC die-to-wafer, then CoWoS chip-last): each base carries
    // m = stacked/base dies; it survives all m hybrid bonds with hybrid^m, and a failed stack
    // scraps the base and the dies on it: C_stacking = (KGD_bases + KGD_stacked)(1/hybrid^m − 1).
    // The bonding process itself is charged like µbumps per mm² of stacked die (assumption, n/f).
    // Ignores TSV/through-silicon-via cost in the base dies and any rework.
    const double m = static_cast<double>(n_stacked) / static_cast<double>(n_base);
    r.stack_yield = std::pow(p.hybrid_bond_yield, m);
    r.stacking = p.microbump_cost * stacked_area + kgd_stack * (1.0 / r.stack_yield - 1.0);
  }
  if (kind == PackageKind::kOrganic) {
    // C_pkg_raw = 4·ΣA·0.005·f; bumps A·0.005 per chip; failures cost the substrate and the KGDs.
    SquareMillimeters sub_area = die_area * p.package_area_factor;
    r.substrate = p.substrate_cost * sub_area * layer_factor(n, sub_area);
    r.bumps = p.c4_bump_cost * die_area;
    r.bonding_yield = std::pow(p.organic_bond_yield, n);
    r.assembly_yield = r.bonding_yield;
    double waste = 1.0 / r.bonding_yield - 1.0;
    r.package_defect = (r.substrate + r.bumps) * waste;
    r.wasted_known_good_dies = kgd * waste;
  } else {
    const bool si = kind == PackageKind::kSiliconInterposer || stacked;
    const double k = si ? p.si_area_factor : p.rdl_area_factor;
    r.interposer_area = die_area * k;
    // A square of the interposer's area on Chiplet Actuary's wafer (300 mm, e = 5 mm, s = 0.2 mm),
    // counted on the exact grid (wafer.h count_dies_on_grid; no exposure fields: interposers
    // are stitched across them). Before 2026-12-07 the closed form (gross_dies_formula), which
    // undercounts dies this large by a third: 10.2 B200-size (2,988 mm²) interposers where the
    // grid fits 14 and the published count is 16 (economics.md §3.3). At least 1: an interposer the
    // grid cannot place (larger than the wafer) is priced as one per wafer, as before.
    const Millimeters side(std::sqrt(r.interposer_area.value()));
    WaferSpec wafer;
    wafer.edge_exclusion = Millimeters(5.0);
    wafer.scribe = Millimeters(0.2);
    wafer.notch_keepout = Millimeters(0.0);  // as the closed form: no notch band
    wafer.reticle = false;
    const Result<GridCount> grid = count_dies_on_grid(DieSize{side, side}, wafer);
    r.interposers_per_wafer =
        std::max(1.0, grid ? static_cast<double>(grid->full_dies)
                           : gross_dies_formula(DieSize{side, side}, wafer));
    const Usd wafer_cost = si ? p.si_wafer_cost : p.rdl_wafer_cost;
    // C_int = C_wafer,int / N_int + A_int·0.005; C_sub = 4·A_int·0.005.
    r.interposer = wafer_cost / r.interposers_per_wafer + p.substrate_cost * r.interposer_area;
    r.substrate = p.substrate_cost * r.interposer_area * p.package_area_factor;
    r.bumps = p.microbump_cost * die_area;
    const double y1 = nb_yield(r.interposer_area, si ? p.si_d0 : p.rdl_d0,
                               si ? p.si_clustering : p.rdl_clustering);
    const double y2 = std::pow(si ? p.si_bond_yield : p.rdl_bond_yield, n);
    const double y3 = p.substrate_attach_yield;
    r.interposer_yield = y1;
    r.bonding_yield = y2;
    // chip-last: C_pkg_defect = C_int(1/(y1 y2 y3) − 1) + C_sub(1/y3 − 1),
    //            C_wasted_KGD = KGD (1/(y2 y3) − 1); chip-first swaps y2 y3 for y1 y2 y3 in the
    //            KGD term (dies are committed before the interposer is known good).
    r.package_defect = (r.interposer + r.bumps) * (1.0 / (y1 * y2 * y3) - 1.0) +
                       r.substrate * (1.0 / y3 - 1.0);
    r.assembly_yield = p.chip_last ? y2 * y3 : y1 * y2 * y3;
    r.interposer_starts = 1.0 / (y1 * y2 * y3);
    r.wasted_known_good_dies = kgd * (1.0 / r.assembly_yield - 1.0);
  }
  r.total = r.interposer + r.substrate + r.bumps + r.package_defect + r.wasted_known_good_dies +
            r.stacking;
  return r;
}

Result<UsdPerByte> memory_price(const MemoryPrices& prices, std::string_view dram_type) {
  std::string t(dram_type);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "hbm2" || t == "hbm2e") return prices.hbm2e;
  if (t == "hbm3") return prices.hbm3;
  if (t == "hbm3e") return prices.hbm3e;
  if (t == "hbm4" || t == "hbm4e") return prices.hbm4;
  if (t.rfind("ddr", 0) == 0 || t.rfind("gddr", 0) == 0 || t.rfind("lpddr", 0) == 0)
    return prices.ddr;
  const std::vector<std::string> known = {"hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "hbm4e",
                                          "ddr5", "gddr6", "lpddr5"};
  std::string msg = fmt::format("no price for memory type '{}'; known: {}", dram_type, join(known));
  if (auto m = closest_match(t, known)) msg += fmt::format("; did you mean '{}'?", *m);
  return fail(Diagnostic{.path = "memory.dram.type", .message = msg});
}

}  // namespace xpusim
