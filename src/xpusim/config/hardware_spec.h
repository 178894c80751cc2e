// SPDX-License-Identifier: Apache-2.0
// HardwareSpec: one accelerator package as validated data (schema hardware/v1), the input of every
// model (perf/, area/, cost/). Built by config/hardware_schema from YAML presets or user files;
// models never read YAML. Rates are derived from the architecture (units x engines x MACs x clock),
// not copied from datasheets; datasheet peaks are kept only to cross-check the derivation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/config/precision.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// The native matrix instruction of an engine (the shape one instruction multiplies: C[m,n] +=
// A[m,k] B[k,n]) at 16-bit operands; narrower formats keep m and n and widen k by 16 / bits (PTX
// mma m16n8k32 and wgmma k32 for fp8/int8, CDNA3 MFMA 32x32x16 fp8), wider ones narrow it. Sets the
// operand bytes each MAC reads from the register file / shared memory (area/power_model.h
// operand_bytes_per_mac). All zero = not given (power_model.h says what is assumed then).
struct InstructionTile {
  int m = 0;
  int n = 0;
  int k = 0;
  bool given() const { return m > 0 && n > 0 && k > 0; }
};

struct MatrixEngineSpec {
  int engines_per_unit = 0;                 // tensor cores per SM, MXUs per TensorCore, MMEs...
  PerPrecision<double> macs_per_cycle{};    // dense MACs per cycle per engine; 0 = unsupported
  int array_rows = 0;                       // systolic array shape, 0 when not a fixed array
  int array_cols = 0;
  int min_m = 1;                            // M granule processed at full rate (wgmma 64, mma 16,
                                            // MXU 128): smaller M pads the array
  Bytes tensor_memory;                      // per unit: SRAM private to the matrix engines beside
                                            // the register file (Blackwell Tensor Memory, 256 KiB
                                            // per SM); area model only; 0 = none
  InstructionTile instruction_tile;         // operand-delivery energy (power model); 0 = not given
};

struct VectorSpec {
  double fp32_flop_per_cycle_per_unit = 0;  // SIMD/CUDA-core FP32 FLOP per cycle per unit (FMA = 2)
  double special_per_cycle_per_unit = 0;    // transcendental (exp) results per cycle per unit (SFU)
  // Vector lanes (ALUs) per unit, each issuing one operation (a convert, a multiply) per cycle;
  // 0 = not given: fp32_flop_per_cycle_per_unit / 2, FMA lanes (vector_lane_ops_per_cycle).
  double lanes_per_unit = 0;
};

// Lane operations the vector units of one unit issue per cycle: lanes_per_unit where the
// description gives it (Groq TSP: 5,120 ALUs that are not FMA units), else FMA lanes, fp32
// FLOP / 2.
double vector_lane_ops_per_cycle(const VectorSpec& v);

// How the units reach each other and the shared levels (area/area_model.cc): a `crossbar` from
// every unit to the L2 slices (GPUs; LLMCompass's per-core crossbar), or a 2D `mesh` of one
// router per unit to its four neighbours (Cerebras WSE, Tenstorrent).
enum class UnitNetwork { kCrossbar, kMesh };

// Who decides when each operation runs (perf/calibration.h dispatch_cost): `dynamic` chips (GPUs,
// and every accelerator driven by a runtime that launches kernels) are fed kernel by kernel by a
// host runtime, so each kernel, collective and step pays the runtime's launch and host costs;
// `statically_scheduled` chips (Groq LPU, Cerebras WSE) run one program whose every instruction
// and chip-to-chip transfer the compiler placed in time ahead of execution: no kernel launches,
// no host work between kernels, no collective set-up.
enum class Execution { kDynamic, kStaticallyScheduled };

struct ComputeSpec {
  int units = 0;                            // SMs, CUs, TensorCores, TPCs+MMEs...
  std::string unit_name;                    // "SM", "CU", "TensorCore"
  Hertz clock;                              // clock the matrix engines run at (boost)
  MatrixEngineSpec matrix;
  VectorSpec vector;
  PerPrecision<std::optional<FlopRate>> datasheet_peak{};  // dense peaks as published (cross-check)
  std::optional<int> units_on_die;          // units physically on all compute dies, disabled ones
                                            // included (GA100 128 for A100's 108); absent = not
                                            // published (readers take compute.units)
  UnitNetwork network = UnitNetwork::kCrossbar;
  Execution execution = Execution::kDynamic;
  // Clock cycles a value takes through one router of a mesh (network kMesh): the fill and drain
  // of a GEMM spread over a square region of the mesh (perf/gemm_model.h mesh_fill_latency);
  // 0 = not given (no latency modelled).
  double mesh_hop_cycles = 0;
};

