// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/hardware_schema.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "xpusim/config/json_text.h"
#include "xpusim/config/presets.h"

namespace xpusim {
namespace {

using HW = HardwareSpec;

template <class Ref>
Field<HW> field(std::string path, Ref ref, std::string description, FieldOptions opt = {}) {
  return make_field<HW>(std::move(path), ref, std::move(description), std::move(opt));
}

// A choice field stored as an enum: `names` lists the text of each value, the first is the default.
template <class E, class Ref>
Field<HW> enum_field(std::string path, Ref ref, std::vector<std::pair<std::string, E>> names,
                     std::string description) {
  FieldInfo info;
  info.path = std::move(path);
  info.kind = FieldKind::kChoice;
  info.default_text = names.front().first;
  for (const auto& n : names) info.choices.push_back(n.first);
  info.description = std::move(description);
  auto load = [ref, names](const HW& s) -> std::optional<FieldValue> {
    for (const auto& [text, value] : names)
      if (ref(const_cast<HW&>(s)) == value) return FieldValue{.text = text};
    return std::nullopt;
  };
  auto store = [ref, names = std::move(names)](HW& s, const FieldValue& v) {
    for (const auto& [text, value] : names)
      if (text == v.text) ref(s) = value;
  };
  return Field<HW>{std::move(info), std::move(store), std::move(load)};
}

std::string num(double v, const char* format = "%g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Ranges in canonical units (B, B/s, Hz, s, FLOP/s, mm2, W).
constexpr double kMaxCapacity = 8 * units::kTi;  // 8 TiB: beyond any package, wafer-scale included
constexpr double kMaxDramBandwidth = 1e14;     // 100 TB/s
constexpr double kMaxOnChipBandwidth = 1e17;   // 100 PB/s (wafer-scale SRAM is ~21 PB/s)
constexpr double kMaxClock = 10e9;             // 10 GHz: no logic process clocks higher
constexpr double kMaxPeak = 1e18;              // 1 EFLOP/s per package
constexpr double kMaxLinkBandwidth = 1e14;     // 100 TB/s per device and direction
// Physical floors: a positive value below them is a unit slip ("1e-30 TB/s"), and would turn
// every prediction into an absurd figure rather than an error.
constexpr double kMinBandwidth = 1e6;          // 1 MB/s: slower than any memory or link built
constexpr double kMinClock = 1e6;              // 1 MHz
constexpr double kMinTdp = 1.0;                // 1 W: no accelerator board draws less
const char* const kBandwidthReason = "1 MB/s is slower than any memory or link built";

// The nodes the area, power and cost models have figures for (area/process_node.h; a test holds
// the two lists equal): n28 and n12 were accepted here and then had no power model or cost.
const std::vector<std::string> kNodes = {"n16", "n7", "n6", "n5", "n4", "n3", "n2"};
const std::vector<std::string> kTopologies = {"switched", "fully_connected", "ring", "pcie", "torus_2d",
                                              "torus_3d"};
const std::vector<std::string> kPackages = {"organic", "fan_out", "cowos_s", "cowos_l", "emib",
                                            "soic_cowos"};
const std::vector<std::string> kDramTypes = {"hbm2",  "hbm2e",  "hbm3",  "hbm3e",  "hbm4",
                                             "gddr6", "gddr6x", "gddr7", "lpddr5", "lpddr5x",
                                             "ddr5",  "sram_only"};

// A memory level: present iff its capacity is given.
void add_level(std::vector<Field<HW>>& out, const std::string& key, MemoryLevelSpec& (*level)(HW&),
               const std::string& what, bool per_unit) {
  const std::string base = "memory." + key;
  const std::string scope = per_unit ? " per unit" : " of the whole chip";
  auto cap = field(base + ".capacity", [level](HW& s) -> auto& { return level(s).capacity; },
                   what + " capacity" + scope + "; the level is absent when not given",
                   FieldOptions{.required = false, .min = 0, .max = kMaxCapacity,
                                .min_exclusive = true});
  auto store = cap.store;
  cap.store = [store, level](HW& s, const FieldValue& v) {
    store(s, v);
    level(s).present = true;
  };
  auto load = cap.load;  // an absent level has no capacity
  cap.load = [load, level](const HW& s) {
    return level(const_cast<HW&>(s)).present ? load(s) : std::nullopt;
  };
  out.push_back(std::move(cap));
  out.push_back(field(base + ".bandwidth", [level](HW& s) -> auto& { return level(s).bandwidth; },
                      what + " peak bandwidth" + scope +
                          (key == "register_file" ? " (optional; 0 = not modelled)"
                                                  : "; required when the capacity is given"),
                      FieldOptions{.required = false, .min = kMinBandwidth,
                                   .max = kMaxOnChipBandwidth, .reason = kBandwidthReason}));
  out.push_back(enum_field<SramArray>(
      base + ".array", [level](HW& s) -> SramArray& { return level(s).array; },
      {{"cache", SramArray::kCache}, {"dense", SramArray::kDense}},
      "how the SRAM is built (area model): cache = arrays with tags, ECC, banks and ports (GPU "
      "caches and shared memory); dense = a software-managed scratchpad of high-density "
      "single-port macros (Groq MEM, Cerebras core SRAM)"));
}

// A link tier: present iff its bandwidth is given.
void add_tier(std::vector<Field<HW>>& out, const std::string& key, LinkTierSpec& (*tier)(HW&),
              const std::string& what) {
  const std::string base = "interconnect." + key;
  out.push_back(field(base + ".name", [tier](HW& s) -> auto& { return tier(s).name; },
                      what + " link name (\"NVLink4\", \"Infinity Fabric\", \"ICI\", \"RoCE\")",
                      FieldOptions{.required = false}));
  auto bw = field(base + ".bandwidth", [tier](HW& s) -> auto& { return tier(s).bandwidth; },
                  what + " bandwidth per device and direction, all links together; the tier is "
                         "absent when not given",
                  FieldOptions{.required = false, .min = kMinBandwidth, .max = kMaxLinkBandwidth,
                               .reason = kBandwidthReason});
  auto store = bw.store;
  bw.store = [store, tier](HW& s, const FieldValue& v) {
    store(s, v);
    tier(s).present = true;
  };
  auto load = bw.load;  // an absent tier has no bandwidth
  bw.load = [load, tier](const HW& s) {
    return tier(const_cast<HW&>(s)).present ? load(s) : std::nullopt;
  };
  out.push_back(std::move(bw));
  out.push_back(field(base + ".links", [tier](HW& s) -> auto& { return tier(s).links; },
                      what + " links per device (optional)",
                      FieldOptions{.required = false, .min = 1, .max = 1024}));
  if (key == "scale_up")
    out.push_back(field(base + ".links_on_die", [tier](HW& s) -> auto& { return tier(s).links_on_die; },
                        what + " link ports (PHY + controller) on the die, those this tier does not "
                               "use included (one Aldebaran GCD: 8 xGMI, 3 used by MI210's bridge); "
                               "used by the area model, >= links; absent = links",
                        FieldOptions{.min = 1, .max = 1024}));
  if (key == "scale_up")
    out.push_back(field(base + ".port_family", [tier](HW& s) -> auto& { return tier(s).port_family; },
                        what + " link family of the links_on_die ports where the tier runs over "
                               "another interface (an A100 / H100 PCIe card: \"NVLink3\" / "
                               "\"NVLink4\" ports for an optional bridge, the tier is PCIe); used "
                               "by the area model to price the ports; needs links_on_die; absent = "
                               "name",
                        FieldOptions{.required = false}));
  out.push_back(field(base + ".latency", [tier](HW& s) -> auto& { return tier(s).latency; },
                      what + " one-hop latency of a small message; required when the tier is present",
                      FieldOptions{.required = false, .min = 0, .max = 1.0, .min_exclusive = true}));
  out.push_back(field(base + ".topology", [tier](HW& s) -> auto& { return tier(s).topology; },
                      what + " topology (pcie: GPUs behind PCIe switches, no GPU fabric); "
                             "required when the tier is present",
                      FieldOptions{.required = false, .choices = kTopologies}));
  out.push_back(field(base + ".in_network_reduction",
                      [tier](HW& s) -> auto& { return tier(s).in_network_reduction; },
                      what + " switches reduce in the network (NVLink SHARP on third-generation "
                             "NVSwitch and later, InfiniBand SHARP): an all-reduce sends each byte "
                             "up once and receives the sum once (NCCL's NVLS / CollNet algorithm); "
                             "switched topology only",
                      FieldOptions{.default_text = "false"}));
  auto shape = field(base + ".shape", [tier](HW& s) -> auto& { return tier(s).shape; },
                     what + " dimensions of a ring or torus topology, \"16x16\" (one number per "
                            "dimension, product = domain_size); optional: the most balanced "
                            "factorisation of domain_size when not given",
                     FieldOptions{.required = false});
  auto store_shape = shape.store;
  shape.store = [store_shape, tier](HW& s, const FieldValue& v) {
    store_shape(s, v);
    tier(s).dims = parse_shape(tier(s).shape);  // empty when malformed: check_tier reports it
  };
  out.push_back(std::move(shape));
  out.push_back(field(base + ".domain_size", [tier](HW& s) -> auto& { return tier(s).domain_size; },
                      what + " devices reachable in this tier" +
                          (key == "scale_up" ? "; required when the tier is present"
                                             : " (optional; 0 = not limited by the tier)"),
                      FieldOptions{.required = false, .min = 1, .max = 1e6}));
}

void add_die(std::vector<Field<HW>>& out, const std::string& key, DieSpec& (*die)(HW&),
             const std::string& what, const std::string& default_count) {
  const std::string base = "physical." + key;
  out.push_back(field(base + ".name", [die](HW& s) -> auto& { return die(s).name; },
                      what + " die name (\"GH100\", \"XCD\")", FieldOptions{.required = false}));
  out.push_back(field(base + ".count", [die](HW& s) -> auto& { return die(s).count; },
                      what + " dies in the package",
                      FieldOptions{.default_text = default_count,
                                   .min = key == "compute_die" ? 1.0 : 0.0, .max = 64}));
  out.push_back(field(base + ".area", [die](HW& s) -> auto& { return die(s).area; },
                      what + " die area per die, where published",
                      FieldOptions{.required = false, .min = 0.01, .max = 50000,
                                   .reason = "a die side of 0.1 mm to a wafer-scale die"}));
  out.push_back(field(base + ".node", [die](HW& s) -> auto& { return die(s).node; },
                      what + " die process node class", FieldOptions{.required = false, .choices = kNodes}));
  if (key == "compute_die")
    out.push_back(field(base + ".wafer_scale", [die](HW& s) -> auto& { return die(s).wafer_scale; },
                        "the die is stitched across reticle fields to span the wafer (Cerebras "
                        "WSE): no reticle limit, one die per wafer, yield from the redundant units",
                        FieldOptions{.default_text = "false"}));
}

std::vector<Field<HW>> hardware_fields() {
  std::vector<Field<HW>> f;
  f.push_back(field("id", [](HW& s) -> auto& { return s.id; },
                    "preset id: lower-case letters, digits, '-', '.', '_' (\"h100-sxm-80gb\")"));
  f.push_back(field("name", [](HW& s) -> auto& { return s.name; }, "product name"));
  f.push_back(field("vendor", [](HW& s) -> auto& { return s.vendor; }, "vendor"));

  // Compute.
  f.push_back(field("compute.units", [](HW& s) -> auto& { return s.compute.units; },
                    "compute units (SMs, CUs, TensorCores, MMEs) that hold the engines",
                    FieldOptions{.min = 1, .max = 1e6}));
  f.push_back(field("compute.units_on_die", [](HW& s) -> auto& { return s.compute.units_on_die; },
                    "units physically on all compute dies, disabled ones included (GA100: 128 "
                    "SMs for A100's 108); used by the area model, >= compute.units",
                    FieldOptions{.min = 1, .max = 1e6}));
  f.push_back(enum_field<UnitNetwork>(
      "compute.network", [](HW& s) -> UnitNetwork& { return s.compute.network; },
      {{"crossbar", UnitNetwork::kCrossbar}, {"mesh", UnitNetwork::kMesh}},
      "on-chip network of the units (area model): crossbar = every unit to the L2 slices (GPUs); "
      "mesh = one router per unit to its four neighbours (Cerebras WSE, Tenstorrent)"));
  f.push_back(enum_field<Execution>(
      "compute.execution", [](HW& s) -> Execution& { return s.compute.execution; },
      {{"dynamic", Execution::kDynamic}, {"statically_scheduled", Execution::kStaticallyScheduled}},
      "who schedules the work: dynamic = a host runtime launches kernel after kernel (GPUs; the "
      "runtime profile's kernel gap, host, collective and step costs apply); "
      "statically_scheduled = the compiler fixes every operation and chip-to-chip transfer in "
      "time ahead of execution (Groq LPU, Cerebras WSE): none of those costs apply"));
  f.push_back(field("compute.mesh_hop_cycles",
                    [](HW& s) -> auto& { return s.compute.mesh_hop_cycles; },
                    "clock cycles a value takes through one router of the mesh (compute.network: "
                    "mesh; ignored on a crossbar, so a design search may switch the network): a GEMM "
                    "spread over a region of the mesh waits ~2 x sqrt(units) hops to fill and "
                    "drain; 0 = not modelled",
                    FieldOptions{.default_text = "0", .min = 0.1, .max = 1000, .zero_allowed = true,
                                 .reason = "0 = not given; a router forwards within 0.1 to 1000 "
                                           "cycles"}));
  f.push_back(field("compute.unit_name", [](HW& s) -> auto& { return s.compute.unit_name; },
                    "what a unit is called (\"SM\", \"CU\", \"TensorCore\")"));
  f.push_back(field("compute.clock", [](HW& s) -> auto& { return s.compute.clock; },
                    "clock the matrix engines run at (boost)",
                    FieldOptions{.min = kMinClock, .max = kMaxClock,
                                 .reason = "1 MHz to 10 GHz: no logic process clocks higher"}));
  f.push_back(field("compute.matrix.engines_per_unit",
                    [](HW& s) -> auto& { return s.compute.matrix.engines_per_unit; },
                    "matrix engines per unit (tensor cores per SM, MXUs per TensorCore)",
                    FieldOptions{.min = 1, .max = 1024}));
  for (Precision p : kAllPrecisions) {
    const size_t i = index_of(p);
    const std::string name(to_string(p));
    f.push_back(field("compute.matrix.macs_per_cycle." + name,
                      [i](HW& s) -> auto& { return s.compute.matrix.macs_per_cycle[i]; },
                      "dense " + name + " multiply-accumulates per cycle per engine (0 = unsupported)",
                      FieldOptions{.default_text = "0", .min = 1, .max = 1e7, .zero_allowed = true,
                                   .reason = "an engine does at least one MAC per cycle"}));
  }
  f.push_back(field("compute.matrix.array_rows", [](HW& s) -> auto& { return s.compute.matrix.array_rows; },
                    "systolic array rows (0 when the engine is not a fixed array)",
                    FieldOptions{.default_text = "0", .min = 0, .max = 65536}));
  f.push_back(field("compute.matrix.array_cols", [](HW& s) -> auto& { return s.compute.matrix.array_cols; },
                    "systolic array columns (0 when the engine is not a fixed array)",
                    FieldOptions{.default_text = "0", .min = 0, .max = 65536}));
  f.push_back(field("compute.matrix.min_m", [](HW& s) -> auto& { return s.compute.matrix.min_m; },
                    "M granule processed at full rate (mma 16, wgmma 64, MXU 128); smaller M pads",
                    FieldOptions{.default_text = "1", .min = 1, .max = 65536}));
  f.push_back(field("compute.matrix.tensor_memory",
                    [](HW& s) -> auto& { return s.compute.matrix.tensor_memory; },
                    "SRAM per unit private to the matrix engines, beside the register file "
                    "(Blackwell Tensor Memory: 256 KiB per SM); counted by the area model only",
                    FieldOptions{.required = false, .min = 0,
                                 .max = kMaxCapacity}));
  f.push_back(field("compute.matrix.instruction_tile.m",
                    [](HW& s) -> auto& { return s.compute.matrix.instruction_tile.m; },
                    "rows of C one native matrix instruction computes (mma.sync 16, wgmma 64, MFMA "
                    "32); with n and k it sets the operand bytes per MAC of the power model",
                    FieldOptions{.default_text = "0", .min = 1, .max = 65536, .zero_allowed = true,
                                 .reason = "0 = not given; an instruction has at least one row"}));
  f.push_back(field("compute.matrix.instruction_tile.n",
                    [](HW& s) -> auto& { return s.compute.matrix.instruction_tile.n; },
                    "columns of C one native matrix instruction computes (mma.sync 8, wgmma up to "
                    "256, MFMA 32)",
                    FieldOptions{.default_text = "0", .min = 1, .max = 65536, .zero_allowed = true,
                                 .reason = "0 = not given; an instruction has at least one column"}));
  f.push_back(field("compute.matrix.instruction_tile.k",
                    [](HW& s) -> auto& { return s.compute.matrix.instruction_tile.k; },
                    "reduction depth of one native matrix instruction at 16-bit operands (mma.sync "
                    "16, wgmma 16, MFMA 32x32x8 8); the accumulator is read and written once per k",
                    FieldOptions{.default_text = "0", .min = 1, .max = 65536, .zero_allowed = true,
                                 .reason = "0 = not given; an instruction reduces over at least one "
                                           "element"}));
  f.push_back(field("compute.vector.fp32_flop_per_cycle_per_unit",
                    [](HW& s) -> auto& { return s.compute.vector.fp32_flop_per_cycle_per_unit; },
                    "SIMD FP32 FLOP per cycle per unit (an FMA counts 2)",
                    FieldOptions{.min = 1, .max = 1e6,
                                 .reason = "a unit does at least one FLOP per cycle"}));
  f.push_back(field("compute.vector.special_per_cycle_per_unit",
                    [](HW& s) -> auto& { return s.compute.vector.special_per_cycle_per_unit; },
                    "transcendental (exp) results per cycle per unit (SFU)",
                    FieldOptions{.min = 0.01, .max = 1e6,
                                 .reason = "an SFU gives at least one result per 100 cycles"}));
  f.push_back(field("compute.vector.lanes_per_unit",
                    [](HW& s) -> auto& { return s.compute.vector.lanes_per_unit; },
                    "vector lanes (ALUs) per unit, one operation (convert, multiply) each per "
                    "cycle; 0 = fp32_flop_per_cycle_per_unit / 2 (FMA lanes)",
                    FieldOptions{.default_text = "0", .min = 1, .max = 1e6, .zero_allowed = true,
                                 .reason = "0 = not given; a vector unit has at least one lane"}));
  for (Precision p : kAllPrecisions) {
    const size_t i = index_of(p);
    const std::string name(to_string(p));
    f.push_back(field("compute.datasheet_peak." + name,
                      [i](HW& s) -> auto& { return s.compute.datasheet_peak[i]; },
                      "published dense " + name + " peak, checked against the derived peak (" +
                          num(kDatasheetPeakTolerance * 100) + "%)",
                      FieldOptions{.required = false, .min = 0, .max = kMaxPeak,
                                   .min_exclusive = true}));
  }

  // Memory.
  add_level(f, "register_file", [](HW& s) -> MemoryLevelSpec& { return s.memory.register_file; },
            "register file", true);
  f.push_back(field("memory.register_file.banks",
                    [](HW& s) -> auto& { return s.memory.register_file.banks; },
                    "single-ported SRAM banks the register file of one unit is built from (area "
                    "model: each bank is one array of capacity / banks); default 4 per matrix "
                    "engine (NVIDIA: 4 per SM sub-partition, 16 KiB each)",
                    FieldOptions{.required = false, .min = 1, .max = 4096}));
  add_level(f, "l1", [](HW& s) -> MemoryLevelSpec& { return s.memory.l1; },
            "L1 / shared memory / scratchpad", true);
  add_level(f, "l2", [](HW& s) -> MemoryLevelSpec& { return s.memory.l2; },
            "L2 cache / global buffer", false);
  add_level(f, "llc", [](HW& s) -> MemoryLevelSpec& { return s.memory.llc; },
            "last-level cache behind L2 (Infinity Cache)", false);
  f.push_back(enum_field<CacheAttach>(
      "memory.l2.attach", [](HW& s) -> CacheAttach& { return s.memory.l2.attach; },
      {{"package", CacheAttach::kPackage}, {"compute_die", CacheAttach::kComputeDie}},
      "which units the L2 serves: package = one L2 every unit reaches (monolithic GPUs, "
      "memory-side caches spread over dies); compute_die = split evenly over the compute dies, "
      "each die's units reaching only their own slice (MI300X: 4 MiB per XCD); a GEMM tiles each "
      "die's share in its slice and its misses cross to the LLC or DRAM"));
  f.push_back(field(
      "memory.l2.data_fabric", [](HW& s) -> auto& { return s.memory.l2.data_fabric; },
      "the L2 reaches the DRAM controllers, links and host interface through a data fabric (AMD "
      "Infinity Fabric since Vega) rather than directly (NVIDIA: each L2 slice sits at its memory "
      "controller); area model: one more per-unit crossbar on the dies that hold the memory "
      "controllers (I/O dies imply it)",
      FieldOptions{.default_text = "false"}));
  f.push_back(field("memory.dram.type", [](HW& s) -> auto& { return s.memory.dram.type; },
                    "device memory technology", FieldOptions{.choices = kDramTypes}));
  f.push_back(field("memory.dram.stacks", [](HW& s) -> auto& { return s.memory.dram.stacks; },
                    "HBM stacks (or GDDR devices); 0 = not given (area, power and cost then refuse HBM)",
                    FieldOptions{.default_text = "0", .min = 0, .max = 64}));
  f.push_back(field("memory.dram.sites", [](HW& s) -> auto& { return s.memory.dram.sites; },
                    "HBM PHY sites on the package, empty ones included (H100 SXM: 6 for 5 "
                    "stacks); used by the area model, >= memory.dram.stacks",
                    FieldOptions{.min = 0, .max = 64}));
  f.push_back(field("memory.dram.capacity", [](HW& s) -> auto& { return s.memory.dram.capacity; },
                    "device-memory capacity the device exposes (> 0 unless sram_only); HBM "
                    "stacks are GiB-based: a vendor's \"80 GB\" is 80 GiB",
                    FieldOptions{.min = 0, .max = kMaxCapacity}));
  f.push_back(field("memory.dram.bandwidth", [](HW& s) -> auto& { return s.memory.dram.bandwidth; },
                    "peak device-memory bandwidth (> 0 unless sram_only)",
                    FieldOptions{.min = kMinBandwidth, .max = kMaxDramBandwidth,
                                 .zero_allowed = true, .reason = kBandwidthReason}));

  // Interconnect.
  add_tier(f, "scale_up", [](HW& s) -> LinkTierSpec& { return s.interconnect.scale_up; },
           "scale-up (NVLink, Infinity Fabric, ICI)");
  add_tier(f, "scale_out", [](HW& s) -> LinkTierSpec& { return s.interconnect.scale_out; },
           "scale-out (InfiniBand / Ethernet NIC)");
  f.push_back(field("interconnect.host_bandwidth",
                    [](HW& s) -> auto& { return s.interconnect.host_bandwidth; },
                    "host link (PCIe, NVLink-C2C) bandwidth per direction",
                    FieldOptions{.required = false, .min = kMinBandwidth, .max = kMaxLinkBandwidth,
                                 .reason = kBandwidthReason}));

  // Physical.
  f.push_back(field("physical.process", [](HW& s) -> auto& { return s.physical.process; },
                    "foundry process as published (\"TSMC 4N\")", FieldOptions{.required = false}));
  add_die(f, "compute_die", [](HW& s) -> DieSpec& { return s.physical.compute_die; },
          "compute", "1");
  add_die(f, "io_die", [](HW& s) -> DieSpec& { return s.physical.io_die; }, "I/O or base", "0");
  f.push_back(field("physical.die_to_die.bandwidth",
                    [](HW& s) -> auto& { return s.physical.die_to_die.bandwidth; },
                    "die-to-die bandwidth per die and direction, all its links to the other dies "
                    "(those the DRAM stacks hang off: the I/O dies, else the compute dies); bounds "
                    "the DRAM bandwidth of interleaved memory (optional: not bounded when absent)",
                    FieldOptions{.required = false, .min = kMinBandwidth, .max = 1e15,
                                 .reason = "1 MB/s to 1 PB/s"}));
  f.push_back(field("physical.die_to_die.topology",
                    [](HW& s) -> auto& { return s.physical.die_to_die.topology; },
                    "how the dies are linked: fully_connected (every pair) or ring (each die to "
                    "two neighbours; MI300X's 2 x 2 IODs)",
                    FieldOptions{.default_text = "fully_connected",
                                 .choices = {"fully_connected", "ring"}}));
  f.push_back(field("physical.die_to_die.energy",
                    [](HW& s) -> auto& { return s.physical.die_to_die.energy; },
                    "energy per bit or byte crossing a die boundary (\"0.5 pJ/bit\")",
                    FieldOptions{.required = false, .min = 0, .max = 1e-9, .min_exclusive = true,
                                 .reason = "above 0 and at most 8 nJ/bit (1 nJ/B)"}));
  f.push_back(field("physical.die_to_die.compute_link",
                    [](HW& s) -> auto& { return s.physical.die_to_die.compute_link; },
                    "bandwidth per compute die and direction of its link to the I/O die it is "
                    "attached to (MI300's XCD-IOD bond); every byte a compute die reads from or "
                    "writes to DRAM or the LLC crosses it, so n_compute x this bounds both "
                    "(optional, only with I/O dies: not bounded when absent)",
                    FieldOptions{.required = false, .min = kMinBandwidth, .max = 1e15,
                                 .reason = "1 MB/s to 1 PB/s"}));
  f.push_back(field("physical.tdp", [](HW& s) -> auto& { return s.physical.tdp; },
                    "board / package power limit (optional; 0 W when not published)",
                    FieldOptions{.required = false, .min = kMinTdp, .max = 1e5,
                                 .reason = "1 W to a 100 kW wafer-scale system"}));
  f.push_back(field("physical.package", [](HW& s) -> auto& { return s.physical.package; },
                    "packaging technology", FieldOptions{.required = false, .choices = kPackages}));
  f.push_back(field("physical.transistors_billion",
                    [](HW& s) -> auto& { return s.physical.transistors_billion; },
                    "transistors in the package, billions",
                    FieldOptions{.required = false, .min = 0.001, .max = 1e5,
                                 .reason = "a million to 100 trillion transistors"}));
  return f;
}

bool given(const FieldSource& src, const std::string& path) { return src.given(path); }

// Set after the file: a --set override, or a design of a search (Schema::set).
bool from_command_line(const FieldSource& src, const std::string& path) {
  return src.overridden(path);
}

Diagnostic diagnostic_at(const FieldSource& src, const std::string& path, std::string message) {
  return src.at(path, std::move(message));
}

bool valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
      return false;
  return true;
}

void check_level(const FieldSource& src, const std::string& key,
                 const MemoryLevelSpec& level, Diagnostics& diags) {
  const std::string base = "memory." + key;
  if (!level.present && given(src, base + ".bandwidth"))
    diags.push_back(diagnostic_at(src, base + ".bandwidth",
                                  "given without " + base + ".capacity (a level is present iff "
                                  "its capacity is given)"));
  for (const char* sub : {".array", ".attach", ".banks", ".data_fabric"}) {
    if (!level.present && given(src, base + sub))
      diags.push_back(diagnostic_at(src, base + sub,
                                    "given without " + base + ".capacity (a level is present iff "
                                    "its capacity is given)"));
  }
  if (level.present && key != "register_file" && !given(src, base + ".bandwidth"))
    diags.push_back(diagnostic_at(src, base + ".capacity",
                                  "the level has a capacity but no " + base +
                                      ".bandwidth; give both or neither"));
}

void check_tier(const FieldSource& src, const std::string& key, const LinkTierSpec& tier,
                Diagnostics& diags) {
  const std::string base = "interconnect." + key;
  if (!tier.present) {
    for (const char* sub : {"name", "links", "links_on_die", "port_family", "latency", "topology",
                            "shape", "domain_size", "in_network_reduction"}) {
      std::string path = base + "." + sub;
      if (given(src, path))
        diags.push_back(diagnostic_at(src, path, "given without " + base +
                                                     ".bandwidth (a tier is present iff its "
                                                     "bandwidth is given)"));
    }
    return;
  }
  if (!tier.shape.empty()) {
    const std::string path = base + ".shape";
    const int want = tier.topology == "torus_3d" ? 3 : tier.topology == "torus_2d" ? 2 : 1;
    int product = 1;
    for (int d : tier.dims) product *= d;
    if (tier.topology != "ring" && tier.topology != "torus_2d" && tier.topology != "torus_3d")
      diags.push_back(diagnostic_at(src, path, "a shape is given but " + base + ".topology is \"" +
                                                   tier.topology +
                                                   "\"; only ring, torus_2d and torus_3d have one"));
    else if (tier.dims.empty())
      diags.push_back(diagnostic_at(src, path, "expected dimensions such as \"16x16\" (integers "
                                               ">= 1 joined by 'x'), got \"" + tier.shape + "\""));
    else if (static_cast<int>(tier.dims.size()) != want)
      diags.push_back(diagnostic_at(src, path, "\"" + tier.shape + "\" has " +
                                                   std::to_string(tier.dims.size()) +
                                                   " dimensions; topology " + tier.topology +
                                                   " needs " + std::to_string(want)));
    else if (product != tier.domain_size)
      diags.push_back(diagnostic_at(src, path, "\"" + tier.shape + "\" holds " +
                                                   std::to_string(product) + " devices but " +
                                                   base + ".domain_size is " +
                                                   std::to_string(tier.domain_size) +
                                                   "; the product must equal it"));
  }
  if (tier.in_network_reduction && tier.topology != "switched")
    diags.push_back(diagnostic_at(src, base + ".in_network_reduction",
                                  "true, but " + base + ".topology is \"" + tier.topology +
                                      "\"; only a switched tier has switches that reduce (give "
                                      "topology: switched, or false)"));
  std::vector<std::string> needed = {"name", "latency", "topology"};
  if (key == "scale_up") needed.push_back("domain_size");
  for (const auto& sub : needed)
    if (!given(src, base + "." + sub))
      diags.push_back(diagnostic_at(src, base + ".bandwidth",
                                    "the tier is present but " + base + "." + sub +
                                        " is missing; it is required for a present tier"));
}

void check_hardware(const HW& hw, const FieldSource& src, Diagnostics& diags) {
  if (!valid_id(hw.id))
    diags.push_back(diagnostic_at(src, "id", "expected lower-case letters, digits, '-', '.' or "
                                             "'_', got \"" + hw.id + "\""));

  // At least one precision runs on the matrix engines.
  bool any = false;
  for (double m : hw.compute.matrix.macs_per_cycle) any = any || m > 0;
  if (!any)
    diags.push_back(diagnostic_at(
        src, "compute.matrix",
        "no precision has macs_per_cycle > 0; give at least one, e.g. "
        "compute.matrix.macs_per_cycle.bf16"));

  // The derived peak must reproduce every published one (catches a wrong unit count, clock or
  // MACs/cycle). Source of the formula: hardware_spec.h peak_matrix_rate. A datasheet describes
  // the product as shipped: once --set changes what the peak is derived from, the design is no
  // longer that product and its datasheet is not checked (unless --set gives a datasheet peak too).
  for (Precision p : kAllPrecisions) {
    const auto& ds = hw.compute.datasheet_peak[index_of(p)];
    if (!ds) continue;
    const std::string prec(to_string(p));
    if (!from_command_line(src, "compute.datasheet_peak." + prec) &&
        (from_command_line(src, "compute.units") || from_command_line(src, "compute.clock") ||
         from_command_line(src, "compute.matrix.engines_per_unit") ||
         from_command_line(src, "compute.matrix.macs_per_cycle." + prec)))
      continue;
    const double derived = peak_matrix_rate(hw, p).value();
    const double diff = std::fabs(derived / ds->value() - 1.0);
    if (diff > kDatasheetPeakTolerance) {
      const auto& c = hw.compute;
      const std::string name(to_string(p));
      diags.push_back(diagnostic_at(
          src, "compute.datasheet_peak." + name,
          "derived " + name + " peak " + num(units::to_tflops(FlopRate(derived)), "%.1f") +
              " TFLOP/s (" + std::to_string(c.units) + " units x " +
              std::to_string(c.matrix.engines_per_unit) + " engines x " +
              num(c.matrix.macs_per_cycle[index_of(p)]) + " MAC/cycle x 2 x " +
              num(units::to_ghz(c.clock), "%.4g") + " GHz) differs from the datasheet " +
              num(units::to_tflops(*ds), "%.1f") + " TFLOP/s by " + num(diff * 100, "%.1f") +
              "%; allowed " + num(kDatasheetPeakTolerance * 100) + "%"));
    }
  }

  const auto& m = hw.memory;
  check_level(src, "register_file", m.register_file, diags);
  check_level(src, "l1", m.l1, diags);
  check_level(src, "l2", m.l2, diags);
  check_level(src, "llc", m.llc, diags);
  if (m.llc.present && !m.l2.present)
    diags.push_back(diagnostic_at(src, "memory.llc.capacity",
                                  "an LLC needs an L2 in front of it (give memory.l2)"));

  if (m.dram.type == "sram_only") {
    // No device memory: weights and KV live in the last on-chip level (backing_store()).
    const std::pair<const char*, bool> nonzero[] = {
        {"capacity", m.dram.capacity.value() > 0},
        {"bandwidth", m.dram.bandwidth.value() > 0},
        {"stacks", m.dram.stacks > 0},
        {"sites", m.dram.sites.value_or(0) > 0}};
    for (const auto& [sub, bad] : nonzero)
      if (bad)
        diags.push_back(diagnostic_at(src, std::string("memory.dram.") + sub,
                                      "must be 0 for dram type sram_only (no device memory; "
                                      "weights live in the last on-chip level)"));
    if (!m.l1.present && !m.l2.present && !m.llc.present)
      diags.push_back(diagnostic_at(src, "memory.dram.type",
                                    "sram_only needs an on-chip level to hold the weights: give "
                                    "memory.l2 (or memory.l1 per unit, or memory.llc)"));
  } else {
    if (!(m.dram.capacity.value() > 0))
      diags.push_back(diagnostic_at(src, "memory.dram.capacity",
                                    "must be > 0 for dram type " + m.dram.type +
                                        " (only sram_only has no device memory)"));
    if (!(m.dram.bandwidth.value() > 0))
      diags.push_back(diagnostic_at(src, "memory.dram.bandwidth",
                                    "must be > 0 for dram type " + m.dram.type +
                                        " (only sram_only has no device memory)"));
  }

  if (hw.compute.units_on_die && *hw.compute.units_on_die < hw.compute.units)
    diags.push_back(diagnostic_at(
        src, "compute.units_on_die",
        std::to_string(*hw.compute.units_on_die) + " units on the die is fewer than the " +
            std::to_string(hw.compute.units) + " enabled units (compute.units); must be >= " +
            std::to_string(hw.compute.units)));
  const auto& up = hw.interconnect.scale_up;
  if (up.links_on_die && *up.links_on_die < up.links)
    diags.push_back(diagnostic_at(
        src, "interconnect.scale_up.links_on_die",
        std::to_string(*up.links_on_die) + " link ports on the die is fewer than the " +
            std::to_string(up.links) + " links the tier uses (interconnect.scale_up.links); must "
            "be >= " + std::to_string(up.links)));
  if (!up.port_family.empty() && !up.links_on_die)
    diags.push_back(diagnostic_at(
        src, "interconnect.scale_up.port_family",
        "names the family of the link ports on the die but interconnect.scale_up.links_on_die "
        "(how many) is not given; give both or neither"));
  if (hw.memory.dram.sites && *hw.memory.dram.sites < hw.memory.dram.stacks)
    diags.push_back(diagnostic_at(
        src, "memory.dram.sites",
        std::to_string(*hw.memory.dram.sites) + " HBM sites is fewer than the " +
            std::to_string(hw.memory.dram.stacks) + " stacks (memory.dram.stacks); must be >= " +
            std::to_string(hw.memory.dram.stacks)));

  const auto& mx = hw.compute.matrix;
  if ((mx.array_rows == 0) != (mx.array_cols == 0))
    diags.push_back(diagnostic_at(src, mx.array_rows == 0 ? "compute.matrix.array_cols"
                                                          : "compute.matrix.array_rows",
                                  "give both compute.matrix.array_rows and array_cols, or neither"));

  const InstructionTile& tile = mx.instruction_tile;
  if ((tile.m > 0 || tile.n > 0 || tile.k > 0) && !tile.given()) {
    const char* missing = tile.m == 0 ? "m" : tile.n == 0 ? "n" : "k";
    diags.push_back(diagnostic_at(src, std::string("compute.matrix.instruction_tile.") + missing,
                                  "give all of compute.matrix.instruction_tile m, n and k, or none"));
  }

  check_tier(src, "scale_up", hw.interconnect.scale_up, diags);
  check_tier(src, "scale_out", hw.interconnect.scale_out, diags);

  if (hw.physical.io_die.count == 0) {
    // soic_cowos stacks the compute dies on base (I/O) dies (MI300X: XCDs on IODs); without base
    // dies there is nothing to stack on (the package model would refuse it with no location).
    if (hw.physical.package == "soic_cowos")
      diags.push_back(diagnostic_at(
          src, "physical.package",
          "soic_cowos stacks the compute dies on I/O (base) dies, but physical.io_die.count is "
          "0; give the I/O dies (physical.io_die.count, area, node) or a 2.5D package (cowos_s, "
          "cowos_l)"));
    for (const char* sub : {"name", "area", "node"}) {
      std::string path = std::string("physical.io_die.") + sub;
      if (given(src, path))
        diags.push_back(diagnostic_at(src, path, "given but physical.io_die.count is 0"));
    }
    // The compute dies' link to the I/O die they sit on: without I/O dies the compute dies hold
    // the memory themselves and physical.die_to_die.bandwidth describes their links.
    if (given(src, "physical.die_to_die.compute_link"))
      diags.push_back(diagnostic_at(
          src, "physical.die_to_die.compute_link",
          "given but physical.io_die.count is 0 (it is the link from a compute die to the I/O "
          "die it is attached to; links between compute dies holding the memory are "
          "physical.die_to_die.bandwidth)"));
  }
}

}  // namespace

const Schema<HardwareSpec>& hardware_schema() {
  static const Schema<HardwareSpec> schema(kHardwareSchemaName, hardware_fields(), check_hardware);
  return schema;
}

Result<Document> document_from_json(const std::string& text, const std::string& file) {
  // Empty text, nesting, duplicate keys (with both places) and syntax are checked here.
  auto parsed = parse_json_text(text, file);
  if (!parsed) return tl::unexpected(parsed.error());
  const nlohmann::json& j = *parsed;
  if (!j.is_object())
    return fail(Diagnostic{file, 1, 1, "", "expected a JSON object of keys to values at the top level"});
  // JSON is a subset of YAML 1.2 flow syntax, so the YAML reader gives every key its line and
  // column.
  auto doc = Document::from_yaml(text, file);
  if (doc) return doc;
  // Valid JSON that the YAML reader still refuses (tabs inside flow mappings, ...): flatten the
  // re-serialised document and drop the positions, which refer to the re-serialised text.
  auto again = Document::from_yaml(j.dump(2), file);
  if (!again) return tl::unexpected(doc.error());
  Document out = *again;
  for (const auto& [path, entry] : again->entries()) {
    DocumentEntry e = entry;
    e.line = 0;
    e.column = 0;
    out.set(path, e);
  }
  return out;
}

Result<HardwareSpec> load_hardware(const std::string& id_or_file,
                                   const std::vector<std::string>& overrides) {
  Result<Document> doc = load_hardware_document(id_or_file);
  if (!doc) return tl::unexpected(doc.error());
  if (auto r = doc->apply_overrides(overrides); !r) return tl::unexpected(r.error());
  return hardware_schema().parse(*doc);
}

Result<Document> load_hardware_document(const std::string& id_or_file) {
  auto path = resolve_preset_path("hardware", id_or_file, "hardware");
  if (!path) return tl::unexpected(path.error());
  Result<Document> doc;
  if (path->ends_with(".json")) {
    auto text = read_text_file(*path);
    if (!text) return tl::unexpected(text.error());
    doc = document_from_json(*text, *path);
  } else {
    doc = Document::load_yaml_file(*path);
  }
  return doc;
}

FlopRate peak_rate(const HardwareSpec& hw, Precision p) { return peak_matrix_rate(hw, p); }

std::optional<FlopPerByte> dram_ridge_point(const HardwareSpec& hw, Precision p) {
  FlopRate peak = peak_rate(hw, p);
  if (!(peak.value() > 0) || !(hw.memory.dram.bandwidth.value() > 0)) return std::nullopt;
  return FlopPerByte(peak.value() / hw.memory.dram.bandwidth.value());
}

std::optional<FlopPerByte> l2_ridge_point(const HardwareSpec& hw, Precision p) {
  FlopRate peak = peak_rate(hw, p);
  const auto& l2 = hw.memory.l2;
  if (!(peak.value() > 0) || !l2.present || !(l2.bandwidth.value() > 0)) return std::nullopt;
  return FlopPerByte(peak.value() / l2.bandwidth.value());
}

std::optional<BytesPerFlop> dram_bytes_per_flop(const HardwareSpec& hw, Precision p) {
  auto ridge = dram_ridge_point(hw, p);
  if (!ridge) return std::nullopt;
  return BytesPerFlop(1.0 / ridge->value());
}

Bytes total_on_chip_sram(const HardwareSpec& hw) {
  const auto& m = hw.memory;
  Bytes per_unit = (m.register_file.present ? m.register_file.capacity : Bytes(0)) +
                   (m.l1.present ? m.l1.capacity : Bytes(0));
  return per_unit * static_cast<double>(hw.compute.units) +
         (m.l2.present ? m.l2.capacity : Bytes(0)) + (m.llc.present ? m.llc.capacity : Bytes(0));
}

BackingStore backing_store(const HardwareSpec& hw) {
  const auto& m = hw.memory;
  if (m.dram.capacity.value() > 0) return {"dram", m.dram.capacity, m.dram.bandwidth};
  if (m.llc.present) return {"llc", m.llc.capacity, m.llc.bandwidth};
  if (m.l2.present) return {"l2", m.l2.capacity, m.l2.bandwidth};
  if (m.l1.present) {
    const double units = static_cast<double>(hw.compute.units);
    return {"l1", m.l1.capacity * units, m.l1.bandwidth * units};
  }
  return {"dram", m.dram.capacity, m.dram.bandwidth};
}

BytesPerSecond total_level_bandwidth(const HardwareSpec& hw, const MemoryLevelSpec& per_unit) {
  if (!per_unit.present) return BytesPerSecond(0);
  return per_unit.bandwidth * static_cast<double>(hw.compute.units);
}

Hertz special_function_rate(const HardwareSpec& hw) {
  return Hertz(static_cast<double>(hw.compute.units) *
               hw.compute.vector.special_per_cycle_per_unit * hw.compute.clock.value());
}

}  // namespace xpusim
