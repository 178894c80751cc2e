// SPDX-License-Identifier: Apache-2.0
// Power model: invariants (more activity never lowers power, newer nodes spend less energy per
// FLOP), TDP as a constraint, and rejection of bad rates.
#include <gtest/gtest.h>

#include "unit/area/reference_chips.h"
#include "xpusim/area/power_model.h"

namespace xpusim {
namespace {

TEST(PowerModel, IdleIsStaticPowerOnly) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  auto p = estimate_power(hw, *area, ActivityRates{});
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->total.value(), p->static_power.value());
  EXPECT_NEAR(p->static_power.value(), 0.1 * area->total_area.value(), 1e-9);
}

TEST(PowerModel, MoreActivityMorePower) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  ActivityRates a;
  a.matrix[index_of(Precision::kBf16)] = units::tflops(400);
  a.dram = units::tb_per_s(2);
  auto p1 = estimate_power(hw, *area, a);
  a.matrix[index_of(Precision::kBf16)] = units::tflops(800);
  auto p2 = estimate_power(hw, *area, a);
  a.dram = units::tb_per_s(3);
  a.scale_up = units::gb_per_s(400);
  auto p3 = estimate_power(hw, *area, a);
  ASSERT_TRUE(p1 && p2 && p3);
  EXPECT_LT(p1->total, p2->total);
  EXPECT_LT(p2->total, p3->total);
  // HBM at 6 pJ/bit (Micron HBM2E): 1 TB/s more = 48 W more.
  EXPECT_NEAR((p3->memory - p2->memory).value(), 48.0, 1e-6);
}

TEST(PowerModel, NewerNodesSpendLessPerFlop) {
  double prev = 1e30;
  for (ProcessNode n : kAllProcessNodes) {
    double e = energy_per_flop(Precision::kFp16, n).value();
    EXPECT_LE(e, prev) << to_string(n);  // N6 keeps N7 energy
    prev = e;
  }
  EXPECT_LT(energy_per_flop(Precision::kFp8, ProcessNode::kN4),
            energy_per_flop(Precision::kBf16, ProcessNode::kN4));
}

TEST(PowerModel, PeakActivityOfH100IsWithinFactorTwoOfTdp) {
  auto hw = testing::h100_sxm();
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  auto p = estimate_power(hw, *area, peak_activity(hw));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->tdp.has_value());
  EXPECT_GT(p->total.value(), 0.5 * 700);
  EXPECT_LT(p->total.value(), 2.0 * 700);
}

TEST(PowerModel, TdpIsAConstraint) {
  auto hw = testing::h100_sxm();
  hw.physical.tdp = units::watts(50);
  auto area = estimate_area(hw, testing::h100_die());
  ASSERT_TRUE(area);
  auto p = estimate_power(hw, *area, peak_activity(hw));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->within_tdp);
}

TEST(PowerModelErrors, NegativeRateIsRejectedByName) {
  auto hw = testing::a100_sxm();
  auto area = estimate_area(hw, testing::a100_die());
  ASSERT_TRUE(area);
  ActivityRates a;
  a.dram = units::tb_per_s(-1);
  auto p = estimate_power(hw, *area, a);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error()[0].path, "dram");
  EXPECT_NE(p.error()[0].message.find("rate must be finite and >= 0"), std::string::npos);
}

}  // namespace
}  // namespace xpusim
