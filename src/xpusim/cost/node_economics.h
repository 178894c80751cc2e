// SPDX-License-Identifier: Apache-2.0
// Money side of a process node: wafer price, defect density, design NRE and mask set, each with
// its source and year (economics.md §2.3, §3.2, §3.6). Defaults for the cost and fab stages;
// every value can be overridden by the caller (CostAssumptions, FabAssumptions).
#pragma once

#include <string>

#include "xpusim/area/process_node.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

struct NodeEconomics {
  Usd wafer_price;               // 300 mm foundry selling price
  int wafer_price_year = 0;
  PerSquareMillimeter d0;        // killer defect density (mature)
  Usd design_nre_300mm2;         // NRE of a 300 mm² chip incl. first tape-out (Chiplet Actuary)
  Usd mask_set;                  // one full mask set (ttm-cas)
  const char* source = "";       // where the row comes from
};

const NodeEconomics& node_economics(ProcessNode node);

}  // namespace xpusim
