// SPDX-License-Identifier: Apache-2.0
#include "xpusim/cost/tco.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace xpusim {

Result<TcoReport> total_cost_of_ownership(Usd capital, Watts average_power,
                                          const TcoAssumptions& a, Watts idle_power) {
  Diagnostics d;
  if (!(capital.value() >= 0) || !capital.is_finite())
    d.push_back({.path = "capital", .message = fmt::format("capital must be >= 0 USD, got {}",
                                                           capital.value())});
  if (!(average_power.value() >= 0) || !average_power.is_finite())
    d.push_back({.path = "power", .message = fmt::format("power must be >= 0 W, got {}",
                                                         average_power.value())});
  if (!(idle_power.value() >= 0) || !idle_power.is_finite())
    d.push_back({.path = "idle_power", .message = fmt::format("idle power must be >= 0 W, got {}",
                                                              idle_power.value())});
  if (!(a.system_fixed_power.value() >= 0) || !a.system_fixed_power.is_finite())
    d.push_back({.path = "system_fixed_power",
                 .message = fmt::format("fixed system power must be >= 0 W, got {}",
                                        a.system_fixed_power.value())});
  if (!(a.lifetime.value() > 0))
    d.push_back({.path = "lifetime", .message = fmt::format("lifetime must be > 0 s, got {}",
                                                            a.lifetime.value())});
  if (!(a.pue >= 1.0))
    d.push_back({.path = "pue", .message = fmt::format("PUE must be >= 1, got {}", a.pue)});
  if (!(a.system_power_factor >= 1.0))
    d.push_back({.path = "system_power_factor",
                 .message = fmt::format("system power factor must be >= 1, got {}",
                                        a.system_power_factor)});
  if (!(a.utilization > 0 && a.utilization <= 1))
    d.push_back({.path = "utilization", .message = fmt::format("utilization must be in (0, 1], "
                                                               "got {}", a.utilization)});
  for (const auto& [name, usd] : {std::pair{"host_capital", a.host_capital},
                                   std::pair{"facility_capital", a.facility_capital}})
    if (!(usd.value() >= 0) || !usd.is_finite())
      d.push_back({.path = name, .message = fmt::format("{} must be >= 0 USD, got {}", name,
                                                        usd.value())});
  if (!(a.electricity.value() >= 0))
    d.push_back({.path = "electricity", .message = fmt::format("electricity price must be >= 0, "
                                                               "got {} USD/J",
                                                               a.electricity.value())});
  if (!d.empty()) return tl::unexpected(d);
  TcoReport r;
  r.capital = capital;
  // Utilised time at the working power, the rest at the idle power; the fixed share (host,
  // network) throughout, since the server stays powered (tco.h). Ignores power-capping.
  const Watts chip = average_power * a.utilization + idle_power * (1.0 - a.utilization);
  r.host_capital = a.host_capital;
  r.facility_capital = a.facility_capital;
  r.system_power = chip * a.system_power_factor + a.system_fixed_power;
  r.facility_power = r.system_power * a.pue;
  r.energy = r.facility_power * a.lifetime;
  r.energy_cost = a.electricity * r.energy;
  r.total = r.capital + r.host_capital + r.facility_capital + r.energy_cost;
  r.per_hour = r.total * (units::kSecondsPerHour / a.lifetime.value());
  return r;
}

Result<Usd> cost_per_million_tokens(const TcoReport& tco, TokensPerSecond tokens_per_second,
                                    const TcoAssumptions& a) {
  if (!(tokens_per_second.value() > 0) || !tokens_per_second.is_finite())
    return fail(Diagnostic{.path = "tokens_per_second",
                           .message = fmt::format("throughput must be > 0 tokens/s, got {}",
                                                  tokens_per_second.value())});
  if (!(a.utilization > 0 && a.utilization <= 1) || !(a.lifetime.value() > 0))
    return fail("utilization must be in (0, 1] and lifetime > 0");
  const double tokens = tokens_per_second * a.lifetime * a.utilization;
  return tco.total * (1e6 / tokens);
}

}  // namespace xpusim
