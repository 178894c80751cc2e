// SPDX-License-Identifier: Apache-2.0
// Result vocabulary shared by the perf/ models (stage 5): bytes moved at each memory level and the
// resource that bounds an operator's time.
#pragma once

#include <string_view>

#include "xpusim/units/quantity.h"

namespace xpusim {

// The resource that bounds an operator: the largest of its resource times.
enum class Bound {
  kMatrix,    // matrix-engine arithmetic
  kVector,    // SIMD arithmetic
  kSpecial,   // special-function units (exp)
  kDram,      // off-chip memory bandwidth
  kL2,        // L2 / global-buffer bandwidth
  kLink,      // interconnect bandwidth
  kLatency,   // fixed overheads (launch, link latency): too small to be bandwidth- or compute-bound
  kL1,        // operand feed through each unit's shared memory / L1 (a GEMM whose MACs outrun it)
};
inline constexpr int kBoundCount = static_cast<int>(Bound::kL1) + 1;
std::string_view to_string(Bound b);

// Bytes that cross each level of the memory hierarchy (reads + writes).
struct TrafficBytes {
  Bytes dram;
  Bytes l2;      // between L2 and the units (includes what came from DRAM)
  Bytes link;    // sent over the interconnect by this device
  Bytes llc;     // between the L2 and the LLC behind it (the L2's misses; packages with an LLC,
                 // MI300X's Infinity Cache), else 0
  TrafficBytes& operator+=(const TrafficBytes& o) {
    dram += o.dram;
    l2 += o.l2;
    link += o.link;
    llc += o.llc;
    return *this;
  }
};
inline TrafficBytes operator*(const TrafficBytes& t, double s) {
  return TrafficBytes{t.dram * s, t.l2 * s, t.link * s, t.llc * s};
}

}  // namespace xpusim
