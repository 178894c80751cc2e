// SPDX-License-Identifier: Apache-2.0
#include "xpusim/serving/power_limiter.h"

#include <algorithm>
#include <cmath>

namespace xpusim {

PowerLimiter::PowerLimiter(const HardwareSpec& hw, const PrecisionPlan& precision,
                           const AreaReport* area)
    : hw_(hw), precision_(precision), area_(area),
      enabled_(area != nullptr && hw.physical.tdp.value() > 0) {}

void PowerLimiter::close_window(Seconds now) {
  if (busy_.value() > 0)
    step_ = sustained_clock_step(hw_, *area_, device_activity(hw_, precision_, work_, busy_), step_);
  window_start_ = now;
  busy_ = Seconds(0);
  work_ = DeviceWork{};
}

int sustained_clock_step(const HardwareSpec& hw, const AreaReport& area, ActivityRates rates,
                         int current) {
  // Rates observed at fraction s of boost: the clocked logic's work rates were s x theirs at
  // boost (the sustained-clock model, power_model.h estimate_power_at_clock).
  const double s = PowerLimiter::fraction(current);
  for (FlopRate& m : rates.matrix) m = m / s;
  rates.vector = rates.vector / s;
  rates.register_file = rates.register_file / s;
  rates.l1 = rates.l1 / s;
  rates.l2 = rates.l2 / s;
  rates.llc = rates.llc / s;
  const SustainedClock c = sustained_clock_for(hw, &area, rates);
  if (!c.power_limited) return 0;
  const double f = c.clock / c.boost;
  const int lowest = static_cast<int>(std::floor((1.0 - kMinClockFraction) * kClockSteps));
  // Rounded down to a clock step (up in step index): the power there is within the TDP.
  const int step = static_cast<int>(std::ceil((1.0 - f) * kClockSteps - 1e-9));
  return std::clamp(step, 1, lowest);
}

}  // namespace xpusim
