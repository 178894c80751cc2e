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

TEST(MemorySystem, ComputeDieLinksCarryEveryByteOnce) {
  // Eight compute dies on four I/O dies (MI300-like): whatever the memory dies' links, every byte
  // crosses its compute die's own link once; 8 links of 0.25 TB/s per direction at link_efficiency
  // -> B <= 8 x 0.25 TB/s x eff = 2 TB/s x eff, below the 3.35 TB/s controllers.
  const PerfCalibration& cal = default_calibration();
  HardwareSpec hw = testing::h100_like();
  hw.physical.compute_die.count = 8;
  hw.physical.io_die.count = 4;
  const double controllers = memory_bandwidth(hw, cal).controllers.value();
  EXPECT_FALSE(memory_bandwidth(hw, cal).fabric);  // nothing described: not bounded
  hw.physical.die_to_die.compute_link = units::tb_per_s(0.25);
  MemoryBandwidth m = memory_bandwidth(hw, cal);
  ASSERT_TRUE(m.compute_links);
  EXPECT_DOUBLE_EQ(m.compute_links->value(), 2e12 * cal.link_efficiency);
  EXPECT_DOUBLE_EQ(m.achievable.value(), 2e12 * cal.link_efficiency);
  EXPECT_EQ(m.binding, "compute_link");
  EXPECT_EQ(m.fabric_kind, "compute_link");
  EXPECT_DOUBLE_EQ(streaming_bandwidth(hw, cal).value(), m.achievable.value());
  // With the memory dies' ring as well (4 x 0.4 TB/s / 1 hop = 1.6 TB/s x eff): the smaller binds.
  hw.physical.die_to_die.bandwidth = units::tb_per_s(0.4);
  hw.physical.die_to_die.topology = "ring";
  m = memory_bandwidth(hw, cal);
  EXPECT_DOUBLE_EQ(m.fabric->value(), 1.6e12 * cal.link_efficiency);
  EXPECT_EQ(m.binding, "die_to_die");
  EXPECT_EQ(m.fabric_kind, "die_to_die");
  // Wider compute links never lower the bandwidth, for every stream; wide enough, they stop binding.
  hw.physical.die_to_die.bandwidth.reset();
  double previous = 0;
  for (double tb : {0.05, 0.1, 0.25, 0.5, 1.0, 2.15, 10.0}) {
    hw.physical.die_to_die.compute_link = units::tb_per_s(tb);
    const MemoryBandwidth w = memory_bandwidth(hw, cal);
    for (double write : {0.0, 1.0 / 3.0, 0.5})
      EXPECT_LE(w.for_stream(write).value(), w.achievable.value() * (1 + 1e-12)) << tb;
    EXPECT_GE(w.achievable.value(), previous * (1 - 1e-12)) << tb;
    previous = w.achievable.value();
  }
  EXPECT_DOUBLE_EQ(previous, controllers);
  EXPECT_EQ(memory_bandwidth(hw, cal).binding, "controllers");
  // The links still make the package bound a write-heavy stream may meet: its kind stays known.
  EXPECT_EQ(memory_bandwidth(hw, cal).fabric_kind, "compute_link");
}

TEST(MemorySystem, DieCrossingsPerByteOfInterleavedMemory) {
  // One die: none. Two compute dies holding the memory, fully connected: 1/2 hop (B200, Gaudi 3).
  // MI300X: the 4-IOD ring (1 hop) + the XCD's bond to its IOD (1); MI355X: 1/2 over 2 IODs + 1.
  auto expect = [](const HardwareSpec& hw, double between, double link) {
    const DieCrossings c = die_crossings_per_byte(hw);
    EXPECT_DOUBLE_EQ(c.between_memory_dies, between) << hw.id;
    EXPECT_DOUBLE_EQ(c.compute_link, link) << hw.id;
    EXPECT_DOUBLE_EQ(c.total(), between + link) << hw.id;
  };
  expect(testing::h100_like(), 0, 0);
  expect(load_hardware("h100-sxm-80gb").value(), 0, 0);
  expect(load_hardware("b200-sxm-180gb").value(), 0.5, 0);
  expect(load_hardware("gaudi3").value(), 0.5, 0);
  expect(load_hardware("mi300x").value(), 1, 1);
  expect(load_hardware("mi355x").value(), 0.5, 1);
}

TEST(MemorySystem, ComputeLinkNeedsIoDies) {
  // The field describes a compute die's link to the I/O die it sits on: a package without I/O
  // dies is refused, naming the field.
  auto bad = load_hardware("b200-sxm-180gb", {"physical.die_to_die.compute_link=2 TB/s"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().front().path, "physical.die_to_die.compute_link");
  EXPECT_NE(bad.error().front().message.find("physical.io_die.count is 0"), std::string::npos);
  auto zero = load_hardware("mi300x", {"physical.die_to_die.compute_link=0 TB/s"});
  EXPECT_FALSE(zero.has_value());
  ASSERT_TRUE(load_hardware("mi300x").value().physical.die_to_die.compute_link);
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
