// SPDX-License-Identifier: Apache-2.0
// Collectives: alpha-beta hand calculations, nccl-tests bus-bandwidth convention, tiers.
#include "xpusim/perf/collective_model.h"

#include <vector>

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

TEST(CollectiveModel, InNetworkAllReduceSendsEachByteUpOnceAndTheSumDownOnce) {
  // NVLS on a switched tier whose switches reduce: 2 alpha + (n+1)/n x S / (bw x eff) + the
  // kernel latency, by hand; it beats two-shot's 2(n-1)/n x S at n = 8 (busbw 2(n-1)/(n+1) x
  // bw x eff = 14/9 of the ring's), sends (n+1)/n x S per device, and loses at n = 2 (3/2 x S
  // against one-shot's S) and to one-shot's single step for tiny messages.
  const PerfCalibration cal = nccl_defaults(default_calibration());
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up.in_network_reduction = true;
  const double s = units::gib(1).value(), bw = 300e9 * cal.link_efficiency, a = 1e-6;
  const CollectiveResult r =
      predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 8, cal).value();
  EXPECT_EQ(r.algorithm, "in_network");
  EXPECT_NEAR(r.time.value(), 2 * a + 9.0 / 8.0 * s / bw + cal.collective_latency.value(), 1e-12);
  EXPECT_NEAR(r.link_bytes.value(), 9.0 / 8.0 * s, 1.0);
  const CollectiveResult plain = predict_collective(a100_like(), CollectiveKind::kAllReduce,
                                                    units::gib(1), 8, cal).value();
  EXPECT_EQ(plain.algorithm, "two_shot");
  EXPECT_NEAR(r.bus_bandwidth.value() / (2.0 * 7.0 / 9.0 * bw), 1.0, 0.01);
  EXPECT_GT(r.bus_bandwidth.value(), 1.5 * plain.bus_bandwidth.value());
  EXPECT_EQ(predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 2, cal)
                .value().algorithm, "one_shot");
  EXPECT_EQ(predict_collective(hw, CollectiveKind::kAllReduce, Bytes(64), 8, cal)
                .value().algorithm, "one_shot");
  // A runtime whose all-reduce does not use the switches' adders (the default, TensorRT-LLM's
  // custom kernels) keeps the direct algorithms on the same hardware.
  PerfCalibration custom = cal;
  custom.in_network_all_reduce = false;
  EXPECT_EQ(predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 8, custom)
                .value().time, plain.time);
  EXPECT_FALSE(default_calibration().in_network_all_reduce);
  // Gathers and scatters gain nothing from adders in the switch: unchanged.
  for (CollectiveKind k : {CollectiveKind::kAllGather, CollectiveKind::kReduceScatter})
    EXPECT_EQ(predict_collective(hw, k, units::gib(1), 8, cal).value().time,
              predict_collective(a100_like(), k, units::gib(1), 8, cal).value().time);
  // A fully connected mesh has no switch to reduce in: the flag changes nothing there.
  HardwareSpec mesh = a100_like();
  mesh.interconnect.scale_up.topology = "fully_connected";
  HardwareSpec mesh_flag = mesh;
  mesh_flag.interconnect.scale_up.in_network_reduction = true;
  EXPECT_EQ(predict_collective(mesh_flag, CollectiveKind::kAllReduce, units::gib(1), 8, cal)
                .value().time,
            predict_collective(mesh, CollectiveKind::kAllReduce, units::gib(1), 8, cal)
                .value().time);
}

TEST(CollectiveModel, CopyRunsAtTheCopyEfficiencyWithoutAKernelLaunch) {
  // A copy-engine copy of S between two devices of a switched domain: alpha + S / (bw x
  // copy_efficiency), by hand; link_efficiency and the collective kernel's latency do not enter.
  PerfCalibration cal = default_calibration();
  cal.copy_efficiency = 0.9;
  cal.link_efficiency = 0.5;
  cal.collective_latency = units::us(100);
  const HardwareSpec hw = a100_like();
  const double s = units::mib(256).value(), a = 1e-6;
  const CollectiveResult r = predict_copy(hw, units::mib(256), cal).value();
  EXPECT_NEAR(r.time.value(), a + s / (300e9 * 0.9), 1e-12);
  EXPECT_EQ(r.tier, "scale_up");
  // The same bytes as an NCCL send/recv: link_efficiency and the kernel's latency.
  const CollectiveResult nccl =
      predict_collective(hw, CollectiveKind::kSendRecv, units::mib(256), 2, cal).value();
  EXPECT_NEAR(nccl.time.value(), a + s / (300e9 * 0.5) + 100e-6, 1e-12);
  EXPECT_FALSE(predict_copy(hw, Bytes(-1), cal).has_value());
}

