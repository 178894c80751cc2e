// SPDX-License-Identifier: Apache-2.0
// Achievable bandwidth of the memory a kernel streams from (stage 5): the controllers' sustained
// fraction of the DRAM (or backing on-chip level) peak, bounded by the die-to-die fabric of a
// multi-die package when the memory is interleaved over stacks on several dies.
#pragma once

#include <optional>
#include <string>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

struct MemoryBandwidth {
  BytesPerSecond achievable;               // min(controllers, fabric), at least 1 B/s
  BytesPerSecond controllers;              // store peak x dram_efficiency (l2_efficiency on chip)
  std::optional<BytesPerSecond> fabric;    // die-to-die bound; absent for one die or no link data
  int dies = 1;                            // dies the memory is interleaved over
  double mean_hops = 0;                    // die-to-die hops per byte (own die included, 0 hops)
  std::string binding = "controllers";     // "controllers" or "die_to_die"
};

// Mean die-to-die hops of a byte whose address is interleaved evenly over `dies` dies, read by a
// consumer on one of them: fully_connected (d-1)/d; ring: mean shortest distance on a d-cycle.
double mean_die_hops(int dies, const std::string& topology);

// The backing store's achievable streaming bandwidth. Fabric bound (interleaved memory, consumers
// spread evenly over the d dies): the package moves B x mean_hops link-bytes per second over
// d x F of die-to-die bandwidth (F per die and direction) reached at link_efficiency, so
// B <= link_efficiency x d x F / mean_hops.
MemoryBandwidth memory_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal);

}  // namespace xpusim
