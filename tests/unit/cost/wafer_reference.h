// SPDX-License-Identifier: Apache-2.0
// The dies-per-wafer grid search before issue 8's pruned search, the reference of wafer_test.cc.
#pragma once

#include "xpusim/cost/wafer.h"

namespace xpusim::wafer_reference {

// count_dies_on_grid as of d4b9816 (every sampled offset solved exactly, no bound).
Result<GridCount> reference_count_dies_on_grid(const DieSize& die, const WaferSpec& wafer);

}  // namespace xpusim::wafer_reference
