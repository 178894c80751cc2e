// SPDX-License-Identifier: Apache-2.0
#include "xpusim/area/area_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

// ---- LLMCompass constants (cost_model/cost_model.py @2e015fd, economics.md §5.2) ---------------
constexpr double kFpu64Transistors = 685300;
constexpr double kFpu32Transistors = 134069;
constexpr double kInt32AluTransistors = 177690;
constexpr double kControlPerSublaneTransistors = 996200;
constexpr double kCrossbarPerCoreTransistors = 44.3e6;
// PHYs do not shrink with the node (mm² per unit).
constexpr SquareMillimeters kHbmPhyPerStack = units::mm2(10.45);  // HBM2e, 1024-bit; used for
                                       // every HBM generation (HBM3/3E PHY area n/f, economics.md §8)
constexpr SquareMillimeters kDdrPhyPer32Bit = units::mm2(1.45);  // DDR5; used for GDDR/LPDDR
                                                                 // devices (assumption)
constexpr SquareMillimeters kPcie5PhyPerLane = units::mm2(0.64);
constexpr SquareMillimeters kPcie4PhyPerLane = units::mm2(0.48);
constexpr SquareMillimeters kNvlink3Phy = units::mm2(1.888);
constexpr SquareMillimeters kNvlink4Phy = units::mm2(0.965);
constexpr SquareMillimeters kInfinityFabricPhy = units::mm2(5.69);
// Controllers (transistors, scale with the node).
constexpr double kHbmControllerTransistors = 552.7e6;  // one HBM2e stack: 8 channels
// Independent channels per stack, each with its own command queue and scheduler in the
// controller (JEDEC: HBM2/2E 8 x 128 bit, JESD235; HBM3/3E 16 x 64 bit, JESD238; HBM4 32 x 64
// bit, JESD270-4): the controller's transistors scale with them, the 1024-bit PHY does not.
constexpr double kHbm2eChannels = 8;
constexpr double kDdrControllerTransistors = 90.4e6;
constexpr double kPcie5ControllerPerLaneTransistors = 5.37e6;
constexpr double kNvlink3ControllerTransistors = 74.6e6;
constexpr double kNvlink4ControllerTransistors = 86.6e6;
constexpr double kInfinityFabricControllerTransistors = 348.1e6;
constexpr double kDieToDiePortTransistors = kInfinityFabricControllerTransistors;

// Assumptions (not in the sources): host link is x16; a PCIe lane above 2.5 GB/s per direction
// is Gen5 or later (Gen4 x16 = 31.5 GB/s, Gen5 x16 = 63 GB/s).
constexpr int kPcieLanes = 16;
constexpr double kPcieGen5MinBytesPerLane = 2.5e9;
// Tensor Memory is built from the 16 KiB arrays of an NVIDIA register-file bank (256 KiB per SM
// in 4 x 4 banks, area_model.h kRegisterFileBanksPerEngine). Assumption, ignores extra ports.
constexpr Bytes kTensorMemoryBank = units::kib(16);
// Largest SRAM array LLMCompass builds caches from.
constexpr Bytes kMaxSramArray = units::kib(512);

double hbm_channels_per_stack(const std::string& type) {
  if (type.rfind("hbm4", 0) == 0) return 32;
  if (type.rfind("hbm3", 0) == 0) return 16;
  return kHbm2eChannels;
}

SquareMillimeters logic_area(double transistors, ProcessNode node) {
  return SquareMillimeters(transistors / technology(node).logic_density.value());
}

struct LinkPhy {
  SquareMillimeters phy;
  double controller_transistors;
  bool published = true;  // false: a family without published figures, priced as NVLink4
};

// PHY and controller per scale-up link, by link family. NVLink5, ICI, Ethernet and the other
// families have no published area: they use the NVLink4 figures (assumption, reported in
// AreaReport::assumptions).
LinkPhy link_phy(const std::string& name) {
  std::string n = ascii_lower(name);
  n.erase(std::remove(n.begin(), n.end(), ' '), n.end());
  if (n.find("nvlink3") != std::string::npos) return {kNvlink3Phy, kNvlink3ControllerTransistors};
  if (n.find("infinity") != std::string::npos || n.find("xgmi") != std::string::npos)
    return {kInfinityFabricPhy, kInfinityFabricControllerTransistors};
  return {kNvlink4Phy, kNvlink4ControllerTransistors, n.find("nvlink4") != std::string::npos};
}

