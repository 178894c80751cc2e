// SPDX-License-Identifier: Apache-2.0
// Total cost of ownership of one accelerator (capital + energy over a lifetime) and the cost per
// million output tokens given a throughput and a power: the last step of the cost stage, called by
// `xpusim run` with the performance engineer's tokens/s and the power model's watts.
#pragma once

#include "xpusim/base/diagnostic.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Defaults are assumptions stated with their basis (not tuned to any figure):
struct TcoAssumptions {
  Seconds lifetime{4.0 * 365.25 * 86400.0};   // 4-year depreciation, common for AI servers
  UsdPerJoule electricity{0.08 / 3.6e6};      // $0.08/kWh, US industrial average order (EIA 2024,
                                              // unverified here)
  double pue = 1.2;                           // data-centre power usage effectiveness (assumption)
  // Whole-system power per accelerator relative to the chip (host, network, cooling fans).
  // Epoch: H100 ≈ 1,700 W per GPU incl. server/network vs 700 W TDP ⇒ ~2.4 (economics.md §6).
  double system_power_factor = 1700.0 / 700.0;
  double utilization = 1.0;                   // fraction of the lifetime spent producing tokens
};

struct TcoReport {
  Usd capital;                  // purchase price or manufacturing cost, as given
  Joules energy;                // chip energy x system factor x PUE over the lifetime
  Usd energy_cost;
  Usd total;
};

// TCO of one accelerator bought for `capital` drawing `average_power` (chip only). Errors:
// negative capital or power, non-positive lifetime, PUE < 1, utilisation outside (0, 1].
Result<TcoReport> total_cost_of_ownership(Usd capital, Watts average_power,
                                          const TcoAssumptions& a = {});

// USD per million output tokens at `tokens_per_second` (> 0) sustained while utilised.
Result<Usd> cost_per_million_tokens(const TcoReport& tco, TokensPerSecond tokens_per_second,
                                    const TcoAssumptions& a = {});

}  // namespace xpusim
