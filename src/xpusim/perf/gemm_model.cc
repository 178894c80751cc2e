// SPDX-License-Identifier: Apache-2.0
// Tiled GEMM model. Sources: CUTLASS/cuBLAS structure (output tiles per threadblock, K loop with
// multi-stage shared-memory buffers, one tile per SM per wave: NVIDIA "Matrix Multiplication
// Background User's Guide", tile and wave quantisation sections); L2 panel reuse as in the
// LLMCompass GEMM mapper (Zhang et al., ISCA 2024) reduced to a closed form; roofline of compute
// vs. traffic (Williams et al., CACM 2009). Ignored: bank conflicts, epilogue fusion variety,
// stream-K (split-K is searched instead), clock changes other than the power limit (predict_gemm
// runs at the sustained clock, perf/sustained_clock.h),
// dequantisation cost of weight-only formats (hidden in the main loop). Multi-die packages: an L2
// split over the compute dies (memory.l2.attach) is tiled per die and its misses go to the LLC
// across the die boundary (docs/validation.md, "Caches that belong to a die"); the actual
// workgroup-to-die dispatch order and coherence traffic between slices are ignored.
#include "xpusim/perf/gemm_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "xpusim/area/area_model.h"
#include "xpusim/base/bounds.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/perf/sustained_clock.h"

namespace xpusim {
namespace {

double d(int64_t v) { return static_cast<double>(v); }

Precision wider(Precision a, Precision b) {
  return bytes_per_element(b) > bytes_per_element(a) ? b : a;
}

struct Candidate {
  GemmTile tile;
  int64_t split = 1;
  int64_t tiles = 0;
  int64_t waves = 0;
  Seconds matrix_time, l2_time, dram_time, llc_time, time;
  Seconds l1_time;  // the operand feed through the units' L1 (within matrix_time, its max)
  Bytes dram, l2, llc;
};

}  // namespace

BytesPerSecond streaming_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal) {
  return memory_bandwidth(hw, cal).achievable;
}

Seconds mesh_fill_latency(const HardwareSpec& hw, int64_t units) {
  const auto& c = hw.compute;
  if (c.network != UnitNetwork::kMesh || !(c.mesh_hop_cycles > 0) || !(c.clock.value() > 0))
    return Seconds(0);
  const double hops = 2.0 * std::sqrt(d(std::max<int64_t>(1, units)));
  return Seconds(hops * c.mesh_hop_cycles / c.clock.value());
}

Result<void> check_gemm_shape(const GemmShape& s) {
  Diagnostics diags;
  auto dim = [&](const char* path, int64_t v, const IntBound& b) {
    if (auto msg = check_bound(v, b)) diags.push_back(Diagnostic{.path = path, .message = *msg});
  };
  dim("m", s.m, bounds::kGemmDim);
  dim("n", s.n, bounds::kGemmDim);
  dim("k", s.k, bounds::kGemmDim);
  dim("batch", s.batch, bounds::kGemmBatch);
  if (!diags.empty()) return tl::unexpected(diags);
  if (!checked_product({2, s.m, s.n, s.k, s.batch})) {
    const std::string given = "2 x " + std::to_string(s.m) + " x " + std::to_string(s.n) + " x " +
                              std::to_string(s.k) + " x " + std::to_string(s.batch) + " FLOP";
    return fail(
        Diagnostic{.path = "flop", .message = out_of_range_message(given, bounds::kGemmFlop)});
  }
  return {};
}

Result<GemmResult> predict_gemm(const HardwareSpec& hw, const GemmShape& shape, Precision p,
                                const PerfCalibration& cal) {
  return predict_gemm(hw, shape, GemmOperands{p, p}, cal);
}

Result<GemmResult> predict_gemm(const HardwareSpec& hw, const GemmShape& shape, GemmOperands ops,
                                const PerfCalibration& cal) {
  if (auto ok = check_gemm_shape(shape); !ok) return tl::unexpected(ok.error());
  GemmResult at_boost = detail::predict_gemm_unchecked(hw, shape, ops, cal);
  if (!(hw.physical.tdp.value() > 0)) return at_boost;  // no power limit
  const auto area = estimate_area(hw);  // fails without a process node: no power model
  if (!area) return at_boost;
  const SustainedClock clock =
      sustained_clock_for(hw, &*area, gemm_activity_at_clock(hw, shape, ops, cal));
  if (!clock.power_limited) return at_boost;
  GemmResult r = detail::predict_gemm_unchecked(at_clock(hw, clock.clock), shape, ops, cal);
  r.power_limited = true;
  return r;
}

