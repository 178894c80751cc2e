// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <cstdlib>

#include "xpusim/units/quantity.h"

namespace xpusim {
Ratio::Ratio(double v) : v_(v) {
  if (!(v >= 0.0 && v <= 1.0)) {
    std::fprintf(stderr, "internal error: %s:%d: Ratio %g outside [0, 1]\n", __FILE__, __LINE__, v);
    std::abort();
  }
}
}  // namespace xpusim
