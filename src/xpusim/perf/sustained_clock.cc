// SPDX-License-Identifier: Apache-2.0
#include "xpusim/perf/sustained_clock.h"

#include <algorithm>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/step_model.h"

namespace xpusim {

DeviceWork phase_work(const PhaseBreakdown& phase) {
  DeviceWork w;
  for (const OpBreakdown& op : phase.ops) {
    switch (op.kind) {
      case OpKind::kGemm:
      case OpKind::kRouter: w.gemm_flop += op.flop; break;
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
  add_matrix(precision.math(), work.gemm_flop);
  // FlashAttention-style kernels compute QK^T and PV in the activation format.
  add_matrix(precision.activations, work.attention_flop);
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
  // Die-to-die: with I/O dies every DRAM byte crosses a die boundary (MI300: HBM on the IODs);
  // with n compute dies and interleaved addresses a fraction 1 - 1/n does (B200: 2 dies). LLC
  // bytes the same (MI300X: Infinity Cache on the IODs, its slices interleaved like the memory).
  // Assumption; one crossing per byte.
  const int n = std::max(1, hw.physical.compute_die.count);
  const double crossing = hw.physical.io_die.count > 0 ? 1.0 : 1.0 - 1.0 / static_cast<double>(n);
  a.die_to_die = (a.dram + work.bytes.llc / time) * crossing;
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

SustainedClock sustained_clock_for(const HardwareSpec& hw, const AreaReport* area,
                                   const ActivityRates& rates_at_boost) {
  SustainedClock boost;
  boost.boost = hw.compute.clock;
  boost.clock = hw.compute.clock;
  if (!(hw.physical.tdp.value() > 0) || area == nullptr) return boost;  // no power model
  auto c = sustained_clock(hw, *area, rates_at_boost);
  return c ? *c : boost;  // perf rates are finite and >= 0; an error keeps the boost clock
}

SustainedClock sustained_clock_for(const HardwareSpec& hw, const ActivityRates& rates_at_boost) {
  if (!(hw.physical.tdp.value() > 0)) return sustained_clock_for(hw, nullptr, rates_at_boost);
  const auto area = estimate_area(hw);  // fails without a process node: no power model
  return sustained_clock_for(hw, area ? &*area : nullptr, rates_at_boost);
}

}  // namespace xpusim
