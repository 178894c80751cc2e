// SPDX-License-Identifier: Apache-2.0
// The board power limiter of one serving pool (stage: serving/): the clock its steps run at under
// the TDP, decided from the activity of the steps the pool actually ran (its step mix), the way
// the hardware's power management decides it.
//
// Why a window and not a clock per step: data-centre boards enforce their power limit on the
// power averaged over a window (NVIDIA reports and caps board power averaged over ~1 s -- the
// "power.draw.average" of nvidia-smi; AMD's PPT limit is a moving average of similar length), and
// the die's thermal time constant is seconds. A serving iteration lasts 5-200 ms, so the limiter
// sees the mix of prefill-heavy and decode steps, never one step: a compute-bound prefill step is
// not throttled on its own if the memory-bound decode steps around it keep the window's average
// power under the TDP, and a pool that only decodes is never throttled when decode's power is
// under it. Modelled: the kernels of every step of the pool within a window of kPowerWindow of
// simulated time give the window's activity (work / kernel time, per device: the same convention
// as `run`'s phases, perf/sustained_clock.h); at the end of each window the limiter sets the clock
// for the next one to the sustained clock of that activity (area/power_model.h sustained_clock),
// rounded down to a clock step of 1/kClockSteps of boost (GPU clocks move in 15 MHz steps, ~1% of
// boost; the rounding keeps the few device models the run needs). The first window runs at boost
// (a cold chip boosts until the limiter engages). All devices of a pool share one limiter: they
// run the same step mix (replicas behind one router). Ignored: the busy-idle power of the gaps
// between kernels (counted as kernel activity: conservative), the temperature dependence of
// leakage, and the limiter's own control dynamics (it settles within a window here).
#pragma once

#include <optional>

#include "xpusim/area/power_model.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/perf/sustained_clock.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

inline constexpr Seconds kPowerWindow{1.0};
inline constexpr int kClockSteps = 128;

class PowerLimiter {
 public:
  // `area` null (no process node): no power model. No power model or a spec without a TDP: the
  // clock stays at boost (step_power still answers when there is an area). The pointed-to
  // objects must outlive the limiter.
  PowerLimiter(const HardwareSpec& hw, const PrecisionPlan& precision, const AreaReport* area);

  // The clock step in force: 0 = boost, k = boost x (1 - k / kClockSteps).
  [[nodiscard]] int step() const { return step_; }
  [[nodiscard]] static double fraction(int step) {
    return 1.0 - static_cast<double>(step) / kClockSteps;
  }

  // Counts a step's kernels, run by `devices` devices each doing `st` at the clock in force.
  void record(const StepTime& st, double devices) {
    if (!enabled_) return;
    busy_ += st.kernels() * devices;
    work_.gemm_flop += st.gemm_flop * devices;
    work_.expert_flop += st.expert_flop * devices;
    work_.attention_flop += st.attention_flop * devices;
    work_.vector_flop += st.vector_flop * devices;
    work_.bytes += st.bytes * devices;
  }

  // The mean power of one device over an iteration of `duration` whose kernels, `st` per device,
  // ran at the clock step in force (step()): the power model at the kernels' activity and that
  // clock while they run, the busy-idle baseline (clocks running, no work; at the same clock) for the rest of the
  // iteration (host work), as the run's energy counts busy and idle time
  // (cost/token_economics.h). One iteration, not a window: a prefill-heavy step may draw more
  // than the TDP that the window's average is held to. None without a power model (no area).
  [[nodiscard]] std::optional<Watts> step_power(const StepTime& st, Seconds duration) const;

  // Before a step starting at `now`: when the window begun at the last update is over, sets the
  // clock for the next window from its activity. Inline fast path: one comparison per step.
  void update(Seconds now) {
    if (enabled_ && now - window_start_ >= kPowerWindow) close_window(now);
  }

 private:
  void close_window(Seconds now);

  const HardwareSpec& hw_;
  const PrecisionPlan& precision_;
  const AreaReport* area_;
  bool enabled_ = false;
  int step_ = 0;
  Seconds window_start_{0};
  Seconds busy_{0};  // Σ over devices of kernel time in the window
  DeviceWork work_;  // Σ over devices
};

// The clock step a pool runs at to stay within the TDP for work of `rates` observed at clock step
// `current` (its logic rates follow the clock: rescaled to boost before the solve; DRAM and link
// rates do not): the sustained clock rounded down to a clock step, at most the lowest the solver
// reaches. Boost (0) when the power fits or there is no power model.
int sustained_clock_step(const HardwareSpec& hw, const AreaReport& area, ActivityRates rates,
                         int current);

}  // namespace xpusim
