// SPDX-License-Identifier: Apache-2.0
// Fab build-out (economics.md §7.3): forward arithmetic against hand calculations, linearity,
// the inverse (budget -> units) round trip, binding input, and named-assumption overrides.
#include <gtest/gtest.h>

#include <cmath>

#include "unit/area/reference_chips.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/fab/buildout.h"

namespace xpusim {
namespace {

CostBreakdown h100_cost() {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  EXPECT_TRUE(area);
  auto c = estimate_cost(hw, *area);
  EXPECT_TRUE(c);
  return *c;
}

TEST(FabForward, LogicWafersFollowGoodDiesPerWafer) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  auto p = plan_fabs(hw, c, units::per_year(2e6));
  ASSERT_TRUE(p) << to_string(p.error());
  ASSERT_EQ(p->logic.size(), 1u);
  const double good = c.dies[0].full_dies * c.dies[0].sellable_yield;
  EXPECT_NEAR(units::to_per_year(p->logic[0].wafers), 2e6 / good / c.package.assembly_yield,
              1e-6);
  // fabs = W / (12 · 50k · 0.8); capex = fabs · $20B.
  EXPECT_NEAR(p->logic_fabs, units::to_per_year(p->logic_wafers) / (12 * 50000 * 0.8), 1e-9);
  EXPECT_NEAR(p->logic_capex.value(), p->logic_fabs * 20e9, 1);
  // EUV: 15 passes per N4 wafer + 5 per DRAM wafer at 75/h, 90% uptime.
  const double passes =
      units::to_per_year(p->logic_wafers) * 15 + units::to_per_year(p->dram_wafers) * 5;
  EXPECT_NEAR(p->euv_tool_years, passes / (75 * 8766 * 0.9), 1e-9);  // 8766 h = 365.25 days
  // Known-good HBM stacks per unit = the physical stacks / the assembly yield (not a multiple of
  // it); 5 HBM3 stacks of 16 GB = 8 dies of 2 GB each, stacked at the 0.5 TSV yield.
  ASSERT_EQ(hw.memory.dram.stacks, 5);
  EXPECT_NEAR(units::to_per_year(p->hbm_stacks), 2e6 * 5 / c.package.assembly_yield, 1e-3);
  EXPECT_NEAR(units::to_per_year(p->dram_dies), units::to_per_year(p->hbm_stacks) * 8 / 0.5,
              1e-3);
  // Interposers made per good package: 1 / (y1 y2 y3).
  EXPECT_NEAR(units::to_per_year(p->interposer_wafers),
              2e6 / (c.package.interposers_per_wafer * c.package.interposer_yield *
                     c.package.assembly_yield),
              1e-3);
  EXPECT_GT(p->interposer_wafers.value(), 0);
  EXPECT_NEAR(p->fleet_peak_per_year.value(), 2e6 * peak_matrix_rate(hw, Precision::kBf16).value(),
              1e6);
}

// MI300X (soic_cowos): the XCDs and IODs also go with failed hybrid-bonded stacks, so a good
// package consumes count / (assembly yield x stack yield) of them; the HBM stacks only the first.
TEST(FabForward, StackedDiesAlsoPayTheStackYield) {
  auto hw = load_hardware("mi300x");
  ASSERT_TRUE(hw);
  auto area = estimate_area(*hw);
  ASSERT_TRUE(area);
  auto c = estimate_cost(*hw, *area);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->package.kind, PackageKind::kStackedOnSiliconInterposer);
  auto p = plan_fabs(*hw, *c, units::per_year(1e6));
  ASSERT_TRUE(p) << to_string(p.error());
  const double y = c->package.assembly_yield * c->package.stack_yield;
  ASSERT_EQ(p->logic.size(), c->dies.size());
  for (size_t i = 0; i < c->dies.size(); ++i) {
    const auto& d = c->dies[i];
    EXPECT_NEAR(units::to_per_year(p->logic[i].wafers),
                1e6 * d.count / (d.full_dies * d.sellable_yield) / y, 1e-3)
        << d.name;
  }
  EXPECT_NEAR(units::to_per_year(p->hbm_stacks), 1e6 * 8 / c->package.assembly_yield, 1e-3);
}

