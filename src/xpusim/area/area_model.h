// SPDX-License-Identifier: Apache-2.0
// Die area from the architecture: HardwareSpec (units, engines, MACs, memories, PHYs) + process
// node -> area per component, per die and for the package, with the reticle check. Consumed by
// cost/ (dies per wafer, yield, packaging) and power_model (static power); `xpusim area` prints it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/area/process_node.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Shipping parts disable units (and leave HBM sites empty) for yield; the die carries them all.
// The die inventory comes from compute.units_on_die and memory.dram.sites (whitepapers, quoted in
// the presets). Only where a spec does not give units_on_die are the units on the die taken as
// units / kDefaultEnabledUnitFraction (A100 enables 108 of 128 SMs = 0.84, H100 SXM 132 of 144 =
// 0.92, MI300X 304 of 320 CUs = 0.95; vendor whitepapers); without memory.dram.sites every site
// is taken to hold a stack.
inline constexpr double kDefaultEnabledUnitFraction = 0.9;

// Floorplan and unmodelled-logic overhead applied to the sum of the modelled blocks (FP64 and
// texture units, schedulers, NoC routers beyond the per-unit crossbar, clock and power
// distribution, whitespace). One global constant, the same for every chip: LLMCompass's
// component model (economics.md §5.2) leaves a similar gap to real dies; with 1.4 it predicts
// A100 and H100 within 3% (tests/unit/area/area_model_test.cc).
inline constexpr double kIntegrationOverhead = 1.4;

// Die-to-die PHY area as a fraction of a chiplet's block area (Chiplet Actuary exploration
// scripts, economics.md §4: "D2D = 10% of module area").
inline constexpr double kDieToDieAreaFraction = 0.10;

// Register-file banks per matrix engine (SM sub-partition, SIMD) where the hardware does not give
// memory.register_file.banks: NVIDIA register files have 4 single-ported banks per sub-partition
// (Maxwell/Pascal; Volta's 2 banks are 64 bit wide, the same width; Jia et al., "Dissecting the
// NVIDIA Volta GPU Architecture via Microbenchmarking", 2018, recalled): 256 KiB per SM in
// 16 banks of 16 KiB, the array size with which this model predicts A100 and H100 within 3%.
// A bank is one SRAM array (LLMCompass array efficiency by size): fewer, larger banks (a file
// read over several cycles, as AMD's wave64 on SIMD16) are denser per bit.
inline constexpr int kRegisterFileBanksPerEngine = 4;

// Reticle (exposure field) limit, 26 mm x 33 mm (economics.md §1.1).
inline constexpr Millimeters kReticleWidth{26.0};
inline constexpr Millimeters kReticleHeight{33.0};

// Overrides of the spec's die inventory (what-if studies; `xpusim area --units-on-die`).
struct AreaOptions {
  std::optional<int> units_on_die;      // compute units on all compute dies, incl. disabled ones
                                        // (default: compute.units_on_die, else the fallback above)
  std::optional<int> dram_phys_on_die;  // DRAM PHY sites, incl. unpopulated (H100: 6 for 5 stacks)
                                        // (default: memory.dram.sites, else memory.dram.stacks)
};

struct AreaComponent {
  std::string name;                     // "matrix engines", "L2", "HBM PHYs", ...
  SquareMillimeters area;               // on one die of its kind
};

struct DieArea {
  std::string name;                     // kComputeDieName or kIoDieName
  int count = 0;                        // dies of this kind in the package
  ProcessNode node = ProcessNode::kN7;
  std::vector<AreaComponent> components;  // sums to `area` (includes the integration overhead)
  SquareMillimeters area;               // one die
  Millimeters width;                    // assumed shape: square up to 26 mm wide, else 26 x A/26
  Millimeters height;
  bool within_reticle = true;           // always true for a wafer-scale (stitched) die
  bool wafer_scale = false;             // stitched across reticle fields (physical.compute_die)
};

