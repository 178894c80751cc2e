// SPDX-License-Identifier: Apache-2.0
// DeviceModel: the op graph of a step (workload/graph_builder build_step) evaluated op by op with
// the operator models (op_model, gemm_model, collective_model). Every op depends on one count of
// the step (Op::scaling): the token-wise ops on the step's query tokens, the MLA projections on
// the prefill or decode rows, the LM head and sampling on the sampled rows. Those are evaluated
// once per count and memoised; the two attention calls depend on sums of the shape (pairs, keys)
// and are evaluated per step. The result is identical to evaluating the whole graph (evaluate()).
#include "xpusim/perf/step_model.h"

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/op_model.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

// A shape whose `scaling` ops run at `count`: decode rows drive the token, decode-row and
// sampled-row classes; one uncached prefill chunk drives the prefill-row class.
StepShape probe_shape(OpScaling scaling, int64_t count, int window) {
  StepShape s;
  if (scaling == OpScaling::kPrefillTokens) add_prefill_chunk(s, count, 0, false, window);
  else add_decode(s, 1, window, count);
  return s;
}

// Adds one op's `n` executions to `t` (and to the breakdown when given).
void accumulate(const HardwareSpec& hw, const Op& op, const PerfCalibration& cal, double n,
                bool in_layers, const std::string& layer, StepTime& t, PhaseBreakdown* out) {
  const OpResult r = predict_op(hw, op, cal);
  const Seconds time = r.time * n;
  (in_layers ? t.layers : t.other) += time;
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kRouter: t.gemm_flop += r.flop * n; break;
    case OpKind::kAttention:
      t.attention_flop += r.flop * n;
      t.attention += time;
      break;
    default: t.vector_flop += r.flop * n; break;
  }
  t.bytes += r.bytes * n;
  if (!out) return;
  OpBreakdown b;
  b.name = op.name;
  b.layer = layer;
  b.kind = op.kind;
  b.count = n;
  b.time = time;
  b.flop = r.flop * n;
  b.bytes = r.bytes * n;
  b.bound = r.bound;
  b.utilization = r.utilization;
  out->total += b.time;
  out->flop += b.flop;
  out->bytes += b.bytes;
  out->ops.push_back(std::move(b));
}

}  // namespace

StepTime& StepTime::operator+=(const StepTime& o) {
  layers += o.layers;
  other += o.other;
  attention += o.attention;
  gemm_flop += o.gemm_flop;
  attention_flop += o.attention_flop;
  vector_flop += o.vector_flop;
  bytes += o.bytes;
  return *this;
}

Result<DeviceModel> DeviceModel::create(const HardwareSpec& hw, const ModelSpec& model,
                                        const ParallelismPlan& plan,
                                        const PrecisionPlan& precision, const PerfCalibration& cal) {
  if (auto ok = check_plan(model, plan); !ok) return tl::unexpected(ok.error());
  return DeviceModel(hw, model, plan, precision, cal);
}

DeviceModel::DeviceModel(const HardwareSpec& hw, const ModelSpec& model,
                         const ParallelismPlan& plan, const PrecisionPlan& precision,
                         const PerfCalibration& cal)
    : hw_(hw), model_(model), plan_(plan), precision_(precision), cal_(cal) {
  // A shape with every part present tells which op classes exist and how many attention calls a
  // stage makes; the plan's collectives (group sizes do not depend on the shape) are checked here.
  StepShape all;
  add_prefill_chunk(all, 1, 1, true, model_.sliding_window);
  add_decode(all, 2, model_.sliding_window);
  const Result<OpGraph> built = build_step(model_, plan_, precision_, all);
  XPUSIM_CHECK(built.has_value(), "the probe step of a checked plan builds");
  const OpGraph& g = *built;
  auto note = [&](const Op& op) {
    switch (op.scaling) {
      case OpScaling::kTokens: tokens_.present = true; break;
      case OpScaling::kPrefillTokens: prefill_tokens_.present = true; break;
      case OpScaling::kDecodeTokens: decode_tokens_.present = true; break;
      case OpScaling::kSampledRows: sampled_rows_.present = true; break;
      case OpScaling::kPrefillAttention: break;
      case OpScaling::kDecodeAttention: break;
    }
    if ((op.kind == OpKind::kCollective || op.kind == OpKind::kP2p) && feasibility_.feasible()) {
      const Result<CollectiveResult> c =
          predict_collective(hw_, op.collective, op.collective_bytes, op.group, cal_);
      XPUSIM_CHECK(c.has_value(), "the graph's collectives have a group >= 1 and bytes >= 0");
      if (!c->feasibility.feasible())
        feasibility_.mark(InfeasibleReason::kNetwork,
                          fmt::format("a {}-device {} needs a network tier {} does not have",
                                      op.group, to_string(op.collective), hw_.id));
    }
  };
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops) {
      note(op);
      if (op.scaling == OpScaling::kDecodeAttention) attention_repeat_ += lg.repeat * op.count;
    }
  for (const Op& op : g.other_ops) note(op);
}

