// SPDX-License-Identifier: Apache-2.0
// Per-operator time. GEMMs: gemm_model. Attention: FlashAttention-2 (Dao 2023, arXiv:2307.08691)
// in prefill -- scores never leave the chip, K/V re-read from L2 once per 128-row query tile, exp
// on the special-function units partly hidden behind the MMAs (FlashAttention-3, arXiv:2407.08608);
// flash-decoding in decode (one query row per sequence: the KV-cache read bounds it, the grouped
// queries of a KV head pad the matrix engine's M granule). Element-wise, norm, embedding and
// sampling: roofline of DRAM bytes vs. SIMD/special-function work. Collectives: collective_model.
// "DRAM" is the backing store (streaming_bandwidth): the last on-chip level of sram_only designs.
// Ignored: L2 hits across kernels (activations re-read from DRAM), register spills.
#include "xpusim/perf/op_model.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "xpusim/base/check.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/gemm_model.h"

namespace xpusim {
namespace {

// Sustained exp results per second (special-function units); without them an exp costs ~8 FLOP
// of polynomial on the SIMD lanes.
double special_rate(const HardwareSpec& hw, const PerfCalibration& cal) {
  const auto& c = hw.compute;
  double per_cycle = c.vector.special_per_cycle_per_unit > 0
                         ? c.vector.special_per_cycle_per_unit
                         : c.vector.fp32_flop_per_cycle_per_unit / 8.0;
  return std::max(1.0, per_cycle * c.units * c.clock.value() * vector_issue_efficiency(hw, cal));
}

FlopRate matrix_rate(const HardwareSpec& hw, Precision p, const PerfCalibration& cal) {
  const Precision exec = execution_precision(hw, p);
  FlopRate peak = peak_matrix_rate(hw, exec);
  if (peak.value() <= 0) peak = peak_vector_rate(hw);
  const double narrow = bytes_per_element(exec).value() <= 1.0 ? cal.narrow_matrix_efficiency : 1.0;
  return FlopRate(std::max(peak.value(), 1.0) * cal.matrix_efficiency *
                  cal.runtime_matrix_efficiency * narrow);
}

struct Parts {
  Seconds matrix, vector, special, dram, l2;
};

// Share of an op's DRAM bytes that are writes (activations and KV written), which sets its
// read/write turnaround loss (perf/memory_system.h): ~0 for decode GEMVs and attention, ~1/2
// for an element-wise pass.
double write_fraction(const Op& op, Bytes dram) {
  if (!(dram.value() > 0)) return 0.0;
  return std::clamp((op.activation_write + op.kv_write).value() / dram.value(), 0.0, 1.0);
}

// Roofline with partial overlap; returns the time (without kernel overhead) and the bound.
OpResult finish(const Parts& p, const PerfCalibration& cal, Seconds floor_time,
                const HardwareSpec& hw, FlopCount flop, TrafficBytes bytes) {
  OpResult r;
  r.flop = flop;
  r.bytes = bytes;
  Seconds compute = max(p.matrix, max(p.vector, p.special));
  Seconds mem = p.dram;  // L2 time reported, not binding (see gemm_model.cc)
  Seconds t = max(compute, mem) + min(compute, mem) * cal.overlap_loss;
  t = max(t, floor_time);
  const Seconds gap = dispatch_cost(hw, cal.kernel_overhead);
  r.time = t + gap;
  struct Cand {
    Seconds s;
    Bound b;
  };
  const Cand cands[] = {{p.matrix, Bound::kMatrix},
                        {p.vector, Bound::kVector},
                        {p.special, Bound::kSpecial},
                        {p.dram, Bound::kDram}};
  Cand top{Seconds(0), Bound::kLatency};
  for (const auto& c : cands)
    if (c.s > top.s) top = c;
  if (top.s < gap || top.s < floor_time) top = Cand{Seconds(0), Bound::kLatency};
  r.bound = top.b;
  r.utilization = top.b == Bound::kLatency ? 1.0 : std::min(1.0, top.s / r.time);
  if (top.b == Bound::kDram)
    r.utilization = std::min(1.0, bytes.dram / r.time / backing_store(hw).bandwidth);
  return r;
}

OpResult attention_op(const HardwareSpec& hw, const MemoryBandwidth& memory, const Op& op,
                      const PerfCalibration& cal) {
  const AttentionShape& a = op.attention;
  const bool decode = a.decode;
  Parts p;
  // Matrix work: in decode the heads sharing a KV head form the M dimension of the MMA and are
  // padded to the engine's M granule (min_m); prefill query tiles are full.
  double pad = 1.0;
  if (decode) {
    int group = std::max(1, a.heads / std::max(1, a.kv_heads));
    pad = std::max(1.0, static_cast<double>(hw.compute.matrix.min_m) / group);
  }
  p.matrix = Seconds(op.flop.value() * pad / matrix_rate(hw, op.math_precision, cal).value());
  Seconds exp_time(op.special_ops / special_rate(hw, cal));
  // Exp hidden behind the MMAs up to softmax_overlap: t = max + (1 - overlap) x min.
  Seconds hi = max(p.matrix, exp_time), lo = min(p.matrix, exp_time);
  Seconds compute = hi + lo * (1.0 - cal.softmax_overlap);
  if (p.matrix >= exp_time)
    p.matrix = compute;
  else
    p.special = compute;
  TrafficBytes bytes;
  bytes.dram = op.dram_bytes();
  if (decode && !a.latent && a.kv_heads > 0 && a.heads > a.kv_heads) {
    // Grouped-query heads: KV re-read for part of the extra query heads
    // (calibration.gqa_kv_reread); a group larger than the fused kernel handles reads the KV once
    // per query head.
    const int group = a.heads / a.kv_heads;
    const bool fused = cal.gqa_fused_max_group <= 0 || group <= cal.gqa_fused_max_group;
    const double extra = static_cast<double>(group - 1) * (fused ? cal.gqa_kv_reread : 1.0);
    bytes.dram += op.kv_read * extra;
  }
  bytes.l2 = bytes.dram;
  if (!decode) {
    // K and V re-read from L2 per 128-row query tile (step_shape.h: tile_keys counts, per chunk,
    // the query tiles times the keys an average tile sees; causal tiles see half the chunk).
    double reread =
        a.heads * a.tile_keys * (a.qk_dim + a.v_dim) * bytes_per_element(op.math_precision).value();
    bytes.l2 += Bytes(reread);
  }
  p.dram = bytes.dram / memory.for_stream(write_fraction(op, bytes.dram));
  if (hw.memory.l2.present && hw.memory.l2.bandwidth.value() > 0)
    p.l2 = bytes.l2 / (hw.memory.l2.bandwidth * cal.l2_efficiency);
  return finish(p, cal, decode ? cal.min_attention_time : Seconds(0), hw, op.flop, bytes);
}

OpResult vector_op(const HardwareSpec& hw, const MemoryBandwidth& memory, const Op& op,
                   const PerfCalibration& cal) {
  Parts p;
  double vec = std::max(1.0, peak_vector_rate(hw).value() * vector_issue_efficiency(hw, cal));
  p.vector = Seconds(op.flop.value() / vec);
  p.special = Seconds(op.special_ops / special_rate(hw, cal));
  TrafficBytes bytes;
  bytes.dram = op.dram_bytes();
  bytes.l2 = bytes.dram;
  p.dram = bytes.dram / memory.for_stream(write_fraction(op, bytes.dram));
  return finish(p, cal, Seconds(0), hw, op.flop, bytes);
}

}  // namespace

bool weight_stationary(const HardwareSpec& hw) {
  return hw.memory.dram.type == "sram_only" && backing_store(hw).level == "l1";
}

int weight_region_units(const HardwareSpec& hw, Bytes op_weights, Bytes resident_weights) {
  const int units = std::max(1, hw.compute.units);
  if (!(resident_weights.value() > 0) || !(op_weights.value() > 0)) return units;
  const double share = std::min(1.0, op_weights.value() / resident_weights.value());
  return static_cast<int>(
      std::clamp(std::floor(static_cast<double>(units) * share), 1.0, static_cast<double>(units)));
}

OpResult predict_op(const HardwareSpec& hw, const Op& op, const PerfCalibration& cal,
                    const WeightPlacement& placement) {
  return predict_op(hw, memory_bandwidth(hw, cal), op, cal, placement);
}

OpResult predict_op(const HardwareSpec& hw, const MemoryBandwidth& memory, const Op& op,
                    const PerfCalibration& cal, const WeightPlacement& placement) {
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kRouter: {
      const GemmOperands operands{op.math_precision, op.weight_precision, op.weight_group};
      // Weight-stationary designs: the GEMM runs on the region holding its weights, with that
      // region's share of the per-unit memory bandwidth (backing_store scales with the units).
      // Copied only then (a HardwareSpec carries strings).
      std::optional<HardwareSpec> region;
      std::optional<MemoryBandwidth> region_memory;
      const bool placed =
          placement.resident.value() > 0 && op.weight_bytes.value() > 0 && weight_stationary(hw);
      if (placed) {
        const int units = weight_region_units(hw, op.weight_bytes, placement.resident);
        if (units < hw.compute.units) {
          region.emplace(hw);
          region->compute.units = units;
          region_memory = memory_bandwidth(*region, cal);
        }
      }
      const HardwareSpec& on = region ? *region : hw;
      const MemoryBandwidth& on_memory = region ? *region_memory : memory;
      // Grouped expert GEMMs run at a fraction of a dense GEMM's matrix efficiency.
      const double efficiency_factor =
          op.grouped ? std::min(1.0, cal.expert_gemm_efficiency * cal.runtime_expert_factor) : 1.0;
      const GemmResult g =
          detail::predict_gemm_unchecked(on, on_memory, op.gemm, operands, cal, efficiency_factor);
      OpResult r;
      r.time = g.time;
      if (placed) {  // the rows pipelined through the step's regions (op_model.h)
        const double rows = static_cast<double>(std::max<int64_t>(1, op.gemm.m));
        const double regions = std::max(1.0, placement.regions);
        r.time = g.time * ((1.0 + (rows - 1.0) / regions) / rows);
      }
      r.flop = op.flop;
      r.bytes = g.bytes;
      r.bound = g.bound;
      r.utilization = g.utilization;
      r.tile = g.tile;
      return r;
    }
    case OpKind::kAttention:
      return attention_op(hw, memory, op, cal);
    case OpKind::kCollective:
    case OpKind::kP2p: {
      const Result<CollectiveResult> checked =
          predict_collective(hw, op.collective, op.collective_bytes, op.group, cal);
      XPUSIM_CHECK(checked.has_value(),
                   "build_step makes collectives of >= 1 device and finite bytes");
      const CollectiveResult& c = *checked;
      OpResult r;
      r.time = c.time;
      r.bytes.link = c.link_bytes;
      r.bound = Bound::kLatency;
      if (c.time.value() > 0) {
        const Seconds set_up = dispatch_cost(hw, cal.collective_latency);
        r.bound = c.time - set_up > set_up ? Bound::kLink : Bound::kLatency;
        r.utilization =
            c.bus_bandwidth.value() / std::max(1.0, hw.interconnect.scale_up.bandwidth.value());
      }
      return r;
    }
    case OpKind::kElementwise:
    case OpKind::kNorm:
    case OpKind::kEmbedding:
    case OpKind::kSampling:
      return vector_op(hw, memory, op, cal);
  }
  return OpResult{};
}

}  // namespace xpusim
