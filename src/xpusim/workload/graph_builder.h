// SPDX-License-Identifier: Apache-2.0
// ModelSpec + ParallelismPlan + PrecisionPlan -> the per-device OpGraph of a prefill or of one
// decode step, and the per-device parameter and KV-cache sizes that follow from the same sharding.
// Stage 4 of the pipeline; perf/ evaluates the graph on a HardwareSpec.
#pragma once

#include <cstdint>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/units/quantity.h"
#include "xpusim/workload/op_graph.h"
#include "xpusim/workload/parallelism_plan.h"
#include "xpusim/workload/step_shape.h"

namespace xpusim {

// One serving-engine iteration: the ragged prefill chunks and decode rows of `shape` (step_shape.h)
// on one device of a replica; under attention DP `shape` is the whole replica's batch and the graph
// that of its busiest rank (graph_builder.cc).
// GEMMs, norms and collectives run over all shape.tokens() rows; the prefill and decode parts get
// one attention call each; the LM head and sampling run on shape.sampled_rows only. Every op is
// tagged with the count it depends on (Op::scaling).
// Errors: a plan check_plan() rejects, a shape check_step_shape() rejects (empty, invalid
// segments).
Result<OpGraph> build_step(const ModelSpec& model, const ParallelismPlan& plan,
                   const PrecisionPlan& precision, const StepShape& shape);

// The attention call of one layer for the decode rows (decode = true) or the prefill chunks of
// `shape`: the op build_step puts in every layer. Cheap (no allocation); perf/step_model calls it
// per step. Errors as for build_step.
Result<Op> build_attention(const ModelSpec& model, const ParallelismPlan& plan,
                   const PrecisionPlan& precision, const StepShape& shape, bool decode);

namespace detail {
// build_attention without its checks, for a caller that has made them once (perf/step_model's
// DeviceModel checks the plan when it is created and each shape before its ops). Preconditions:
// check_plan(model, plan) and check_step_shape(shape) pass.
Op build_attention_unchecked(const ModelSpec& model, const ParallelismPlan& plan,
                             const PrecisionPlan& precision, const StepShape& shape, bool decode);
}  // namespace detail

// The busiest rank's share of the replica's step under attention data parallelism: ceil(c / tp)
// of its c prefill chunks (at the mean chunk's tokens, pairs and keys, whole chunks: a rank
// schedules whole sequences), ceil(n / tp) of its n decode rows (at the mean row's keys) and of
// its sampled rows. Without attention DP the step itself.
StepShape attention_dp_rank_shape(const ParallelismPlan& plan, const StepShape& shape);

// Which keys the model's queries attend (step_shape.h): its sliding window or attention chunk on
// its local layers (local_attention_layers(), model_params.h), full attention on the others.
AttentionSpan attention_span(const ModelSpec& model);

// The step shapes of the static scenario: a prefill of `batch` prompts of `input_len` tokens, each
// sampling its first token; one decode step of `batch` rows at `context` keys. Arguments below 1,
// or a batch x input_len beyond kMaxStepTokens, give a shape marked invalid (step_shape.h).
StepShape prefill_shape(const ModelSpec& model, int64_t batch, int64_t input_len);
StepShape decode_shape(const ModelSpec& model, int64_t batch, int64_t context);

// Prefill of `batch` sequences of `input_len` prompt tokens (the first token is sampled from the
// last position; the LM head runs on `batch` rows only, as TensorRT-LLM/vLLM do).
// Errors as for build_step (batch or input_len < 1 make an invalid shape).
Result<OpGraph> build_prefill(const ModelSpec& model, const ParallelismPlan& plan,
                      const PrecisionPlan& precision, int64_t batch, int64_t input_len);

// One decode step of `batch` sequences, each attending to `context` keys (past tokens + the new one).
// Errors as for build_step.
Result<OpGraph> build_decode_step(const ModelSpec& model, const ParallelismPlan& plan,
                          const PrecisionPlan& precision, int64_t batch, int64_t context);

// Expected number of distinct routed experts hit by `tokens` tokens choosing top-k of `experts`
// uniformly at random: E * (1 - (1 - k/E)^T) (balls-into-bins; real routers are skewed, which this
// ignores). Saturates at E.
double expected_touched_experts(int experts, int top_k, double tokens);

// The layers one pipeline stage holds. Stages hold contiguous layers, layers / pp each, the
// first layers % pp stages one more (numpy array_split; TensorRT-LLM's Mapping splits so, as
// recalled, not re-read here), so a stage holds an integer number of layers, ceil(layers / pp)
// at most, and a MoE model's leading dense layers (moe.dense_layers_first) stay in stage 0
// (DeepSeek-V3's first three).
struct StageLayers {
  int dense = 0;   // layers with the dense MLP
  int moe = 0;     // MoE layers
  [[nodiscard]] int total() const { return dense + moe; }
};

// The layers of each of the `pp` stages, in order. Preconditions: 1 <= pp <= model.layers
// (check_plan).
std::vector<StageLayers> pipeline_stages(const ModelSpec& model, int pp);

// The stage with the most layers, and among those the most MoE layers: the layers an OpGraph's
// groups repeat (LayerGroup::repeat). perf/ times every stage and takes the slowest. Preconditions
// as above.
StageLayers largest_stage(const ModelSpec& model, int pp);

// Parameter bytes held by one device (the most loaded pipeline stage, embedding and LM head both
// counted): attention and MLP sharded tp ways, routed experts ep ways and tp/ep ways inside an
// expert, vocabulary sharded tp ways; norms and routers replicated. Under attention DP everything
// but the routed experts is replicated (whole attention, dense MLP, shared experts, vocabulary) and
// the experts are split ep == tp ways. Errors: a plan check_plan() rejects.
Result<Bytes> weight_bytes_per_device(const ModelSpec& model, const ParallelismPlan& plan,
                              const PrecisionPlan& precision);

// KV-cache bytes per token per device: layers/pp x (2 x KV heads per device x head_dim, or the MLA
// latent kv_lora_rank + qk_rope_head_dim, replicated over tp) x KV element size. Under attention
// DP a rank holds the whole KV of its own sequences only: per token of the replica the mean device
// holds 1/tp of layers/pp x (2 x KV heads x head_dim, or the MLA latent) x KV element size, so a
// replica's KV capacity in tokens is tp times one device's budget over this. Errors: a plan
// check_plan() rejects.
Result<Bytes> kv_bytes_per_token_per_device(const ModelSpec& model, const ParallelismPlan& plan,
                                    const PrecisionPlan& precision);

}  // namespace xpusim
