// SPDX-License-Identifier: Apache-2.0
// Power from activity: energy per operation by precision and node, per byte at each memory level,
// per bit on links, plus static power per mm². perf/ results (achieved FLOP/s, bytes/s per level,
// link bytes/s) feed estimate_power; cost/ turns the watts into energy cost (TCO, $/token).
#pragma once

#include <optional>
#include <string>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Operand delivery (register-file/SRAM reads, pipeline registers, accumulators) relative to the
// bare arithmetic energy of a MAC. Horowitz (ISSCC 2014) shows operand fetch from RF/SRAM costs
// several times the arithmetic; one global constant for every chip (assumption).
inline constexpr double kOperandDeliveryFactor = 10.0;

// Leakage and always-on power per mm² of logic silicon (assumption: 0.1 W/mm² puts H100's 814 mm²
// at ~80 W, ~12% of its 700 W TDP, inside the usual 10-30% leakage share of GPUs).
inline constexpr WattsPerSquareMillimeter kStaticPowerDensity{0.1};

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
};

struct PowerReport {
  Watts static_power;
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

}  // namespace xpusim
