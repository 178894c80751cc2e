// SPDX-License-Identifier: Apache-2.0
// Interleaved memory over the dies of a package: hand calculations of the die-to-die bound.
#include "xpusim/perf/memory_system.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "unit/perf/test_specs.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/gemm_model.h"

namespace xpusim {
namespace {

TEST(MemorySystem, MeanDieHopsOfInterleavedAddresses) {
  // Fully connected: 1 hop to each of the d-1 other homes, 0 to its own: (d-1)/d.
  EXPECT_DOUBLE_EQ(mean_die_hops(1, "fully_connected"), 0.0);
  EXPECT_DOUBLE_EQ(mean_die_hops(2, "fully_connected"), 0.5);
  // Ring of 4 (MI300X's 2 x 2 IODs): distances 0, 1, 2, 1 -> 1 hop per byte.
  EXPECT_DOUBLE_EQ(mean_die_hops(4, "ring"), 1.0);
  // Ring of 5: 0, 1, 2, 2, 1 -> 6/5.
  EXPECT_DOUBLE_EQ(mean_die_hops(5, "ring"), 1.2);
}

TEST(MemorySystem, DieToDieLinksBoundInterleavedDramBandwidth) {
  const PerfCalibration& cal = default_calibration();
  HardwareSpec hw = testing::h100_like();  // 3.35 TB/s, one die: the controllers alone
  MemoryBandwidth one = memory_bandwidth(hw, cal);
  const double controllers = 3.35e12 * cal.dram_efficiency * (1.0 - 160.0 / 3900.0);  // HBM3
  EXPECT_DOUBLE_EQ(one.achievable.value(), controllers);
  EXPECT_EQ(one.binding, "controllers");
  EXPECT_FALSE(one.fabric);

  // Four memory dies in a ring with 0.5 TB/s per die and direction: the package moves B x 1
  // link-bytes over 4 x 0.5 TB/s x eff -> B <= 2 TB/s x eff, below the controllers.
  hw.physical.io_die.count = 4;
  hw.physical.die_to_die.bandwidth = units::tb_per_s(0.5);
  hw.physical.die_to_die.topology = "ring";
  MemoryBandwidth ring = memory_bandwidth(hw, cal);
  EXPECT_EQ(ring.dies, 4);
  EXPECT_DOUBLE_EQ(ring.fabric->value(), 2e12 * cal.link_efficiency);
  EXPECT_DOUBLE_EQ(ring.achievable.value(), 2e12 * cal.link_efficiency);
  EXPECT_EQ(ring.binding, "die_to_die");
  // Every memory-bound kernel sees it: the streaming bandwidth of the GEMM and op models.
  EXPECT_DOUBLE_EQ(streaming_bandwidth(hw, cal).value(), ring.achievable.value());

  // The same dies fully connected: 3/4 hop per byte -> B <= 4 x 0.5 / 0.75 x eff.
  hw.physical.die_to_die.topology = "fully_connected";
  EXPECT_DOUBLE_EQ(memory_bandwidth(hw, cal).fabric->value(),
                   4 * 0.5e12 / 0.75 * cal.link_efficiency);
  // Wider links never lower the bandwidth, and stop binding once above the controllers.
  hw.physical.die_to_die.bandwidth = units::tb_per_s(10);
  EXPECT_EQ(memory_bandwidth(hw, cal).binding, "controllers");
  EXPECT_DOUBLE_EQ(memory_bandwidth(hw, cal).achievable.value(), controllers);
}

TEST(MemorySystem, ShippedMultiDiePresetsAreNotBoundByTheirFabric) {
  // MI300X: 4 IODs in a ring, 4.3 TB/s each: 4 x 4.3 / 1 x eff = 13.5 TB/s > 5.3.
  // B200: 2 dies, 5 TB/s each: 2 x 5 / 0.5 x eff = 15.7 TB/s > 8.
  const PerfCalibration& cal = default_calibration();
  for (const char* id : {"mi300x", "b200-sxm-180gb", "mi355x"}) {
    const HardwareSpec hw = load_hardware(id).value();
    MemoryBandwidth m = memory_bandwidth(hw, cal);
    ASSERT_TRUE(m.fabric) << id;
    EXPECT_EQ(m.binding, "controllers") << id;
    EXPECT_GT(m.dies, 1) << id;
  }
  MemoryBandwidth mi = memory_bandwidth(load_hardware("mi300x").value(), cal);
  EXPECT_EQ(mi.dies, 4);
  EXPECT_NEAR(mi.fabric->value(), 4 * 4.3e12 * cal.link_efficiency, 1e6);
}

TEST(MemorySystem, RefreshLossIsTrfcOverTrefi) {
  // HBM2e per-bank refresh: 160 ns per 3.9 us; GDDR6 refreshes twice as often.
  EXPECT_DOUBLE_EQ(refresh_loss(dram_timings("hbm2e").timings), 160.0 / 3900.0);
  EXPECT_DOUBLE_EQ(refresh_loss(dram_timings("gddr6").timings), 110.0 / 1900.0);
  EXPECT_TRUE(dram_timings("HBM3E").known);  // case-insensitive
}

TEST(MemorySystem, TurnaroundLossByWriteShare) {
  const Seconds ta = units::ns(12), batch = units::ns(80);
  // One direction only: no turnaround.
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, 1.0), 0.0);
  // Copy (1/2): 12 ns per 160 ns of data; triad (1/3): 12 per 240.
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, 0.5), 12.0 / 172.0);
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, 1.0 / 3.0), 12.0 / 252.0);
  // Symmetric in the minority direction, largest at a 1:1 mix, never NaN.
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, 0.25), turnaround_loss(ta, batch, 0.75));
  for (double w : {0.01, 0.1, 0.3, 0.45})
    EXPECT_LT(turnaround_loss(ta, batch, w), turnaround_loss(ta, batch, 0.5)) << w;
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, batch, std::nan("")), 0.0);
  EXPECT_DOUBLE_EQ(turnaround_loss(ta, Seconds(0), 0.5), 1.0);
}

