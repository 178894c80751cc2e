// SPDX-License-Identifier: Apache-2.0
// Die areas of multi-die packages from their descriptions, per die, against published die
// measurements (within 10%), and the invariants: area and cost grow with die count and die area.
#include <gtest/gtest.h>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "area_test_util.h"

namespace xpusim {
namespace {

using testing::preset;
using testing::component;
using testing::area_of;

TEST(MultiDieArea, BlackwellTwoReticleClassDies) {
  // Published: two reticle-limited dies, "~2 x 800 mm²" (Silicon Analysts estimate, economics.md
  // §5.1 [L]; NVIDIA gives no die area). Each die holds half the SMs (148 enabled of ~165 by the
  // 0.9 harvesting fallback), half the 126 MB L2, 4 of the 8 HBM3e PHYs, half the NVLink5 links
  // and the die-to-die PHY and port; Tensor Memory (256 KiB per SM, PTX ISA) beside the register
  // file. Model figure in docs/economics.md.
  // Blackwell Ultra (b300, gb300) is the same die family (the presets' area is an estimate).
  for (const char* id : {"b200-sxm-180gb", "gb200", "b300", "gb300"}) {
    const AreaReport r = area_of(preset(id));
    ASSERT_EQ(r.dies.size(), 1u) << id;
    const DieArea& d = r.dies[0];
    EXPECT_EQ(d.count, 2) << id;
    EXPECT_NEAR(d.area.value(), 800.0, 80.0) << id;
    EXPECT_TRUE(d.within_reticle) << id;  // reticle class, yet within 26 x 33 mm
    EXPECT_NEAR(r.total_area.value(), 2 * d.area.value(), 1e-9) << id;
    bool d2d = false, tmem = false;
    for (const auto& c : d.components) {
      d2d = d2d || c.name == "die-to-die PHY";
      tmem = tmem || c.name == "tensor memory";
    }
    EXPECT_TRUE(d2d && tmem) << id;
  }
}

TEST(MultiDieArea, TensorMemoryAddsItsSram) {
  HardwareSpec hw = preset("b200-sxm-180gb");
  const double with = area_of(hw).total_area.value();
  hw.compute.matrix.tensor_memory = Bytes(0);
  const double without = area_of(hw).total_area.value();
  // 2 x 82.5 SMs x 256 KiB in 16 KiB banks at N4, with the D2D PHY share and integration overhead.
  const double bank = sram_area(units::kib(256), units::kib(16), ProcessNode::kN4).value();
  EXPECT_NEAR(with - without, 165 * bank * (1 + kDieToDieAreaFraction) * kIntegrationOverhead,
              1e-6);
}

TEST(MultiDieArea, H100IsOneDie) {
  // GH100: one 814 mm² die (economics.md §5.1, [H]); no die-to-die PHY on a monolithic die.
  const AreaReport r = area_of(preset("h100-sxm-80gb"));
  ASSERT_EQ(r.dies.size(), 1u);
  EXPECT_EQ(r.dies[0].count, 1);
  EXPECT_NEAR(r.dies[0].area.value(), 814.0, 81.4);
  for (const auto& c : r.dies[0].components) EXPECT_NE(c.name, "die-to-die PHY");
}

TEST(MultiDieArea, Mi300xComputeAndIoDiesAreSeparate) {
  // 8 XCDs on N5 with the CUs and their L2, 4 IODs on N6 with the Infinity Cache, HBM PHYs,
  // links and the memory-side fabric; the XCDs are hybrid-bonded on the IODs (soic_cowos): no
  // shoreline die-to-die PHY on them, one fabric port on each side.
  const AreaReport r = area_of(preset("mi300x"));
  ASSERT_EQ(r.dies.size(), 2u);
  EXPECT_EQ(r.dies[0].name, "compute");
  EXPECT_EQ(r.dies[0].count, 8);
  EXPECT_EQ(r.dies[0].node, ProcessNode::kN5);
  EXPECT_EQ(r.dies[1].name, "io");
  EXPECT_EQ(r.dies[1].count, 4);
  EXPECT_EQ(r.dies[1].node, ProcessNode::kN6);
  auto has = [](const DieArea& d, const std::string& name) { return component(d, name) > 0; };
  for (const char* absent : {"LLC", "HBM PHYs", "die-to-die PHY", "memory-side fabric"})
    EXPECT_FALSE(has(r.dies[0], absent)) << absent;
  EXPECT_TRUE(has(r.dies[0], "die-to-die ports"));
  for (const char* present : {"LLC", "HBM PHYs", "die-to-die PHY", "memory-side fabric",
                              "die-to-die ports"})
    EXPECT_TRUE(has(r.dies[1], present)) << present;
}

// Published die areas, each within 10%. Model figures as of 2026-12 in docs/economics.md.
TEST(MultiDieArea, EveryPublishedDieWithinTenPercent) {
  struct Case {
    const char* id;
    size_t die;            // index in AreaReport::dies (0 compute, 1 io)
    double published_mm2;
    const char* source;
  };
  const Case cases[] = {
      {"h100-sxm-80gb", 0, 814, "GH100, NVIDIA H100 whitepaper (economics.md 5.1 [H])"},
      {"a100-sxm-80gb", 0, 826, "GA100, NVIDIA A100 whitepaper (specs.csv)"},
      {"b200-sxm-180gb", 0, 800, "GB100-class die, ~2 x 800 mm2 (Silicon Analysts, 5.1 [L])"},
      {"mi300x", 0, 115, "XCD, press coverage of AMD's ISSCC 2024 MI300 paper (recalled)"},
      {"mi300x", 1, 370, "IOD, press coverage of AMD's ISSCC 2024 MI300 paper (recalled)"},
  };
  for (const Case& c : cases) {
    const AreaReport r = area_of(preset(c.id));
    ASSERT_GT(r.dies.size(), c.die) << c.id;
    EXPECT_NEAR(r.dies[c.die].area.value(), c.published_mm2, 0.10 * c.published_mm2)
        << c.id << " " << c.source;
  }
}

TEST(MultiDieArea, AldebaranFromItsInventory) {
  // One Aldebaran GCD (MI250X, MI210; N6): ~724 mm2 (TechPowerUp GPU database, recalled, not in
  // the stored sources). With its data fabric, its 8 xGMI ports, its PCIe 4.0 x16 and N6 SRAM at
  // the N7 bit area the model gives 625 mm2 (-13.7%, was 459, -37%): within 15%, not yet 10%
  // (docs/economics.md says what is still unexplained). The published figure sits in the preset.
  for (const char* id : {"mi250x-gcd", "mi210"}) {
    const HardwareSpec hw = preset(id);
    ASSERT_TRUE(hw.physical.compute_die.area) << id;
    const double published = hw.physical.compute_die.area->value();
    EXPECT_EQ(published, 724.0) << id;
    const AreaReport r = area_of(hw);
    ASSERT_EQ(r.dies.size(), 1u) << id;
    EXPECT_NEAR(r.dies[0].area.value(), published, 0.15 * published) << id;
  }
}

TEST(MultiDieArea, FewerLargerRegisterFileBanksAreDenser) {
  // The default is 4 banks per matrix engine: H100's 256 KiB per SM in 16 arrays of 16 KiB.
  HardwareSpec hw = preset("h100-sxm-80gb");
  ASSERT_FALSE(hw.memory.register_file.banks);
  EXPECT_EQ(register_file_banks(hw), 16);
  auto rf = [](const AreaReport& r) { return component(r.dies[0], "register files"); };
  const AreaReport base = area_of(hw);
  const double per_unit = sram_area(units::kib(256), units::kib(16), ProcessNode::kN4).value();
  EXPECT_NEAR(rf(base), per_unit * base.units_on_die, 1e-9);
  hw.memory.register_file.banks = 8;  // 32 KiB banks
  const AreaReport fewer = area_of(hw);
  EXPECT_LT(rf(fewer), rf(base));
  EXPECT_LT(fewer.total_area, base.total_area);
  // MI300X describes 8 banks per CU (64 KiB each).
  EXPECT_EQ(register_file_banks(preset("mi300x")), 8);
}

TEST(MultiDieArea, HbmControllersScaleWithChannelsPerStack) {
  // HBM3 has 16 channels per stack to HBM2e's 8 (JEDEC JESD238 / JESD235): twice the controller
  // logic, the same PHY.
  HardwareSpec hw = preset("h100-sxm-80gb");
  const AreaReport hbm3 = area_of(hw);
  hw.memory.dram.type = "hbm2e";
  const AreaReport hbm2e = area_of(hw);
  EXPECT_NEAR(component(hbm3.dies[0], "HBM controllers"),
              2 * component(hbm2e.dies[0], "HBM controllers"), 1e-9);
  EXPECT_NEAR(component(hbm3.dies[0], "HBM PHYs"), component(hbm2e.dies[0], "HBM PHYs"), 1e-12);
}

TEST(MultiDieArea, DieToDiePortsFollowTheLinks) {
  // A two-die package without I/O dies: one port per die. MI300X: an XCD links to its IOD (1
  // port); an IOD to its 2 XCDs and its 2 ring neighbours (4 ports).
  auto ports = [](const DieArea& d) { return component(d, "die-to-die ports"); };
  const AreaReport b200 = area_of(preset("b200-sxm-180gb"));
  const AreaReport mi = area_of(preset("mi300x"));
  const double xcd_port = ports(mi.dies[0]);
  ASSERT_GT(xcd_port, 0.0);
  // One port at N4 (B200) against one at N5 (XCD): the density ratio of the two nodes.
  EXPECT_NEAR(ports(b200.dies[0]) / xcd_port,
              technology(ProcessNode::kN5).logic_density.value() /
                  technology(ProcessNode::kN4).logic_density.value(),
              1e-9);
  EXPECT_NEAR(ports(mi.dies[1]) / xcd_port,
              4 * technology(ProcessNode::kN5).logic_density.value() /
                  technology(ProcessNode::kN6).logic_density.value(),
              1e-9);
  const AreaReport h100 = area_of(preset("h100-sxm-80gb"));  // held: a range-for over a member
                                                             // of a temporary reads freed memory
  for (const auto& c : h100.dies[0].components) EXPECT_NE(c.name, "die-to-die ports");
}

TEST(MultiDieArea, EveryLinkPortOnTheDieCounts) {
  // MI210's bridge uses 3 of the Aldebaran GCD's 8 xGMI ports (interconnect.scale_up.links_on_die);
  // the die carries all 8, PHY and controller each.
  HardwareSpec hw = preset("mi210");
  ASSERT_EQ(hw.interconnect.scale_up.links, 3);
  ASSERT_EQ(hw.interconnect.scale_up.links_on_die, 8);
  const AreaReport all = area_of(hw);
  hw.interconnect.scale_up.links_on_die.reset();  // absent: the links the tier uses
  const AreaReport used = area_of(hw);
  for (const char* name : {"scale-up link PHYs", "scale-up link controllers"}) {
    ASSERT_GT(component(used.dies[0], name), 0.0) << name;
    EXPECT_NEAR(component(all.dies[0], name), 8.0 / 3.0 * component(used.dies[0], name), 1e-9)
        << name;
  }
  EXPECT_GT(all.total_area, used.total_area);
}

TEST(MultiDieArea, DataFabricSitsWithTheMemoryControllers) {
  // An Aldebaran GCD's L2 reaches its HBM controllers, links and PCIe through the Infinity Fabric
  // data fabric (memory.l2.data_fabric): one more LLMCompass per-unit crossbar (44.3 M
  // transistors) per CU on the die, as MI300X's I/O dies carry for the XCDs' CUs.
  HardwareSpec hw = preset("mi250x-gcd");
  ASSERT_TRUE(hw.memory.l2.data_fabric);
  const AreaReport r = area_of(hw);
  const double n6 = technology(ProcessNode::kN6).logic_density.value();
  const double blocks = component(r.dies[0], kMemorySideFabricComponent);
  EXPECT_NEAR(blocks, r.units_on_die * 44.3e6 / n6, 1e-9);
  hw.memory.l2.data_fabric = false;
  const AreaReport without = area_of(hw);
  EXPECT_EQ(component(without.dies[0], kMemorySideFabricComponent), 0.0);
  EXPECT_LT(without.total_area, r.total_area);
  // A memory-side L2 (NVIDIA: each slice at its memory controller) has none.
  const AreaReport h100 = area_of(preset("h100-sxm-80gb"));
  EXPECT_EQ(component(h100.dies[0], kMemorySideFabricComponent), 0.0);
  // I/O dies imply the fabric and carry it, whatever the flag says.
  HardwareSpec mi = preset("mi300x");
  mi.memory.l2.data_fabric = false;
  const AreaReport m = area_of(mi);
  EXPECT_EQ(component(m.dies[0], kMemorySideFabricComponent), 0.0);
  EXPECT_GT(component(m.dies[1], kMemorySideFabricComponent), 0.0);
}

TEST(MultiDieArea, OneDieOneAreaWhateverTheProductEnables) {
  // MI210 (104 CUs, 3 bridge links) and one MI250X GCD (110 CUs, 4 links to its peer) are the same
  // Aldebaran die: the same inventory (112 CUs, 8 xGMI ports, PCIe 4.0 x16, 4 HBM2e PHYs) gives
  // the same die.
  const AreaReport a = area_of(preset("mi210"));
  const AreaReport b = area_of(preset("mi250x-gcd"));
  ASSERT_EQ(a.dies.size(), 1u);
  ASSERT_EQ(b.dies.size(), 1u);
  EXPECT_NEAR(a.dies[0].area.value(), b.dies[0].area.value(), 1e-9);
}

TEST(MultiDieArea, N6SramIsN7Sram) {
  // N6 is design-rule compatible with N7 and keeps its 0.027 um2 HD cell: the same bit area per
  // SRAM bit; its logic is denser (TSMC's +18% N6 claim, LLMCompass 114.2 vs 96.3 MTr/mm2).
  const auto& n6 = technology(ProcessNode::kN6);
  const auto& n7 = technology(ProcessNode::kN7);
  EXPECT_EQ(n6.hd_bit_cell.value(), n7.hd_bit_cell.value());
  EXPECT_EQ(n6.sram_bit_area.value(), n7.sram_bit_area.value());
  EXPECT_GT(n6.logic_density.value(), n7.logic_density.value());
  // Every node's effective bit stays above its raw cell (the array periphery, tags, ECC).
  for (ProcessNode n : kAllProcessNodes)
    EXPECT_GT(technology(n).sram_bit_area.value(), 5 * technology(n).hd_bit_cell.value())
        << to_string(n);
}

// Cost per unit of `hw` with the default assumptions.
double unit_cost(const HardwareSpec& hw) {
  auto area = estimate_area(hw);
  EXPECT_TRUE(area);
  auto c = estimate_cost(hw, *area);
  EXPECT_TRUE(c) << (c ? "" : to_string(c.error()));
  return c ? c->manufacturing.value() : 0.0;
}

TEST(MultiDieArea, AreaAndCostGrowWithDieCount) {
  // The same compute die repeated: doubling the dies (and the units they carry) adds silicon and
  // cost; splitting one die's content over two adds the die-to-die PHYs.
  HardwareSpec one = preset("h100-sxm-80gb");
  one.physical.package = "cowos_s";
  HardwareSpec two = one;
  two.physical.compute_die.count = 2;
  two.compute.units *= 2;
  two.compute.units_on_die = *one.compute.units_on_die * 2;
  two.memory.l2.capacity = one.memory.l2.capacity * 2;
  const double a1 = area_of(one).total_area.value(), a2 = area_of(two).total_area.value();
  EXPECT_GT(a2, 1.5 * a1);  // the units and L2 double; the HBM PHYs and links are shared out
  EXPECT_GT(unit_cost(two), unit_cost(one));
  HardwareSpec split = one;
  split.physical.compute_die.count = 2;
  EXPECT_GT(area_of(split).total_area.value(), a1);
}

TEST(MultiDieArea, AreaAndCostGrowWithDieArea) {
  for (const char* id : {"h100-sxm-80gb", "b200-sxm-180gb", "mi300x"}) {
    HardwareSpec hw = preset(id);
    HardwareSpec bigger = hw;
    bigger.compute.units_on_die = hw.compute.units_on_die.value_or(hw.compute.units) + 16;
    bigger.memory.l2.capacity = hw.memory.l2.capacity * 1.25;
    const AreaReport a = area_of(hw), b = area_of(bigger);
    EXPECT_GT(b.dies[0].area, a.dies[0].area) << id;
    EXPECT_GT(b.total_area, a.total_area) << id;
    EXPECT_GT(unit_cost(bigger), unit_cost(hw)) << id;
  }
}

}  // namespace
}  // namespace xpusim