// One on-chip memory level. Per-unit levels (register file, L1/shared memory/scratchpad) give
// capacity and bandwidth per unit; shared levels (L2, LLC) give the chip total.
// How a level's SRAM is built, which sets its area per bit (area/area_model.cc): `cache` arrays
// carry tags, ECC, banking and ports (the effective bit area LLMCompass calibrates on GPU caches);
// `dense` arrays are software-managed scratchpads tiled from high-density single-port macros
// (Groq's MEM slices, Cerebras' per-core SRAM), at the foundry's HD bit cell / macro efficiency.
enum class SramArray { kCache, kDense };

// Which units a shared level serves (the "which caches attach to which die"): `package`,
// one cache every unit reaches (a monolithic GPU's L2, or a memory-side cache spread over dies
// such as B200's); `compute_die`, the capacity and bandwidth split evenly over the compute dies,
// each die's units reaching only their own slice (MI300X: 4 MiB of L2 per XCD). What misses a
// die's slice goes to the next level across the die boundary (perf/gemm_model.cc).
enum class CacheAttach { kPackage, kComputeDie };

struct MemoryLevelSpec {
  bool present = false;
  Bytes capacity;
  BytesPerSecond bandwidth;
  SramArray array = SramArray::kCache;
  CacheAttach attach = CacheAttach::kPackage;  // schema key for the L2 only (memory.l2.attach)
  std::optional<int> banks;                 // register file only (memory.register_file.banks):
                                            // single-ported SRAM banks per unit; absent = 4 per
                                            // matrix engine (area/area_model.h)
  bool data_fabric = false;                 // L2 only (memory.l2.data_fabric): the L2 reaches the
                                            // DRAM controllers, links and host interface through a
                                            // data fabric (AMD Infinity Fabric since Vega), not
                                            // directly (NVIDIA: each L2 slice at its controller);
                                            // area model: one more per-unit crossbar on the dies
                                            // that hold the controllers
};

struct DramSpec {
  std::string type;                         // hbm2e, hbm3, hbm3e, gddr6, ...
  int stacks = 0;                           // HBM stacks (or GDDR devices)
  Bytes capacity;                           // usable capacity of the package
  BytesPerSecond bandwidth;                 // peak (datasheet) bandwidth
  std::optional<int> sites;                 // HBM PHY sites on the package, empty ones included
                                            // (H100 SXM: 6 for 5 stacks); absent = stacks
};

struct MemorySpec {
  MemoryLevelSpec register_file;            // per unit
  MemoryLevelSpec l1;                       // per unit: shared memory / L1 / scratchpad
  MemoryLevelSpec l2;                       // shared: L2 / global buffer
  MemoryLevelSpec llc;                      // shared last-level cache behind L2 (MI300 Infinity Cache)
  DramSpec dram;
};

enum class Topology { kSwitched, kFullyConnected, kRing, kTorus2d, kTorus3d };

struct LinkTierSpec {
  bool present = false;
  std::string name;                         // "NVLink4", "Infinity Fabric", "ICI", "RoCE 200GbE"
  BytesPerSecond bandwidth;                 // per device, per direction, all links together
  int links = 0;                            // links per device
  Seconds latency;                          // one-hop latency of a small message
  std::string topology;                     // switched | fully_connected | ring | pcie | torus_2d
                                            // | torus_3d (perf/collective_model.cc: what each
                                            // topology gives a group of devices)
  int domain_size = 0;                      // devices reachable in this tier (scale-up domain)
  bool in_network_reduction = false;        // switched only: the switches sum what the devices
                                            // send (NVLink SHARP on NVSwitch gen3+, InfiniBand
                                            // SHARP): NCCL's NVLS / CollNet all-reduce
  std::string shape;                        // torus/ring dimensions as written ("16x16"), "" = not
                                            // given (the most balanced factorisation of domain_size)
  std::vector<int> dims;                    // `shape` parsed; empty when not given or malformed
  std::optional<int> links_on_die;          // scale_up only: link ports (PHY + controller) on the
                                            // die, those the tier does not use included (one
                                            // Aldebaran GCD: 8 xGMI, 3 used on MI210's bridge);
                                            // area model; absent = links (0 on a pcie tier)
  std::string port_family;                  // scale_up only: link family of the links_on_die
                                            // ports where the tier runs over another interface
                                            // (A100 / H100 PCIe cards: NVLink ports for an
                                            // optional bridge, the tier is PCIe); area model;
                                            // "" = name
};

