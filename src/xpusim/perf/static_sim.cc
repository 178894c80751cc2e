// SPDX-License-Identifier: Apache-2.0
// Static batching (TensorRT-LLM gptSessionBenchmark / vLLM benchmark_latency) on the step model:
// one prefill step of the whole batch, then output_len - 1 decode steps with the context growing
// by one token per step. Pipeline parallelism: GPipe schedule, a prefill of m microbatches over p
// stages takes (p + m - 1) stage times (Huang et al. 2019, arXiv:1811.06965); decode runs the
// microbatches round-robin without a flush per token (max(m, p) stage times per token). A stage
// time is the slowest stage's (stages hold ceil(layers / p) layers at most, step_model.h), not
// the mean stage's; the first microbatch crosses every stage (StepTime::crossing). Decode
// weight GEMMs and collectives do not depend on the context, so they are evaluated once; the
// attention time over all steps is summed in closed form by exact piecewise-linear summation (its
// cost is a max of terms affine in the context). Ignored: prefill/decode overlap (in-flight
// batching, the serving simulator's job), early-finishing requests.
#include "xpusim/perf/static_sim.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/perf/sustained_clock.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

// `stage` is the slowest stage's layer time and `crossing` the layer time of all stages in
// sequence (StepTime::crossing; = pp x stage when the stages are equal).
// Prefill across the pipeline: the first microbatch crosses every stage, each later one leaves
// the slowest stage one stage time after the previous (GPipe fill and drain), plus the non-layer
// ops of each microbatch.
Seconds prefill_latency(Seconds stage, Seconds crossing, Seconds other,
                        const ParallelismPlan& plan) {
  const double m = std::max(1, plan.microbatches);
  return crossing + stage * (m - 1.0) + other * m;
}

// One decode token of every microbatch in steady state (no flush between tokens): the slowest
// stage serves the m microbatches in turn, and one microbatch needs `crossing` to come round.
Seconds decode_cycle(Seconds stage, Seconds crossing, Seconds other, const ParallelismPlan& plan) {
  const double m = std::max(1, plan.microbatches);
  return max(stage * m, crossing) + other * m;
}

// Decode attention of one layer for `batch` rows at context c (window-capped keys). The scenario
// was checked (check_static_scenario), so every shape it forms is valid.
class AttentionCurve {
 public:
  AttentionCurve(const DeviceModel& device, int64_t batch) : device_(device), batch_(batch) {}
  Seconds at(int64_t c) const {
    const StepShape s = decode_shape(device_.model(), batch_, c);
    const Result<Seconds> t = device_.decode_attention(s.decode_tokens, s.decode_keys,
                                                       s.decode_max_keys);
    XPUSIM_CHECK(t.has_value(), "a checked scenario's decode rows are valid");
    return *t;
  }
  // Sum of at(c) for c in [a, b]: bisection until the midpoint lies on the chord (for a convex
  // piecewise-linear function that proves linearity on the interval, so the chord sum is exact).
  // Local layers bend the keys as a function of c: chunked attention makes them a sawtooth
  // (they fall back at each chunk's first token), where three points of equal phase lie on a
  // line whatever the teeth between them; a sliding window bends them at the window. So the sum
  // runs over the pieces where the keys are affine in c: each chunk's contexts (k x chunk + 1 ..
  // (k + 1) x chunk), or the contexts up to the window and beyond it.
  Seconds sum(int64_t a, int64_t b) const {
    if (b < a) return Seconds(0);
    const AttentionSpan span = attention_span(device_.model());
    Seconds total(0);
    for (int64_t lo = a; lo <= b;) {
      int64_t hi = b;  // the last context of lo's affine piece, at most b
      if (span.window > 0 && lo <= span.window)
        hi = std::min<int64_t>(b, span.window);
      else if (span.window <= 0 && span.chunk > 0)
        hi = std::min(b, ((lo - 1) / span.chunk + 1) * span.chunk);
      total += sum(lo, hi, at(lo), at(hi), 0);
      lo = hi + 1;
    }
    return total;
  }

 private:
  Seconds sum(int64_t a, int64_t b, Seconds fa, Seconds fb, int depth) const {
    const int64_t n = b - a + 1;
    if (n == 1) return fa;
    if (n == 2) return fa + fb;
    const int64_t mid = a + (b - a) / 2;
    const Seconds fm = at(mid);
    const double w = static_cast<double>(mid - a) / static_cast<double>(b - a);
    const Seconds chord = fa + (fb - fa) * w;
    const double tol = 1e-9 * std::max(std::abs(fm.value()), 1e-15);
    if (std::abs((fm - chord).value()) <= tol || depth > 48)
      return (fa + fb) * (0.5 * static_cast<double>(n));
    return sum(a, mid, fa, fm, depth + 1) + sum(mid + 1, b, at(mid + 1), fb, depth + 1);
  }

  const DeviceModel& device_;
  int64_t batch_;
};

