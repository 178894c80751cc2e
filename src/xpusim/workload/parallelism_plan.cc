// SPDX-License-Identifier: Apache-2.0
#include "xpusim/workload/parallelism_plan.h"

#include <string>

#include <fmt/format.h>

namespace xpusim {

Precision PrecisionPlan::math() const {
  return bytes_per_element(weights) > bytes_per_element(activations) ? weights : activations;
}

Precision PrecisionPlan::attention_math() const {
  if (kv_cache == Precision::kFp8 && activations == Precision::kFp8) return Precision::kFp8;
  return bytes_per_element(activations).value() >= 2 ? activations : Precision::kBf16;
}

namespace {

// The plan of "--precision P" alone (precision_plan_for, header).
PrecisionPlan uniform_plan(Precision p, std::optional<Precision> kv) {
  PrecisionPlan plan{p, p, p};
  switch (p) {
    case Precision::kFp4:  // NVFP4 recipe: fp4 weights and activations, fp8 KV cache
      plan.kv_cache = Precision::kFp8;
      break;
    case Precision::kInt8:  // weight-only (gpt-fast int8, TRT-LLM W8A16)
    case Precision::kInt4:  // weight-only (gpt-fast int4, AWQ/GPTQ W4A16)
      plan.activations = Precision::kBf16;
      plan.kv_cache = Precision::kBf16;
      break;
    case Precision::kTf32:  // tf32 is an fp32 storage format
      plan.kv_cache = Precision::kFp32;
      break;
    default:
      break;
  }
  if (kv) plan.kv_cache = *kv;
  return plan;
}

}  // namespace

PrecisionPlan PrecisionPlan::experts() const {
  PrecisionPlan e{expert_weights.value_or(weights), expert_activations.value_or(activations),
                  kv_cache};
  e.weight_group = weight_group;
  return e;
}

Bytes PrecisionPlan::weight_storage() const {
  return storage_bytes_per_element(weights, weight_group);
}

bool PrecisionPlan::block_scaled_weights() const {
  return block_scaled(weights) || block_scaled(experts().weights);
}

bool PrecisionPlan::mixed() const {
  return expert_weights.has_value() || expert_activations.has_value();
}

PrecisionPlan with_expert_formats(PrecisionPlan plan, Precision weights, Precision activations) {
  plan.expert_weights.reset();
  plan.expert_activations.reset();
  if (weights != plan.weights) plan.expert_weights = weights;
  if (activations != plan.activations) plan.expert_activations = activations;
  return plan;
}

PrecisionPlan precision_plan_for(Precision p, std::optional<Precision> kv,
                                 std::optional<Precision> experts, int weight_group) {
  PrecisionPlan plan = uniform_plan(p, kv);
  if (experts) {
    const PrecisionPlan e = uniform_plan(*experts, std::nullopt);
    plan = with_expert_formats(plan, e.weights, e.activations);
  }
  plan.weight_group = weight_group;
  return plan;
}

std::optional<std::string> weight_group_mismatch(int group, const PrecisionPlan& plan,
                                                 std::string_view weight_flags) {
  if (group <= 0 || plan.block_scaled_weights()) return std::nullopt;
  return fmt::format(
      "{} is given with {} weights, which carry no block scales; allowed only "
      "with fp4 or int4 weights ({})",
      group, to_string(plan.weights), weight_flags);
}

std::optional<PrecisionPlan> checkpoint_precision_plan(const ModelSpec& model) {
  const CheckpointSpec& c = model.checkpoint;
  const std::optional<Precision> p = c.stated() ? precision_from_string(c.precision) : std::nullopt;
  if (!p) return std::nullopt;
  if (c.scope == "routed_experts")
    return precision_plan_for(Precision::kBf16, std::nullopt, *p, c.group_size);
  return precision_plan_for(*p, std::nullopt, std::nullopt, c.group_size);
}

std::string checkpoint_flags(const ModelSpec& model) {
  const CheckpointSpec& c = model.checkpoint;
  if (!checkpoint_precision_plan(model)) return "";
  std::string flags = c.scope == "routed_experts"
                          ? fmt::format("--precision bf16 --expert-precision {}", c.precision)
                          : fmt::format("--precision {}", c.precision);
  if (c.group_size > 0) flags += fmt::format(" --weight-group-size {}", c.group_size);
  return flags;
}

std::optional<bool> runs_as_released(const ModelSpec& model, const PrecisionPlan& plan) {
  const std::optional<PrecisionPlan> released = checkpoint_precision_plan(model);
  if (!released) return std::nullopt;
  auto same = [](const PrecisionPlan& a, const PrecisionPlan& b) {
    return a.weights == b.weights && a.weight_storage() == b.weight_storage();
  };
  return same(plan, *released) &&
         (!model.moe.enabled() || same(plan.experts(), released->experts()));
}

std::optional<std::string> checkpoint_note(const ModelSpec& model, const PrecisionPlan& plan) {
  const std::optional<bool> as_released = runs_as_released(model, plan);
  if (!as_released || *as_released) return std::nullopt;
  const CheckpointSpec& c = model.checkpoint;
  return fmt::format(
      "{} is released with {} {}{}: {} runs it as released", model.id, c.precision,
      c.scope == "routed_experts" ? "routed experts" : "weights",
      c.group_size > 0 ? fmt::format(" ({} values per scale)", c.group_size) : std::string(),
      checkpoint_flags(model));
}

namespace {
Diagnostic plan_error(const std::string& path, const std::string& message) {
  return Diagnostic{.path = path, .message = message};
}
}  // namespace

Result<void> check_plan(const ModelSpec& model, const ParallelismPlan& plan) {
  Diagnostics errs;
  // The sizes every sharding and graph computation divides by or multiplies with (model_schema
  // guarantees them for specs read from files; a spec built in code may lack them).
  auto model_size = [&](const char* name, int v, int min) {
    if (v < min)
      errs.push_back(plan_error(std::string("model.") + name,
                                "must be >= " + std::to_string(min) + " in the model spec, got " +
                                    std::to_string(v)));
  };
  model_size("layers", model.layers, 1);
  model_size("hidden", model.hidden, 1);
  model_size("heads", model.heads, 1);
  model_size("vocab", model.vocab, 1);
  model_size("kv_heads", model.kv_heads, 0);
  model_size("ffn", model.ffn, 0);
  if (!model.mla.enabled()) model_size("head_dim", model.head_dim, 1);
  if (model.moe.enabled()) {
    model_size("moe.experts_per_token", model.moe.experts_per_token, 1);
    model_size("moe.expert_ffn", model.moe.expert_ffn, 1);
  }
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  auto positive = [&](const char* name, int v) {
    if (v < 1) errs.push_back(plan_error(name, "must be >= 1, got " + std::to_string(v)));
  };
  positive("tp", plan.tp);
  positive("pp", plan.pp);
  positive("ep", plan.ep);
  positive("microbatches", plan.microbatches);
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  if (plan.pp > model.layers)
    errs.push_back(plan_error("pp", "pipeline parallelism " + std::to_string(plan.pp) +
                                        " exceeds the " + std::to_string(model.layers) +
                                        " layers of " + model.id));

  if (plan.attention_dp) {
    // Attention DP replicates the attention and everything else that is not a routed expert, so
    // the tp checks on heads and MLP sizes below do not apply; the experts are split ep == tp ways.
    if (!model.moe.enabled())
      errs.push_back(plan_error("attention_dp",
                                "attention data parallelism needs a mixture-of-experts model; " +
                                    model.id +
                                    " is dense, where it would be plain data "
                                    "parallelism (use tp 1 and more devices)"));
    if (plan.tp < 2)
      errs.push_back(plan_error("attention_dp",
                                "attention data parallelism needs tp >= 2 (the "
                                "ranks the attention is spread over), got tp " +
                                    std::to_string(plan.tp)));
    if (model.moe.enabled() && plan.ep != plan.tp)
      errs.push_back(plan_error("attention_dp",
                                "attention data parallelism shards the routed "
                                "experts over all tp ranks: needs ep == tp (" +
                                    std::to_string(plan.tp) + "), got ep " +
                                    std::to_string(plan.ep)));
    if (plan.sequence_parallel)
      errs.push_back(plan_error("attention_dp",
                                "attention data parallelism and "
                                "sequence_parallel exclude each other (no TP "
                                "all-reduce to split)"));
    if (model.moe.enabled() && model.moe.experts % plan.tp != 0)
      errs.push_back(plan_error("ep", "expert parallelism " + std::to_string(plan.ep) +
                                          " must divide the " + std::to_string(model.moe.experts) +
                                          " experts"));
    if (!errs.empty()) return tl::unexpected(std::move(errs));
    return {};
  }
  const int tp = plan.tp;
  if (model.heads % tp != 0)
    errs.push_back(plan_error("tp", "tensor parallelism " + std::to_string(tp) +
                                        " must divide the " + std::to_string(model.heads) +
                                        " attention heads of " + model.id));
  if (!model.mla.enabled() && model.kv_heads > 0 && model.kv_heads % tp != 0 &&
      tp % model.kv_heads != 0)
    errs.push_back(plan_error("tp", "tensor parallelism " + std::to_string(tp) + " and the " +
                                        std::to_string(model.kv_heads) +
                                        " KV heads must divide one another"));
  if (model.ffn > 0 && model.ffn % tp != 0)
    errs.push_back(plan_error("tp", "tensor parallelism " + std::to_string(tp) +
                                        " must divide the MLP size " + std::to_string(model.ffn)));
  if (plan.ep > 1) {
    if (!model.moe.enabled())
      errs.push_back(plan_error("ep", "expert parallelism needs a mixture-of-experts model; " +
                                          model.id + " is dense (use ep 1)"));
    else if (tp % plan.ep != 0 || model.moe.experts % plan.ep != 0)
      errs.push_back(plan_error("ep", "expert parallelism " + std::to_string(plan.ep) +
                                          " must divide tp (" + std::to_string(tp) +
                                          ") and the " + std::to_string(model.moe.experts) +
                                          " experts"));
  }
  if (model.moe.enabled() && model.moe.expert_ffn > 0 && plan.ep >= 1 && tp % plan.ep == 0 &&
      model.moe.expert_ffn % (tp / plan.ep) != 0)
    errs.push_back(plan_error("tp", "tp / ep = " + std::to_string(tp / plan.ep) +
                                        " must divide the expert MLP size " +
                                        std::to_string(model.moe.expert_ffn)));
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  return {};
}

}  // namespace xpusim
