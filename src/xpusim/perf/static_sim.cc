// SPDX-License-Identifier: Apache-2.0
// Static batching (TensorRT-LLM gptSessionBenchmark / vLLM benchmark_latency): one prefill of the
// whole batch, then output_len - 1 decode steps with the context growing by one token per step.
// Pipeline parallelism: GPipe schedule, a prefill of m microbatches over p stages takes (p + m - 1)
// stage times (Huang et al. 2019, arXiv:1811.06965); decode runs the microbatches round-robin
// without a flush per token (max(m, p) stage times per token). Decode weight GEMMs and collectives do not
// depend on the context, so they are evaluated once; the attention time over all steps is summed
// in closed form by exact piecewise-linear summation (its cost is a max of terms affine in the
// context). Ignored: prefill/decode overlap (in-flight batching), early-finishing requests.
#include "xpusim/perf/static_sim.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/op_model.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

struct GraphTime {
  Seconds stage_layers;     // layer ops of one stage (one device)
  Seconds other;            // non-layer ops
  Seconds attention;        // the attention part of stage_layers
  bool feasible = true;
  std::string reason;
};

GraphTime evaluate(const HardwareSpec& hw, const OpGraph& g, const PerfCalibration& cal,
                   PhaseBreakdown* out) {
  GraphTime t;
  auto add = [&](const Op& op, const std::string& layer, double repeat, Seconds& sum) {
    OpResult r = predict_op(hw, op, cal);
    double n = repeat * op.count;
    sum += r.time * n;
    if (op.kind == OpKind::kAttention) t.attention += r.time * n;
    if (op.kind == OpKind::kCollective || op.kind == OpKind::kP2p) {
      CollectiveResult c = predict_collective(hw, op.collective, op.collective_bytes, op.group, cal);
      if (!c.feasible && t.feasible) {
        t.feasible = false;
        t.reason = fmt::format("a {}-device {} needs a network tier this hardware does not have",
                               op.group, to_string(op.collective));
      }
    }
    if (out) {
      OpBreakdown b;
      b.name = op.name;
      b.layer = layer;
      b.kind = op.kind;
      b.count = n;
      b.time = r.time * n;
      b.flop = r.flop * n;
      b.bytes = r.bytes * n;
      b.bound = r.bound;
      b.utilization = r.utilization;
      out->total += b.time;
      out->flop += b.flop;
      out->bytes += b.bytes;
      out->ops.push_back(std::move(b));
    }
  };
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops) add(op, lg.name, lg.repeat, t.stage_layers);
  for (const Op& op : g.other_ops) add(op, "", 1.0, t.other);
  return t;
}

// Prefill across the pipeline: (pp + m - 1) stage times plus the non-layer ops of each microbatch
// (GPipe fill and drain).
Seconds prefill_latency(Seconds stage_layers, Seconds other, const ParallelismPlan& plan) {
  const double m = std::max(1, plan.microbatches);
  return stage_layers * (plan.pp + m - 1.0) + other * m;
}

// One decode token of every microbatch in steady state (no flush between tokens): each stage
// serves the m microbatches in turn, and one microbatch needs pp stage times to come round, so a
// cycle is max(m, pp) stage times.
Seconds decode_cycle(Seconds stage_layers, Seconds other, const ParallelismPlan& plan) {
  const double m = std::max(1, plan.microbatches);
  return stage_layers * std::max(m, static_cast<double>(plan.pp)) + other * m;
}

