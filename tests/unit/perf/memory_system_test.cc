// SPDX-License-Identifier: Apache-2.0
// Interleaved memory over the dies of a package: hand calculations of the die-to-die bound.
#include "xpusim/perf/memory_system.h"

#include <gtest/gtest.h>

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
  EXPECT_DOUBLE_EQ(one.achievable.value(), 3.35e12 * cal.dram_efficiency);
  EXPECT_EQ(one.binding, "controllers");
  EXPECT_FALSE(one.fabric);

  // Four memory dies in a ring with 0.5 TB/s per die and direction: the package moves B x 1
  // link-bytes over 4 x 0.5 TB/s x eff -> B <= 2 TB/s x eff, below 3.35 x dram_efficiency.
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
  EXPECT_DOUBLE_EQ(memory_bandwidth(hw, cal).achievable.value(), 3.35e12 * cal.dram_efficiency);
}

TEST(MemorySystem, ShippedMultiDiePresetsAreNotBoundByTheirFabric) {
  // MI300X: 4 IODs in a ring, 4.3 TB/s each: 4 x 4.3 / 1 x eff = 13.5 TB/s > 0.95 x 5.3.
  // B200: 2 dies, 5 TB/s each: 2 x 5 / 0.5 x eff = 15.7 TB/s > 0.95 x 8.
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

}  // namespace
}  // namespace xpusim
