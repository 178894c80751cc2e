// SPDX-License-Identifier: Apache-2.0
// How a model is split over devices (tensor / pipeline / expert parallelism) and which numeric
// format each tensor class uses. Inputs of workload/graph_builder (stage 4) next to the ModelSpec;
// data-parallel replicas are derived by the scenario drivers in perf/ (devices / (tp * pp)).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/config/precision.h"

namespace xpusim {

// One model replica spans tp * pp devices. Expert parallelism shards the routed experts of a MoE
// layer over `ep` devices of the tensor-parallel group (ep divides tp); each expert is further
// split tp/ep ways. `microbatches` splits a pipeline-parallel batch so stages overlap (GPipe).
//
// `attention_dp` (attention data parallelism, MoE models only): the tp devices of a replica run
// everything that is not a routed expert -- attention, dense-MLP layers, shared experts, norms,
// embedding, LM head -- data-parallel with replicated weights, each rank on 1/tp of the replica's
// sequences and with its own KV cache; the routed experts are sharded over ep == tp devices with
// an all-to-all dispatch and combine (TensorRT-LLM enable_attention_dp with moe_ep_size = tp,
// SGLang --enable-dp-attention; recalled). A step's StepShape still describes the whole
// replica's batch (graph_builder.h).
struct ParallelismPlan {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int microbatches = 1;
  bool sequence_parallel = false;  // norms/residuals on T/tp tokens, all-reduce -> RS + AG
  bool attention_dp = false;       // attention data parallelism (above)
  // Tensor-parallel degree of the attention, dense MLP, shared experts and vocabulary: 1 under
  // attention_dp (weights replicated), else tp.
  [[nodiscard]] int attention_tp() const { return attention_dp ? 1 : tp; }
  // Scheduler processes of a replica, each handling its own sequences' host work in parallel: one
  // per rank under attention DP (SGLang --enable-dp-attention runs a scheduler per DP rank;
  // TensorRT-LLM's executor runs on every MPI rank, each scheduling its own requests; recalled),
  // else one.
  [[nodiscard]] int host_schedulers() const { return attention_dp ? tp : 1; }
  [[nodiscard]] int devices_per_replica() const { return tp * pp; }
  bool operator==(const ParallelismPlan&) const = default;
};

// Format of each tensor class. Weight-only quantisation = narrow `weights` with 16-bit
// `activations`: the weights are read narrow and the math runs in the activation format.
//
// A MoE checkpoint may quantise its routed experts apart from the rest: gpt-oss ships MXFP4
// expert weights beside bf16 attention, router and embeddings (OpenAI, gpt-oss model card,
// 2025), and NVIDIA's NVFP4 MoE checkpoints quantise the expert GEMMs (recalled). The routed
// experts' GEMMs then read `expert_weights` and take inputs in `expert_activations`; the shared
// experts, the router, attention, the dense layers and the KV cache keep the plan's own formats.
// Unset = the plan's `weights` / `activations` (precision_plan_for sets them only where they
// differ, so a uniform plan compares equal however it was written).
struct PrecisionPlan {
  Precision weights = Precision::kBf16;
  Precision activations = Precision::kBf16;
  Precision kv_cache = Precision::kBf16;
  std::optional<Precision> expert_weights;
  std::optional<Precision> expert_activations;
  // Values per scale of the block-scaled (fp4/int4) weights, routed experts included: the
  // checkpoint's quantisation group size. 0 = the format's default (default_block_scale).
  int weight_group = 0;
  // Bytes per weight as stored and read, its block scales included (storage_bytes_per_element).
  [[nodiscard]] Bytes weight_storage() const;
  // The format GEMMs are computed in before hardware support is considered: the wider of the
  // weight and activation formats (perf/ maps it through execution_precision()).
  [[nodiscard]] Precision math() const;
  // The format attention's QK^T and PV run in: fp8 where the activations and the KV cache are
  // both fp8 (FP8 FlashAttention / XQA), else the activation format when it is 16 bits or wider,
  // else bf16 (an fp4 or weight-only plan attends in 16 bits).
  [[nodiscard]] Precision attention_math() const;
  // The plan the routed experts' GEMMs run in: this plan with the expert formats where set (and
  // no expert formats of its own).
  [[nodiscard]] PrecisionPlan experts() const;
  // The routed experts run in formats other than the rest of the model.
  [[nodiscard]] bool mixed() const;
  // Some weights (the routed experts' or the rest's) are in a block-scaled format (fp4, int4).
  [[nodiscard]] bool block_scaled_weights() const;
  bool operator==(const PrecisionPlan&) const = default;
};

// The plan a single "--precision P" means, as serving engines use it (TensorRT-LLM quantisation
// modes): fp32/tf32/bf16/fp16 -> everything P; fp8 -> fp8 weights, activations and KV (FP8 W8A8,
// TRT-LLM "FP8 = FP8 weights+KV"); fp4 -> fp4 weights and activations, fp8 KV (NVFP4 recipe);
// int8/int4 -> weight-only (bf16 activations and KV, gpt-fast/AWQ style). `kv` overrides the KV
// format when given. `experts` ("--expert-precision E"): the routed experts take the weight and
// activation formats "--precision E" would give them (fp4: W4A4, int4: W4A16), the rest keeps P's.
// `weight_group` ("--weight-group-size N"): the block-scaled weights' group size (0 = default).
PrecisionPlan precision_plan_for(Precision p, std::optional<Precision> kv = std::nullopt,
                                 std::optional<Precision> experts = std::nullopt,
                                 int weight_group = 0);

// `plan` with its routed experts in `weights` / `activations`, each kept only where it differs
// from the plan's own format (the normal form of PrecisionPlan).
PrecisionPlan with_expert_formats(PrecisionPlan plan, Precision weights, Precision activations);

// Why a group size (`--weight-group-size`, `scenario.weight_group_size`) does not apply to
// `plan`: "32 is given with bf16 weights, which carry no block scales; allowed only with fp4 or
// int4 weights (FLAGS)", naming `weight_flags`, what sets the weights' formats. nullopt when it
// applies: 0 (not given), or some weights (the rest or the routed experts) are fp4/int4.
std::optional<std::string> weight_group_mismatch(int group, const PrecisionPlan& plan,
                                                 std::string_view weight_flags);

// The plan whose weights are stored as the released checkpoint's (model.checkpoint): its format
// on every weight GEMM ("--precision P"), or on the routed experts beside bf16 weights
// ("--precision bf16 --expert-precision P"), with its group; nullopt when the model states none
// (or names no known format).
std::optional<PrecisionPlan> checkpoint_precision_plan(const ModelSpec& model);

// The flags that run the checkpoint as released ("--precision bf16 --expert-precision fp4
// --weight-group-size 32"); "" when the model states no checkpoint format.
std::string checkpoint_flags(const ModelSpec& model);

// `plan` reads the weights as the checkpoint stores them: the same format and stored bytes per
// weight for the rest of the model and for its routed experts. nullopt when the model states no
// checkpoint format. Activations and the KV cache are the run's choice and not compared.
std::optional<bool> runs_as_released(const ModelSpec& model, const PrecisionPlan& plan);

// The line run and serve print when `plan` does not read the weights as released: "gpt-oss-120b
// is released with fp4 routed experts (32 values per scale): --precision bf16 --expert-precision
// fp4 --weight-group-size 32 runs it as released". nullopt when it does, or nothing is stated.
std::optional<std::string> checkpoint_note(const ModelSpec& model, const PrecisionPlan& plan);

// Checks that `plan` can shard `model`: the model has its sizes (layers, hidden, heads, vocab,
// head_dim >= 1; MoE experts_per_token and expert_ffn >= 1), every degree >= 1, tp divides the
// attention heads, kv heads divisible by tp or tp divisible by kv heads (KV heads are then
// replicated), tp divides the MLP and expert intermediate sizes, ep divides tp and the expert
// count, pp <= layers, microbatches >= 1. attention_dp needs a MoE model, tp > 1, ep == tp and
// no sequence_parallel (a dense model under attention DP is plain data parallelism: use tp 1 and
// more replicas). Messages name the field ("tp", "pp", "ep", "attention_dp", "model.hidden") and
// the allowed values.
Result<void> check_plan(const ModelSpec& model, const ParallelismPlan& plan);

}  // namespace xpusim
