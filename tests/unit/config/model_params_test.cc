// SPDX-License-Identifier: Apache-2.0
// Parameter counts of every model preset against the counts their authors published, exact
// hand-computed counts for a few architectures, and KV-cache sizes per token.
#include "xpusim/config/model_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"

namespace xpusim {
namespace {

struct Published {
  const char* id;
  double total;
  double active;     // 0 = dense (active == total)
  double tolerance;  // relative; 1% unless the row says why
  const char* source;
  // DeepSeek counts activated parameters without the input embedding table (a token reads one
  // row of it); Mistral, Qwen and Meta include it. Checked on DeepSeek-V2-Lite in hf_config_test.
  bool active_without_input_embedding = false;
};

// Published counts. A 1% band absorbs rounding to three significant digits and the small pieces a
// publication may leave out (norms, biases); wider bands say why.
const Published kPublished[] = {
    {"llama-2-7b", 6.74e9, 0, 0.01, "HF Hub meta-llama/Llama-2-7b-hf: 6,738,415,616"},
    {"llama-2-13b", 13.02e9, 0, 0.01, "HF Hub meta-llama/Llama-2-13b-hf: 13,015,864,320"},
    {"llama-2-70b", 68.98e9, 0, 0.01, "HF Hub meta-llama/Llama-2-70b-hf: 69.0B (paper: \"70B\")"},
    {"llama-3-8b", 8.03e9, 0, 0.01, "HF Hub meta-llama/Meta-Llama-3-8B: 8.03B"},
    {"llama-3-70b", 70.6e9, 0, 0.01, "HF Hub meta-llama/Meta-Llama-3-70B: 70.6B"},
    {"llama-3.1-8b", 8.03e9, 0, 0.01, "HF Hub meta-llama/Llama-3.1-8B: 8.03B"},
    {"llama-3.1-70b", 70.6e9, 0, 0.01, "HF Hub meta-llama/Llama-3.1-70B: 70.6B"},
    {"llama-3.3-70b", 70.6e9, 0, 0.01, "HF Hub meta-llama/Llama-3.3-70B-Instruct: 70.6B"},
    {"llama-3.1-405b", 405e9, 0, 0.01, "Llama 3 paper (arXiv:2407.21783) Table 3: 405B"},
    {"gpt-j-6b", 6.05e9, 0, 0.01, "EleutherAI/gpt-j-6b model card: 6,053,381,344"},
    {"gpt-3-175b", 175e9, 0, 0.01, "Brown et al. 2020 Table 2.1: 175.0B"},
    {"mistral-7b", 7.24e9, 0, 0.01, "HF Hub mistralai/Mistral-7B-v0.1: 7.24B"},
    {"mixtral-8x7b", 46.7e9, 12.9e9, 0.01, "mistral.ai/news/mixtral-of-experts: 46.7B / 12.9B"},
    {"mixtral-8x22b", 141e9, 39e9, 0.01, "mistral.ai/news/mixtral-8x22b: 141B / 39B"},
    {"mistral-nemo-12b", 12.2e9, 0, 0.01, "HF Hub mistralai/Mistral-Nemo-Base-2407: 12.2B"},
    {"mistral-large-2407", 123e9, 0, 0.01, "mistral.ai/news/mistral-large-2407: 123B"},
    {"falcon-180b", 180e9, 0, 0.01, "TII / Almazrouei et al. 2023 (arXiv:2311.16867): 180B"},
    {"gemma-2b", 2.506e9, 0, 0.01, "Gemma paper Table 2: 524,550,144 + 1,981,884,416"},
    {"gemma-7b", 8.538e9, 0, 0.01, "Gemma paper Table 2: 786,825,216 + 7,751,248,896"},
    // Active published as "37B", two significant figures (36.5B to 37.5B): computed 36.63B.
    {"deepseek-v3", 671e9, 37e9, 0.0135, "DeepSeek-V3 report (arXiv:2412.19437): 671B / 37B",
     true},
    {"deepseek-r1", 671e9, 37e9, 0.0135, "DeepSeek-R1 (arXiv:2501.12948): V3 base, 671B / 37B",
     true},
    {"qwen3-235b-a22b", 235e9, 22e9, 0.01, "Qwen3 report (arXiv:2505.09388) Table 2: 235B / 22B"},
    {"llama-3.2-1b", 1.24e9, 0, 0.01, "HF Hub meta-llama/Llama-3.2-1B: 1.24B (1,235,814,400)"},
    {"llama-3.2-3b", 3.21e9, 0, 0.01, "HF Hub meta-llama/Llama-3.2-3B: 3.21B"},
    {"qwen2.5-7b", 7.61e9, 0, 0.01, "Qwen/Qwen2.5-7B card: 7.61B (6.53B non-embedding)"},
    {"qwen2.5-14b", 14.7e9, 0, 0.01, "Qwen/Qwen2.5-14B card: 14.7B (13.1B non-embedding)"},
    // The card's "32.5B" is two significant figures below the Hub's count of the same weights
    // (32.76B computed from the config: 64 layers, 5120 wide, ffn 27648, untied 152,064 vocab).
    {"qwen2.5-32b", 32.5e9, 0, 0.01, "Qwen/Qwen2.5-32B card: 32.5B (31.0B non-embedding)"},
    {"qwen3-8b", 8.2e9, 0, 0.01, "Qwen/Qwen3-8B card: 8.2B (6.95B non-embedding)"},
    {"qwen3-32b", 32.8e9, 0, 0.01, "Qwen/Qwen3-32B card: 32.8B (31.2B non-embedding)"},
    {"qwen3-30b-a3b", 30.5e9, 3.3e9, 0.02,
     "Qwen/Qwen3-30B-A3B card: 30.5B / 3.3B (active has two significant figures: 3.35B rounds "
     "to 3.3B, 1.4% off)"},
    {"qwen2.5-72b", 72.7e9, 0, 0.01, "Qwen/Qwen2.5-72B card: 72.7B"},
    // Meta's totals include the vision encoder (about 0.9B), which xpusim does not model.
    {"llama-4-scout", 109e9, 17e9, 0.015, "ai.meta.com Llama 4 blog: 109B / 17B"},
    {"llama-4-maverick", 400e9, 17e9, 0.015, "ai.meta.com Llama 4 blog: 400B / 17B"},
    {"gemma-2-9b", 9.2417e9, 0, 0.001, "Gemma 2 report Table 2: 917,504,000 + 8,324,201,984"},
    {"gemma-2-27b", 27.2271e9, 0, 0.001, "Gemma 2 report Table 2: 1,179,648,000 + 26,047,480,832"},
    // The text model; the report's embedding count (1,416M) is 0.45% above vocabulary x width.
    {"gemma-3-27b", 27.016e9, 0, 0.001, "Gemma 3 report Table 1: 1,416M + 25,600M (text)"},
    {"gemma-3-12b", 11.771e9, 0, 0.001, "Gemma 3 report Table 1: 1,012M + 10,759M (text)"},
    // The 4B's reported embedding (675M) is 0.55% above 262,208 x 2,560 (671M).
    {"gemma-3-4b", 3.884e9, 0, 0.002, "Gemma 3 report Table 1: 675M + 3,209M (text)"},
    {"gemma-3-1b", 1.0e9, 0, 0.001, "Gemma 3 report Table 1: 302M + 698M"},
    // OpenAI counts active parameters without the input embedding, as DeepSeek does.
    {"gpt-oss-120b", 116.83e9, 5.13e9, 0.001, "gpt-oss model card Table 1: 116.83B / 5.13B", true},
    {"gpt-oss-20b", 20.91e9, 3.61e9, 0.001, "gpt-oss model card Table 1: 20.91B / 3.61B", true},
};

double rel(double computed, double published) { return std::fabs(computed / published - 1.0); }

TEST(ModelParams, EveryPresetMatchesItsPublishedCount) {
  std::set<std::string> covered;
  for (const auto& p : kPublished) {
    SCOPED_TRACE(std::string(p.id) + " (" + p.source + ")");
    auto m = load_model(p.id);
    ASSERT_TRUE(m) << to_string(m.error());
    covered.insert(p.id);
    EXPECT_EQ(m->id, p.id);  // a preset's id is its file name
    ParameterCount c = count_parameters(*m);
    EXPECT_LE(rel(c.total, p.total), p.tolerance) << "computed " << c.total;
    double active = p.active > 0 ? p.active : p.total;
    double computed_active = c.active - (p.active_without_input_embedding ? c.embedding : 0.0);
    EXPECT_LE(rel(computed_active, active), p.tolerance) << "computed active " << computed_active;
    // The preset records the same published figures.
    ASSERT_TRUE(m->published_parameters);
    EXPECT_LE(rel(*m->published_parameters, p.total), 0.001);
    EXPECT_EQ(m->published_active_parameters.has_value(), p.active > 0);
    if (p.active > 0) {
      EXPECT_LE(rel(*m->published_active_parameters, p.active), 0.001);
    }
  }
  // Every preset is in the table (a new preset needs a published count here).
  for (const auto& id : list_presets("models")) EXPECT_TRUE(covered.contains(id)) << id;
}

// Hand calculations (H hidden, F ffn, V vocab, L layers).
TEST(ModelParams, ExactCountsByHand) {
  // Llama-2-7B: L(4H^2 + 3HF + 2H) + 2VH + H = 32(67,108,864 + 135,266,304 + 8,192)
  //   + 262,144,000 + 4,096 = 6,738,415,616 (the Hugging Face Hub count).
  auto llama = load_model("llama-2-7b");
  ASSERT_TRUE(llama);
  EXPECT_DOUBLE_EQ(count_parameters(*llama).total, 6738415616.0);

  // Mixtral-8x7B: per layer attention 2H^2 + 2H(8x128) = 41,943,040; 8 experts x 3HF =
  //   1,409,286,144; router 8H = 32,768; norms 2H = 8,192 -> 1,451,270,144 x 32
  //   + embeddings 2 x 131,072,000 + final norm 4,096 = 46,702,792,704.
  auto mixtral = load_model("mixtral-8x7b");
  ASSERT_TRUE(mixtral);
  ParameterCount mc = count_parameters(*mixtral);
  EXPECT_DOUBLE_EQ(mc.total, 46702792704.0);
  // Active: 6 of the 8 experts are not touched: total - 32 x 6 x 176,160,768.
  EXPECT_DOUBLE_EQ(mc.active, 46702792704.0 - 32.0 * 6.0 * 176160768.0);
  EXPECT_EQ(mc.moe_layers, 32);
  EXPECT_EQ(mc.dense_layers, 0);

  // DeepSeek-V3 MLA per layer: q_a 7168x1536 + 1536 + q_b 1536x128x192 + kv_a 7168x576 + 512
  //   + kv_b 512x128x256 + o 128x128x7168 = 187,107,328.
  auto ds = load_model("deepseek-v3");
  ASSERT_TRUE(ds);
  ParameterCount dc = count_parameters(*ds);
  EXPECT_DOUBLE_EQ(dc.attention, 61.0 * 187107328.0);
  EXPECT_EQ(dc.moe_layers, 58);
  EXPECT_EQ(dc.dense_layers, 3);
  EXPECT_DOUBLE_EQ(dc.dense_mlp, 3.0 * 3.0 * 7168.0 * 18432.0);
  EXPECT_DOUBLE_EQ(dc.routed_experts, 58.0 * 256.0 * 3.0 * 7168.0 * 2048.0);
  EXPECT_DOUBLE_EQ(dc.shared_experts, 58.0 * 3.0 * 7168.0 * 2048.0);
  EXPECT_DOUBLE_EQ(dc.router, 58.0 * 7168.0 * 256.0);

  // GPT-J: per layer 4H^2 (no attention biases) + 2HF + F + H (MLP biases) + 2H (one
  //   LayerNorm) = 201,355,264; x 28 + 2 x 50400 x 4096 + 50400 (LM-head bias) + 2H (final norm)
  //   = 6,050,882,784 (the model card's 6,053,381,344 is 0.04% more).
  auto gptj = load_model("gpt-j-6b");
  ASSERT_TRUE(gptj);
  EXPECT_DOUBLE_EQ(count_parameters(*gptj).total, 6050882784.0);

  // Gemma-7B (tied, head_dim 256 x 16 heads = 4096 > hidden): 28(4 x 3072 x 4096 + 3 x 3072 x
  //   24576 + 2 x 3072) + 256000 x 3072 + 3072 = 8,537,680,896.
  auto gemma = load_model("gemma-7b");
  ASSERT_TRUE(gemma);
  EXPECT_DOUBLE_EQ(count_parameters(*gemma).total, 8537680896.0);
}

TEST(ModelParams, Invariants) {
  for (const auto& id : list_presets("models")) {
    SCOPED_TRACE(id);
    auto m = load_model(id);
    ASSERT_TRUE(m) << to_string(m.error());
    ParameterCount c = count_parameters(*m);
    EXPECT_GT(c.active, 0.0);
    EXPECT_LE(c.active, c.total);
    if (!m->moe.enabled()) {
      EXPECT_DOUBLE_EQ(c.active, c.total);
    }
    EXPECT_DOUBLE_EQ(c.total, c.embedding + c.lm_head + c.attention + c.dense_mlp +
                                  c.routed_experts + c.shared_experts + c.router + c.norms);
    EXPECT_EQ(c.moe_layers + c.dense_layers, m->layers);
    // Untying adds exactly the LM head; adding experts never lowers the count.
    ModelSpec untied = *m;
    untied.tied_embeddings = false;
    ModelSpec tied = *m;
    tied.tied_embeddings = true;
    EXPECT_DOUBLE_EQ(count_parameters(untied).total - count_parameters(tied).total,
                     static_cast<double>(m->vocab) * m->hidden);
    if (m->moe.enabled()) {
      ModelSpec more = *m;
      more.moe.experts += 1;
      EXPECT_GT(count_parameters(more).total, c.total);
      EXPECT_DOUBLE_EQ(count_parameters(more).active, c.active + c.router / m->moe.experts);
    }
    // Weights scale with the element size as stored (4-bit formats with their block scales).
    EXPECT_DOUBLE_EQ(weight_bytes(*m, Precision::kBf16).value(), 2.0 * c.total);
    EXPECT_DOUBLE_EQ(weight_bytes(*m, Precision::kInt4).value(), (0.5 + 4.0 / 128) * c.total);
    EXPECT_DOUBLE_EQ(weight_bytes(*m, Precision::kFp4).value(), 4.5 / 8 * c.total);
  }
}

struct KvCase {
  const char* id;
  double bf16_bytes_per_token;
  const char* kind;
  const char* why;
};

TEST(ModelParams, KvCacheBytesPerToken) {
  const KvCase cases[] = {
      {"llama-2-7b", 2.0 * 32 * 32 * 128 * 2, "mha", "2 x L32 x kv32 x 128 x 2 B = 524,288"},
      {"llama-3.1-70b", 2.0 * 80 * 8 * 128 * 2, "gqa", "2 x L80 x kv8 x 128 x 2 B = 327,680"},
      {"gemma-2b", 2.0 * 18 * 1 * 256 * 2, "mqa", "2 x L18 x kv1 x 256 x 2 B = 18,432"},
      {"deepseek-v3", 61.0 * (512 + 64) * 2, "mla", "L61 x (512 latent + 64 rope) x 2 B = 70,272"},
      {"falcon-180b", 2.0 * 80 * 8 * 64 * 2, "gqa", "2 x L80 x kv8 x 64 x 2 B = 163,840"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(std::string(k.id) + ": " + k.why);
    auto m = load_model(k.id);
    ASSERT_TRUE(m);
    EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(*m, Precision::kBf16).value(), k.bf16_bytes_per_token);
    EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(*m, Precision::kFp8).value(),
                     k.bf16_bytes_per_token / 2);
    EXPECT_STREQ(to_string(attention_kind(*m)), k.kind);
  }
}

TEST(ModelParams, SlidingWindowCapsTheCache) {
  auto mistral = load_model("mistral-7b");  // v0.1: 4096-token window on every layer
  ASSERT_TRUE(mistral);
  Bytes per_token = kv_cache_bytes_per_token(*mistral, Precision::kBf16);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(*mistral, Precision::kBf16, 1000).value(), 1000 * per_token.value());
  EXPECT_DOUBLE_EQ(kv_cache_bytes(*mistral, Precision::kBf16, 32768).value(),
                   4096 * per_token.value());
  auto llama = load_model("llama-3.1-8b");
  ASSERT_TRUE(llama);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(*llama, Precision::kBf16, 32768).value(),
                   32768 * kv_cache_bytes_per_token(*llama, Precision::kBf16).value());
}

