// SPDX-License-Identifier: Apache-2.0
// Power from activity: energy per operation by precision and node, per byte at each memory level,
// per bit on links, plus static power per mm² and the baseline of a busy chip (clock tree and
// control, DRAM background, SerDes idle). perf/ results (achieved FLOP/s, bytes/s per level,
// link bytes/s) feed estimate_power; cost/ turns the watts into energy cost (TCO, $/token).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Energy of one MAC on the matrix engines (issue 9, docs/validation.md "Operand delivery by
// instruction tile" and "Operand energy by register-file bank"):
//   E_mac = kMatrixEnergyScale x (E_arith(p) + e_rf(bank) x operand_bytes_per_mac(tile, p)) x node
// E_arith: Horowitz's 45 nm multiply + add (ISSCC 2014), e_rf(bank): his SRAM read energy for an
// array of the size of one register-file bank (register_file_pj_per_byte_45nm below: 8 KB 10 pJ,
// 32 KB 20 pJ, 1 MB 100 pJ per 64-bit read), both scaled 45 -> 7 nm by Stillmaker-Baas and to the
// die's node by energy_vs_n7. operand_bytes_per_mac is what the native instruction reads from the
// register file / shared memory per MAC (below): smaller instruction tiles re-read their
// operands more often (Horowitz: an RF/SRAM operand fetch costs several times a scalar FMA; Dally
// et al., Hot Chips 2023, recalled: instruction + operand overhead of an HMMA ~20% of its math at
// Volta's 16x16 tile, of a scalar HFMA ~20x).
// kMatrixEnergyScale carries what the 45 -> 7 nm scaling and the bare arithmetic miss (pipeline
// registers, operand staging, wires; the Stillmaker factor x0.077 makes the arithmetic small), one
// global value, not per chip. Fitted 2026-12-04 (issue 9) on the same public facts as the factor 11
// it replaced (11 x E_arith, any tile): the A100 fp16 GEMMs of the LLMCompass rows (MAN-0284/0304,
// 0.93 of peak at 1.41 GHz) must not throttle at 400 W, so the A100 fp16 MAC keeps the energy of
// factor 11 (1.5 pJ x 11 = 16.5 pJ at 45 nm for the reference mma.sync m16n8k16 tile read from
// A100's 16 KiB register-file banks, e_rf(16 KiB) = 10 x sqrt(2) / 8 = 1.768 pJ/B:
// scale = 16.5 / (1.5 + 1.768 x 0.875) = 5.416; re-anchored 2026-12-05 from 6.36, the value with
// the 8 KB figure for every bank). With it A100 PCIe (300 W) clocks down for bf16 GEMMs (the MAMF
// A100 PCIe bf16 rows reach 0.93-0.96 of the SXM's) and H100/H200 SXM bf16 GEMMs keep their energy
// per MAC within 3% (wgmma's larger tile offsets the smaller bf16 multiplier). Every NVIDIA preset
// has A100's banks (256 KiB in 16), so only parts with other banks (CDNA: 64 KiB) move.
// Swept 5.2-10 (with the 8 KB figure) on the public gemm / gemm_peak rows: MAPE 2.2 / 3.1 up to
// 6.36, 7.0 gives 2.5 / 3.0, 8.0 3.8 / 3.1 (A100 SXM throttles).
inline constexpr double kMatrixEnergyScale = 16.5 / (1.5 + 1.25 * 1.4142135623730951 * 0.875);

// The register-file bank an operand is read from where memory.register_file is not described:
// A100's (256 KiB per SM in 16 single-ported banks, area_model.h kRegisterFileBanksPerEngine), the
// bank the scale above was anchored on, so an undescribed engine keeps the calibration chips'
// energy per MAC.
inline constexpr Bytes kReferenceRegisterFileBank{16.0 * 1024.0};