TEST(CollectiveModel, CopyTakesTheLinkJoiningThePairAndTheTierOfItsSpan) {
  // A fully connected mesh of 8 with 7 x 64 GB/s per device (xGMI-class): one sender reaches one
  // receiver over its one peer link, S / (64 GB/s x copy_efficiency), not the 448 GB/s a device
  // sends to all its peers together.
  PerfCalibration cal = default_calibration();
  cal.copy_efficiency = 0.9;
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up.topology = "fully_connected";
  hw.interconnect.scale_up.domain_size = 8;
  hw.interconnect.scale_up.bandwidth = BytesPerSecond(7 * 64e9);
  const double s = units::mib(256).value(), a = 1e-6;
  const CollectiveResult mesh = predict_copy(hw, units::mib(256), cal).value();
  EXPECT_NEAR(mesh.time.value(), a + s / (64e9 * 0.9), 1e-12);
  // Endpoints among 16 devices: beyond the domain of 8, the copy crosses the scale-out tier alone,
  // and says so.
  const CollectiveResult across = predict_copy(hw, units::mib(256), cal, 16).value();
  EXPECT_EQ(across.tier, "scale_out");
  const auto& out = hw.interconnect.scale_out;
  const double out_alpha = out.latency.value() > 0 ? out.latency.value()
                                                   : cal.default_link_latency.value();
  EXPECT_NEAR(across.time.value(), out_alpha + s / (out.bandwidth.value() * 0.9), 1e-12);
  EXPECT_EQ(predict_copy(hw, units::mib(256), cal, 8).value().time, mesh.time);
  EXPECT_FALSE(predict_copy(hw, units::mib(256), cal, 1).has_value());
}

TEST(CollectiveModel, HostCopyTakesTheHostLinkAtTheCopyEfficiency) {
  // cudaMemcpy host -> device of S: alpha + S / (host link x copy_efficiency), by hand; neither
  // the scale-up fabric nor NCCL's link_efficiency enters. No host link: infeasible, not an error.
  PerfCalibration cal = default_calibration();
  cal.copy_efficiency = 0.9;
  cal.link_efficiency = 0.5;
  HardwareSpec hw = a100_like();
  hw.interconnect.host_bandwidth = BytesPerSecond(64e9);
  const double s = units::mib(512).value();
  const CollectiveResult r = predict_host_copy(hw, units::mib(512), cal).value();
  EXPECT_NEAR(r.time.value(), cal.default_link_latency.value() + s / (64e9 * 0.9), 1e-12);
  EXPECT_EQ(r.tier, "host");
  EXPECT_NEAR(r.bus_bandwidth.value(), s / r.time.value(), 1e-3);
  EXPECT_TRUE(r.feasibility.feasible());
  EXPECT_EQ(predict_host_copy(hw, Bytes(0), cal).value().time.value(), 0.0);
  EXPECT_FALSE(predict_host_copy(hw, Bytes(-1), cal).has_value());
  hw.interconnect.host_bandwidth.reset();
  EXPECT_FALSE(predict_host_copy(hw, units::mib(512), cal).value().feasibility.feasible());
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

TEST(CollectiveModel, TreeBeatsRingForSmallMessagesOverPcie) {
  // 8 GPUs behind PCIe (host-staged: half of the link), 64 KiB: ring 2 x 7 = 14 latency steps,
  // double binary tree 2 x log2(8) = 6; the bandwidth terms are equal, so the tree wins. A 1 GiB
  // all-reduce reaches busbw = 300 GB/s x eff x 0.5.
  const auto& cal = default_calibration();
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up.topology = "pcie";
  CollectiveResult r = predict_collective(hw, CollectiveKind::kAllReduce, units::kib(64), 8, cal).value();
  EXPECT_EQ(r.algorithm, "tree");
  const double s = units::kib(64).value(), bw = 300e9 * cal.link_efficiency * 0.5;
  EXPECT_NEAR(r.time.value(),
              6 * 1e-6 + 2.0 * 7.0 / 8.0 * s / bw + cal.collective_latency.value(), 1e-12);
  CollectiveResult big = predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 8, cal).value();
  EXPECT_NEAR(units::to_gb_per_s(big.bus_bandwidth) / (150.0 * cal.link_efficiency), 1.0, 0.01);
}

