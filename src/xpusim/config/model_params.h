// SPDX-License-Identifier: Apache-2.0
// Derived sizes of a ModelSpec: exact parameter counts per block (total and per token), weight
// bytes per precision and KV-cache bytes per token. Pure functions of the validated spec, used by
// `xpusim show model`, the memory-capacity check of perf/ and the preset tests.
#pragma once

#include <cstdint>

#include "xpusim/config/model_spec.h"
#include "xpusim/config/precision.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Parameter counts (dimensionless). The blocks add up to `total`.
struct ParameterCount {
  double total = 0;
  double active = 0;          // parameters one token touches: everything but the routed experts
                              // it is not sent to, embedding and LM head included as Mistral,
                              // Qwen and Meta count them (DeepSeek leaves the input embedding
                              // out: compare active - embedding with its figures)
  double embedding = 0;       // token embedding (+ learned position table)
  double lm_head = 0;         // 0 when tied (bias counted when present)
  double attention = 0;       // Q/K/V/O (or MLA) projections, biases and q/k norms, all layers
  double dense_mlp = 0;       // dense MLPs of the non-MoE layers
  double routed_experts = 0;  // all routed experts of all MoE layers
  double shared_experts = 0;
  double router = 0;          // gate H x E per MoE layer
  double norms = 0;           // block norms and the final norm
  int moe_layers = 0;
  int dense_layers = 0;
};

ParameterCount count_parameters(const ModelSpec& m);

// Number of layers whose MLP is a mixture of experts (see MoeSpec::layer_interval).
int moe_layer_count(const ModelSpec& m);

// Whole-model weight storage at `p` (every parameter in the same format; block-scaled formats
// with their default block's scales, storage_bytes_per_element).
Bytes weight_bytes(const ModelSpec& m, Precision p);

enum class AttentionKind { kMha, kGqa, kMqa, kMla };
AttentionKind attention_kind(const ModelSpec& m);
const char* to_string(AttentionKind k);  // "mha", "gqa", "mqa", "mla"

// KV cache written per token of context, all layers: 2 x layers x kv_heads x head_dim x bytes;
// with MLA layers x (kv_lora_rank + qk_rope_head_dim) x bytes (the compressed latent and the shared
// rope key, DeepSeek-V2 paper section 2.1); bytes as stored (an fp4 cache with its block scales).
// Independent of the sliding window.
Bytes kv_cache_bytes_per_token(const ModelSpec& m, Precision kv);

// Layers with local attention (sliding_window or attention_chunk): every layer but each
// full_attention_interval-th one (all layers when the interval is 0); 0 without local attention.
int local_attention_layers(const ModelSpec& m);

// What a sequence's KV cache holds: `local` of `layers` layers keep at most `cap` tokens (a
// sliding window, or one attention chunk: what an engine holds at a chunk's last token), the
// others every token. tokens(n) is that in tokens of every layer, rounded up:
// ceil(((layers - local) x n + local x min(n, cap)) / layers); local 0: every token.
struct KvKeep {
  std::int64_t layers = 1;
  std::int64_t local = 0;
  std::int64_t cap = 0;
  [[nodiscard]] std::int64_t tokens(std::int64_t n) const {
    if (local == 0 || n <= cap) return n;
    return ((layers - local) * n + local * cap + layers - 1) / layers;
  }
  // The longest context n whose tokens(n) is at most `kept` (>= 0): tokens() is nondecreasing,
  // n itself up to `cap`, then ceil(x / layers) <= kept <=> x <= kept x layers. kUnbounded when
  // tokens() never exceeds `kept` (every layer local and kept >= cap).
  static constexpr std::int64_t kUnbounded = std::int64_t{1} << 62;
  [[nodiscard]] std::int64_t max_context(std::int64_t kept) const {
    if (local == 0 || kept < cap) return kept;
    if (local == layers) return kUnbounded;
    return (kept * layers - local * cap) / (layers - local);
  }
};
KvKeep kv_keep(const ModelSpec& m);

// KV cache of one sequence of `context_tokens`: kv_keep(m).tokens x kv_cache_bytes_per_token (a
// sliding window on every layer, Mistral-7B-v0.1, caps the tokens kept at the window).
Bytes kv_cache_bytes(const ModelSpec& m, Precision kv, std::int64_t context_tokens);

}  // namespace xpusim