TEST(FabForward, LinearInUnits) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  auto a = plan_fabs(hw, c, units::per_year(1e6));
  auto b = plan_fabs(hw, c, units::per_year(3e6));
  ASSERT_TRUE(a && b);
  EXPECT_NEAR(b->total_capex.value(), 3 * a->total_capex.value(), 1e-3 * a->total_capex.value());
  EXPECT_NEAR(units::to_per_year(b->dram_wafers), 3 * units::to_per_year(a->dram_wafers), 1e-6);
  EXPECT_GE(b->years_to_build, a->years_to_build);
}

TEST(FabInverse, BudgetRoundTripsThroughForward) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  auto b = plan_for_budget(hw, c, units::usd(5e12));
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->feasibility.feasible());
  const double spent = c.design_nre.value() + b->plan.total_capex.value() +
                       (b->plan.production_cost * units::years(1)).value();
  EXPECT_NEAR(spent, 5e12, 1e-6 * 5e12);
  EXPECT_GT(b->plan.units.value(), 0);
  EXPECT_FALSE(b->plan.binding_input.empty());
  // More budget, more accelerators.
  auto b7 = plan_for_budget(hw, c, units::usd(7e12));
  ASSERT_TRUE(b7);
  EXPECT_GT(b7->plan.units, b->plan.units);
}

TEST(FabInverse, BudgetBelowNreIsInfeasible) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  auto b = plan_for_budget(hw, c, units::usd(1e8));
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->feasibility.feasible());
  EXPECT_EQ(b->feasibility.reason, InfeasibleReason::kBudget);
  EXPECT_NE(b->feasibility.to_string().find("does not cover the design NRE"), std::string::npos);
  EXPECT_NEAR(b->shortfall.value(), c.design_nre.value() - 1e8, 1e-6 * c.design_nre.value());
  // No unit is built: the plan holds no figure (no capex, wafers or stacks of one unit).
  EXPECT_EQ(b->plan.units.value(), 0);
  EXPECT_EQ(b->plan.total_capex.value(), 0);
  EXPECT_EQ(b->plan.logic_wafers.value(), 0);
  EXPECT_EQ(b->plan.hbm_stacks.value(), 0);
  EXPECT_TRUE(b->plan.logic.empty());
  EXPECT_EQ(b->plan.feasibility.reason, InfeasibleReason::kBudget);
}

TEST(FabForward, AnInfeasibleDesignIsAnInfeasiblePlan) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  c.feasibility.mark(InfeasibleReason::kReticle, "compute die beyond the reticle");
  auto p = plan_fabs(hw, c, units::per_year(1e6));
  ASSERT_TRUE(p) << to_string(p.error());
  EXPECT_EQ(p->feasibility.reason, InfeasibleReason::kReticle);
  EXPECT_EQ(p->units.value(), units::per_year(1e6).value());  // the question stays
  EXPECT_EQ(p->total_capex.value(), 0);
  EXPECT_TRUE(p->logic.empty());
  // At any budget.
  auto b = plan_for_budget(hw, c, units::usd(1e15));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->feasibility.reason, InfeasibleReason::kReticle);
  EXPECT_EQ(b->plan.units.value(), 0);
  // No good die per wafer: infeasible too, not an error.
  CostBreakdown dead = h100_cost();
  dead.dies[0].full_dies = 0;
  auto none = plan_fabs(hw, dead, units::per_year(1e6));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->feasibility.reason, InfeasibleReason::kWafer);
}

