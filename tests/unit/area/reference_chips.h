// SPDX-License-Identifier: Apache-2.0
// A100 and H100 SXM as HardwareSpecs built in C++ from their public descriptions (NVIDIA A100 and
// H100 whitepapers), for the area/cost/fab tests. Not the presets: those carry the published die
// area the models are checked against; here only the architecture is given.
#pragma once

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_spec.h"

namespace xpusim::testing {

inline HardwareSpec a100_sxm() {
  HardwareSpec hw;
  hw.id = "a100-sxm-40gb";
  hw.name = "NVIDIA A100 SXM4 40GB";
  auto& c = hw.compute;
  c.units = 108;  // enabled SMs (the GA100 die has 128)
  c.unit_name = "SM";
  c.clock = units::ghz(1.41);
  c.matrix.engines_per_unit = 4;
  c.matrix.macs_per_cycle[index_of(Precision::kFp16)] = 256;
  c.matrix.macs_per_cycle[index_of(Precision::kBf16)] = 256;
  c.matrix.macs_per_cycle[index_of(Precision::kTf32)] = 128;
  c.matrix.macs_per_cycle[index_of(Precision::kInt8)] = 512;
  c.matrix.macs_per_cycle[index_of(Precision::kInt4)] = 1024;
  c.vector.fp32_flop_per_cycle_per_unit = 128;
  hw.memory.register_file = {true, units::kib(256), units::tb_per_s(0.1)};
  hw.memory.l1 = {true, units::kib(192), units::tb_per_s(0.18)};
  hw.memory.l2 = {true, units::mib(40), units::tb_per_s(5.0)};
  hw.memory.dram = {"hbm2e", 5, units::gb(40), units::tb_per_s(1.555)};
  hw.interconnect.scale_up = {true, "NVLink3", units::gb_per_s(300), 12, units::us(1), "switched", 8};
  hw.interconnect.host_bandwidth = units::gb_per_s(31.5);  // PCIe Gen4 x16
  hw.physical.process = "TSMC N7";
  hw.physical.compute_die = {"GA100", 1, std::nullopt, "n7"};
  hw.physical.tdp = units::watts(400);
  hw.physical.package = "cowos_s";
  return hw;
}

inline HardwareSpec h100_sxm() {
  HardwareSpec hw;
  hw.id = "h100-sxm-80gb";
  hw.name = "NVIDIA H100 SXM5 80GB";
  auto& c = hw.compute;
  c.units = 132;  // enabled SMs (the GH100 die has 144)
  c.unit_name = "SM";
  c.clock = units::ghz(1.83);
  c.matrix.engines_per_unit = 4;
  c.matrix.macs_per_cycle[index_of(Precision::kFp16)] = 512;
  c.matrix.macs_per_cycle[index_of(Precision::kBf16)] = 512;
  c.matrix.macs_per_cycle[index_of(Precision::kTf32)] = 256;
  c.matrix.macs_per_cycle[index_of(Precision::kFp8)] = 1024;
  c.matrix.macs_per_cycle[index_of(Precision::kInt8)] = 1024;
  c.vector.fp32_flop_per_cycle_per_unit = 256;
  hw.memory.register_file = {true, units::kib(256), units::tb_per_s(0.2)};
  hw.memory.l1 = {true, units::kib(256), units::tb_per_s(0.23)};
  hw.memory.l2 = {true, units::mib(50), units::tb_per_s(7.0)};
  hw.memory.dram = {"hbm3", 5, units::gb(80), units::tb_per_s(3.35)};
  hw.interconnect.scale_up = {true, "NVLink4", units::gb_per_s(450), 18, units::us(1), "switched", 8};
  hw.interconnect.host_bandwidth = units::gb_per_s(63.0);  // PCIe Gen5 x16
  hw.physical.process = "TSMC 4N";
  hw.physical.compute_die = {"GH100", 1, std::nullopt, "n4"};
  hw.physical.tdp = units::watts(700);
  hw.physical.package = "cowos_s";
  return hw;
}

// The dies' inventories from the same whitepapers: 128 / 144 SMs and 6 HBM PHY sites.
inline AreaOptions a100_die() { return {.units_on_die = 128, .dram_phys_on_die = 6}; }
inline AreaOptions h100_die() { return {.units_on_die = 144, .dram_phys_on_die = 6}; }

}  // namespace xpusim::testing