StepTime DeviceModel::evaluate_class(OpScaling scaling, int64_t count) const {
  const Result<OpGraph> built =
      build_step(model_, plan_, precision_, probe_shape(scaling, count, model_.sliding_window));
  XPUSIM_CHECK(built.has_value(), "a probe of a checked step's count builds");
  const OpGraph& g = *built;
  StepTime t;
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops)
      if (op.scaling == scaling) accumulate(hw_, op, cal_, lg.repeat * op.count, true, "", t, nullptr);
  for (const Op& op : g.other_ops)
    if (op.scaling == scaling) accumulate(hw_, op, cal_, op.count, false, "", t, nullptr);
  return t;
}

const StepTime& DeviceModel::lookup(Memo& memo, OpScaling scaling, int64_t count,
                                    StepTime& scratch) {
  if (count >= kMemoLimit) {
    scratch = evaluate_class(scaling, count);
    return scratch;
  }
  const auto i = static_cast<size_t>(count);
  if (memo.entries.size() <= i) memo.entries.resize(std::max(i + 1, 2 * memo.entries.size()));
  Entry& e = memo.entries[i];
  if (!e.done) {
    e.t = evaluate_class(scaling, count);
    e.done = true;
  }
  return e.t;
}

StepTime DeviceModel::attention(const StepShape& shape, bool decode) const {
  const Result<Op> op = build_attention(model_, plan_, precision_, shape, decode);
  XPUSIM_CHECK(op.has_value(), "the attention of a checked step builds");
  StepTime t;
  accumulate(hw_, *op, cal_, attention_repeat_, true, "", t, nullptr);
  return t;
}

Result<StepTime> DeviceModel::step(const StepShape& shape) {
  if (auto ok = check_step_shape(shape); !ok) return tl::unexpected(ok.error());
  StepTime t;
  StepTime scratch;
  t += lookup(tokens_, OpScaling::kTokens, shape.tokens(), scratch);
  if (shape.prefill_tokens > 0) {
    if (prefill_tokens_.present)
      t += lookup(prefill_tokens_, OpScaling::kPrefillTokens,
                  shape.prefill_tokens + static_cast<int64_t>(shape.prefill_cached_keys), scratch);
    t += attention(shape, false);
  }
  if (shape.decode_tokens > 0) {
    if (decode_tokens_.present)
      t += lookup(decode_tokens_, OpScaling::kDecodeTokens, shape.decode_tokens, scratch);
    t += attention(shape, true);
  }
  if (shape.sampled_rows > 0 && sampled_rows_.present)
    t += lookup(sampled_rows_, OpScaling::kSampledRows, shape.sampled_rows, scratch);
  return t;
}

Result<StepTime> DeviceModel::evaluate(const StepShape& shape, PhaseBreakdown* breakdown) const {
  const Result<OpGraph> built = build_step(model_, plan_, precision_, shape);
  if (!built) return tl::unexpected(built.error());
  const OpGraph& g = *built;
  StepTime t;
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops)
      accumulate(hw_, op, cal_, lg.repeat * op.count, true, lg.name, t, breakdown);
  for (const Op& op : g.other_ops) accumulate(hw_, op, cal_, op.count, false, "", t, breakdown);
  return t;
}

Result<Seconds> DeviceModel::decode_attention(int64_t rows, double keys, int64_t max_keys) const {
  if (rows < 1 || rows > kMaxStepTokens || max_keys < 1 || max_keys > kMaxStepTokens ||
      !(keys >= static_cast<double>(rows)) ||
      !(keys <= static_cast<double>(rows) * static_cast<double>(max_keys)))
    return fail(Diagnostic{
        .path = "decode_attention",
        .message = fmt::format("needs 1 <= rows <= 2^40, 1 <= max_keys <= 2^40 and rows <= keys "
                               "<= rows x max_keys, got rows {}, keys {}, max_keys {}",
                               rows, keys, max_keys)});
  StepShape s;
  s.decode_tokens = rows;
  s.decode_keys = keys;
  s.decode_max_keys = max_keys;
  s.sampled_rows = rows;
  return attention(s, true).layers;
}

}  // namespace xpusim
