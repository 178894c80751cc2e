// SPDX-License-Identifier: Apache-2.0
// ModelSpec: a decoder-only transformer as validated data (schema model/v1, or a Hugging Face
// config.json), the input of workload/. Covers MHA/GQA/MQA, gated and plain MLPs, parallel
// attention+MLP blocks, mixture-of-experts and multi-head latent attention.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xpusim {

struct MoeSpec {
  int experts = 0;              // routed experts per MoE layer (0 = dense model)
  int experts_per_token = 0;    // top-k
  int shared_experts = 0;       // always-active experts
  int expert_ffn = 0;           // intermediate size of one routed expert
  int shared_expert_ffn = 0;    // intermediate size of one shared expert (0 = expert_ffn)
  int dense_layers_first = 0;   // leading layers with a dense MLP of size `ffn`
  int layer_interval = 1;       // every k-th layer (after the dense ones) is MoE, others dense
  [[nodiscard]] bool enabled() const { return experts > 0; }
};

// DeepSeek multi-head latent attention: queries and keys/values through low-rank projections; the
// KV cache holds the compressed latent (kv_lora_rank) plus the shared rope key per token.
struct MlaSpec {
  int q_lora_rank = 0;          // 0 = queries projected directly from hidden
  int kv_lora_rank = 0;         // 0 = no MLA
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  [[nodiscard]] bool enabled() const { return kv_lora_rank > 0; }
};

// How the released checkpoint stores its weights (model/v1 `checkpoint.*`): the format of its
// quantised weights, which of them (every weight GEMM, or the routed experts alone beside 16-bit
// attention, router and embeddings) and the values per scale of a 4-bit format. It describes the
// release; a run still takes --precision, and run and serve say how to run it as released.
struct CheckpointSpec {
  std::string precision = "none";  // none = not stated; else a precision name (config/precision.h)
  std::string scope = "all";       // all | routed_experts
  int group_size = 0;              // values per scale of fp4/int4 weights (0 = the format's)
  [[nodiscard]] bool stated() const { return precision != "none"; }
};

struct ModelSpec {
  std::string id;
  std::string name;
  std::string family;           // llama, mistral, mixtral, qwen2, qwen3, qwen3_moe, deepseek_v3, ...
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int kv_heads = 0;             // == heads: MHA; 1: MQA; else GQA
  int head_dim = 0;
  int ffn = 0;                  // dense MLP intermediate size
  bool ffn_gated = true;        // SwiGLU/GeGLU: three matrices instead of two
  std::string activation = "silu";  // silu | gelu | gelu_tanh | relu
  int vocab = 0;
  bool tied_embeddings = false;
  std::string norm = "rmsnorm"; // rmsnorm | layernorm
  bool parallel_block = false;  // attention and MLP read the same input (GPT-J, NeoX, Falcon)
  bool attention_bias = false;  // biases on Q/K/V (and O where the family has it)
  bool mlp_bias = false;
  bool lm_head_bias = false;
  int rotary_dim = 0;           // dims per head with rotary embedding (0 = none)
  // Local attention. A query sees at most the last `sliding_window` tokens (Mistral-7B-v0.1,
  // Gemma 2, gpt-oss), or only the tokens of its own `attention_chunk`-token chunk (Llama 4:
  // query i sees keys floor((i-1)/C) x C + 1 .. i). At most one of the two is set (0 = none).
  // `full_attention_interval` k > 0: every k-th layer (layers k, 2k, ... counted from 1) keeps
  // full attention and the others are local (Gemma 2 and gpt-oss k = 2, Llama 4 k = 4, Gemma 3
  // k = 6); 0: every layer is local.
  int sliding_window = 0;   // attention window in tokens (0 = none)
  int attention_chunk = 0;  // chunked attention: tokens per chunk (0 = none)
  int full_attention_interval = 0;
  int max_context = 0;
  // Added fields (exact parameter counts); defaults describe a Llama-style block.
  int position_embeddings = 0;  // rows of a learned absolute position table (GPT-2/3); 0 = none
  bool attention_out_bias = false;  // bias on the attention output projection (GPT-3, NeoX)
  int layer_norms = 2;          // norms per block: 2 (pre-attention, pre-MLP); 1 for GPT-J and
                                // Falcon-7B parallel blocks; 4 for Gemma 2 (pre and post)
  bool qk_norm = false;         // RMSNorm over head_dim on queries and keys (Qwen3)
  MoeSpec moe;
  MlaSpec mla;
  CheckpointSpec checkpoint;
  std::optional<double> published_parameters;  // as published by the authors, for checking
  std::optional<double> published_active_parameters;  // per token, for mixture-of-experts models
};

}  // namespace xpusim
