// SPDX-License-Identifier: Apache-2.0
// Interleaved memory on a multi-die package (perf/memory_system.h). Mechanism: with addresses
// interleaved over the stacks of every memory die (AMD NPS1, the default on MI300X; B200's one
// unified memory), a die finds 1/d of its bytes local and (d-1)/d behind the die-to-die links,
// so those links bound the achievable DRAM bandwidth when they are narrower than the memory.
// Remains global: the controllers' sustained fraction of the DRAM peak (dram_efficiency: page
// policy, refresh, read/write turnarounds), fitted once for every chip. Ignored: NUMA-aware
// placement (NPS4 / CPX partition modes keep traffic local), L2 traffic across the dies of a
// split L2 (B200), congestion from collectives crossing the same fabric.
#include "xpusim/perf/memory_system.h"

#include <algorithm>

#include "xpusim/config/hardware_schema.h"

namespace xpusim {

double mean_die_hops(int dies, const std::string& topology) {
  const double d = std::max(1, dies);
  if (topology == "ring") {
    // Shortest distances on a d-cycle, summed over the d homes: d^2/4 (d even), (d^2-1)/4 (odd).
    const double sum = dies % 2 == 0 ? d * d / 4.0 : (d * d - 1.0) / 4.0;
    return sum / d;
  }
  return (d - 1.0) / d;
}

MemoryBandwidth memory_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal) {
  MemoryBandwidth r;
  const BackingStore store = backing_store(hw);
  const double efficiency = store.on_chip() ? cal.l2_efficiency : cal.dram_efficiency;
  r.controllers = BytesPerSecond(std::max(store.bandwidth.value() * efficiency, 1.0));
  r.achievable = r.controllers;
  r.dies = memory_dies(hw);
  const auto& link = hw.physical.die_to_die;
  r.mean_hops = mean_die_hops(r.dies, link.topology);
  if (r.dies < 2 || !link.bandwidth || !(r.mean_hops > 0)) return r;
  r.fabric = *link.bandwidth * (cal.link_efficiency * r.dies / r.mean_hops);
  if (*r.fabric < r.achievable) {
    r.achievable = BytesPerSecond(std::max(r.fabric->value(), 1.0));
    r.binding = "die_to_die";
  }
  return r;
}

}  // namespace xpusim
