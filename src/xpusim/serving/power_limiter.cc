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

std::optional<Watts> PowerLimiter::step_power(const StepTime& st, Seconds duration) const {
  if (area_ == nullptr) return std::nullopt;
  const double s = fraction(step_);
  const Seconds kernels = st.kernels();
  const DeviceWork work{.gemm_flop = st.gemm_flop,
                        .expert_flop = st.expert_flop,
                        .attention_flop = st.attention_flop,
                        .vector_flop = st.vector_flop,
                        .bytes = st.bytes};
  const Result<PowerReport> busy = estimate_power_at_clock(
      hw_, *area_, boost_equivalent_rates(device_activity(hw_, precision_, work, kernels), s), s);
  ActivityRates none;
  none.clocks_running = true;
  const Result<PowerReport> idle = estimate_power_at_clock(hw_, *area_, none, s);
  if (!busy || !idle) return std::nullopt;  // finite, non-negative rates: not expected
  if (duration.value() <= 0) return busy->total;
  const Seconds on = min(max(kernels, Seconds(0)), duration);
  const Watts idle_w = min(idle->total, busy->total);
  return (busy->total * on + idle_w * (duration - on)) / duration;
}

int sustained_clock_step(const HardwareSpec& hw, const AreaReport& area, ActivityRates rates,
                         int current) {
  const double s = PowerLimiter::fraction(current);
  const SustainedClock c = sustained_clock_for(hw, &area, boost_equivalent_rates(rates, s));
  if (!c.power_limited) return 0;
  const double f = c.clock / c.boost;
  const int lowest = static_cast<int>(std::floor((1.0 - kMinClockFraction) * kClockSteps));
  // Rounded down to a clock step (up in step index): the power there is within the TDP.
  const int step = static_cast<int>(std::ceil((1.0 - f) * kClockSteps - 1e-9));
  return std::clamp(step, 1, lowest);
}

}  // namespace xpusim
