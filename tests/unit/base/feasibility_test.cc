// SPDX-License-Identifier: Apache-2.0
// Feasibility (base/feasibility.h): the reason names are a contract (JSON `infeasible_reason`,
// CSV), the first cause recorded is the one reported, the text is "<class>: <detail>".
#include "xpusim/base/feasibility.h"

#include <gtest/gtest.h>

namespace xpusim {
namespace {

TEST(Feasibility, ReasonNamesAreTheContract) {
  EXPECT_EQ(to_string(InfeasibleReason::kMemory), "memory");
  EXPECT_EQ(to_string(InfeasibleReason::kNetwork), "network");
  EXPECT_EQ(to_string(InfeasibleReason::kParallelism), "parallelism");
  EXPECT_EQ(to_string(InfeasibleReason::kReticle), "reticle");
  EXPECT_EQ(to_string(InfeasibleReason::kWafer), "wafer");
  EXPECT_EQ(to_string(InfeasibleReason::kBudget), "budget");
  EXPECT_EQ(to_string(InfeasibleReason::kNoOutput), "no_output");
  EXPECT_EQ(to_string(InfeasibleReason::kInvalid), "invalid");
  EXPECT_EQ(to_string(InfeasibleReason::kLatency), "latency");
}

TEST(Feasibility, FirstCauseWinsAndFormatsAsClassAndDetail) {
  Feasibility f;
  EXPECT_TRUE(f.feasible());
  EXPECT_EQ(f.reason_name(), "");
  EXPECT_EQ(f.to_string(), "");
  f.mark(InfeasibleReason::kMemory, "weights need 141 GB");
  f.mark(InfeasibleReason::kNetwork, "no tier");
  EXPECT_FALSE(f.feasible());
  EXPECT_EQ(f.reason, InfeasibleReason::kMemory);
  EXPECT_EQ(f.to_string(), "memory: weights need 141 GB");
  EXPECT_EQ(Feasibility::infeasible(InfeasibleReason::kBudget, "").to_string(), "budget");
}

}  // namespace
}  // namespace xpusim