// Horowitz ISSCC 2014 SRAM read energy per byte at 45 nm for an array of `bank` bytes: 64-bit
// reads of 10 pJ at 8 KB (economics.md §6), 20 pJ at 32 KB and 100 pJ at 1 MB (same talk,
// recalled): interpolated linearly in log(size) - log(energy) between these points (E ~ size^0.5
// from 8 to 32 KB, ~size^0.47 from 32 KB to 1 MB: longer word and bit lines and the wires to a
// larger array), extended beyond them with the end slopes. Strictly increasing in `bank`.
double register_file_pj_per_byte_45nm(Bytes bank);

// The bank one matrix-engine operand is read from on `hw`: memory.register_file.capacity divided
// by the unit's single-ported banks (area_model.h register_file_banks: the same description the
// area model builds the file from), else kReferenceRegisterFileBank.
Bytes operand_register_bank(const HardwareSpec& hw);

// The tile assumed where compute.matrix.instruction_tile is not given: a systolic array
// (array_rows x array_cols given) reads an operand row/column once per pass through the array and
// keeps partial sums in it, {rows, cols, rows}; any other engine the reference tile the scale was
// fitted on, PTX mma.sync m16n8k16 (Ampere/Ada tensor cores; PTX ISA "Matrix shape" table), so an
// undescribed engine gets the energy per MAC of the calibration chips.
inline constexpr InstructionTile kReferenceInstructionTile{16, 8, 16};
InstructionTile effective_instruction_tile(const MatrixEngineSpec& engine);

// Register-file / shared-memory bytes one MAC of precision `p` moves on `engine`: the instruction
// reads A (m x k) and B (k x n) once, b(p) bytes per element, for m n k MACs, and reads and writes
// its fp32/int32 accumulators (4 bytes each) once per instruction:
//   bytes/MAC = b(p) (1/m + 1/n) + 2 x 4 / k(p),   k(p) = k x 2 / b(p) (k is at 16-bit operands)
// Never rises when m, n or k grows (tested).
double operand_bytes_per_mac(const MatrixEngineSpec& engine, Precision p);

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
                                       // (between the dies the memory is interleaved over)
  BytesPerSecond compute_link;         // bytes/s crossing the compute dies' links to the I/O
                                       // dies they sit on (MI300's XCD-IOD bond)
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

// Energy of one FLOP (half a MAC) of precision `p` at `node` on `engine`, operand delivery included
// (kMatrixEnergyScale above).
JoulesPerFlop energy_per_flop(Precision p, ProcessNode node, const MatrixEngineSpec& engine,
                              Bytes register_bank);
// ... with the reference bank (kReferenceRegisterFileBank).
JoulesPerFlop energy_per_flop(Precision p, ProcessNode node, const MatrixEngineSpec& engine);
// ... with the reference tile (kReferenceInstructionTile) and bank: also the SIMD lanes' FMA energy.
JoulesPerFlop energy_per_flop(Precision p, ProcessNode node);
// Energy per byte moved at `level` (on-chip levels scale with the node, DRAM does not).
JoulesPerByte energy_per_byte(MemoryLevel level, const std::string& dram_type, ProcessNode node);

// ---- Voltage-frequency relation and the power-limited sustained clock ----
// Dynamic power P = C V^2 f (CMOS switching); leakage ~ V (sub-threshold current x V, DIBL and
// temperature ignored). Above a floor voltage a GPU's V-f curve is close to linear and steep near
// the top: V / V_boost = 1 - kVoltageSlope x (1 - f / f_boost), never below kFloorVoltageFraction.
// Recalled from published undervolting / DVFS tables of Ampere, Ada and Hopper boards (e.g.
// ~1.05-1.1 V at the top bin, ~0.7 V near 75% of it; Mei et al., "A survey and measurement study of
// GPU DVFS on energy conservation", 2017, for the linear V-f shape; Ampere curve-editor points of
// ~1.08 V at 2.0 GHz, ~1.0 V at 1.9 GHz and ~0.85 V at 1.7 GHz give V falling 1.4% per 1% of clock
// near the top); global assumption, not per chip. With it the floor is reached at ~75% of boost.
inline constexpr double kVoltageSlope = 1.4;
inline constexpr double kFloorVoltageFraction = 0.65;
// The solver never goes below this fraction of the boost clock (the base clocks of data-centre
// GPUs sit at 0.55-0.7 of boost; below ~0.3 a board would rather cap by power gating). At the floor
// the chip may still be over its TDP: the result says so (power_limited, power > tdp).
inline constexpr double kMinClockFraction = 0.3;