// An MI300X-like 8-GPU platform: 7 XGMI links of 64 GB/s per direction, one to each peer
// (../shared/reference/specs_collected.csv mi300x: "64 GB/s per peer per direction; 448 GB/s
// aggregate").
HardwareSpec mesh8() {
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up = LinkTierSpec{true, "XGMI", units::gb_per_s(448), 7, units::us(2.0),
                                          "fully_connected", 8};
  return hw;
}

TEST(CollectiveModel, FullMeshGroupsOnlyUseTheLinksBetweenTheirMembers) {
  const PerfCalibration& cal = default_calibration();
  const HardwareSpec hw = mesh8();
  const double eff = cal.link_efficiency, a = 2e-6, lat = cal.collective_latency.value();
  const double pair = 448e9 / 7.0 * eff;  // 64 GB/s x eff per peer
  // 8 of 8: every device drives its 7 links; 1 GiB two-shot/ring = 2 x 7/8 x S / (7 x pair):
  // busbw -> 448 GB/s x eff (~352 GB/s; RCCL all_reduce on MI300X reaches ~300-350, recalled).
  CollectiveResult all = predict_collective(hw, CollectiveKind::kAllReduce, units::gib(1), 8, cal).value();
  EXPECT_NEAR(units::to_gb_per_s(all.bus_bandwidth) / (448.0 * eff), 1.0, 0.01);
  // 2 of 8: one link of 64 GB/s. 256 MiB: one-shot = a + S / pair, two-shot = 2a + 2 x 1/2 x S /
  // pair; one-shot wins by one latency step. Before topology was modelled this was 7x faster.
  const double s = units::mib(256).value();
  CollectiveResult two = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(256), 2, cal).value();
  EXPECT_EQ(two.algorithm, "one_shot");
  EXPECT_NEAR(two.time.value(), a + s / pair + lat, 1e-12);
  // 4 of 8: 3 links. Two-shot = 2a + 2 x 3/4 x S / (3 x pair) = 2a + S / (2 pair); one-shot
  // = a + 3 S / (3 pair) = a + S / pair: two-shot wins for large S.
  CollectiveResult four = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(256), 4, cal).value();
  EXPECT_EQ(four.algorithm, "two_shot");
  EXPECT_NEAR(four.time.value(), 2 * a + s / (2 * pair) + lat, 1e-12);
  // busbw of the 4-GPU group: algbw x 2 x 3/4 -> 3/7 of the 8-GPU figure.
  EXPECT_NEAR(four.bus_bandwidth / all.bus_bandwidth, 3.0 / 7.0, 0.01);
  // A copy between two peers: one link, a + S / pair.
  CollectiveResult p2p = predict_collective(hw, CollectiveKind::kSendRecv, units::mib(256), 2, cal).value();
  EXPECT_NEAR(p2p.time.value(), a + s / pair + lat, 1e-12);
  // All-gather of 8: direct, a + 7/8 S / (7 pair).
  CollectiveResult ag = predict_collective(hw, CollectiveKind::kAllGather, units::mib(256), 8, cal).value();
  EXPECT_EQ(ag.algorithm, "direct");
  EXPECT_NEAR(ag.time.value(), a + 7.0 / 8.0 * s / (7 * pair) + lat, 1e-12);
  // The same 8 GPUs on a switch of the same per-device bandwidth: a 2-GPU group gets it all.
  HardwareSpec sw = hw;
  sw.interconnect.scale_up.topology = "switched";
  CollectiveResult sw2 = predict_collective(sw, CollectiveKind::kAllReduce, units::mib(256), 2, cal).value();
  EXPECT_NEAR(sw2.time.value(), a + s / (448e9 * eff) + lat, 1e-12);
}

