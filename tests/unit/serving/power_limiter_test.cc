// SPDX-License-Identifier: Apache-2.0
// The serving pools' power limiter (serving/power_limiter.h): lowering the TDP never speeds a
// serving run up nor raises its clock, memory-bound decode is not throttled, compute-bound prefill
// over a low TDP is, the first window runs at boost, and a spec without a power model keeps boost
// (results then equal to the unlimited ones bit for bit).
#include "xpusim/serving/power_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "unit/serving/serving_test_util.h"
#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/serving/serving_system.h"

namespace xpusim {
namespace {

HardwareSpec h100(double tdp_w) {
  HardwareSpec hw = load_hardware("h100-sxm-80gb").value();
  hw.physical.tdp = units::watts(tdp_w);
  return hw;
}

EngineProfile engine(int64_t max_batch) {
  EngineProfile e = testing::test_engine(max_batch);
  // GEMMs at the cuBLAS-class efficiency the gemm rows fit (sglang's matrix_efficiency 1): the
  // prefill-heavy mix then draws what a bare GEMM does (vllm's kernels, 0.65 of it since
  // 2026-12-06, keep B200 under its TDP).
  e.runtime = "sglang";
  return e;
}

ServingResult serve(const HardwareSpec& hw, int64_t n, int64_t in, int64_t out,
                    int64_t max_batch = 256, const RunOptions& options = {}) {
  SystemConfig c;
  c.precision = precision_plan_for(Precision::kBf16);
  c.engine = engine(max_batch);
  auto sys = ServingSystem::create(hw, load_model("llama-3.1-8b").value(), c, default_calibration());
  EXPECT_TRUE(sys.has_value());
  std::vector<RequestSpec> reqs(static_cast<size_t>(n));
  for (auto& r : reqs) {
    r.input_len = in;
    r.output_len = out;
  }
  auto r = (*sys)->run(reqs, ArrivalSpec{}, options);
  EXPECT_TRUE(r.has_value());
  return *r;
}

TEST(PowerLimiter, LoweringTdpNeverSpeedsServeUp) {
  // A prefill-heavy and a decode-heavy offline mix, several seconds of simulated time each.
  for (auto [in, out] : {std::pair<int64_t, int64_t>{2048, 16}, {256, 256}}) {
    double tokens_per_s = 1e300, clock = 1e300;
    for (double tdp : {1500.0, 700.0, 450.0, 300.0, 200.0}) {
      const ServingResult r = serve(h100(tdp), 300, in, out);
      EXPECT_LE(r.output_tokens_per_s.value(), tokens_per_s * (1 + 1e-9)) << in << " tdp " << tdp;
      EXPECT_LE(r.prefill_clock.sustained_clock.value(), clock * (1 + 1e-9)) << in << " " << tdp;
      tokens_per_s = r.output_tokens_per_s.value();
      clock = r.prefill_clock.sustained_clock.value();
    }
  }
}

TEST(PowerLimiter, ComputeBoundPrefillOverALowTdpIsThrottled) {
  const HardwareSpec hw = h100(300);
  const ServingResult r = serve(hw, 600, 2048, 1);  // prompts only: GEMMs at thousands of tokens
  EXPECT_TRUE(r.prefill_clock.power_limited);
  EXPECT_LT(r.prefill_clock.sustained_clock.value(), hw.compute.clock.value());
  // Never below the solver's floor.
  EXPECT_GE(r.prefill_clock.sustained_clock.value(),
            hw.compute.clock.value() * (kMinClockFraction - 1.0 / kClockSteps));
  HardwareSpec unlimited = hw;
  unlimited.physical.tdp = Watts(0);
  EXPECT_LT(r.output_tokens_per_s.value(),
            serve(unlimited, 600, 2048, 1).output_tokens_per_s.value());
}

TEST(PowerLimiter, MemoryBoundDecodeIsNotThrottled) {
  // Short prompts, long outputs, 8 sequences at a time: decode steps stream the weights. MI300X
  // and B200 throttle a prefill-heavy mix at their TDP (below), never this one.
  for (const char* id : {"h100-sxm-80gb", "mi300x", "b200-sxm-180gb"}) {
    const HardwareSpec hw = load_hardware(id).value();
    const ServingResult r = serve(hw, 64, 32, 512, 8);
    EXPECT_FALSE(r.decode_clock.power_limited) << id;
    EXPECT_FALSE(r.prefill_clock.power_limited) << id;
    EXPECT_DOUBLE_EQ(r.decode_clock.sustained_clock.value(), hw.compute.clock.value()) << id;
  }
}

TEST(PowerLimiter, APrefillHeavyMixRunsBelowBoostAtThePresetTdp) {
  for (const char* id : {"mi300x", "b200-sxm-180gb"}) {
    const HardwareSpec hw = load_hardware(id).value();
    const ServingResult r = serve(hw, 600, 2048, 16);
    EXPECT_TRUE(r.prefill_clock.power_limited) << id;
    EXPECT_LT(r.prefill_clock.sustained_clock.value(), hw.compute.clock.value()) << id;
    // Within a few percent of boost: the first window runs at boost, the limiter's steps are
    // 1/128 of it, and the power model puts these parts just over their TDP on dense prefill.
    EXPECT_GT(r.prefill_clock.sustained_clock.value(), 0.8 * hw.compute.clock.value()) << id;
  }
}

TEST(PowerLimiter, WithoutAPowerModelTheRunIsTheUnlimitedOne) {
  // No TDP: the limiter is off, boost throughout; a TDP far above any load gives the same run.
  HardwareSpec none = h100(0);
  none.physical.tdp = Watts(0);
  const ServingResult a = serve(none, 200, 1024, 64);
  const ServingResult b = serve(h100(1e5), 200, 1024, 64);
  EXPECT_EQ(a.duration.value(), b.duration.value());
  EXPECT_EQ(a.counters.steps, b.counters.steps);
  EXPECT_FALSE(a.prefill_clock.power_limited);
  EXPECT_DOUBLE_EQ(a.prefill_clock.sustained_clock.value(), none.compute.clock.value());
}

// The clock of every step (StepRecord::clock, the timeline's clock_ghz): boost through the first
// window, then the limiter's steps of boost / kClockSteps, and the run's kernel-weighted prefill
// clock lies among the clocks its prefill steps ran at.
TEST(PowerLimiter, EachStepRecordsTheClockItRanAt) {
  for (double tdp : {300.0, 1e5}) {
    SCOPED_TRACE(tdp);
    const HardwareSpec hw = h100(tdp);
    const double boost = hw.compute.clock.value();
    std::vector<StepRecord> steps;
    RunOptions options;
    options.on_step = [&](const StepRecord& s) { steps.push_back(s); };
    const ServingResult r = serve(hw, 600, 2048, 1, 256, options);
    ASSERT_EQ(static_cast<int64_t>(steps.size()), r.counters.steps);
    double lo = 1e300, hi = 0;
    for (const StepRecord& s : steps) {
      const double f = s.clock.value() / boost;
      EXPECT_LE(f, 1.0);
      const double k = (1.0 - f) * kClockSteps;  // the limiter's step: a whole number
      EXPECT_NEAR(k, std::round(k), 1e-9);
      if (s.start < kPowerWindow) {
        EXPECT_EQ(s.clock.value(), boost);
      }
      if (s.prefill_tokens > 0) {
        lo = std::min(lo, s.clock.value());
        hi = std::max(hi, s.clock.value());
      }
    }
    EXPECT_GE(r.prefill_clock.sustained_clock.value(), lo * (1 - 1e-12));
    EXPECT_LE(r.prefill_clock.sustained_clock.value(), hi * (1 + 1e-12));
    // Throttled below boost after the first window exactly when the run reports a limit.
    EXPECT_EQ(lo < boost, r.prefill_clock.power_limited);
    EXPECT_EQ(tdp < 1000, r.prefill_clock.power_limited);
  }
}

// The power of every step (StepRecord::power, the timeline's power_w): at the boost clock its
// time-weighted mean over a run without idle gaps is the run's average power (the same power
// model, busy kernels and busy-idle host time, as the energy accounting); under a binding TDP the
// first window may exceed it, every later window of a steady load keeps to it, and a throttled
// step draws less than the same step at boost.
TEST(PowerLimiter, EachStepRecordsThePowerItDrew) {
  {
    const HardwareSpec hw = h100(700);
    std::vector<StepRecord> steps;
    RunOptions options;
    options.on_step = [&](const StepRecord& s) { steps.push_back(s); };
    const ServingResult r = serve(hw, 400, 512, 128, 256, options);  // offline: never idle
    ASSERT_FALSE(r.prefill_clock.power_limited);
    double energy = 0, time = 0;
    for (const StepRecord& s : steps) {
      ASSERT_TRUE(s.power.has_value());
      EXPECT_GT(s.power->value(), 0.0);
      energy += s.power->value() * s.duration.value();
      time += s.duration.value();
    }
    EXPECT_NEAR(time, r.duration.value(), 1e-9 * r.duration.value());
    const auto econ =
        serving_token_economics(hw, precision_plan_for(Precision::kBf16), r.activity, r.duration,
                                static_cast<double>(r.counters.output_tokens));
    ASSERT_TRUE(econ.has_value());
    EXPECT_NEAR(energy / time, econ->average_power.value(), 1e-9 * econ->average_power.value());
  }
  {
    const HardwareSpec hw = h100(300);
    std::vector<StepRecord> steps;
    RunOptions options;
    options.on_step = [&](const StepRecord& s) { steps.push_back(s); };
    const ServingResult r = serve(hw, 600, 2048, 1, 256, options);  // prompts only: steady
    ASSERT_TRUE(r.prefill_clock.power_limited);
    double first = 0;  // the highest step power of the first window (at boost)
    std::vector<std::pair<double, double>> windows;  // Σ power x duration, Σ duration
    for (const StepRecord& s : steps) {
      ASSERT_TRUE(s.power.has_value());
      const auto w = static_cast<size_t>(s.start.value() / kPowerWindow.value());
      if (w == 0) first = std::max(first, s.power->value());
      if (windows.size() <= w) windows.resize(w + 1);
      windows[w].first += s.power->value() * s.duration.value();
      windows[w].second += s.duration.value();
    }
    EXPECT_GT(first, 300.0);  // prompt GEMMs at boost draw more than the cap
    ASSERT_GT(windows.size(), 3u);
    // Whole windows after the first (the last may be partial), at the limiter's clock.
    for (size_t w = 1; w + 1 < windows.size(); ++w)
      EXPECT_LE(windows[w].first / windows[w].second, 300.0 * (1 + 1e-9)) << "window " << w;
  }
}

TEST(PowerLimiter, ClockStepFromObservedRates) {
  const HardwareSpec hw = h100(700);
  const AreaReport area = estimate_area(hw).value();
  // Idle-ish activity: boost. Peak activity: throttled, to a step whose power fits the TDP.
  ActivityRates idle;
  idle.clocks_running = true;
  EXPECT_EQ(sustained_clock_step(hw, area, idle, 0), 0);
  const ActivityRates peak = peak_activity(hw);
  const int step = sustained_clock_step(hw, area, peak, 0);
  ASSERT_GT(step, 0);
  const double f = PowerLimiter::fraction(step);
  EXPECT_LE(estimate_power_at_clock(hw, area, peak, f)->total.value(), 700.0 * (1 + 1e-9));
  // The same work observed at that step (logic rates slowed by the clock) solves to the same step.
  ActivityRates seen = peak;
  for (FlopRate& m : seen.matrix) m = m * f;
  seen.register_file = seen.register_file * f;
  seen.l1 = seen.l1 * f;
  seen.l2 = seen.l2 * f;
  EXPECT_EQ(sustained_clock_step(hw, area, seen, step), step);
}

}  // namespace
}  // namespace xpusim