TEST(MemorySystem, AchievableNeverExceedsPeakAndWritesNeverSpeedUp) {
  PerfCalibration cal = default_calibration();
  cal.dram_efficiency = 1.0;  // the residual at its cap: refresh alone keeps it below the peak
  for (const char* id : {"a100-sxm-80gb", "h100-sxm-80gb", "h200-sxm-141gb", "b200-sxm-180gb",
                         "mi250x-gcd", "mi300x", "mi325x", "gaudi2", "gaudi3", "l40s",
                         "rebellions-atom", "tpu-v5e"}) {
    const HardwareSpec hw = load_hardware(id).value();
    const MemoryBandwidth m = memory_bandwidth(hw, cal);
    EXPECT_LT(m.achievable.value(), hw.memory.dram.bandwidth.value()) << id;
    EXPECT_GT(m.achievable.value(), 0.0) << id;
    EXPECT_TRUE(m.note.empty()) << id;
    double previous = m.for_stream(0.0).value();
    EXPECT_DOUBLE_EQ(previous, m.achievable.value()) << id;
    for (double w : {0.1, 0.25, 1.0 / 3.0, 0.5}) {
      const double b = m.for_stream(w).value();
      EXPECT_LE(b, previous) << id << " w=" << w;
      previous = b;
    }
  }
}

TEST(MemorySystem, LargerRefreshOverheadNeverStreamsFaster) {
  // All else equal (same peak, stacks, pin rate), the technology that refreshes for a larger
  // share of the time streams slower: HBM3E (190 ns) below HBM3 (160 ns), GDDR6 (110 per 1900)
  // below LPDDR5 (140 per 3904).
  const PerfCalibration& cal = default_calibration();
  HardwareSpec hw = testing::h100_like();
  auto bw = [&](const char* type) {
    hw.memory.dram.type = type;
    return memory_bandwidth(hw, cal);
  };
  for (const auto& [worse, better] : {std::pair{"hbm3e", "hbm3"}, std::pair{"gddr6", "lpddr5"},
                                      std::pair{"hbm3", "ddr5"}}) {
    const MemoryBandwidth w = bw(worse), b = bw(better);
    ASSERT_GT(w.refresh_loss, b.refresh_loss) << worse << " vs " << better;
    EXPECT_LT(w.achievable.value(), b.achievable.value()) << worse << " vs " << better;
  }
}

TEST(MemorySystem, UnknownDramTypeFallsBackToTheDocumentedDefault) {
  const PerfCalibration& cal = default_calibration();
  HardwareSpec hw = testing::h100_like();
  hw.memory.dram.type = "hbm3";
  const MemoryBandwidth known = memory_bandwidth(hw, cal);
  hw.memory.dram.type = "mystery-ram";
  EXPECT_FALSE(dram_timings("mystery-ram").known);
  EXPECT_EQ(dram_timings("mystery-ram").timings.type, "hbm3");
  const MemoryBandwidth m = memory_bandwidth(hw, cal);
  EXPECT_NE(m.note.find("mystery-ram"), std::string::npos);
  EXPECT_DOUBLE_EQ(m.achievable.value(), known.achievable.value());
  EXPECT_TRUE(std::isfinite(m.for_stream(0.5).value()));
  // No stacks described: the nominal pin rate stands in for the derived one, still finite.
  hw.memory.dram.stacks = 0;
  EXPECT_GT(memory_bandwidth(hw, cal).write_batch.value(), 0.0);
  EXPECT_TRUE(std::isfinite(memory_bandwidth(hw, cal).for_stream(0.5).value()));
}

TEST(MemorySystem, FasterPinsLoseMoreToTurnarounds) {
  // The same HBM3 stacks at a higher pin rate drain a write batch sooner, so a fixed turnaround
  // is a larger share of a copy: the fraction of the peak a copy reaches falls.
  const PerfCalibration& cal = default_calibration();
  HardwareSpec hw = testing::h100_like();
  const MemoryBandwidth slow = memory_bandwidth(hw, cal);
  hw.memory.dram.bandwidth = units::tb_per_s(6.7);
  const MemoryBandwidth fast = memory_bandwidth(hw, cal);
  EXPECT_LT(fast.write_batch.value(), slow.write_batch.value());
  EXPECT_LT(fast.for_stream(0.5) / fast.controllers, slow.for_stream(0.5) / slow.controllers);
}

TEST(MemorySystem, OnChipBackingStoreHasNoRefreshOrTurnaround) {
  const PerfCalibration& cal = default_calibration();
  const HardwareSpec groq = load_hardware("groq-lpu").value();
  const MemoryBandwidth m = memory_bandwidth(groq, cal);
  EXPECT_DOUBLE_EQ(m.refresh_loss, 0.0);
  EXPECT_DOUBLE_EQ(m.for_stream(0.5).value(), m.achievable.value());
}

}  // namespace
}  // namespace xpusim