ActivityAtClock gemm_activity_at_clock(const HardwareSpec& hw, const GemmShape& shape,
                                       GemmOperands ops, const PerfCalibration& cal) {
  return [&hw, shape, ops, &cal](double s) {
    const GemmResult timed =
        detail::predict_gemm_unchecked(at_clock(hw, hw.compute.clock * s), shape, ops, cal);
    return gemm_activity(hw, timed, ops);
  };
}

ActivityRates gemm_activity(const HardwareSpec& hw, const GemmResult& at_boost,
                            GemmOperands operands) {
  PrecisionPlan precision;
  precision.weights = operands.b;
  precision.activations = operands.a;
  precision.weight_group = operands.b_group;
  const DeviceWork work{.gemm_flop = at_boost.flop, .bytes = at_boost.bytes};
  return device_activity(hw, precision, work, at_boost.time);
}

GemmResult detail::predict_gemm_unchecked(const HardwareSpec& hw, const GemmShape& shape,
                                          GemmOperands ops, const PerfCalibration& cal) {
  return predict_gemm_unchecked(hw, memory_bandwidth(hw, cal), shape, ops, cal);
}

GemmResult detail::predict_gemm_unchecked(const HardwareSpec& hw, const MemoryBandwidth& store_bw,
                                          const GemmShape& shape, GemmOperands ops,
                                          const PerfCalibration& cal, double efficiency_factor) {
  GemmResult r;
  r.flop = shape.flop();
  const Precision math = wider(ops.a, ops.b);
  const Precision exec = execution_precision(hw, math);
  r.execution_precision = exec;
  const auto& c = hw.compute;
  r.sustained_clock = c.clock;
  const int64_t units = std::max(1, c.units);
  const double clock = std::max(c.clock.value(), 1.0);  // a zero clock would divide by zero
  // MACs per cycle per unit at the execution precision; no matrix engine -> SIMD FMAs.
  double unit_macs = c.matrix.engines_per_unit * c.matrix.macs_per_cycle[index_of(exec)];
  if (unit_macs <= 0) unit_macs = c.vector.fp32_flop_per_cycle_per_unit / 2.0;
  unit_macs = std::max(unit_macs, 1e-9);
  const double narrow = bytes_per_element(exec).value() <= 1.0 ? cal.narrow_matrix_efficiency : 1.0;
  const double unit_rate =  // MAC/s per unit
      unit_macs * clock * (cal.matrix_efficiency * efficiency_factor) *
      cal.runtime_matrix_efficiency * narrow;
  const int min_m = std::max(1, c.matrix.min_m);
  // SIMD lane operations per second for weight conversion (weights narrower than the math format
  // and not executed natively: int8/int4/fp8 weights with 16-bit activations).
  const bool weight_only = bytes_per_element(ops.b) < bytes_per_element(exec) &&
                           bytes_per_element(ops.a) >= bytes_per_element(exec);
  const bool chained = c.execution == Execution::kStaticallyScheduled;
  // Lane operations per second: the units' vector lanes (vector_lane_ops_per_cycle) at the issue
  // efficiency of the execution model (vector_issue_efficiency: fitted on GPU kernels for dynamic
  // chips, 1 where the compiler schedules every lane).
  const double dequant_rate = weight_only
                                  ? std::max(1.0, d(units) * vector_lane_ops_per_cycle(c.vector) *
                                                      clock * vector_issue_efficiency(hw, cal))
                                  : 0.0;

  // Operand bytes as stored and moved: 4-bit formats with their block scales (config/precision.h).
  const double ab = storage_bytes_per_element(ops.a).value();
  const double bb = storage_bytes_per_element(ops.b, ops.b_group).value();
  const double acc = 4.0;  // fp32 accumulators (int32 for int8)
  const int64_t M = std::max<int64_t>(1, shape.m), N = std::max<int64_t>(1, shape.n),
                K = std::max<int64_t>(1, shape.k), B = std::max<int64_t>(1, shape.batch);

  const double l1 = hw.memory.l1.present ? hw.memory.l1.capacity.value()
                                         : std::numeric_limits<double>::infinity();
  const double rf = hw.memory.register_file.present ? hw.memory.register_file.capacity.value()
                                                    : std::numeric_limits<double>::infinity();
  const double l2_cap = hw.memory.l2.present ? hw.memory.l2.capacity.value() : 0.0;
  const double l2_bw = hw.memory.l2.present ? hw.memory.l2.bandwidth.value() * cal.l2_efficiency
                                            : 0.0;  // for l2_time (reported)
  const double l1_bw =
      hw.memory.l1.present ? hw.memory.l1.bandwidth.value() * cal.l2_efficiency : 0.0;  // per unit
  // "dram" below is the backing store: device memory, or the last on-chip level of sram_only.
  // The DRAM rate of a candidate depends on its write share (C against the operand reads):
  // read/write turnarounds (perf/memory_system.h, for_stream).
  auto dram_rate = [&](Bytes dram, double written) {
    return store_bw.for_stream(dram.value() > 0 ? written / dram.value() : 0.0);
  };

  // C is written in 16-bit or wider (fp8/int8 GEMMs output bf16/fp16 in serving engines).
  const double cb = std::max(ab, 2.0);
  const double a_bytes = d(M) * d(K) * ab, b_bytes = d(K) * d(N) * bb, c_bytes = d(M) * d(N) * cb;
  // L2 slices (memory.l2.attach: compute_die): each compute die's units see only their die's
  // 1/slices of the L2 (MI300X: 4 MiB per XCD of 32), and a die's share of the tiles is tiled in
  // its own slice. What misses the L2 goes to the LLC where the package has one (MI300X's Infinity
  // Cache on the I/O dies: it catches the reuse between dies and is the level DRAM reuse is
  // counted at), else to DRAM.
  const int64_t slices = l2_slices(hw);
  const bool has_llc = hw.memory.llc.present && !backing_store(hw).on_chip();
  const double slice_budget = 0.5 * l2_cap / d(slices);  // half for operands; the rest holds C
  const double dram_budget = 0.5 * (has_llc ? hw.memory.llc.capacity.value() : l2_cap);
  // The LLC is reached at the on-chip fraction of its peak and, its slices interleaved over the
  // memory dies like DRAM, no faster than their die-to-die links carry (perf/memory_system.h).
  double llc_bw = 1.0;
  if (has_llc) {
    llc_bw = hw.memory.llc.bandwidth.value() * cal.l2_efficiency;
    if (store_bw.fabric) llc_bw = std::min(llc_bw, store_bw.fabric->value());
    llc_bw = std::max(llc_bw, 1.0);
  }

  // Row counts below 16 only serve engines whose M granule is smaller (SIMD datapaths such as
  // the Cerebras core, min_m 1); for the others they pad to min_m and never beat 16.
  static constexpr std::array<int, 12> kTm = {2048, 1024, 512, 256, 128, 64,
                                              32,   16,   8,   4,   2,   1};  // large first
  static constexpr int kLibraryMinTm = 16;
  static constexpr std::array<int, 7> kTn = {2048, 1024, 512, 256, 128, 64, 32};
  static constexpr std::array<int, 3> kTk = {128, 64, 32};
  // Reads of A and B from beyond a cache of operand budget `budget` shared by `group_units` units
  // running `tiles` tile jobs (the whole chip: parts = 1; one die's L2 slice: parts = dies, the
  // jobs dispatched evenly over them), summed over the parts. Compulsory (each panel a part's
  // tiles touch, once; at most A and B whole) when both fit in the budget or when one of them
  // stays resident while the other streams; otherwise the tiles of one wave run in lock-step over
  // K, so a wave reads the distinct A row-panels and B column-panels of its wm x wn block of tiles
  // once (the cache catches the reuse inside the wave, not across waves).
  auto panel_reads = [&](int tm, int tn, int64_t tiles, int64_t out_tiles, double budget,
                         int64_t group_units, int64_t parts) {
    const int64_t part_out = ceil_div(out_tiles, parts);  // output tiles of one part
    const double panel = (std::min(d(tm), d(M)) * ab + std::min(d(tn), d(N)) * bb) * d(K);
    const double compulsory = std::min(d(B) * (a_bytes + b_bytes), d(part_out) * panel);
    if (a_bytes + b_bytes <= budget || std::min(a_bytes, b_bytes) <= 0.5 * budget)
      return d(parts) * compulsory;
    const int64_t waves = ceil_div(ceil_div(tiles, parts), group_units);
    const int64_t mt = ceil_div(M, tm), nt = ceil_div(N, tn);
    const int64_t per_wave = std::min<int64_t>(group_units, part_out);
    const int64_t wm = std::min<int64_t>(
        mt, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::sqrt(d(per_wave))))));
    const int64_t wn = std::min<int64_t>(nt, ceil_div(per_wave, wm));
    const double wave =
        std::min(d(wm * tm), d(M)) * d(K) * ab + std::min(d(wn * tn), d(N)) * d(K) * bb;
    return d(parts) * std::max(compulsory, d(waves) * wave);
  };
  Candidate best;
  best.time = Seconds(std::numeric_limits<double>::infinity());
  for (int tm : kTm) {
    if (tm < kLibraryMinTm && tm < min_m) break;
    for (int tn : kTn) {
      if (acc * tm * tn > 0.5 * rf) continue;  // accumulators in half the register file
      // Tiles beyond 256 only for engines whose accumulators do not live in a register file
      // (systolic arrays accumulating in a large on-chip buffer: TPU MXU + VMEM).
      if ((tm > 256 || tn > 256) && hw.memory.register_file.present) continue;
      int tk = 0;
      for (int k_step : kTk) {
        if (2.0 * (tm * k_step * ab + k_step * tn * bb) <= l1) {  // double-buffered operands
          tk = k_step;
          break;
        }
      }
      if (tk == 0) continue;
      // Saturating: within check_gemm_shape the count is exact (<= m n batch < 2^62).
      const int64_t out_tiles = saturating_mul(saturating_mul(ceil_div(M, tm), ceil_div(N, tn)), B);
      // Split-K in powers of two while the tile jobs fit in two waves and each part keeps a
      // whole K step: 16 ways fill a GPU; a chip of many small units (900,000 Cerebras cores)
      // splits further, as its dataflow spreads a layer's weights over the cores.
      for (int64_t split = 1;; split *= 2) {
        // out_tiles x split > 2 units, divided through so that it cannot overflow.
        if (split > 1 && (out_tiles > 2 * units / split || K / split < tk)) break;
        Candidate cand;
        cand.tile = GemmTile{tm, tn, tk};
        cand.split = split;
        cand.tiles = saturating_mul(out_tiles, split);
        cand.waves = ceil_div(cand.tiles, units);
        const int64_t k_part = ceil_div(ceil_div(K, split), tk) * tk;
        const double tile_macs = static_cast<double>(std::max(tm, min_m)) * tn * d(k_part);
        cand.matrix_time = Seconds(d(cand.waves) * tile_macs / unit_rate);
        if (dequant_rate > 0) {
          // Weight-only quantisation: every M-tile converts the B panel it loads on the SIMD
          // lanes before the MMAs -- serial with them in the same warps on a dynamically
          // scheduled chip; on a statically scheduled one the vector units are a separate
          // functional unit the compiler chains into the matrix engine's weight stream (Groq TSP:
          // MEM -> VXM -> MXM over the streams, all slices busy in the same cycles, Abts et al.
          // ISCA 2020 sec. 2-3, recalled), so conversion and MMAs overlap.
          const Seconds conv(d(ceil_div(M, tm)) * d(N) * d(K) * d(B) * cal.dequant_ops_per_weight /
                             dequant_rate);
          cand.matrix_time = chained ? max(cand.matrix_time, conv) : cand.matrix_time + conv;
        }
        // Operand feed through the unit's shared memory / L1: every byte of the tile's A and B
        // panels passes once per tile (small tiles need more bytes per MAC).
        if (l1_bw > 0) {
          const double tile_bytes = (std::min<double>(tm, d(M)) * ab + tn * bb) * d(k_part);
          cand.l1_time = Seconds(d(cand.waves) * tile_bytes / l1_bw);
          cand.matrix_time = max(cand.matrix_time, cand.l1_time);
        }
        // The time is at least the matrix time (max with the memory time, plus a share of the
        // smaller, overlap_loss >= 0): a candidate whose matrix time does not beat the best time
        // found cannot win, and its traffic need not be counted.
        if (!(cand.matrix_time < best.time)) continue;
        // L2 -> unit traffic: each output tile reads its A row-panel and B column-panel once;
        // split-K adds the fp32 partial sums written and read back.
        double l2 =
            d(B) * (d(ceil_div(N, tn)) * a_bytes + d(ceil_div(M, tm)) * b_bytes) + d(B) * c_bytes;
        if (split > 1) l2 += 2.0 * d(split) * d(M) * d(N) * d(B) * acc;
        cand.l2 = Bytes(l2);
        // Reads past the L2 (each slice's misses), and past the level DRAM reuse is counted at
        // (the LLC, else the L2). C is written once through every level.
        const double l2_misses = panel_reads(tm, tn, cand.tiles, out_tiles, slice_budget,
                                             ceil_div(units, slices), slices);
        const double dram_reads =
            has_llc ? panel_reads(tm, tn, cand.tiles, out_tiles, dram_budget, units, 1) : l2_misses;
        cand.dram = Bytes(dram_reads + d(B) * c_bytes);
        cand.llc = has_llc ? Bytes(l2_misses + d(B) * c_bytes) : Bytes(0);
        cand.llc_time = Seconds(cand.llc.value() / llc_bw);
        cand.l2_time = l2_bw > 0 ? Seconds(l2 / l2_bw) : Seconds(0);
        cand.dram_time = cand.dram / dram_rate(cand.dram, d(B) * c_bytes);
        // L2 -> unit bandwidth is not a bound: libraries choose tile/cluster shapes (Hopper TMA
        // multicast) that keep it below the crossbar limit; L2 bytes are reported only.
        Seconds mem = max(cand.dram_time, cand.llc_time);
        Seconds hi = max(cand.matrix_time, mem), lo = min(cand.matrix_time, mem);
        cand.time = hi + lo * cal.overlap_loss;
        if (cand.time < best.time) best = cand;
      }
    }
  }
  if (best.tiles == 0) {  // no tile fits the on-chip memory: smallest tile, data from DRAM
    best.tile = GemmTile{kLibraryMinTm, kTn.back(), kTk.back()};
    best.tiles =
        saturating_mul(saturating_mul(ceil_div(M, best.tile.m), ceil_div(N, best.tile.n)), B);
    best.waves = ceil_div(best.tiles, units);
    best.matrix_time =
        Seconds(d(best.waves) * std::max(best.tile.m, min_m) * best.tile.n * d(K) / unit_rate);
    best.dram = Bytes(d(B) * (a_bytes * d(ceil_div(N, best.tile.n)) +
                              b_bytes * d(ceil_div(M, best.tile.m)) + c_bytes));
    best.l2 = best.dram;
    best.dram_time = best.dram / dram_rate(best.dram, d(B) * c_bytes);
    const Seconds dram_time = best.dram_time;
    best.time =
        max(best.matrix_time, dram_time) + min(best.matrix_time, dram_time) * cal.overlap_loss;
  }

  r.tile = best.tile;
  r.tiles = best.tiles;
  r.waves = best.waves;
  r.matrix_time = best.matrix_time;
  r.l2_time = best.l2_time;
  r.dram_time = best.dram_time;
  r.llc_time = best.llc_time;
  r.bytes = TrafficBytes{best.dram, best.l2, Bytes(0), best.llc};
  const Seconds gap = dispatch_cost(hw, cal.kernel_overhead);
  // A mesh fills and drains over the region the tiles occupy (mesh_fill_latency; 0 elsewhere).
  const Seconds fill = mesh_fill_latency(hw, std::min<int64_t>(units, best.tiles));
  r.time = best.time + fill + gap;
  r.isolated_call_time = r.time + dispatch_cost(hw, cal.host_call_overhead);
  r.achieved = r.time.value() > 0 ? r.flop / r.time : FlopRate(0);

  const FlopRate peak = FlopRate(d(units) * unit_macs * 2.0 * clock);
  if (gap + fill > best.time) {
    r.bound = Bound::kLatency;
    r.utilization = (gap + fill) / r.time;
  } else if (best.matrix_time >= max(best.dram_time, best.llc_time)) {
    // On-chip: the MACs, or the operand feed through L1 where it takes longer than the MACs
    // (more MACs per unit than its L1 can feed: adding MACs buys nothing there).
    const bool feed = best.l1_time.value() > 0 && best.l1_time >= best.matrix_time;
    r.bound = feed ? Bound::kL1 : Bound::kMatrix;
    r.utilization = feed ? best.l1_time / r.time : r.achieved / peak;
  } else if (best.llc_time > best.dram_time) {  // the L2's misses into the LLC (a shared cache)
    r.bound = Bound::kL2;
    r.utilization = best.llc / r.time / hw.memory.llc.bandwidth;
  } else {
    r.bound = Bound::kDram;
    r.utilization = best.dram / r.time / backing_store(hw).bandwidth;
  }
  return r;
}

}  // namespace xpusim
