// SPDX-License-Identifier: Apache-2.0
#include "xpusim/perf/perf_result.h"

namespace xpusim {

std::string_view to_string(Bound b) {
  switch (b) {
    case Bound::kMatrix: return "matrix";
    case Bound::kVector: return "vector";
    case Bound::kSpecial: return "special";
    case Bound::kDram: return "dram";
    case Bound::kL2: return "l2";
    case Bound::kLink: return "link";
    case Bound::kLatency: return "latency";
    case Bound::kL1: return "l1";
  }
  return "?";
}

}  // namespace xpusim
