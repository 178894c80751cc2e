// SPDX-License-Identifier: Apache-2.0
#include "xpusim/area/power_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/base/text.h"

namespace xpusim {
namespace {

// Stillmaker & Baas, Integration 58 (2017), as coded in Accelergy hwcomponents techscaling.py
// (economics.md §5.2): energy ∝ a·V² + b·V + c. Horowitz's 45 nm figures are at 0.9 V; N7 runs
// at the table's default 0.8 V.
constexpr double stillmaker(double a, double b, double c, double v) { return a * v * v + b * v + c; }
constexpr double kEnergy45To7 = stillmaker(0.1776, -0.09097, 0.02447, 0.8) /
                                stillmaker(1.103, -0.362, 0.2767, 0.9);

// MAC energy at 45 nm, pJ: Horowitz ISSCC 2014 (economics.md §6): FP16 mult 1.1 + add 0.4,
// FP32 mult 3.7 + add 0.9, INT8 mult 0.2 + INT32 accumulate 0.1. Formats Horowitz does not list
// scale the FP16 multiplier by (significand bits / 11)² and keep their accumulator (bf16, fp8,
// fp4 accumulate at fp16 cost; tf32 at fp32 cost; int4 in int32).
double mac_pj_45nm(Precision p) {
  auto mult = [](double bits) { return 1.1 * (bits / 11.0) * (bits / 11.0); };
  switch (p) {
    case Precision::kFp32: return 3.7 + 0.9;
    case Precision::kTf32: return mult(11) + 0.9;
    case Precision::kFp16: return 1.1 + 0.4;
    case Precision::kBf16: return mult(8) + 0.4;
    case Precision::kFp8: return mult(4) + 0.4;
    case Precision::kFp4: return mult(2) + 0.4;
    case Precision::kInt8: return 0.2 + 0.1;
    case Precision::kInt4: return 0.2 * 0.25 + 0.1;
  }
  return 0;
}

// Link energies, pJ/bit (economics.md §6): 112G SerDes 5.5 (NVIDIA ISSCC 2023 9.3) for scale-up
// and scale-out links; UCIe 2.5D 0.3 (Das Sharma, Hot Interconnects 2025) for die-to-die links
// whose package gives no physical.die_to_die.energy.
constexpr double kSerdesPjPerBit = 5.5;
constexpr double kDieToDiePjPerBit = 0.3;
// A compute die hybrid-bonded onto its I/O die (physical.package soic_cowos: MI300's XCDs on the
// IODs) crosses a 3D bond: UCIe 3D hybrid bond 0.01-0.05 pJ/bit (Das Sharma, Hot Interconnects
// 2025, economics.md §6); the upper end is taken, no MI300 figure is published. A compute die
// attached any other way crosses a die-to-die link like the others.
constexpr double kHybridBondPjPerBit = 0.05;

// Horowitz 45 nm: 64-bit read of an 8 KB SRAM ~10 pJ (economics.md §6): register files and L1.
constexpr double kRegisterFilePjPerByte45nm = 10.0 / 8.0;

}  // namespace

InstructionTile effective_instruction_tile(const MatrixEngineSpec& engine) {
  if (engine.instruction_tile.given()) return engine.instruction_tile;
  if (engine.array_rows > 0 && engine.array_cols > 0)
    return InstructionTile{engine.array_rows, engine.array_cols, engine.array_rows};
  return kReferenceInstructionTile;
}

double register_file_pj_per_byte_45nm(Bytes bank) {
  // Horowitz ISSCC 2014, 64-bit reads at 45 nm: {array bytes, pJ}.
  struct Point { double bytes, pj; };
  constexpr Point kPoints[] = {{8.0 * 1024, 10.0}, {32.0 * 1024, 20.0}, {1024.0 * 1024, 100.0}};
  const double b = std::max(bank.value(), 1.0);
  // The segment b falls in (the first below 32 KB, the last above), linear in log-log.
  const Point& lo = b < kPoints[1].bytes ? kPoints[0] : kPoints[1];
  const Point& hi = b < kPoints[1].bytes ? kPoints[1] : kPoints[2];
  const double slope = std::log(hi.pj / lo.pj) / std::log(hi.bytes / lo.bytes);
  return lo.pj * std::pow(b / lo.bytes, slope) / 8.0;
}

Bytes operand_register_bank(const HardwareSpec& hw) {
  if (!hw.memory.register_file.present || !(hw.memory.register_file.capacity.value() > 0))
    return kReferenceRegisterFileBank;
  return hw.memory.register_file.capacity / static_cast<double>(register_file_banks(hw));
}

double operand_bytes_per_mac(const MatrixEngineSpec& engine, Precision p) {
  const InstructionTile t = effective_instruction_tile(engine);
  const double b = bytes_per_element(p).value();
  const double k = static_cast<double>(t.k) * 2.0 / b;  // narrower operands: deeper k per instruction
  constexpr double kAccumulatorBytes = 4.0;                // fp32 / int32 accumulators
  return b * (1.0 / t.m + 1.0 / t.n) + 2.0 * kAccumulatorBytes / k;
}

JoulesPerFlop energy_per_flop(Precision p, ProcessNode node, const MatrixEngineSpec& engine,
                              Bytes register_bank) {
  const double operand_pj_45nm =
      register_file_pj_per_byte_45nm(register_bank) * operand_bytes_per_mac(engine, p);
  const double pj_per_mac = (mac_pj_45nm(p) + operand_pj_45nm) * kMatrixEnergyScale *
                            kEnergy45To7 * technology(node).energy_vs_n7;
  return JoulesPerFlop(pj_per_mac * 1e-12 / 2.0);
}

JoulesPerFlop energy_per_flop(Precision p, ProcessNode node, const MatrixEngineSpec& engine) {
  return energy_per_flop(p, node, engine, kReferenceRegisterFileBank);
}

JoulesPerFlop energy_per_flop(Precision p, ProcessNode node) {
  return energy_per_flop(p, node, MatrixEngineSpec{});
}

JoulesPerByte energy_per_byte(MemoryLevel level, const std::string& dram_type, ProcessNode node) {
  // Horowitz 45 nm: 64-bit read of an 8 KB SRAM ~10 pJ (economics.md §6); of a 1 MB SRAM ~100 pJ
  // (same talk, unverified here). Register files and L1 are small arrays, L2/LLC large ones.
  const double scale = kEnergy45To7 * technology(node).energy_vs_n7;
  switch (level) {
    case MemoryLevel::kRegisterFile:
    case MemoryLevel::kL1: return JoulesPerByte(kRegisterFilePjPerByte45nm * scale * 1e-12);
    case MemoryLevel::kL2:
    case MemoryLevel::kLlc: return JoulesPerByte(100.0 / 8.0 * scale * 1e-12);
    case MemoryLevel::kDram: {
      // Micron "Ultra-bandwidth solutions": HBM2E 6.0 pJ/bit, GDDR6 7.5, GDDR6X 7.25 (device
      // power; not node-scaled; HBM3/3E use the HBM2E figure, n/f).
      std::string t = ascii_lower(dram_type);
      double pj_per_bit = t.rfind("gddr6x", 0) == 0 ? 7.25 : t.rfind("gddr", 0) == 0 ? 7.5 : 6.0;
      return JoulesPerByte(pj_per_bit * 8.0 * 1e-12);
    }
  }
  return JoulesPerByte(0);
}

Result<PowerReport> estimate_power(const HardwareSpec& hw, const AreaReport& area,
                                   const ActivityRates& rates) {
  auto check = [](double v, const char* name) -> std::optional<Diagnostic> {
    if (!(v >= 0.0) || !std::isfinite(v))
      return Diagnostic{.path = name, .message = fmt::format("rate must be finite and >= 0, got {}", v)};
    return std::nullopt;
  };
  Diagnostics diags;
  for (Precision p : kAllPrecisions) {
    if (auto d = check(rates.matrix[index_of(p)].value(), "matrix")) diags.push_back(*d);
  }
  const std::pair<double, const char*> scalars[] = {
      {rates.vector.value(), "vector"},         {rates.register_file.value(), "register_file"},
      {rates.l1.value(), "l1"},                 {rates.l2.value(), "l2"},
      {rates.llc.value(), "llc"},               {rates.dram.value(), "dram"},
      {rates.scale_up.value(), "scale_up"},     {rates.scale_out.value(), "scale_out"},
      {rates.die_to_die.value(), "die_to_die"}, {rates.compute_link.value(), "compute_link"}};
  for (auto [v, name] : scalars) {
    if (auto d = check(v, name)) diags.push_back(*d);
  }
  if (!diags.empty()) return tl::unexpected(diags);

  // Compute-side energies (matrix, SIMD, busy logic, register file, L1, L2) at the compute dies'
  // node (dies.front()); the LLC at the I/O dies' node where the package has them (MI300X:
  // Infinity Cache on N6 IODs under N5 XCDs), else the compute dies'.
  const ProcessNode node = area.dies.front().node;
  ProcessNode llc_node = node;
  for (const DieArea& d : area.dies) {
    if (d.name == kIoDieName && d.count > 0) llc_node = d.node;
  }
  const std::string& dram = hw.memory.dram.type;
  PowerReport r;
  r.static_power = kStaticPowerDensity * area.total_area;
  bool busy = rates.clocks_running || rates.vector.value() > 0 || rates.register_file.value() > 0 ||
              rates.l1.value() > 0 || rates.l2.value() > 0 || rates.llc.value() > 0 ||
              rates.dram.value() > 0 || rates.scale_up.value() > 0 ||
              rates.scale_out.value() > 0 || rates.die_to_die.value() > 0 ||
              rates.compute_link.value() > 0;
  for (Precision p : kAllPrecisions) busy = busy || rates.matrix[index_of(p)].value() > 0;
  if (busy) {
    // Clock tree, pipeline registers, issue and control (kBusyEnergyPerFlopSlot): the clocked
    // datapath is the dense 16-bit matrix peak, or the SIMD peak without matrix engines.
    FlopRate slots =
        max(peak_matrix_rate(hw, Precision::kFp16), peak_matrix_rate(hw, Precision::kBf16));
    if (!(slots.value() > 0)) slots = peak_vector_rate(hw);
    r.busy_logic = kBusyEnergyPerFlopSlot * slots * technology(node).energy_vs_n7;
    const std::string t = ascii_lower(dram);
    const double devices = static_cast<double>(std::max(0, hw.memory.dram.stacks));
    r.dram_background = (t.rfind("gddr", 0) == 0 ? kGddrBackgroundPerDevice
                                                   : kHbmBackgroundPerStack) * devices;
    BytesPerSecond up{0}, out{0};
    if (hw.interconnect.scale_up.present) up = hw.interconnect.scale_up.bandwidth;
    if (hw.interconnect.scale_out.present) out = hw.interconnect.scale_out.bandwidth;
    r.link_idle = Watts(kSerdesIdleFraction * (up.value() + out.value()) * kSerdesPjPerBit * 8e-12);
  }
  for (Precision p : kAllPrecisions)
    r.matrix += rates.matrix[index_of(p)] *
                energy_per_flop(p, node, hw.compute.matrix, operand_register_bank(hw));
  // SIMD FP32: one FMA = 2 FLOP at the FP32 MAC cost.
  r.vector = rates.vector * energy_per_flop(Precision::kFp32, node);
  r.memory = rates.register_file * energy_per_byte(MemoryLevel::kRegisterFile, dram, node) +
             rates.l1 * energy_per_byte(MemoryLevel::kL1, dram, node) +
             rates.l2 * energy_per_byte(MemoryLevel::kL2, dram, node) +
             rates.llc * energy_per_byte(MemoryLevel::kLlc, dram, llc_node) +
             rates.dram * energy_per_byte(MemoryLevel::kDram, dram, node);
  // SerDes traffic adds the part of the per-bit energy not already drawn idle (link_idle), so a
  // link at full traffic draws kSerdesPjPerBit x bandwidth in all.
  const double serdes = (1.0 - kSerdesIdleFraction) * kSerdesPjPerBit * 8e-12;
  // Die-to-die energy: the package's own (physical.die_to_die.energy) where described, else the
  // UCIe 2.5D figure.
  const double d2d = hw.physical.die_to_die.energy ? hw.physical.die_to_die.energy->value()
                                                   : kDieToDiePjPerBit * 8e-12;
  // The compute dies' links to their I/O dies: a hybrid bond where the package stacks them.
  const double bond = hw.physical.package == "soic_cowos" ? kHybridBondPjPerBit * 8e-12 : d2d;
  r.links = Watts((rates.scale_up.value() + rates.scale_out.value()) * serdes +
                  rates.die_to_die.value() * d2d + rates.compute_link.value() * bond);
  r.total = r.static_power + r.busy_logic + r.dram_background + r.link_idle + r.matrix + r.vector +
            r.memory + r.links;
  if (hw.physical.tdp.value() > 0) {
    r.tdp = hw.physical.tdp;
    r.within_tdp = r.total <= hw.physical.tdp;
  }
  return r;
}

double voltage_fraction(double clock_fraction) {
  return std::max(kFloorVoltageFraction, 1.0 - kVoltageSlope * (1.0 - clock_fraction));
}

Result<PowerReport> estimate_power_at_clock(const HardwareSpec& hw, const AreaReport& area,
                                            const ActivityRates& rates_at_boost,
                                            double clock_fraction) {
  auto at_boost = estimate_power(hw, area, rates_at_boost);
  if (!at_boost) return at_boost;
  const double s = std::clamp(clock_fraction, kMinClockFraction, 1.0);
  const double v = voltage_fraction(s);
  const double dynamic = s * v * v;  // f V^2 relative to the boost point
  PowerReport r = *at_boost;
  const ProcessNode node = area.dies.front().node;
  const Watts dram = rates_at_boost.dram * energy_per_byte(MemoryLevel::kDram, hw.memory.dram.type, node);
  r.static_power = at_boost->static_power * v;
  r.busy_logic = at_boost->busy_logic * dynamic;
  r.matrix = at_boost->matrix * dynamic;
  r.vector = at_boost->vector * dynamic;
  r.memory = dram + (at_boost->memory - dram) * dynamic;  // on-chip levels scale, DRAM stays
  r.total = r.static_power + r.busy_logic + r.dram_background + r.link_idle + r.matrix + r.vector +
            r.memory + r.links;
  if (r.tdp) r.within_tdp = r.total <= *r.tdp;
  return r;
}

namespace {

// `rates` with the clocked logic's rates (matrix, SIMD, register file, L1, L2, LLC) times
// `factor`; DRAM and link rates as they are.
ActivityRates logic_rates_times(ActivityRates rates, double factor) {
  for (FlopRate& m : rates.matrix) m = m * factor;
  rates.vector = rates.vector * factor;
  rates.register_file = rates.register_file * factor;
  rates.l1 = rates.l1 * factor;
  rates.l2 = rates.l2 * factor;
  rates.llc = rates.llc * factor;
  return rates;
}

}  // namespace

ActivityRates boost_equivalent_rates(ActivityRates rates, double clock_fraction) {
  return logic_rates_times(rates, 1.0 / std::clamp(clock_fraction, kMinClockFraction, 1.0));
}

ActivityAtClock following_clock(const ActivityRates& rates_at_boost) {
  return [rates_at_boost](double clock_fraction) {
    return logic_rates_times(rates_at_boost, std::clamp(clock_fraction, kMinClockFraction, 1.0));
  };
}

namespace {

// The highest s in [kMinClockFraction, 1] with power(s) <= tdp, for power rising with s and
// power(1) > tdp: Illinois false position (the regula falsi that halves the weight of an endpoint
// kept twice, so both ends converge) until the bracket is narrower than `tolerance`. At the floor
// and still over: the floor.
double highest_fraction_within(const std::function<Watts(double)>& power, Watts tdp, Watts at_one,
                               double tolerance) {
  double a = kMinClockFraction, b = 1.0;
  double fa = (power(a) - tdp).value();
  double fb = (at_one - tdp).value();
  if (fa > 0) return a;
  int kept = 0;  // -1: a replaced last, +1: b replaced last
  for (int i = 0; i < 200 && b - a > tolerance; ++i) {
    double c = fb > fa ? b - fb * (b - a) / (fb - fa) : 0.5 * (a + b);
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    const double fc = (power(c) - tdp).value();
    if (fc <= 0) {
      a = c;
      fa = fc;
      if (kept == -1) fb *= 0.5;
      kept = -1;
    } else {
      b = c;
      fb = fc;
      if (kept == 1) fa *= 0.5;
      kept = 1;
    }
  }
  return a;
}

}  // namespace

Result<SustainedClock> sustained_clock(const HardwareSpec& hw, const AreaReport& area,
                                       const ActivityAtClock& activity, double tolerance) {
  auto at_boost = estimate_power(hw, area, activity(1.0));
  if (!at_boost) return tl::unexpected(at_boost.error());
  SustainedClock c;
  c.boost = hw.compute.clock;
  c.clock = hw.compute.clock;
  c.power_at_boost = at_boost->total;
  c.power = at_boost->total;
  c.tdp = at_boost->tdp;
  if (!c.tdp || at_boost->total <= *c.tdp) return c;
  // Rates from the perf models are finite and >= 0; one that is not keeps the boost clock's
  // error out of the solve by counting as over the TDP. The solve returns the highest s it
  // evaluated within the TDP (or the floor, evaluated first): its power is kept as the solve
  // goes, not evaluated again.
  Diagnostics error;
  double kept_s = -1;
  auto power = [&](double s) {
    auto p = estimate_power_at_clock(hw, area, boost_equivalent_rates(activity(s), s), s);
    if (!p) {
      if (error.empty()) error = p.error();
      return *c.tdp * 2.0 + Watts(1);
    }
    if ((p->total <= *c.tdp || s == kMinClockFraction) && s > kept_s) {
      kept_s = s;
      c.power = p->total;
    }
    return p->total;
  };
  const double s = highest_fraction_within(power, *c.tdp, at_boost->total, tolerance);
  if (!error.empty()) return tl::unexpected(error);
  XPUSIM_CHECK(s == kept_s, "the solve returns a clock fraction it evaluated");
  c.fraction = s;
  c.clock = hw.compute.clock * s;
  c.power_limited = true;
  return c;
}

Result<SustainedClock> sustained_clock(const HardwareSpec& hw, const AreaReport& area,
                                       const ActivityRates& rates_at_boost) {
  return sustained_clock(hw, area, following_clock(rates_at_boost), 1e-12);
}

ActivityRates peak_activity(const HardwareSpec& hw) {
  ActivityRates a;
  // The engines run one format at a time: take the most power-hungry format at its peak.
  Precision worst = Precision::kFp16;
  double worst_w = -1;
  for (Precision p : kAllPrecisions) {
    double w = (peak_matrix_rate(hw, p) * energy_per_flop(p, ProcessNode::kN7, hw.compute.matrix))
                   .value();
    if (w > worst_w) { worst_w = w; worst = p; }
  }
  a.matrix[index_of(worst)] = peak_matrix_rate(hw, worst);
  a.vector = FlopRate(0);  // SIMD and matrix engines share issue slots; matrix dominates
  const double units = hw.compute.units;
  if (hw.memory.register_file.present) a.register_file = hw.memory.register_file.bandwidth * units;
  if (hw.memory.l1.present) a.l1 = hw.memory.l1.bandwidth * units;
  if (hw.memory.l2.present) a.l2 = hw.memory.l2.bandwidth;
  if (hw.memory.llc.present) a.llc = hw.memory.llc.bandwidth;
  a.dram = hw.memory.dram.bandwidth;
  if (hw.interconnect.scale_up.present) a.scale_up = hw.interconnect.scale_up.bandwidth;
  if (hw.interconnect.scale_out.present) a.scale_out = hw.interconnect.scale_out.bandwidth;
  a.clocks_running = true;
  return a;
}

Result<PowerReport> busy_idle_power(const HardwareSpec& hw, const AreaReport& area) {
  ActivityRates a;
  a.clocks_running = true;
  return estimate_power(hw, area, a);
}

}  // namespace xpusim
