// SPDX-License-Identifier: Apache-2.0
// Power from activity: energy per operation by precision and node, per byte at each memory level,
// per bit on links, plus static power per mm² and the baseline of a busy chip (clock tree and
// control, DRAM background, SerDes idle). perf/ results (achieved FLOP/s, bytes/s per level,
// link bytes/s) feed estimate_power; cost/ turns the watts into energy cost (TCO, $/token).
#pragma once

#include <optional>
#include <string>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Operand delivery inside a matrix engine (register-file/SRAM operand reads, pipeline registers,
// accumulators) relative to the bare arithmetic energy of a MAC. Horowitz (ISSCC 2014) puts an
// RF/SRAM operand fetch at several times a scalar FMA; a tensor-core MMA reuses each fetched operand
// across many MACs, and Dally et al. (Hot Chips 2023 keynote, recalled) show instruction + operand
// overhead of ~20% for HMMA/IMMA vs ~20x for a scalar HFMA. Delivery within the array (operand
// broadcast, accumulator read-modify-write, operand staging from shared memory) is taken as three
// times the arithmetic: factor 4. One global constant (assumption; with it A100's peak activity
// lands at ~93% of its TDP, see the tests); the activity-independent control/clock energy is
// kBusyEnergyPerFlopSlot.
inline constexpr double kOperandDeliveryFactor = 4.0;

// Leakage and always-on power per mm² of logic silicon (assumption: 0.1 W/mm² puts H100's 814 mm²
// at ~80 W, ~12% of its 700 W TDP, inside the usual 10-30% leakage share of GPUs).
inline constexpr WattsPerSquareMillimeter kStaticPowerDensity{0.1};

// Power drawn whenever the clocks run (a kernel or the gaps between kernels), whatever the FLOP
// count: clock tree, pipeline and operand-buffer registers of the datapath lanes (clock gating is
// coarse, so idle lanes of an active SM/CU still toggle their clocks), instruction fetch/issue/
// scheduling and control that spin while warps wait on memory. The clocked state scales with the
// datapath width x clock, i.e. the dense 16-bit matrix peak (the SIMD fp32 peak without matrix
// engines), and its energy with the node (energy_vs_n7, process_node.cc):
// P = e x peak FLOP/s x energy_vs_n7. Clock networks alone are 30-40% of dynamic power in
// high-performance designs (recalled; e.g. Tiwari et al., DAC 1998), and instruction/control
// overhead dominates non-MMA work (Dally et al., Hot Chips 2023, recalled). e = 0.25 pJ per peak
// FLOP slot at N7 is a global assumption chosen so memory-bound (decode-like) activity lands at
// 50-75% of TDP on the A100/H100/H200 presets (ML.ENERGY leaderboard measurements and NVIDIA DCGM
// reports of LLM decode at ~55-75% of TDP, recalled) with their peak activity under the TDP; not per
// chip. Ignores DVFS and voltage (the perf model's clock is fixed; energy_vs_n7 is TSMC's
// iso-performance figure).
inline constexpr JoulesPerFlop kBusyEnergyPerFlopSlot{0.25e-12};

// DRAM background power per stack (HBM) or device (GDDR) while the memory is in use, on top of the
// access energy per bit (whose Micron figures cover only reads/writes): refresh, active standby
// (IDD3N-class currents at ~1.1 V), and the host-side PHY/controller clocks that run at full rate.
// HBM: ~1.5 W per stack in the DRAM (JEDEC HBM2E/HBM3 IDD currents, recalled) + ~2.5 W per
// 1024-bit host PHY + controller (Rambus/Synopsys HBM3 PHY figures, recalled) = 4 W; GDDR: 1.5 W
// per x32 device (Micron GDDR6 IDD figures, recalled). Not node-scaled (DRAM and analog PHY).
inline constexpr Watts kHbmBackgroundPerStack{4.0};
inline constexpr Watts kGddrBackgroundPerDevice{1.5};

// PAM4 SerDes (NVLink, PCIe, Ethernet/IB) keep their clock-data recovery, equalisers and drivers
// running whenever the link is up in L0: a trained link idles at roughly half its full-traffic
// power (assumption; IEEE 802.3az/PCIe L0s-L1 exist because idle power is high; LPI is rarely used
// in training/inference clusters). Applied to the full-bandwidth power of each tier while busy.
inline constexpr double kSerdesIdleFraction = 0.5;

enum class MemoryLevel { kRegisterFile, kL1, kL2, kLlc, kDram };

// What a scenario achieved on one device (sustained averages over the run).
struct ActivityRates {
  PerPrecision<FlopRate> matrix{};     // matrix-engine FLOP/s by execution precision
  FlopRate vector;                     // SIMD FLOP/s (fp32)
  BytesPerSecond register_file;        // bytes/s read+written at each level
  BytesPerSecond l1;
  BytesPerSecond l2;
  BytesPerSecond llc;
  BytesPerSecond dram;
  BytesPerSecond scale_up;             // bytes/s sent over the scale-up links
  BytesPerSecond scale_out;            // bytes/s sent over the scale-out NIC SerDes
  BytesPerSecond die_to_die;           // bytes/s crossing die-to-die links inside the package
  // The clocks run (kernels or the gaps between them): the busy baseline (clock tree and control,
  // DRAM background, SerDes idle) is drawn. Any non-zero rate also makes the chip busy; all-zero
  // rates with clocks_running = false is a clock-gated idle chip (static power only).
  bool clocks_running = false;
};

struct PowerReport {
  Watts static_power;                  // leakage (always drawn)
  Watts busy_logic;                    // clock tree, issue and control while the clocks run
  Watts dram_background;               // DRAM refresh/standby + host PHY while busy
  Watts link_idle;                     // SerDes kept up while busy
  Watts matrix;
  Watts vector;
  Watts memory;                        // all on-chip levels + DRAM
  Watts links;
  Watts total;
  std::optional<Watts> tdp;            // from physical.tdp when given
  bool within_tdp = true;
};

// Energy of one FLOP (half a MAC) of precision `p` at `node`, including operand delivery.
JoulesPerFlop energy_per_flop(Precision p, ProcessNode node);
// Energy per byte moved at `level` (on-chip levels scale with the node, DRAM does not).
JoulesPerByte energy_per_byte(MemoryLevel level, const std::string& dram_type, ProcessNode node);

// Average power for `rates` on `hw` whose area is `area`. Rates must be finite and >= 0
// (an error names the first that is not).
Result<PowerReport> estimate_power(const HardwareSpec& hw, const AreaReport& area,
                                   const ActivityRates& rates);

// Every engine and memory level at its peak at once: an upper bound to compare with the TDP.
ActivityRates peak_activity(const HardwareSpec& hw);

// The baseline of a busy chip doing no work (clocks running, no FLOP, no bytes): static + busy
// logic + DRAM background + SerDes idle. What a device draws between kernels (overheads, bubbles).
Result<PowerReport> busy_idle_power(const HardwareSpec& hw, const AreaReport& area);

}  // namespace xpusim