// Llama 4: chunked attention (8192 tokens) on 36 of 48 layers; the 12 NoPE layers (every 4th)
// keep every token, a chunked layer at most one chunk.
TEST(ModelParams, LocalLayersCapOnlyTheirOwnCache) {
  auto scout = load_model("llama-4-scout");
  ASSERT_TRUE(scout);
  EXPECT_EQ(scout->attention_chunk, 8192);
  EXPECT_EQ(local_attention_layers(*scout), 36);
  const double per_token = kv_cache_bytes_per_token(*scout, Precision::kBf16).value();
  EXPECT_DOUBLE_EQ(kv_cache_bytes(*scout, Precision::kBf16, 8000).value(), 8000 * per_token);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(*scout, Precision::kBf16, 20000).value(),
                   (12 * 20000.0 + 36 * 8192.0) / 48 * per_token);
  auto mistral = load_model("mistral-7b");
  ASSERT_TRUE(mistral);
  EXPECT_EQ(local_attention_layers(*mistral), mistral->layers);  // interval 0: every layer
  auto llama = load_model("llama-3.1-8b");
  ASSERT_TRUE(llama);
  EXPECT_EQ(local_attention_layers(*llama), 0);
}

TEST(ModelParams, MoeLayerInterval) {
  // Llama 4 Maverick: MoE in every second layer -> 24 MoE + 24 dense layers (ffn 16384).
  auto m = load_model("llama-4-maverick");
  ASSERT_TRUE(m);
  ParameterCount c = count_parameters(*m);
  EXPECT_EQ(c.moe_layers, 24);
  EXPECT_EQ(c.dense_layers, 24);
  EXPECT_DOUBLE_EQ(c.dense_mlp, 24.0 * 3.0 * 5120.0 * 16384.0);
  EXPECT_DOUBLE_EQ(c.shared_experts, 24.0 * 3.0 * 5120.0 * 8192.0);
}

}  // namespace
}  // namespace xpusim