// V / V_boost at `clock_fraction` = f / f_boost (in (0, 1]), by the relation above.
double voltage_fraction(double clock_fraction);

// `rates_at_boost` (the activity of the work with the compute clock at hw.compute.clock) run at
// clock_fraction x boost: the power of the clocked logic (busy baseline, matrix, vector and on-chip
// memory traffic) scales as f V^2 -- its work rates follow the clock (compute-bound work, where a
// power limit binds) and its energy per operation V^2 --; leakage as V; DRAM access and
// background, and links, are outside the core clock/voltage domain and stay. `clock_fraction` is
// clamped to [kMinClockFraction, 1].
Result<PowerReport> estimate_power_at_clock(const HardwareSpec& hw, const AreaReport& area,
                                            const ActivityRates& rates_at_boost,
                                            double clock_fraction);

// `rates` observed at clock fraction s (the work's rates there) as the rates at boost that
// estimate_power_at_clock takes: the clocked logic's rates (matrix, SIMD, register file, L1, L2,
// LLC) divided by s, DRAM and links as they are. s is clamped to [kMinClockFraction, 1] like
// estimate_power_at_clock's, so the pair gives the power of the observed rates at V(s).
ActivityRates boost_equivalent_rates(ActivityRates rates, double clock_fraction);

// The activity a piece of work reaches when the compute clock runs at fraction s of boost: the
// perf model evaluated at that clock (its FLOP and bytes over its time there).
using ActivityAtClock = std::function<ActivityRates(double clock_fraction)>;

// Work whose clocked-logic rates follow the clock (compute-bound work: s x the rates at boost;
// DRAM and link rates stay): the activity estimate_power_at_clock assumes. For reference loads
// (`xpusim power` stream, idle, peak) and the serving limiter's windows.
ActivityAtClock following_clock(const ActivityRates& rates_at_boost);

struct SustainedClock {
  Hertz boost;                         // hw.compute.clock, the ceiling
  Hertz clock;                         // the highest clock <= boost whose power <= TDP
  double fraction = 1.0;               // clock / boost: the s the solver accepted, one of those
                                       // it evaluated the activity at (exactly: boost x fraction)
  bool power_limited = false;          // clock < boost
  Watts power_at_boost;                // model power of the work at the boost clock
  Watts power;                         // ... at `clock` (over the TDP only at kMinClockFraction)
  std::optional<Watts> tdp;
};

// The clock the chip sustains for work of activity `rates_at_boost` (at the boost clock) under its
// TDP, its logic rates assumed to follow the clock (following_clock): boost when the power there is
// within the TDP or no TDP is given, else the highest clock fraction in [kMinClockFraction, 1)
// whose estimate_power_at_clock total is <= TDP (the power rises monotonically with the clock).
// For loads defined by their rates (`xpusim power`, the serving limiter's windows); work the perf
// models time takes the self-consistent form below. Errors: those of estimate_power.
Result<SustainedClock> sustained_clock(const HardwareSpec& hw, const AreaReport& area,
                                       const ActivityRates& rates_at_boost);

// The same solved self-consistently: `activity(s)` is the work evaluated at each clock tried, so a
// memory-bound op that keeps its DRAM and matrix rates as the clock falls is charged them (its
// energy per operation at V(s)^2), and work that turns compute-bound at a low clock is charged
// the slower rates it runs at there. The power rises with s when the work's time does not grow
// with the clock (true of the perf models: every term is a bandwidth or a clock-scaled peak), so
// the highest s within the TDP is found by Illinois false position on [kMinClockFraction, 1] to
// `tolerance` of the boost clock (a few evaluations of `activity`; the perf models are the cost).
// Errors: those of estimate_power.
Result<SustainedClock> sustained_clock(const HardwareSpec& hw, const AreaReport& area,
                                       const ActivityAtClock& activity, double tolerance = 1e-9);

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
