// SPDX-License-Identifier: Apache-2.0
// Parameter counts follow the modules of Hugging Face transformers' modelling code per family
// (LlamaDecoderLayer, MixtralSparseMoeBlock, DeepseekV3Attention/MoE, GPTJBlock, GPTNeoXLayer,
// FalconDecoderLayer) and the GPT-3 paper (Brown et al. 2020, learned positions, biases).
// Ignored: DeepSeek-V3's multi-token-prediction module (14B, not part of the 671B) and its
// per-expert score-correction bias (E per MoE layer), Qwen2-MoE's shared-expert gate (H per layer),
// rotary/ALiBi tables (not parameters) and vision encoders of multimodal checkpoints.
#include "xpusim/config/model_params.h"

#include <algorithm>

#include "xpusim/base/check.h"

namespace xpusim {

int moe_layer_count(const ModelSpec& m) {
  if (!m.moe.enabled() || m.moe.layer_interval < 1 || m.layers <= m.moe.dense_layers_first)
    return 0;
  return (m.layers - m.moe.dense_layers_first) / m.moe.layer_interval;
}

ParameterCount count_parameters(const ModelSpec& m) {
  XPUSIM_CHECK(m.layers > 0 && m.hidden > 0 && m.heads > 0 && m.kv_heads > 0,
               "count_parameters needs a ModelSpec validated by model_schema()");
  const double h = m.hidden;
  const double layers = m.layers;
  const double norm_size = m.norm == "layernorm" ? 2.0 * h : h;  // LayerNorm: weight + bias
  ParameterCount c;
  c.moe_layers = moe_layer_count(m);
  c.dense_layers = m.layers - c.moe_layers;

  c.embedding = static_cast<double>(m.vocab) * h + static_cast<double>(m.position_embeddings) * h;
  if (!m.tied_embeddings) c.lm_head = static_cast<double>(m.vocab) * h;
  if (m.lm_head_bias) c.lm_head += m.vocab;

  // Attention per layer.
  double attn = 0;
  if (m.mla.enabled()) {
    // DeepSeek-V2/V3 MLA (DeepseekV3Attention): q_a_proj + q_a_layernorm + q_b_proj (or q_proj),
    // kv_a_proj_with_mqa (latent + shared rope key), kv_a_layernorm, kv_b_proj, o_proj.
    const MlaSpec& a = m.mla;
    const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    const double heads = m.heads;
    if (a.q_lora_rank > 0)
      attn += h * a.q_lora_rank + a.q_lora_rank + static_cast<double>(a.q_lora_rank) * heads * qk;
    else
      attn += h * heads * qk;
    attn += h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank;
    attn += static_cast<double>(a.kv_lora_rank) * heads * (a.qk_nope_head_dim + a.v_head_dim);
    attn += heads * a.v_head_dim * h;
    if (m.attention_bias) attn += heads * qk + (a.kv_lora_rank + a.qk_rope_head_dim);
    if (m.attention_out_bias) attn += h;
  } else {
    const double q = static_cast<double>(m.heads) * m.head_dim;
    const double kv = static_cast<double>(m.kv_heads) * m.head_dim;
    attn = h * q + 2.0 * h * kv + q * h;  // Q, K, V, O
    if (m.attention_bias) attn += q + 2.0 * kv;
    if (m.attention_out_bias) attn += h;
    if (m.qk_norm) attn += 2.0 * m.head_dim;
  }
  c.attention = attn * layers;

  // One MLP of intermediate size f: gated (gate, up, down) or plain (up, down), with biases.
  auto mlp = [&](double f) {
    double p = (m.ffn_gated ? 3.0 : 2.0) * h * f;
    if (m.mlp_bias) p += (m.ffn_gated ? 2.0 * f : f) + h;
    return p;
  };
  c.dense_mlp = mlp(m.ffn) * c.dense_layers;
  double active_experts = 0;
  if (c.moe_layers > 0) {
    const MoeSpec& e = m.moe;
    const double moe_layers = c.moe_layers;
    const double expert = mlp(e.expert_ffn);
    const double shared = mlp(e.shared_expert_ffn > 0 ? e.shared_expert_ffn : e.expert_ffn);
    c.routed_experts = expert * e.experts * moe_layers;
    c.shared_experts = shared * e.shared_experts * moe_layers;
    c.router = h * e.experts * moe_layers;  // gate without bias (Mixtral, Qwen-MoE, DeepSeek)
    active_experts = expert * e.experts_per_token * moe_layers;
  }
  // Block norms + final norm; MLA's latent norms are counted in attention.
  c.norms = norm_size * (m.layer_norms * layers + 1.0);

  c.total = c.embedding + c.lm_head + c.attention + c.dense_mlp + c.routed_experts +
            c.shared_experts + c.router + c.norms;
  c.active = c.total - c.routed_experts + active_experts;
  return c;
}

Bytes weight_bytes(const ModelSpec& m, Precision p) {
  return count_parameters(m).total * storage_bytes_per_element(p);
}

AttentionKind attention_kind(const ModelSpec& m) {
  if (m.mla.enabled()) return AttentionKind::kMla;
  if (m.kv_heads == m.heads) return AttentionKind::kMha;
  if (m.kv_heads == 1) return AttentionKind::kMqa;
  return AttentionKind::kGqa;
}

const char* to_string(AttentionKind k) {
  switch (k) {
    case AttentionKind::kMha: return "mha";
    case AttentionKind::kGqa: return "gqa";
    case AttentionKind::kMqa: return "mqa";
    case AttentionKind::kMla: return "mla";
  }
  return "?";
}

Bytes kv_cache_bytes_per_token(const ModelSpec& m, Precision kv) {
  const double layers = m.layers;
  if (m.mla.enabled())
    return layers * (m.mla.kv_lora_rank + m.mla.qk_rope_head_dim) * storage_bytes_per_element(kv);
  return 2.0 * layers * m.kv_heads * m.head_dim * storage_bytes_per_element(kv);
}

int local_attention_layers(const ModelSpec& m) {
  if ((m.sliding_window <= 0 && m.attention_chunk <= 0) || m.layers < 1) return 0;
  if (m.full_attention_interval <= 0) return m.layers;
  return m.layers - m.layers / m.full_attention_interval;
}

KvKeep kv_keep(const ModelSpec& m) {
  const int local = local_attention_layers(m);
  if (local == 0) return {};
  return KvKeep{.layers = m.layers,
                .local = local,
                .cap = m.sliding_window > 0 ? m.sliding_window : m.attention_chunk};
}

Bytes kv_cache_bytes(const ModelSpec& m, Precision kv, std::int64_t context_tokens) {
  const std::int64_t kept = kv_keep(m).tokens(std::max<std::int64_t>(context_tokens, 0));
  return static_cast<double>(kept) * kv_cache_bytes_per_token(m, kv);
}

}  // namespace xpusim
