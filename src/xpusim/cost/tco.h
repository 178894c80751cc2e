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
  Seconds lifetime = units::years(4.0);   // 4-year depreciation, common for AI servers
  UsdPerJoule electricity{0.08 / 3.6e6};      // $0.08/kWh, US industrial average order (EIA 2024,
                                              // unverified here)
  double pue = 1.2;                           // data-centre power usage effectiveness (assumption)
  // Whole-system power per accelerator = system_fixed_power + system_power_factor x chip power.
  // Epoch AI "Can AI scaling continue through 2030?" (2024): H100 ≈ 1,700 W per GPU incl. server
  // and network at its 700 W TDP (economics.md §6). Split (assumption): power delivery and cooling
  // that track the chip's heat (PSU ~95%, board VRM ~90%, fans) = 1.2 x chip power; the rest,
  // 1,700 - 1.2 x 700 = 860 W per device, is drawn whatever the chip does (host CPUs and DRAM,
  // NICs, storage, the switch fabric's share). The same split serves every accelerator (the only
  // published system figure is H100's); a server with fewer or more devices per host would differ.
  double system_power_factor = 1.2;
  Watts system_fixed_power{1700.0 - 1.2 * 700.0};
  double utilization = 1.0;                   // fraction of the lifetime spent producing tokens
  // Capital beside the device's price, per device (cost/system_tco.h fills them from a described
  // server; 0 = the device alone): its share of the host server and of the scale-out network, and
  // of the facility built for its power.
  Usd host_capital{0};
  Usd facility_capital{0};
};

struct TcoReport {
  Usd capital;                  // purchase price or manufacturing cost, as given
  Usd host_capital;             // share of the server and network (TcoAssumptions)
  Usd facility_capital;         // share of the facility (TcoAssumptions)
  Watts system_power;           // IT power per device: chip (average of working and idle) x factor
                                // + fixed share
  Watts facility_power;         // system_power x PUE
  Joules energy;                // system energy (chip x factor + fixed share) x PUE over the lifetime
  Usd energy_cost;
  Usd total;                    // capital + host + facility capital + energy cost
  Usd per_hour;                 // total / lifetime hours: one device, per hour owned
};

// TCO of one accelerator bought for `capital`, powered for the whole lifetime: a fraction
// `utilization` of it producing tokens at `average_power` (chip only), the rest idle at
// `idle_power` (chip only; default 0 W, a powered-down chip); the fixed system share is drawn
// throughout. Errors: negative capital or powers, non-positive lifetime, PUE < 1, system factor
// < 1, negative fixed power, utilisation outside (0, 1], negative host or facility capital.
Result<TcoReport> total_cost_of_ownership(Usd capital, Watts average_power,
                                          const TcoAssumptions& a = {},
                                          Watts idle_power = Watts(0));

// USD per million output tokens at `tokens_per_second` (> 0) sustained while utilised.
Result<Usd> cost_per_million_tokens(const TcoReport& tco, TokensPerSecond tokens_per_second,
                                    const TcoAssumptions& a = {});

}  // namespace xpusim
