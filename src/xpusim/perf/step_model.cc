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
#include "xpusim/config/model_params.h"
#include "xpusim/perf/collective_model.h"
#include "xpusim/perf/op_model.h"
#include "xpusim/workload/graph_builder.h"

namespace xpusim {
namespace {

// A shape whose `scaling` ops run at `count`: decode rows drive the token, decode-row and
// sampled-row classes; one uncached prefill chunk drives the prefill-row class and the busiest
// attention-DP rank's tokens (a chunk runs whole on one rank: attention_dp_rank_shape).
StepShape probe_shape(OpScaling scaling, int64_t count, const AttentionSpan& span) {
  StepShape s;
  if (scaling == OpScaling::kPrefillTokens || scaling == OpScaling::kRankTokens)
    add_prefill_chunk(s, count, 0, false, span);
  else
    add_decode(s, 1, span, count);
  return s;
}

// One execution of `op`.
OpWork work_of(const OpResult& r, const Op& op) {
  OpWork w;
  w.time = r.time;
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kRouter:
      (op.grouped ? w.expert_flop : w.gemm_flop) = r.flop;
      break;
    case OpKind::kAttention:
      w.attention_flop = r.flop;
      w.attention = r.time;
      break;
    default:
      w.vector_flop = r.flop;
      break;
  }
  w.bytes = r.bytes;
  return w;
}

// Adds `n` executions of `op`, predicted as `r`, to `w` (and to the breakdown when given).
void accumulate(const OpResult& r, const Op& op, double n, const std::string& layer, OpWork& w,
                PhaseBreakdown* out) {
  w += work_of(r, op).times(n);
  if (!out) return;
  OpBreakdown b;
  b.name = op.name;
  b.layer = layer;
  b.kind = op.kind;
  b.grouped = op.grouped;
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

size_t kind_index(const LayerGroup& lg) { return lg.name == "moe" ? 1 : 0; }

}  // namespace

OpWork& OpWork::operator+=(const OpWork& o) {
  time += o.time;
  attention += o.attention;
  gemm_flop += o.gemm_flop;
  expert_flop += o.expert_flop;
  attention_flop += o.attention_flop;
  vector_flop += o.vector_flop;
  bytes += o.bytes;
  return *this;
}

OpWork OpWork::times(double n) const {
  OpWork w;
  w.time = time * n;
  w.attention = attention * n;
  w.gemm_flop = gemm_flop * n;
  w.expert_flop = expert_flop * n;
  w.attention_flop = attention_flop * n;
  w.vector_flop = vector_flop * n;
  w.bytes = bytes * n;
  return w;
}

DeviceModel::Parts& DeviceModel::Parts::operator+=(const Parts& o) {
  layer[0] += o.layer[0];
  layer[1] += o.layer[1];
  other += o.other;
  return *this;
}

const StageLayers& DeviceModel::slowest(const Parts& p) const {
  // Ties go to the first such stage; every stage holds at least one layer (pp <= layers).
  const StageLayers* best = &stages_.front();
  Seconds best_time(-1);
  for (const StageLayers& st : stages_) {
    const Seconds t = p.layer[0].time * st.dense + p.layer[1].time * st.moe;
    if (t > best_time) {
      best_time = t;
      best = &st;
    }
  }
  return *best;
}

StepTime DeviceModel::finish(const Parts& p) const {
  const StageLayers& st = slowest(p);
  OpWork stage = p.layer[0].times(st.dense);
  stage += p.layer[1].times(st.moe);
  StepTime t;
  t.layers = stage.time;
  t.stage_layers = st.total();
  t.attention = stage.attention;
  t.other = p.other.time;
  t.crossing = p.layer[0].time * all_layers_.dense + p.layer[1].time * all_layers_.moe;
  t.gemm_flop = stage.gemm_flop + p.other.gemm_flop;
  t.expert_flop = stage.expert_flop + p.other.expert_flop;
  t.attention_flop = stage.attention_flop + p.other.attention_flop;
  t.vector_flop = stage.vector_flop + p.other.vector_flop;
  t.bytes = stage.bytes;
  t.bytes += p.other.bytes;
  return t;
}

namespace {

// One set of formats (a plan without expert formats of its own) as the hardware executes it.
PrecisionPlan executed_formats(const HardwareSpec& hw, const PrecisionPlan& requested) {
  const Precision math = requested.math();
  if (bytes_per_element(math).value() >= 2.0 || execution_precision(hw, math) == math)
    return requested;
  auto has = [&](Precision p) { return hw.compute.matrix.macs_per_cycle[index_of(p)] > 0; };
  PrecisionPlan p = requested;
  p.activations = has(Precision::kBf16)   ? Precision::kBf16
                  : has(Precision::kFp16) ? Precision::kFp16
                                          : execution_precision(hw, Precision::kBf16);
  return p;
}

// The plan without its expert formats: the formats of everything but the routed experts.
PrecisionPlan without_experts(PrecisionPlan p) {
  p.expert_weights.reset();
  p.expert_activations.reset();
  return p;
}

// The fallback note of one set of formats (a plan without expert formats).
std::optional<std::string> formats_note(const HardwareSpec& hw, const PrecisionPlan& requested) {
  const Precision math = requested.math();
  const PrecisionPlan run = executed_formats(hw, requested);
  const Precision exec = execution_precision(hw, run.math());
  if (exec == math) return std::nullopt;
  std::string note = fmt::format("{} GEMMs run as {} on {} (no {} matrix engine)", to_string(math),
                                 to_string(exec), hw.id, to_string(math));
  if (run.activations != requested.activations)
    note += fmt::format(": weight-only, {} weights dequantised to {}, {} activations",
                        to_string(run.weights), to_string(exec), to_string(run.activations));
  return note;
}

}  // namespace

PrecisionPlan executed_precision_plan(const HardwareSpec& hw, const PrecisionPlan& requested) {
  const PrecisionPlan run = executed_formats(hw, without_experts(requested));
  if (!requested.mixed()) return run;
  const PrecisionPlan experts = executed_formats(hw, requested.experts());
  return with_expert_formats(run, experts.weights, experts.activations);
}

ExecutedMath executed_math(const HardwareSpec& hw, const PrecisionPlan& requested) {
  const PrecisionPlan asked = without_experts(requested);
  const PrecisionPlan run = executed_formats(hw, asked);
  return ExecutedMath{.math = execution_precision(hw, run.math()),
                      .weight_only_fallback = run.activations != asked.activations};
}

ExecutedMath executed_expert_math(const HardwareSpec& hw, const PrecisionPlan& requested) {
  return executed_math(hw, requested.experts());
}

double weight_only_share(const HardwareSpec& hw, const ModelSpec& model,
                         const PrecisionPlan& requested) {
  const bool rest = executed_math(hw, requested).weight_only_fallback;
  const bool experts = executed_expert_math(hw, requested).weight_only_fallback;
  if (rest == experts || !model.moe.enabled()) return rest ? 1.0 : 0.0;
  const ParameterCount c = count_parameters(model);
  const double routed = c.routed_experts * static_cast<double>(model.moe.experts_per_token) /
                        static_cast<double>(std::max(1, model.moe.experts));
  const double others = c.attention + c.dense_mlp + c.shared_experts;
  const double share = routed + others > 0 ? routed / (routed + others) : 0.0;
  return experts ? share : 1.0 - share;
}

std::optional<std::string> precision_fallback_note(const HardwareSpec& hw,
                                                   const PrecisionPlan& requested) {
  std::optional<std::string> note = formats_note(hw, without_experts(requested));
  if (!requested.mixed()) return note;
  const std::optional<std::string> experts = formats_note(hw, requested.experts());
  if (!experts) return note;
  return (note ? *note + "; " : std::string()) + "routed experts: " + *experts;
}

Result<DeviceModel> DeviceModel::create(const HardwareSpec& hw, const ModelSpec& model,
                                        const ParallelismPlan& plan, const PrecisionPlan& precision,
                                        const PerfCalibration& cal) {
  if (auto ok = check_plan(model, plan); !ok) return tl::unexpected(ok.error());
  return DeviceModel(hw, model, plan, precision, cal);
}

DeviceModel::DeviceModel(const HardwareSpec& hw, const ModelSpec& model,
                         const ParallelismPlan& plan, const PrecisionPlan& precision,
                         const PerfCalibration& cal)
    : hw_(hw),
      model_(model),
      plan_(plan),
      precision_(precision),
      executed_(executed_precision_plan(hw, precision)),
      cal_(constants_only(cal)),
      memory_(memory_bandwidth(hw_, cal_)) {
  // A shape with every part present tells which op classes exist and how many attention calls a
  // stage makes; the plan's collectives (group sizes do not depend on the shape) are checked here.
  StepShape all;
  add_prefill_chunk(all, 1, 1, true, attention_span(model_));
  add_decode(all, 2, attention_span(model_));
  const Result<OpGraph> built = build_step(model_, plan_, executed_, all);
  XPUSIM_CHECK(built.has_value(), "the probe step of a checked plan builds");
  const OpGraph& g = *built;
  auto note = [&](const Op& op) {
    if (Memo* m = memo_of(op.scaling)) m->present = true;
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
    for (const Op& op : lg.ops) note(op);
  for (const Op& op : g.other_ops) note(op);
  stages_ = pipeline_stages(model_, plan_.pp);
  // Weight-stationary designs place the device's weights over its units (op_model.h).
  if (weight_stationary(hw_)) {
    const Result<Bytes> resident = weight_bytes_per_device(model_, plan_, executed_);
    XPUSIM_CHECK(resident.has_value(), "a checked plan's weights per device are defined");
    placement_.resident = *resident;
    // One region per weight GEMM a token passes on the device (the most loaded stage).
    const StageLayers most = largest_stage(model_, plan_.pp);
    double regions = 0;
    auto weight_gemm = [](const Op& op) {
      return (op.kind == OpKind::kGemm || op.kind == OpKind::kRouter) &&
             op.weight_bytes.value() > 0 &&
             (op.scaling == OpScaling::kTokens || op.scaling == OpScaling::kSampledRows);
    };
    for (const LayerGroup& lg : g.layers)
      for (const Op& op : lg.ops)
        if (weight_gemm(op)) regions += (kind_index(lg) == 1 ? most.moe : most.dense) * op.count;
    for (const Op& op : g.other_ops)
      if (weight_gemm(op)) regions += op.count;
    placement_.regions = std::max(1.0, regions);
  }
  for (const StageLayers& st : stages_) {
    all_layers_.dense += st.dense;
    all_layers_.moe += st.moe;
  }
}

DeviceModel::Parts DeviceModel::evaluate_class(OpScaling scaling, int64_t count) const {
  const Result<OpGraph> built =
      build_step(model_, plan_, executed_, probe_shape(scaling, count, attention_span(model_)));
  XPUSIM_CHECK(built.has_value(), "a probe of a checked step's count builds");
  const OpGraph& g = *built;
  Parts t;
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops)
      if (op.scaling == scaling) add_op(op, op.count, t.layer[kind_index(lg)]);
  for (const Op& op : g.other_ops)
    if (op.scaling == scaling) add_op(op, op.count, t.other);
  return t;
}

const DeviceModel::Parts& DeviceModel::lookup(Memo& memo, OpScaling scaling, int64_t count,
                                              Parts& scratch) {
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

void DeviceModel::add_op(const Op& op, double n, OpWork& w, const std::string& layer,
                         PhaseBreakdown* out) const {
  accumulate(predict_op(hw_, memory_, op, cal_, placement_), op, n, layer, w, out);
}

DeviceModel::Memo* DeviceModel::memo_of(OpScaling scaling) {
  switch (scaling) {
    case OpScaling::kTokens:
      return &tokens_;
    case OpScaling::kRankTokens:
      return &rank_tokens_;
    case OpScaling::kPrefillTokens:
      return &prefill_tokens_;
    case OpScaling::kDecodeTokens:
      return &decode_tokens_;
    case OpScaling::kSampledRows:
      return &sampled_rows_;
    case OpScaling::kPrefillAttention:
    case OpScaling::kDecodeAttention:
      return nullptr;  // per step, not memoised
  }
  return nullptr;
}

// Every layer, dense or MoE, runs the same attention.
DeviceModel::Parts DeviceModel::attention(const StepShape& shape, bool decode) const {
  // The plan was checked by create(), the shape by step() (decode_attention builds a valid one).
  const Op op = detail::build_attention_unchecked(model_, plan_, executed_, shape, decode);
  Parts t;
  add_op(op, op.count, t.layer[0]);
  t.layer[1] = t.layer[0];
  return t;
}

Result<StepTime> DeviceModel::step(const StepShape& shape) {
  if (auto ok = check_step_shape(shape); !ok) return tl::unexpected(ok.error());
  Parts t;
  Parts scratch;
  // Under attention DP the non-expert token-wise ops and the MLA decompression run on the
  // busiest rank's share (graph_builder.h attention_dp_rank_shape); else on the step's own.
  const StepShape rank = attention_dp_rank_shape(plan_, shape);
  if (tokens_.present) t += lookup(tokens_, OpScaling::kTokens, shape.tokens(), scratch);
  if (rank_tokens_.present)
    t += lookup(rank_tokens_, OpScaling::kRankTokens, rank.tokens(), scratch);
  if (shape.prefill_tokens > 0) {
    if (prefill_tokens_.present)
      t += lookup(prefill_tokens_, OpScaling::kPrefillTokens,
                  rank.prefill_tokens + static_cast<int64_t>(rank.prefill_cached_keys), scratch);
    t += attention(shape, false);
  }
  if (shape.decode_tokens > 0) {
    if (decode_tokens_.present)
      t += lookup(decode_tokens_, OpScaling::kDecodeTokens, shape.decode_tokens, scratch);
    t += attention(shape, true);
  }
  if (shape.sampled_rows > 0 && sampled_rows_.present)
    t += lookup(sampled_rows_, OpScaling::kSampledRows, shape.sampled_rows, scratch);
  return finish(t);
}

Result<StepTime> DeviceModel::evaluate(const StepShape& shape, PhaseBreakdown* breakdown) const {
  const Result<OpGraph> built = build_step(model_, plan_, executed_, shape);
  if (!built) return tl::unexpected(built.error());
  const OpGraph& g = *built;
  Parts t;
  for (const LayerGroup& lg : g.layers)
    for (const Op& op : lg.ops) add_op(op, op.count, t.layer[kind_index(lg)]);
  for (const Op& op : g.other_ops) add_op(op, op.count, t.other);
  if (breakdown) {  // the ops of the slowest stage, then the others
    const StageLayers& st = slowest(t);
    OpWork scratch;
    for (const LayerGroup& lg : g.layers) {
      const double n = kind_index(lg) == 1 ? st.moe : st.dense;
      if (n == 0) continue;
      for (const Op& op : lg.ops) add_op(op, n * op.count, scratch, lg.name, breakdown);
    }
    for (const Op& op : g.other_ops) add_op(op, op.count, scratch, "", breakdown);
  }
  return finish(t);
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
  return attention(s, true).layer[0].time;
}

std::string dominant_bound(const PhaseBreakdown& ph) {
  double share[kBoundCount] = {};
  for (const auto& op : ph.ops) share[static_cast<int>(op.bound)] += op.time.value();
  int best = 0;
  for (int i = 1; i < kBoundCount; ++i)
    if (share[i] > share[best]) best = i;
  const double pct = ph.total.value() > 0 ? 100.0 * share[best] / ph.total.value() : 0.0;
  return fmt::format("{} {:.0f}%", to_string(static_cast<Bound>(best)), pct);
}

}  // namespace xpusim