struct Blocks {
  std::vector<AreaComponent> items;
  void add(std::string name, SquareMillimeters a) {
    if (a.value() > 0) items.push_back({std::move(name), a});
  }
  [[nodiscard]] SquareMillimeters sum() const {
    SquareMillimeters s;
    for (const auto& c : items) s += c.area;
    return s;
  }
};

Result<ProcessNode> node_of(const DieSpec& die, const std::string& path) {
  if (die.node.empty()) {
    return fail(Diagnostic{.path = path,
                           .message = fmt::format("missing process node; the area model needs one "
                                                  "of: {}",
                                                  join(process_node_names()))});
  }
  auto n = parse_process_node(die.node);
  if (!n) {
    auto d = n.error().front();
    d.path = path;
    return tl::unexpected(Diagnostics{d});
  }
  return *n;
}

}  // namespace

int register_file_banks(const HardwareSpec& hw) {
  return hw.memory.register_file.banks.value_or(
      kRegisterFileBanksPerEngine * std::max(1, hw.compute.matrix.engines_per_unit));
}

bool compute_dies_stacked(const HardwareSpec& hw) {
  return hw.physical.io_die.count > 0 && hw.physical.package == "soic_cowos";
}

double transistors_per_mac(Precision p) {
  double mantissa = 0;
  switch (p) {
    case Precision::kFp32: mantissa = 23; break;
    case Precision::kTf32: mantissa = 10; break;
    case Precision::kFp16: mantissa = 10; break;
    case Precision::kBf16: mantissa = 7; break;
    case Precision::kInt8: mantissa = 7; break;
    case Precision::kFp8: mantissa = 3; break;
    case Precision::kInt4: mantissa = 3; break;
    case Precision::kFp4: mantissa = 1; break;
  }
  return kFpu64Transistors * (mantissa / 52.0) * (mantissa / 52.0);
}

double sram_array_efficiency(Bytes array_capacity) {
  // LLMCompass cache area efficiency for 4 KB ... 1 MB arrays.
  static constexpr std::array<double, 9> kEff = {0.076, 0.142, 0.247, 0.393, 0.559,
                                                 0.704, 0.526, 0.602, 0.561};
  double kb = std::min(array_capacity, kMaxSramArray).value() / units::kKi;
  double x = std::log2(std::max(kb, 4.0)) - 2.0;  // 0 at 4 KiB, 8 at 1 MiB
  auto i = static_cast<size_t>(std::floor(x));
  if (i >= kEff.size() - 1) return kEff.back();
  double f = x - static_cast<double>(i);
  return kEff[i] + f * (kEff[i + 1] - kEff[i]);
}

SquareMillimeters sram_area(Bytes capacity, Bytes array_capacity, ProcessNode node) {
  double bits = capacity.value() * 8.0;
  return technology(node).sram_bit_area * bits / sram_array_efficiency(array_capacity);
}

SquareMillimeters dense_sram_area(Bytes capacity, ProcessNode node) {
  return technology(node).hd_bit_cell * (capacity.value() * 8.0) / kDenseMacroEfficiency;
}

namespace {
// A memory level's area by how it is built (hardware_spec.h SramArray).
SquareMillimeters level_area(const MemoryLevelSpec& level, Bytes array_capacity, ProcessNode node) {
  if (level.array == SramArray::kDense) return dense_sram_area(level.capacity, node);
  return sram_area(level.capacity, array_capacity, node);
}
}  // namespace