HardwareSpec torus(const char* topology, int domain, std::vector<int> dims) {
  HardwareSpec hw = a100_like();
  hw.interconnect.scale_up = LinkTierSpec{true, "ICI", units::gb_per_s(400), 4, units::us(1.0),
                                          topology, domain};
  hw.interconnect.scale_up.dims = std::move(dims);
  return hw;
}

TEST(CollectiveModel, TorusAllReduceRunsEveryDimensionAtOnce) {
  const PerfCalibration& cal = default_calibration();
  const double eff = cal.link_efficiency, a = 1e-6, lat = cal.collective_latency.value();
  const double link = 400e9 / 4.0 * eff;  // 2D torus: 4 links of B/4
  const HardwareSpec hw = torus("torus_2d", 256, {16, 16});
  const double s = units::mib(64).value();
  // The whole 16 x 16 pod: both dimensions closed rings, two counter-rotating rings each:
  // 2 x 2 x link = B. Latency 2 x (15 + 15) steps; bandwidth 2 x 255/256 x S / B.
  CollectiveResult pod = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 256, cal).value();
  EXPECT_EQ(pod.algorithm, "ring");
  EXPECT_NEAR(pod.time.value(), 60 * a + 2.0 * 255.0 / 256.0 * s / (4 * link) + lat, 1e-12);
  // 8 chips: a 4 x 2 slice with no wraparound: two lines, one link each: 2 x link = B/2.
  // Latency 2 x (3 + 1) steps; bandwidth 2 x 7/8 x S / (2 link).
  CollectiveResult eight = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 8, cal).value();
  EXPECT_NEAR(eight.time.value(), 8 * a + 2.0 * 7.0 / 8.0 * s / (2 * link) + lat, 1e-12);
  // A neighbour copy: one link.
  CollectiveResult p2p = predict_collective(hw, CollectiveKind::kSendRecv, units::mib(64), 2, cal).value();
  EXPECT_NEAR(p2p.time.value(), a + s / link + lat, 1e-12);
  // Without a given shape the pod is the most balanced factorisation of 256: 16 x 16 again.
  CollectiveResult implied = predict_collective(torus("torus_2d", 256, {}), CollectiveKind::kAllReduce,
                                                units::mib(64), 256, cal).value();
  EXPECT_DOUBLE_EQ(implied.time.value(), pod.time.value());
  // 7 chips fit no slice of a 16 x 16 torus side (7 < 16 fits: 7 x 1, a line of one link).
  CollectiveResult seven = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 7, cal).value();
  EXPECT_NEAR(seven.time.value(), 12 * a + 2.0 * 6.0 / 7.0 * s / link + lat, 1e-12);
}

TEST(CollectiveModel, RingsAndTheirAllToAllBisection) {
  const PerfCalibration& cal = default_calibration();
  const double eff = cal.link_efficiency, a = 1e-6, lat = cal.collective_latency.value();
  HardwareSpec hw = torus("ring", 8, {});
  hw.interconnect.scale_up.links = 2;
  const double link = 400e9 / 2.0 * eff;  // 1D: 2 links of B/2
  const double s = units::mib(64).value();
  // All 8 on the closed ring: two directions, 2 x link = B; 2 x 7 latency steps.
  CollectiveResult all = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 8, cal).value();
  EXPECT_NEAR(all.time.value(), 14 * a + 2.0 * 7.0 / 8.0 * s / (2 * link) + lat, 1e-12);
  // 4 of 8: a line, one ring over each link in both directions: one link's bandwidth.
  CollectiveResult four = predict_collective(hw, CollectiveKind::kAllReduce, units::mib(64), 4, cal).value();
  EXPECT_NEAR(four.time.value(), 6 * a + 2.0 * 3.0 / 4.0 * s / link + lat, 1e-12);
  // All-to-all of 8 on the ring: each half sends the other 8/4 x S per direction over 2 cut links
  // -> 2 S / (2 link) = S / link, above the link bound 7/8 S / (2 link). Latency 7 steps.
  CollectiveResult a2a = predict_collective(hw, CollectiveKind::kAllToAll, units::mib(64), 8, cal).value();
  EXPECT_NEAR(a2a.time.value(), 7 * a + s / link + lat, 1e-12);
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