// Unwraps a step of the checked scenario (its shapes are valid by construction).
StepTime checked_step(const Result<StepTime>& t) {
  XPUSIM_CHECK(t.has_value(), "a checked scenario's steps are valid shapes");
  return *t;
}

// The first infeasibility of the scenario on `device`: the memory, then the network. The model's
// context window is not one: engines are built for longer sequences than the checkpoint's
// max_position_embeddings (TensorRT-LLM max_seq_len; the measured TRT-LLM v0.9 rows run GPT-J-6B,
// a 2048-token model, at 4096 tokens).
Feasibility scenario_feasibility(const DeviceModel& device, const MemoryFootprint& memory) {
  Feasibility f;
  if (!memory.fits) f.mark(InfeasibleReason::kMemory, memory.reason);
  if (!device.feasibility().feasible())
    f.mark(*device.feasibility().reason, device.feasibility().detail);
  return f;
}

}  // namespace

Result<void> check_static_scenario(const ModelSpec& model, const StaticScenario& sc) {
  if (auto ok = check_plan(model, sc.plan); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_batch_lengths(sc.batch, sc.input_len, sc.output_len); !ok)
    return tl::unexpected(ok.error());
  const int per_replica = sc.plan.devices_per_replica();
  if (sc.devices < per_replica || sc.devices % per_replica != 0)
    return fail(Diagnostic{.path = "devices",
                           .message = fmt::format("{} devices is not a multiple of tp x pp = {}",
                                                  sc.devices, per_replica)});
  if (sc.plan.microbatches > sc.batch)
    return fail(Diagnostic{.path = "microbatches",
                           .message = fmt::format("{} microbatches for a batch of {}: each "
                                                  "microbatch needs at least one request",
                                                  sc.plan.microbatches, sc.batch)});
  return {};
}

Result<StaticResult> simulate_static(DeviceModel& device, const StaticScenario& sc) {
  if (auto ok = check_static_scenario(device.model(), sc); !ok) return tl::unexpected(ok.error());
  if (!(sc.plan == device.plan()) || !(sc.precision == device.precision()))
    return fail(Diagnostic{.path = "plan",
                           .message = "the scenario's plan and precision must be the device "
                                      "model's"});
  const ModelSpec& model = device.model();
  const PerfCalibration& cal = device.calibration();
  StaticResult r;
  r.replicas = sc.devices / sc.plan.devices_per_replica();
  const Result<MemoryFootprint> memory =
      memory_footprint(device.hardware(), model, sc.plan, sc.precision, sc.batch, sc.input_len,
                       sc.output_len, cal);
  if (!memory) return tl::unexpected(memory.error());
  r.memory = *memory;
  r.feasibility = scenario_feasibility(device, r.memory);
  if (!r.feasibility.feasible()) return r;
  const int mb = std::max(1, sc.plan.microbatches);
  const int64_t mbatch = (sc.batch + mb - 1) / mb;

  // Each phase at its sustained clock: evaluated at boost, and, when the phase's power there
  // exceeds the TDP, on a device model at each clock the solver tries (perf/sustained_clock.h);
  // the probe at the clock it accepts is kept (in `slow`). Returns the step and the device model
  // that evaluated it; `phase` holds its breakdown.
  std::optional<DeviceModel> slow;
  const HardwareSpec& hw = device.hardware();
  // The power model's area, estimated once for both phases (none without a TDP or a node).
  std::optional<AreaReport> area;
  if (hw.physical.tdp.value() > 0)
    if (auto a = estimate_area(hw)) area = std::move(*a);
  struct Probe {
    double fraction;  // of the boost clock
    DeviceModel model;
    PhaseBreakdown phase;
    StepTime step;
  };
  auto at_sustained_clock = [&](const StepShape& shape, PhaseBreakdown& phase, PhaseClock& clock) {
    StepTime t = checked_step(device.evaluate(shape, &phase));
    const ActivityRates at_boost =
        device_activity(hw, sc.precision, phase_work(phase), phase.total);
    std::vector<Probe> probes;
    const SustainedClock c = sustained_clock_for(hw, area ? &*area : nullptr, [&](double s) {
      if (s == 1.0) return at_boost;
      Result<DeviceModel> at = DeviceModel::create(at_clock(hw, hw.compute.clock * s), model,
                                                   sc.plan, sc.precision, cal);
      XPUSIM_CHECK(at.has_value(), "a device model at a lower clock builds as at boost");
      Probe& p = probes.emplace_back(Probe{s, std::move(*at), {}, {}});
      p.step = checked_step(p.model.evaluate(shape, &p.phase));
      return device_activity(hw, sc.precision, phase_work(p.phase), p.phase.total);
    });
    clock = PhaseClock{c.clock, c.power_limited};
    if (!c.power_limited) return std::pair<StepTime, const DeviceModel*>(t, &device);
    const auto kept = std::find_if(probes.begin(), probes.end(),
                                   [&](const Probe& p) { return p.fraction == c.fraction; });
    XPUSIM_CHECK(kept != probes.end(), "the accepted clock is one the solver evaluated");
    slow.emplace(std::move(kept->model));
    phase = std::move(kept->phase);
    return std::pair<StepTime, const DeviceModel*>(kept->step, &*slow);
  };

  // Prefill: one step of `mbatch` prompts per microbatch.
  const StepTime pt =
      at_sustained_clock(prefill_shape(model, mbatch, sc.input_len), r.prefill, r.prefill_clock)
          .first;
  r.ttft = prefill_latency(pt.layers, pt.crossing, pt.other, sc.plan) + cal.request_overhead;

  // Decode: the breakdown at the mean context; context-free ops taken from it.
  const int64_t first = sc.input_len + 1;
  const int64_t last = sc.input_len + sc.output_len - 1;  // context of the last decode step
  const int64_t rep = sc.input_len + std::max<int64_t>(1, sc.output_len / 2);
  const auto [dt, decoder] =
      at_sustained_clock(decode_shape(model, mbatch, rep), r.decode, r.decode_clock);
  // The context-dependent attention per layer, averaged over the decode steps; every layer, on
  // any stage, runs the same attention.
  const Seconds fixed_layers = dt.layers - dt.attention;
  const Seconds fixed_crossing = dt.crossing - dt.attention / dt.stage_layers * model.layers;
  AttentionCurve curve(*decoder, mbatch);
  const int64_t steps = std::max<int64_t>(0, last - first + 1);
  const Seconds mean_attention = steps > 0 ? curve.sum(first, last) / static_cast<double>(steps)
                                           : curve.at(first);
  const Seconds stage = fixed_layers + mean_attention * dt.stage_layers;
  const Seconds crossing = fixed_crossing + mean_attention * model.layers;
  // The decode step's host work (calibration.h iteration_time): the runtime's per-step cost,
  // serial, and its per-sequence output processing, overlapped with the device where the profile
  // says output_overlap (vLLM >= 0.6): serial + max(device, output), else the sum.
  r.tpot = iteration_time(decode_cycle(stage, crossing, dt.other, sc.plan),
                          IterationHost{.step = dispatch_cost(hw, cal.step_overhead),
                                        .output = cal.sequence_overhead *
                                                  static_cast<double>(sc.batch) /
                                                  static_cast<double>(sc.plan.host_schedulers())},
                          host_overlap(cal));
  r.e2e_latency = r.ttft + r.tpot * static_cast<double>(steps);
  r.output_tokens_per_s = static_cast<double>(r.replicas) * static_cast<double>(sc.batch) *
                          static_cast<double>(sc.output_len) / r.e2e_latency;
  return r;
}