Result<AreaReport> estimate_area(const HardwareSpec& hw, const AreaOptions& options) {
  const auto& c = hw.compute;
  if (c.units <= 0) {
    return fail(Diagnostic{.path = "compute.units",
                           .message = fmt::format("the area model needs at least one compute "
                                                  "unit, got {}", c.units)});
  }
  auto compute_node = node_of(hw.physical.compute_die, "physical.compute_die.node");
  if (!compute_node) return tl::unexpected(compute_node.error());
  const bool has_io_die = hw.physical.io_die.count > 0;
  ProcessNode io_node = *compute_node;
  if (has_io_die && !hw.physical.io_die.node.empty()) {
    auto n = node_of(hw.physical.io_die, "physical.io_die.node");
    if (!n) return tl::unexpected(n.error());
    io_node = *n;
  }
  // The die inventory: an option overrides the spec; the spec's published figure overrides the
  // fallback fraction.
  const std::optional<int> units_given = options.units_on_die ? options.units_on_die
                                                              : c.units_on_die;
  const char* units_path = options.units_on_die ? "units_on_die" : "compute.units_on_die";
  if (units_given && *units_given < c.units) {
    return fail(Diagnostic{.path = units_path,
                           .message = fmt::format("{} units on the die is fewer than the {} "
                                                  "enabled units", *units_given, c.units)});
  }
  // HBM is built per stack (one 1024-bit PHY and controller each here; cost and fab price and
  // count the stacks): without a count the die would carry no memory interface at all.
  if (ascii_lower(hw.memory.dram.type).rfind("hbm", 0) == 0 && hw.memory.dram.stacks <= 0 &&
      hw.memory.dram.capacity.value() > 0)
    return fail(Diagnostic{.path = "memory.dram.stacks",
                           .message = fmt::format("{} stacks of {} memory: the area, power and "
                                                  "cost models build HBM per stack; give the "
                                                  "stack count (>= 1)",
                                                  hw.memory.dram.stacks, hw.memory.dram.type)});
  const int stacks = std::max(0, hw.memory.dram.stacks);
  const std::optional<int> sites_given = options.dram_phys_on_die ? options.dram_phys_on_die
                                                                  : hw.memory.dram.sites;
  const char* sites_path = options.dram_phys_on_die ? "dram_phys_on_die" : "memory.dram.sites";
  if (sites_given && *sites_given < stacks) {
    return fail(Diagnostic{.path = sites_path,
                           .message = fmt::format("{} DRAM PHYs on the die is fewer than the {} "
                                                  "stacks", *sites_given, stacks)});
  }

  AreaReport report;
  report.units_on_die = units_given.value_or(static_cast<int>(
      std::ceil(static_cast<double>(c.units) / kDefaultEnabledUnitFraction - 1e-9)));
  report.dram_phys_on_die = sites_given.value_or(stacks);
  const int n_compute = std::max(1, hw.physical.compute_die.count);
  const int n_io = has_io_die ? hw.physical.io_die.count : 0;
  const bool multi_die = n_compute + n_io > 1;

  // ---- One compute unit (SM / CU / TensorCore) ---------------------------------------------------
  const ProcessNode cn = *compute_node;
  double mac_transistors = 0;  // the widest format sets the multiplier array; narrower ones pack in
  for (Precision p : kAllPrecisions) {
    mac_transistors = std::max(mac_transistors,
                               c.matrix.macs_per_cycle[index_of(p)] * transistors_per_mac(p));
  }
  const double engines = std::max(1, c.matrix.engines_per_unit);
  SquareMillimeters unit_matrix = logic_area(engines * mac_transistors, cn);
  // A SIMD lane = one FP32 FMA unit + one INT32 ALU (LLMCompass vector lane); FP64 and SFUs are
  // left to the integration overhead.
  double lanes = c.vector.fp32_flop_per_cycle_per_unit / 2.0;
  SquareMillimeters unit_vector = logic_area(lanes * (kFpu32Transistors + kInt32AluTransistors), cn);
  const bool mesh = c.network == UnitNetwork::kMesh;
  SquareMillimeters unit_control = logic_area(
      engines * kControlPerSublaneTransistors +
          (mesh ? kMeshRouterTransistors : kCrossbarPerCoreTransistors),
      cn);
  SquareMillimeters unit_rf, unit_l1;
  if (hw.memory.register_file.present) {
    // One array per single-ported bank (register_file_banks in area_model.h).
    const Bytes bank = hw.memory.register_file.capacity / register_file_banks(hw);
    unit_rf = level_area(hw.memory.register_file, bank, cn);
  }
  // Tensor memory (Blackwell: 128 lanes x 512 columns x 32 bit = 256 KiB per SM, PTX ISA
  // tcgen05) is read and written like a register file: built from the same small banks.
  const SquareMillimeters unit_tmem = sram_area(c.matrix.tensor_memory, kTensorMemoryBank, cn);
  if (hw.memory.l1.present) unit_l1 = level_area(hw.memory.l1, hw.memory.l1.capacity, cn);

  const double units_per_die = static_cast<double>(report.units_on_die) / n_compute;
  Blocks compute;
  compute.add("matrix engines", unit_matrix * units_per_die);
  compute.add("vector units", unit_vector * units_per_die);
  compute.add("register files", unit_rf * units_per_die);
  compute.add("tensor memory", unit_tmem * units_per_die);
  compute.add("L1 / shared memory", unit_l1 * units_per_die);
  compute.add(mesh ? kControlMeshComponent : kControlCrossbarComponent,
              unit_control * units_per_die);
  if (hw.memory.l2.present)
    compute.add("L2", level_area(hw.memory.l2, kMaxSramArray, cn) / n_compute);

  // ---- Die-to-die fabric of a multi-die package ---------------------------------------------------
  Blocks io_blocks;
  const bool stacked = compute_dies_stacked(hw);
  // The data fabric routes every unit's L2 misses to any LLC slice, memory channel, link and the
  // host interface (AMD Infinity Fabric: since Vega the L2 channels reach the memory controllers
  // through it, AMD Vega whitepaper, recalled): the second half of what a memory-side L2's unit
  // crossbar does on an NVIDIA die, priced as one more per-unit crossbar (LLMCompass) for each
  // unit on the dies that hold the memory controllers: the I/O dies where there are any (which
  // imply it), else the compute dies where memory.l2.data_fabric says the L2 sits behind one
  // (one Aldebaran GCD).
  const bool data_fabric = has_io_die || (hw.memory.l2.present && hw.memory.l2.data_fabric);
  if (data_fabric) {
    (has_io_die ? io_blocks : compute)
        .add(kMemorySideFabricComponent,
             logic_area(report.units_on_die * kCrossbarPerCoreTransistors /
                            (has_io_die ? n_io : n_compute),
                        has_io_die ? io_node : cn));
  }
  // Each die carries one fabric port (protocol controller; LLMCompass' Infinity Fabric controller,
  // the one die-to-die controller in the sources) per die it links to: a compute die to its I/O
  // die, an I/O die to the compute dies on it, and the dies that hold the memory to each other by
  // physical.die_to_die.topology (ring: two neighbours; fully_connected: all others).
  const int n_mem = has_io_die ? n_io : n_compute;
  const int peers = n_mem < 2 ? 0
                    : hw.physical.die_to_die.topology == "ring" ? std::min(2, n_mem - 1)
                                                                : n_mem - 1;
  const double compute_ports = has_io_die ? 1.0 : peers;
  const double io_ports = has_io_die ? static_cast<double>(n_compute) / n_io + peers : 0.0;
  compute.add("die-to-die ports", logic_area(compute_ports * kDieToDiePortTransistors, cn));
  io_blocks.add("die-to-die ports", logic_area(io_ports * kDieToDiePortTransistors, io_node));

  // ---- Uncore: memory system, links, host interface (on the I/O dies if there are any) ---------
  Blocks& uncore = has_io_die ? io_blocks : compute;
  const ProcessNode un = has_io_die ? io_node : cn;
  const double share = 1.0 / (has_io_die ? n_io : n_compute);
  if (hw.memory.llc.present)
    uncore.add("LLC", level_area(hw.memory.llc, kMaxSramArray, un) * share);
  const std::string dram = ascii_lower(hw.memory.dram.type);
  const bool hbm = dram.rfind("hbm", 0) == 0;
  const double phys = report.dram_phys_on_die;
  uncore.add(hbm ? "HBM controllers" : "DRAM controllers",
             logic_area(phys * (hbm ? kHbmControllerTransistors * hbm_channels_per_stack(dram) /
                                          kHbm2eChannels
                                    : kDdrControllerTransistors),
                        un) *
                 share);
  uncore.add(hbm ? "HBM PHYs" : "DRAM PHYs",
             (hbm ? kHbmPhyPerStack : kDdrPhyPer32Bit) * phys * share);
  const auto& up = hw.interconnect.scale_up;
  // Every link port on the die counts, those the scale-up tier does not use included
  // (interconnect.scale_up.links_on_die: one Aldebaran GCD carries 8 xGMI ports whether it sits
  // in an MI250X, 4 of them to its peer GCD, or on an MI210 card with a 3-link bridge). A tier
  // over PCIe (topology pcie) runs on the host interface priced below: it adds no port of its
  // own; the die's ports are then links_on_die, of the family port_family (GA100 on an A100 PCIe
  // card: 12 NVLink3 ports for the optional bridge, the same die as the SXM part).
  const int link_ports = up.links_on_die.value_or(up.topology == "pcie" ? 0 : up.links);
  if (up.present && link_ports > 0) {
    const std::string& family = up.port_family.empty() ? up.name : up.port_family;
    LinkPhy lp = link_phy(family);
    if (!lp.published)
      report.assumptions.push_back(fmt::format(
          "scale-up ports '{}': no published PHY or controller area for this family; priced as "
          "{} NVLink4 ports",
          family, link_ports));
    uncore.add("scale-up link controllers",
               logic_area(link_ports * lp.controller_transistors, un) * share);
    uncore.add("scale-up link PHYs", lp.phy * link_ports * share);
  }
  if (hw.interconnect.host_bandwidth) {
    bool gen5 = hw.interconnect.host_bandwidth->value() / kPcieLanes >= kPcieGen5MinBytesPerLane;
    uncore.add("PCIe controller", logic_area(kPcieLanes * kPcie5ControllerPerLaneTransistors, un) *
                                      share);
    uncore.add("PCIe PHY",
               (gen5 ? kPcie5PhyPerLane : kPcie4PhyPerLane) * kPcieLanes *
                   share);
  }

  auto finish = [&](std::string name, int count, ProcessNode node, Blocks blocks,
                    bool wafer_scale, bool shoreline_phy) {
    if (multi_die && shoreline_phy)
      blocks.add("die-to-die PHY", blocks.sum() * kDieToDieAreaFraction);
    blocks.add("integration overhead", blocks.sum() * (kIntegrationOverhead - 1.0));
    DieArea d;
    d.name = std::move(name);
    d.count = count;
    d.node = node;
    d.area = blocks.sum();
    d.components = std::move(blocks.items);
    d.wafer_scale = wafer_scale;
    const double side = std::sqrt(d.area.value());
    // A stitched die is a square of reticle fields (Cerebras WSE: 215 x 215 mm); any other die is
    // at most one reticle wide.
    d.width = Millimeters(wafer_scale ? side : std::min(side, kReticleWidth.value()));
    d.height = Millimeters(d.area.value() / d.width.value());
    d.within_reticle = wafer_scale || d.height <= kReticleHeight;
    if (!d.within_reticle) {
      const SquareMillimeters reticle = kReticleWidth * kReticleHeight;
      report.reticle_excess = max(report.reticle_excess, d.area - reticle);
      report.feasibility.mark(
          InfeasibleReason::kReticle,
          fmt::format("{} die of {:.0f} mm² exceeds the {:.0f} x {:.0f} mm reticle ({:.0f} mm²) by "
                      "{:.0f} mm²; split it into chiplets (physical.compute_die.count)",
                      d.name, d.area.value(), kReticleWidth.value(), kReticleHeight.value(),
                      reticle.value(), (d.area - reticle).value()));
    }
    report.total_area += d.area * count;
    report.dies.push_back(std::move(d));
  };
  finish(kComputeDieName, n_compute, cn, std::move(compute), hw.physical.compute_die.wafer_scale,
         !stacked);
  if (has_io_die) finish(kIoDieName, n_io, io_node, std::move(io_blocks), false, true);
  if (!report.total_area.is_finite() || !(report.total_area.value() > 0))
    return fail(Diagnostic{.path = "compute",
                           .message = fmt::format("the estimated silicon area is {} mm², not a "
                                                  "positive finite area: check the unit counts, "
                                                  "MACs and memory sizes of {}",
                                                  report.total_area.value(), hw.id)});
  return report;
}

}  // namespace xpusim
