// SPDX-License-Identifier: Apache-2.0
// Collectives: alpha-beta hand calculations, nccl-tests bus-bandwidth convention, tiers.
#include "xpusim/perf/collective_model.h"

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"

namespace xpusim {
namespace {

using testing::a100_like;

TEST(CollectiveModel, LargeAllReduceBusBandwidthIsLinkTimesEfficiency) {
  // Ring/two-shot all-reduce of S: 2(n-1)/n S / (bw x eff) + latencies; busbw -> bw x eff for
  // large S. NET-0004 measured 235 GB/s on 8xA100 (300 GB/s NVLink).
  const auto& cal = default_calibration();
  CollectiveResult r =
      predict_collective(a100_like(), CollectiveKind::kAllReduce, units::gib(4), 8, cal).value();
  double expect = 300.0 * cal.link_efficiency;
  EXPECT_NEAR(units::to_gb_per_s(r.bus_bandwidth) / expect, 1.0, 0.01);
  EXPECT_LT(units::to_gb_per_s(r.bus_bandwidth), 300.0);
  EXPECT_EQ(r.tier, "scale_up");
}

TEST(CollectiveModel, HandCalculationSmallAllReduce) {
  // 1 MiB over 8 devices, switched: one-shot = alpha + 7 x S / bw; two-shot = 2 alpha +
  // 2 x 7/8 x S / bw; the cheaper wins, plus the fixed collective latency.
  PerfCalibration cal = default_calibration();
  const HardwareSpec hw = a100_like();
  const double s = units::mib(1).value(), bw = 300e9 * cal.link_efficiency, a = 1e-6;
  double one = a + 7.0 * s / bw, two = 2 * a + 2.0 * 7.0 / 8.0 * s / bw;
  double expect = std::min(one, two) + cal.collective_latency.value();
  CollectiveResult r = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(1), 8, cal).value();
  EXPECT_NEAR(r.time.value(), expect, 1e-12);
}

TEST(CollectiveModel, GroupOfOneIsFree) {
  CollectiveResult r = predict_collective(a100_like(), CollectiveKind::kAllReduce, units::mib(8), 1,
                                          default_calibration()).value();
  EXPECT_EQ(r.time.value(), 0.0);
}

TEST(CollectiveModel, CrossingScaleOutIsSlowerAndNeedsANetwork) {
  const auto& cal = default_calibration();
  HardwareSpec hw = a100_like();
  CollectiveResult in = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 8, cal).value();
  CollectiveResult out = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 16, cal).value();
  EXPECT_GT(out.time, in.time);
  EXPECT_EQ(out.tier, "both");
  EXPECT_TRUE(out.feasibility.feasible());
  hw.interconnect.scale_out.present = false;
  CollectiveResult pcie = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 16, cal).value();
  EXPECT_TRUE(pcie.feasibility.feasible());  // falls back to the host PCIe links
  EXPECT_EQ(pcie.tier, "host");
  EXPECT_GT(pcie.time, out.time);
  hw.interconnect.host_bandwidth.reset();
  CollectiveResult none = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 16, cal).value();
  EXPECT_FALSE(none.feasibility.feasible());
  EXPECT_EQ(none.feasibility.reason, InfeasibleReason::kNetwork);
  EXPECT_NE(none.feasibility.detail.find("a 16-device all_reduce needs an interconnect tier"),
            std::string::npos)
      << none.feasibility.detail;
}

TEST(CollectiveModel, TreeBeatsRingForSmallMessagesOnRings) {
  // On a ring topology a 64-device all-reduce of 64 KiB: ring 126 latency steps, tree 12.
  const auto& cal = default_calibration();
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up.topology = "ring";
  hw.interconnect.scale_up.domain_size = 64;
  CollectiveResult r = predict_collective(hw, CollectiveKind::kAllReduce, units::kib(64), 64, cal).value();
  EXPECT_EQ(r.algorithm, "tree");
  CollectiveResult big = predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 64, cal).value();
  EXPECT_NEAR(units::to_gb_per_s(big.bus_bandwidth) / (300.0 * cal.link_efficiency), 1.0, 0.01);
}

TEST(CollectiveModel, SendRecvBandwidth) {
  // NET-0001: 396 GB/s unidirectional p2p on H200 (450 GB/s NVLink4).
  const auto& cal = default_calibration();
  CollectiveResult r = predict_collective(testing::h100_like(), CollectiveKind::kSendRecv,
                                          units::gib(1), 2, cal).value();
  EXPECT_NEAR(units::to_gb_per_s(r.bus_bandwidth) / (450.0 * cal.link_efficiency), 1.0, 0.01);
}

TEST(CollectiveModel, MoreLinkBandwidthNeverSlower) {
  const auto& cal = default_calibration();
  HardwareSpec hw = a100_like();
  for (auto kind : {CollectiveKind::kAllReduce, CollectiveKind::kAllGather,
                    CollectiveKind::kReduceScatter, CollectiveKind::kAllToAll}) {
    Seconds t0 = predict_collective(hw, kind, units::mib(16), 8, cal)->time;
    HardwareSpec fast = hw;
    fast.interconnect.scale_up.bandwidth = fast.interconnect.scale_up.bandwidth * 2.0;
    EXPECT_LT(predict_collective(fast, kind, units::mib(16), 8, cal)->time, t0);
  }
}

}  // namespace
}  // namespace xpusim