TEST(FabBinding, TheScarcestExistingInputBinds) {
  auto hw = testing::h100_sxm();
  CostBreakdown c = h100_cost();
  FabAssumptions a;
  ASSERT_TRUE(set_assumption(a, "cowos_wafers_per_month_existing", 10));
  auto p = plan_fabs(hw, c, units::per_year(1e6), a);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->binding_input, "CoWoS");
  ASSERT_TRUE(set_assumption(a, "cowos_wafers_per_month_existing", 1e9));
  ASSERT_TRUE(set_assumption(a, "hbm_stacks_per_year_existing", 1));
  p = plan_fabs(hw, c, units::per_year(1e6), a);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->binding_input, "HBM");
}

TEST(FabAssumptions, ListedWithSourcesAndOverridable) {
  FabAssumptions a;
  auto list = list_assumptions(a);
  ASSERT_GE(list.size(), 15u);
  for (const auto& i : list) EXPECT_FALSE(i.source.empty()) << i.name;
  ASSERT_TRUE(set_assumption(a, "logic_fab_capex", 30e9));
  EXPECT_DOUBLE_EQ(a.logic_fab_capex.value(), 30e9);
  ASSERT_TRUE(set_assumption(a, "fab_build_time", 3));
  EXPECT_NEAR(a.fab_build_time.value(), 3 * 365.25 * 86400, 1e-6);
  // Rates are typed; the override is in the unit the name gives.
  ASSERT_TRUE(set_assumption(a, "logic_fab_wafers_per_month", 40000));
  EXPECT_NEAR(units::to_per_month(a.logic_fab_wafers), 40000, 1e-6);
  EXPECT_NEAR(units::to_per_year(a.logic_fab_wafers), 480000, 1e-6);
  ASSERT_TRUE(set_assumption(a, "cowos_capex_per_wafer_per_month", 0.1e6));
  EXPECT_NEAR((a.cowos_capex_per_capacity * units::per_month(1)).value(), 0.1e6, 1e-6);
  for (const auto& i : list_assumptions(a)) {
    if (i.name == "euv_passes_per_hour") {
      EXPECT_NEAR(i.value, 75, 1e-9);
    } else if (i.name == "hbm_stacks_per_year_existing") {
      EXPECT_NEAR(i.value, 3e7, 1e-3);
    }
  }
}

TEST(FabAssumptionErrors, UnknownNameAndBadFraction) {
  FabAssumptions a;
  auto r = set_assumption(a, "logic_fab_capx", 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("unknown assumption 'logic_fab_capx'"), std::string::npos);
  EXPECT_NE(r.error()[0].message.find("did you mean 'logic_fab_capex'?"), std::string::npos);
  auto f = set_assumption(a, "logic_utilization", 1.5);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error()[0].message,
            "logic_utilization must be a fraction in (0, 1] (the plan divides by it), got 1.5");
}

// Every assumption the plan divides by refuses 0 by name, through --assume and in plan_fabs;
// the others accept it (no new fab starts: no build time).
TEST(FabAssumptionErrors, ZeroIsRefusedWhereThePlanDividesByIt) {
  for (const char* name : {"logic_fab_wafers_per_month", "logic_utilization", "hbm_stack_yield",
                           "dram_die_capacity", "dram_die_area", "dram_die_yield",
                           "dram_fab_wafers_per_month", "euv_passes_per_hour", "euv_uptime",
                           "fab_starts_per_year"}) {
    FabAssumptions a;
    auto r = set_assumption(a, name, 0);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error()[0].path, name);
    EXPECT_NE(r.error()[0].message.find("the plan divides by it"), std::string::npos) << name;
  }
  FabAssumptions a;
  a.dram_die_area = SquareMillimeters(0);
  auto p = plan_fabs(testing::h100_sxm(), h100_cost(), units::per_year(1e6), a);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error()[0].path, "dram_die_area");
  FabAssumptions b;
  EXPECT_TRUE(set_assumption(b, "fab_build_time", 0));
  EXPECT_TRUE(set_assumption(b, "logic_fab_capex", 0));
}

TEST(FabErrors, NonPositiveUnits) {
  auto r = plan_fabs(testing::h100_sxm(), h100_cost(), CountRate(0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].message, "units per year must be > 0, got 0");
}

}  // namespace
}  // namespace xpusim