Result<StaticResult> simulate_static(const HardwareSpec& hw, const ModelSpec& model,
                                     const StaticScenario& sc, const PerfCalibration& cal) {
  if (auto ok = check_static_scenario(model, sc); !ok) return tl::unexpected(ok.error());
  Result<DeviceModel> device = DeviceModel::create(hw, model, sc.plan, sc.precision, cal);
  if (!device) return tl::unexpected(device.error());
  return simulate_static(*device, sc);
}

Result<std::optional<ParallelismPlan>> smallest_feasible_plan(const HardwareSpec& hw,
                                                              const ModelSpec& model,
                                                              const StaticScenario& sc,
                                                              const PerfCalibration& cal) {
  if (auto ok = check_static_scenario(model, sc); !ok) return tl::unexpected(ok.error());
  // Candidates: the scenario's pp with the smallest tp first; then any pp, in order of devices per
  // replica, then fewer stages.
  std::vector<ParallelismPlan> candidates;
  for (int tp = 1; tp <= model.heads; ++tp) {
    for (int pp = 1; pp <= model.layers; ++pp) {
      ParallelismPlan p = sc.plan;
      p.tp = tp;
      p.pp = pp;
      if (check_plan(model, p)) candidates.push_back(p);
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const ParallelismPlan& a, const ParallelismPlan& b) {
                     if ((a.pp == sc.plan.pp) != (b.pp == sc.plan.pp)) return a.pp == sc.plan.pp;
                     if (a.devices_per_replica() != b.devices_per_replica())
                       return a.devices_per_replica() < b.devices_per_replica();
                     return a.pp < b.pp;
                   });
  for (const ParallelismPlan& p : candidates) {
    const Result<MemoryFootprint> m = memory_footprint(hw, model, p, sc.precision, sc.batch,
                                                       sc.input_len, sc.output_len, cal);
    if (!m || !m->fits) continue;
    const Result<DeviceModel> device = DeviceModel::create(hw, model, p, sc.precision, cal);
    if (device && device->feasibility().feasible()) return std::optional<ParallelismPlan>(p);
  }
  return std::optional<ParallelismPlan>();
}

}  // namespace xpusim