// Decode attention of one stage at context `c` (the graph's attention ops rescaled: their FLOP,
// exp count and KV reads are proportional to the keys attended).
class AttentionCurve {
 public:
  AttentionCurve(const HardwareSpec& hw, const OpGraph& g, const PerfCalibration& cal)
      : hw_(hw), cal_(cal) {
    for (const LayerGroup& lg : g.layers)
      for (const Op& op : lg.ops)
        if (op.kind == OpKind::kAttention) {
          Scaled s{op, lg.repeat * op.count, keys(op, g.context)};
          s.op.name.clear();  // at() copies the op per evaluation; the name plays no part
          ops_.push_back(std::move(s));
        }
  }
  Seconds at(int64_t c) const {
    Seconds sum;
    for (const Scaled& a : ops_) {
      Op o = a.op;
      const double s = keys(o, c) / a.keys_ref;
      o.attention.kv_len = c;
      o.flop = o.flop * s;
      o.special_ops *= s;
      o.kv_read = o.kv_read * s;
      sum += predict_op(hw_, o, cal_).time * a.n;
    }
    return sum;
  }
  // Sum of at(c) for c in [a, b]: bisection until the midpoint lies on the chord (for a convex
  // piecewise-linear function that proves linearity on the interval, so the chord sum is exact).
  Seconds sum(int64_t a, int64_t b) const {
    if (b < a) return Seconds(0);
    return sum(a, b, at(a), at(b), 0);
  }

 private:
  static double keys(const Op& o, int64_t c) {
    double k = static_cast<double>(c);
    return o.attention.window > 0 ? std::min(k, static_cast<double>(o.attention.window)) : k;
  }
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

  const HardwareSpec& hw_;
  const PerfCalibration& cal_;
  struct Scaled {
    Op op;            // the attention op at the graph's context
    double n;         // executions per stage step
    double keys_ref;  // keys it attends at that context
  };
  std::vector<Scaled> ops_;
};

}  // namespace

StaticResult simulate_static(const HardwareSpec& hw, const ModelSpec& model,
                             const StaticScenario& sc, const PerfCalibration& cal) {
  XPUSIM_CHECK(sc.batch >= 1 && sc.input_len >= 1 && sc.output_len >= 1, "invalid scenario");
  XPUSIM_CHECK(sc.devices >= sc.plan.devices_per_replica() &&
                   sc.devices % sc.plan.devices_per_replica() == 0,
               "devices must be a multiple of tp * pp");
  StaticResult r;
  r.replicas = sc.devices / sc.plan.devices_per_replica();
  r.memory = memory_footprint(hw, model, sc.plan, sc.precision, sc.batch, sc.input_len,
                              sc.output_len, cal);
  const int mb = std::max(1, sc.plan.microbatches);
  const int64_t mbatch = (sc.batch + mb - 1) / mb;

  // Prefill.
  OpGraph prefill = build_prefill(model, sc.plan, sc.precision, mbatch, sc.input_len);
  GraphTime pt = evaluate(hw, prefill, cal, &r.prefill);
  r.ttft = prefill_latency(pt.stage_layers, pt.other, sc.plan) + cal.request_overhead;

  // Decode: the breakdown at the mean context; context-free ops taken from it.
  const int64_t first = sc.input_len + 1;
  const int64_t last = sc.input_len + sc.output_len - 1;  // context of the last decode step
  const int64_t rep = sc.input_len + std::max<int64_t>(1, sc.output_len / 2);
  OpGraph decode = build_decode_step(model, sc.plan, sc.precision, mbatch, rep);
  GraphTime dt = evaluate(hw, decode, cal, &r.decode);
  const Seconds fixed_layers = dt.stage_layers - dt.attention;
  AttentionCurve curve(hw, decode, cal);
  const int64_t steps = std::max<int64_t>(0, last - first + 1);
  Seconds mean_attention = steps > 0 ? curve.sum(first, last) / static_cast<double>(steps)
                                     : curve.at(first);
  r.tpot = decode_cycle(fixed_layers + mean_attention, dt.other, sc.plan) + cal.step_overhead;
  r.e2e_latency = r.ttft + r.tpot * static_cast<double>(steps);
  r.output_tokens_per_s = static_cast<double>(r.replicas) * static_cast<double>(sc.batch) *
                          static_cast<double>(sc.output_len) / r.e2e_latency;

  r.feasible = r.memory.fits && pt.feasible && dt.feasible;
  if (!r.memory.fits) r.infeasible_reason = r.memory.reason;
  else if (!pt.feasible) r.infeasible_reason = pt.reason;
  else if (!dt.feasible) r.infeasible_reason = dt.reason;
  return r;
}

}  // namespace xpusim
