// SPDX-License-Identifier: Apache-2.0
#include "xpusim/perf/sustained_clock.h"

#include <algorithm>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/perf/step_model.h"

namespace xpusim {

DeviceWork phase_work(const PhaseBreakdown& phase) {
  DeviceWork w;
  for (const OpBreakdown& op : phase.ops) {
    switch (op.kind) {
      case OpKind::kGemm:
      case OpKind::kRouter:
        (op.grouped ? w.expert_flop : w.gemm_flop) += op.flop;
        break;
      case OpKind::kAttention: w.attention_flop += op.flop; break;
      default: w.vector_flop += op.flop; break;  // norms, softmax, reductions, sampling
    }
  }
  w.bytes = phase.bytes;
  return w;
}

ActivityRates device_activity(const HardwareSpec& hw, const PrecisionPlan& precision,
                              const DeviceWork& work, Seconds time) {
  ActivityRates a;
  if (!(time.value() > 0)) return a;
  a.clocks_running = true;  // kernels run for the whole time
  // Matrix ops run in the execution precision the perf model uses (op_model.cc matrix_rate): the
  // requested format if the engines support it, else a wider one; without matrix engines at all
  // the work falls to the SIMD lanes (fp32 energy).
  auto add_matrix = [&](Precision requested, FlopCount f) {
    const Precision exec = execution_precision(hw, requested);
    if (peak_matrix_rate(hw, exec).value() > 0) a.matrix[index_of(exec)] += f / time;
    else a.vector += f / time;
  };
  // The formats the step model computes in: a format without an engine runs weight-only in 16
  // bits (fp4 on Hopper runs bf16 math, not the fp8 the engines would widen it to).
  const PrecisionPlan run = executed_precision_plan(hw, precision);
  if (run.mixed()) {
    add_matrix(run.math(), work.gemm_flop);
    add_matrix(run.experts().math(), work.expert_flop);
  } else {
    add_matrix(run.math(), work.gemm_flop + work.expert_flop);
  }
  // FlashAttention-style kernels compute QK^T and PV in the format the attention op runs in.
  add_matrix(run.attention_math(), work.attention_flop);
  a.vector += work.vector_flop / time;
  // Register-file and L1 traffic is not modelled by perf/; operand delivery from them is inside
  // energy_per_flop (kMatrixEnergyScale, by instruction tile). L2 bytes include what came from DRAM (perf_result.h).
  // perf/ counts the backing store's bytes as "dram": for sram_only designs they are reads of the
  // last on-chip level (config/hardware_schema.h backing_store) at its energy per byte.
  const BackingStore store = backing_store(hw);
  if (!store.on_chip()) a.dram = work.bytes.dram / time;
  else if (store.level == "l1") a.l1 = work.bytes.dram / time;
  if (hw.memory.l2.present) a.l2 = work.bytes.l2 / time;
  else if (hw.memory.llc.present) a.llc = work.bytes.l2 / time;
  // The L2's misses read from the LLC behind it (perf_result.h TrafficBytes::llc).
  if (hw.memory.llc.present) a.llc += work.bytes.llc / time;
  // Link bytes go over the scale-up tier when there is one (tensor-parallel groups are placed in
  // the scale-up domain), else over the scale-out NIC. Ignores pipeline hops that leave the domain.
  const BytesPerSecond link = work.bytes.link / time;
  if (hw.interconnect.scale_up.present) a.scale_up = link;
  else a.scale_out = link;
  // Die-to-die: a DRAM or LLC byte (MI300X: Infinity Cache slices interleaved over the IODs like
  // the memory) whose address is interleaved over the d memory dies crosses, on average,
  // mean_die_hops(d, topology) links between them ((d-1)/d fully connected: B200 and Gaudi 3,
  // 2 dies, 1/2; 1 on MI300X's ring of 4 IODs, 1/2 on MI355X's pair), plus, where the compute
  // dies sit on I/O dies, the compute die's own link to its I/O die (one crossing per byte):
  // MI300X 1 + 1 = 2 crossings per byte (before 2026-12-05: 1, the IOD-IOD hops uncounted).
  // The power model charges the links between memory dies at physical.die_to_die.energy and the
  // compute die's link at its bond's energy (area/power_model.cc).
  const DieCrossings crossing = die_crossings_per_byte(hw);
  const BytesPerSecond interleaved = a.dram + work.bytes.llc / time;
  a.die_to_die = interleaved * crossing.between_memory_dies;
  a.compute_link = interleaved * crossing.compute_link;
  return a;
}

HardwareSpec at_clock(const HardwareSpec& hw, Hertz clock) {
  HardwareSpec h = hw;
  const double ratio = hw.compute.clock.value() > 0 ? clock / hw.compute.clock : 1.0;
  h.compute.clock = clock;
  h.memory.register_file.bandwidth *= ratio;
  h.memory.l1.bandwidth *= ratio;
  return h;
}

namespace {

// The boost clock where there is no power model (no TDP, no area) or the solve fails (perf rates
// are finite and >= 0: not expected), else `solve()`'s clock.
template <class Solve>
SustainedClock boost_unless_solved(const HardwareSpec& hw, const AreaReport* area, Solve solve) {
  SustainedClock boost;
  boost.boost = hw.compute.clock;
  boost.clock = hw.compute.clock;
  if (!(hw.physical.tdp.value() > 0) || area == nullptr) return boost;
  const Result<SustainedClock> c = solve(*area);
  return c ? *c : boost;
}

}  // namespace

SustainedClock sustained_clock_for(const HardwareSpec& hw, const AreaReport* area,
                                   const ActivityRates& rates_at_boost) {
  return boost_unless_solved(
      hw, area, [&](const AreaReport& a) { return sustained_clock(hw, a, rates_at_boost); });
}

SustainedClock sustained_clock_for(const HardwareSpec& hw, const AreaReport* area,
                                   const ActivityAtClock& activity) {
  return boost_unless_solved(
      hw, area, [&](const AreaReport& a) { return sustained_clock(hw, a, activity); });
}

SustainedClock sustained_clock_for(const HardwareSpec& hw, const ActivityRates& rates_at_boost) {
  if (!(hw.physical.tdp.value() > 0)) return sustained_clock_for(hw, nullptr, rates_at_boost);
  const auto area = estimate_area(hw);  // fails without a process node: no power model
  return sustained_clock_for(hw, area ? &*area : nullptr, rates_at_boost);
}

}  // namespace xpusim