// Names of the per-unit control + on-chip network component (cost/ sums a unit's components).
inline constexpr const char* kControlCrossbarComponent = "control + crossbar";
inline constexpr const char* kControlMeshComponent = "control + mesh router";
// The data fabric from the units' L2 to the memory controllers, links and host interface (on the
// I/O dies, or on a compute die whose L2 sits behind one: memory.l2.data_fabric).
inline constexpr const char* kMemorySideFabricComponent = "memory-side fabric";
// DieArea::name of a package's compute dies and of its I/O dies (cost/ and the power model tell
// the two apart by it).
inline constexpr const char* kComputeDieName = "compute";
inline constexpr const char* kIoDieName = "io";

struct AreaReport {
  std::vector<DieArea> dies;
  SquareMillimeters total_area;         // all logic silicon of the package (HBM stacks excluded)
  int units_on_die = 0;                 // on all compute dies together
  int dram_phys_on_die = 0;
  Feasibility feasibility;              // kReticle when a die exceeds the 26 x 33 mm reticle
  SquareMillimeters reticle_excess;     // infeasible: area of the largest die beyond 26 x 33 mm
  // What the model priced without a figure for this design's blocks (e.g. a link family with no
  // published PHY area), as text for the user.
  std::vector<std::string> assumptions;
};

// Estimates the die area of `hw`. Errors: a missing or unknown process node, no compute units, an
// area that is not a positive finite number. A die beyond the reticle is a valid but infeasible
// design (feasibility kReticle, with the excess).
Result<AreaReport> estimate_area(const HardwareSpec& hw, const AreaOptions& options = {});

// Single-ported SRAM banks of one unit's register file: memory.register_file.banks, else
// kRegisterFileBanksPerEngine per matrix engine.
int register_file_banks(const HardwareSpec& hw);

// Whether the compute dies are hybrid-bonded onto the I/O dies (physical.package soic_cowos with
// I/O dies: MI300's XCDs on its IODs, AMD ISSCC 2024 via press coverage). Such a die has no
// shoreline die-to-die PHY: it reaches its base die through bond pads in the top metal and one
// fabric port on each side (area_model.cc).
bool compute_dies_stacked(const HardwareSpec& hw);

// LLMCompass SRAM array efficiency (economics.md §5.2) for one array of `array_capacity`,
// interpolated in log2(size) between 4 KiB and 1 MiB; arrays above 512 KiB are built from 512 KiB
// units.
double sram_array_efficiency(Bytes array_capacity);

// Area of `capacity` of SRAM built from arrays of `array_capacity` at `node`.
SquareMillimeters sram_area(Bytes capacity, Bytes array_capacity, ProcessNode node);

// Bits per macro area over bits per bit-cell area of high-density SRAM macros: N3B 33.55 Mib/mm²
// on a 0.0199 µm² cell, N2 38 Mib/mm² on a 0.0175 µm² cell (TSMC, IEDM 2022 / 2024; recalled,
// unverified here) both give 0.70.
inline constexpr double kDenseMacroEfficiency = 0.70;

// Area of `capacity` of a dense scratchpad (SramArray::kDense) at `node`: the HD bit cell over
// kDenseMacroEfficiency. No tags, no extra ports, no per-bank crossbar (what LLMCompass's
// cache-calibrated bit area carries).
SquareMillimeters dense_sram_area(Bytes capacity, ProcessNode node);

// Transistors of one 2D-mesh router per unit (UnitNetwork::kMesh), replacing the per-core
// crossbar: estimate from OpenPiton's three P-Mesh routers, ~3% of a 1.17 mm² 32 nm tile
// (McKeown et al., IEEE Micro 2017; recalled, not re-read here) = ~0.35 M transistors.
inline constexpr double kMeshRouterTransistors = 0.35e6;

// Transistors of one MAC of precision `p` (LLMCompass: FPU64 685,300 transistors scaled by
// (mantissa bits / 52)^2; int8 counts 7 magnitude bits, int4 3, fp8 (e4m3) 3, fp4 1).
double transistors_per_mac(Precision p);

}  // namespace xpusim