struct InterconnectSpec {
  LinkTierSpec scale_up;                    // NVLink / Infinity Fabric / ICI / on-chip RoCE
  LinkTierSpec scale_out;                   // InfiniBand / Ethernet NIC bandwidth per device
  std::optional<BytesPerSecond> host_bandwidth;  // PCIe to the host, per direction
};

struct DieSpec {
  std::string name;
  int count = 0;                            // dies of this kind in the package (0 = none)
  std::optional<SquareMillimeters> area;    // per die, where published
  std::string node;                         // process node class: n16, n7, n6, n5, n4, n3, n2
  bool wafer_scale = false;                 // stitched across reticle fields to span the wafer
                                            // (Cerebras WSE): no reticle limit, one die per wafer,
                                            // yield from the redundant units (cost/chip_cost.cc)
};

// The links between the dies of a multi-die package that carry memory traffic (MI300X Infinity
// Fabric AP between its IODs, B200 NV-HBI). DRAM stacks attach to the I/O dies where the package
// has them, else to the compute dies; addresses interleave over all stacks, so a die reads
// (d-1)/d of its bytes from the other dies (perf/memory_system.cc).
struct DieToDieSpec {
  std::optional<BytesPerSecond> bandwidth;  // per die and direction, all its die-to-die links;
                                            // absent = not described (memory not bounded by it)
  std::string topology = "fully_connected"; // fully_connected (every die pair linked) | ring
  std::optional<JoulesPerByte> energy;      // energy per byte moved across a die boundary
  std::optional<BytesPerSecond> compute_link; // per compute die and direction, its link to the
                                            // I/O die it is attached to (MI300's XCD-IOD bond);
                                            // absent = not described (not bounded by it)
};

struct PhysicalSpec {
  std::string process;                      // foundry process as published ("TSMC 4N")
  DieSpec compute_die;                      // the die(s) holding the compute units
  DieSpec io_die;                           // I/O or base dies (MI300 IOD), count 0 if none
  DieToDieSpec die_to_die;
  Watts tdp;
  std::string package;                      // organic | fan_out | cowos_s | cowos_l | emib
  std::optional<double> transistors_billion;
};

struct HardwareSpec {
  std::string id;                           // preset id ("h100-sxm-80gb")
  std::string name;
  std::string vendor;
  ComputeSpec compute;
  MemorySpec memory;
  InterconnectSpec interconnect;
  PhysicalSpec physical;
};

// Derived figures (pure functions of the spec).
// Dense matrix-engine peak for `p`: units x engines x MACs/cycle x 2 FLOP/MAC x clock; zero when the
// engines do not support `p`.
FlopRate peak_matrix_rate(const HardwareSpec& hw, Precision p);
// FP32 SIMD peak: units x FLOP/cycle x clock.
FlopRate peak_vector_rate(const HardwareSpec& hw);
// The precision the matrix engines execute `requested` in: itself if supported, else the cheapest
// supported wider format that holds all of its values (fp8 on A100 runs as fp16 math on upcast
// weights), else the widest supported float format (multi-pass emulation, fp32 on a TPU MXU).
// bf16 and fp16 do not stand in for each other while a wider format exists: each holds values
// the other cannot (bf16's range, fp16's mantissa), and engines refuse the silent cast (vLLM
// asks for an explicit dtype on GPUs without bf16), so a bf16 GEMM without bf16 engines runs as
// tf32 or fp32.
Precision execution_precision(const HardwareSpec& hw, Precision requested);
// "16x16" -> {16, 16}: integers >= 1 joined by 'x'; empty for anything else.
std::vector<int> parse_shape(const std::string& text);
// Dies the DRAM stacks attach to: the I/O dies where the package has them (MI300X: 4 IODs), else
// the compute dies (B200: 2).
int memory_dies(const HardwareSpec& hw);
// Slices the L2 is split into, one per compute die (memory.l2.attach: compute_die), else 1.
int l2_slices(const HardwareSpec& hw);

}  // namespace xpusim
