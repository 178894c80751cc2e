// SPDX-License-Identifier: Apache-2.0
// The per-device operator graph of one inference step (a prefill, a decode step, or a mixed
// serving iteration): the ops of each layer type with a repeat count, plus the ops outside the
// layers (embedding, LM head, sampling). Built by workload/graph_builder (stage 4); perf/ turns every Op into time and bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/config/precision.h"
#include "xpusim/units/quantity.h"
#include "xpusim/workload/step_shape.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

enum class OpKind {
  kGemm,         // C[m,n] = A[m,k] x B[k,n], `batch` independent problems (grouped experts)
  kAttention,    // fused attention (FlashAttention prefill / flash-decoding), rotary + KV write
  kElementwise,  // activation, residual add, rotary, top-k
  kNorm,         // RMSNorm / LayerNorm (with the fused residual add)
  kEmbedding,    // token-embedding gather
  kCollective,   // all-reduce / all-gather / reduce-scatter / all-to-all in a device group
  kP2p,          // pipeline send/recv of activations between stages
  kSampling,     // softmax + top-k/top-p over the vocabulary
  kRouter,       // MoE gate GEMM (small N = experts)
};
std::string_view to_string(OpKind k);

enum class CollectiveKind { kAllReduce, kAllGather, kReduceScatter, kAllToAll, kSendRecv };
std::string_view to_string(CollectiveKind k);

struct GemmShape {
  int64_t m = 0;      // rows of A and C (tokens)
  int64_t n = 0;      // columns of B and C (output features)
  int64_t k = 0;      // reduction dimension
  int64_t batch = 1;  // independent problems of this shape (batched / grouped GEMM)
  [[nodiscard]] FlopCount flop() const {
    return FlopCount(2.0 * static_cast<double>(m) * static_cast<double>(n) *
                     static_cast<double>(k) * static_cast<double>(batch));
  }
};

// Shape of one fused attention call on one device: a prefill call over ragged chunks (FlashAttention
// varlen) or a decode call over rows at different contexts (flash-decoding). The sums come from the
// step's StepShape; `batch`, `q_len` and `kv_len` describe a uniform batch (static scenarios,
// LLMCompass operator rows) and are the longest chunk/run otherwise.
struct AttentionShape {
  bool decode = false;      // one query per row (decode) or causal chunks (prefill)
  int64_t batch = 0;        // sequences (chunks or decode rows)
  int64_t q_len = 0;        // query tokens per sequence (uniform batch) or of the longest chunk
  int64_t kv_len = 0;       // keys per sequence (uniform batch) or the longest key run
  int64_t queries = 0;      // Σ query tokens
  double pairs = 0;         // Σ query-key pairs per head (causal; layer mean, AttentionSpan)
  double tile_keys = 0;     // prefill: Σ ceil(chunk/128) x keys per query tile (K/V re-reads)
  int heads = 0;            // query heads on this device
  int kv_heads = 0;         // KV heads on this device (== heads: MHA; MLA: 1 latent "head")
  int qk_dim = 0;           // per-head dimension of the score dot product
  int v_dim = 0;            // per-head dimension of the values
  bool latent = false;      // MLA: K and V are the same compressed latent, shared by all heads
};

// What an op's shape depends on within a step (perf/step_model evaluates and memoises each class
// by its own count).
enum class OpScaling {
  kTokens,            // every query token of the step: GEMMs, norms, activations, collectives
  kRankTokens,        // attention DP: the busiest rank's query tokens (its prefill chunks and
                      // decode rows, attention_dp_rank_shape): every token-wise op but the
                      // routed experts, which see the replica's tokens (kTokens)
  kPrefillTokens,     // prefill tokens only (MLA key/value decompression)
  kDecodeTokens,      // decode rows only (MLA absorbed projections)
  kSampledRows,       // rows that sample: LM head, logits gather, sampling
  kPrefillAttention,  // the ragged prefill attention call
  kDecodeAttention,   // the decode attention call
};

struct Op {
  std::string name;           // "qkv_proj", "attention", "mlp_down", "attn_allreduce", ...
  OpKind kind = OpKind::kElementwise;
  double count = 1;           // executions per layer (or per step for non-layer ops)
  GemmShape gemm;             // kGemm / kRouter
  bool grouped = false;       // MoE expert GEMM: gemm.batch problems with different weights
  AttentionShape attention;   // kAttention
  FlopCount flop;             // arithmetic of one execution (matrix or vector, see kind)
  double special_ops = 0;     // transcendental results (exp) of one execution (softmax, SiLU)
  Bytes weight_bytes;         // parameters read by one execution
  Bytes activation_read;      // activations read (from DRAM when not fused)
  Bytes activation_write;     // activations written
  Bytes kv_read;              // KV cache read
  Bytes kv_write;             // KV cache written (new tokens)
  Precision weight_precision = Precision::kBf16;
  int weight_group = 0;       // values per scale of block-scaled weights (0 = format default)
  Precision math_precision = Precision::kBf16;  // format the arithmetic is requested in
  CollectiveKind collective = CollectiveKind::kAllReduce;  // kCollective / kP2p
  Bytes collective_bytes;     // message size per device (the buffer being reduced/gathered)
  int group = 1;              // devices taking part
  OpScaling scaling = OpScaling::kTokens;
  [[nodiscard]] Bytes dram_bytes() const {
    return weight_bytes + activation_read + activation_write + kv_read + kv_write;
  }
};

// Ops of one layer type (dense, MoE) with how many such layers ONE device executes per step.
struct LayerGroup {
  std::string name;           // "dense", "moe"
  double repeat = 0;          // layers of this type on the largest pipeline stage (an integer;
                              // graph_builder.h largest_stage; 0 when it holds none)
  double model_repeat = 0;    // layers of this type in the whole model (all stages)
  std::vector<Op> ops;
};

struct OpGraph {
  StepShape shape;            // the step the graph describes (one microbatch)
  int pipeline_stages = 1;    // pp: the step crosses this many stages in sequence; `layers`
                              // repeat the largest stage's
  std::vector<LayerGroup> layers;
  std::vector<Op> other_ops;  // embedding, final norm, LM head, logits gather, sampling, p2p
};

}  // namespace xpusim
