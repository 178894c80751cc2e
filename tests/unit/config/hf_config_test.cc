// SPDX-License-Identifier: Apache-2.0
// Hugging Face config.json files (tests/data/hf, copied from the published model repositories):
// each converts to a valid ModelSpec whose parameter count matches the published one and whose
// shapes equal the matching preset; family quirks (Falcon variants) and input errors.
#include "xpusim/config/hf_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "xpusim/config/model_params.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"

namespace xpusim {
namespace {

std::string hf(const std::string& name) {
  return std::string(XPUSIM_TEST_DATA_DIR) + "/hf/" + name + ".json";
}

// A config.json text converted to a ModelSpec (document, then the model schema with `overrides`).
Result<ModelSpec> model_from_hf_text(const std::string& text, const std::string& file,
                                     const std::vector<std::string>& overrides = {}) {
  auto doc = hf_config_document_from_text(text, file);
  if (!doc) return tl::unexpected(doc.error());
  return parse_model_document(*doc, overrides);
}

struct HfCase {
  const char* file;     // tests/data/hf/<file>.json; a preset of the same id where `preset`
  bool preset;
  double total;
  double active;        // 0 = dense
  double tolerance;
  const char* source;
  bool active_without_input_embedding = false;  // DeepSeek's convention (model_params_test)
};

const HfCase kCases[] = {
    {"llama-2-7b", true, 6.74e9, 0, 0.01, "HF Hub meta-llama/Llama-2-7b-hf: 6.74B"},
    {"llama-3.1-8b", true, 8.03e9, 0, 0.01, "HF Hub meta-llama/Llama-3.1-8B: 8.03B"},
    {"llama-3.1-70b", true, 70.6e9, 0, 0.01, "HF Hub meta-llama/Llama-3.1-70B: 70.6B"},
    {"mistral-7b", true, 7.24e9, 0, 0.01, "HF Hub mistralai/Mistral-7B-v0.1: 7.24B"},
    {"mixtral-8x7b", true, 46.7e9, 12.9e9, 0.01, "mistral.ai: 46.7B total, 12.9B active"},
    {"qwen2.5-72b", true, 72.7e9, 0, 0.01, "Qwen/Qwen2.5-72B card: 72.7B"},
    {"qwen3-30b-a3b", true, 30.5e9, 3.3e9, 0.02, "Qwen/Qwen3-30B-A3B card: 30.5B / 3.3B"},
    {"qwen3-8b", false, 8.2e9, 0, 0.01, "Qwen/Qwen3-8B card: 8.2B"},
    {"deepseek-v3", true, 671e9, 37e9, 0.0135, "DeepSeek-V3 report: 671B / 37B (36.5B-37.5B)",
     true},
    // DeepSeek-V2 (arXiv:2405.04434) appendix: V2-Lite 15.7B total, 2.4B activated; computed
    // 2.45B without the input embedding (2.66B with it, 11% off: DeepSeek leaves it out).
    {"deepseek-v2-lite", false, 15.7e9, 2.4e9, 0.025, "DeepSeek-V2 paper: 15.7B / 2.4B", true},
    // Gemma 2 report (arXiv:2408.00118) Table 2: 917,504,000 embedding + 8,324,201,984
    // non-embedding parameters (4 norms per block, tied embeddings).
    {"gemma-2-9b", true, 9.2417e9, 0, 0.001, "Gemma 2 report Table 2: 9,241,705,984"},
    {"phi-3-mini-4k", false, 3.82e9, 0, 0.01,
     "Abdin et al. 2024, Phi-3 report (arXiv:2404.14219): 3.8B; HF Hub 3.82B"},
    // Qwen blog "Qwen1.5-MoE: Matching 7B Model Performance with 1/3 Activated Parameters":
    // 14.3B total, 2.7B activated (shared-expert gate, H per layer, not counted).
    {"qwen1.5-moe-a2.7b", false, 14.3e9, 2.7e9, 0.01, "Qwen blog: 14.3B / 2.7B"},
    {"gpt-j-6b", true, 6.05e9, 0, 0.01, "EleutherAI/gpt-j-6b card: 6,053,381,344"},
    {"gpt-neox-20b", false, 20.55e9, 0, 0.01,
     "Black et al. 2022, GPT-NeoX-20B (arXiv:2204.06745): 20,554,567,680"},
    {"falcon-180b", true, 180e9, 0, 0.01, "TII: 180B"},
    {"gemma-7b", true, 8.538e9, 0, 0.01, "Gemma paper Table 2: 8.54B"},
    // OpenAI gpt-oss model card Table 1: 116.83B total, 5.13B active, the active count without
    // the input embedding; layer_types alternates a 128-token window with full attention.
    {"gpt-oss-120b", true, 116.83e9, 5.13e9, 0.001, "gpt-oss model card: 116.83B / 5.13B", true},
    // Gemma 3 report (arXiv:2503.19786) Table 1: 1B 302M embedding + 698M non-embedding; 27B
    // (text) 1,416M + 25,600M. The configs are the Hub's as recalled: the 27B's text_config
    // leaves heads defaults aside but not the vocabulary, which Gemma3TextConfig supplies.
    {"gemma-3-1b", true, 1.0e9, 0, 0.001, "Gemma 3 report Table 1: 302M + 698M"},
    {"gemma-3-27b", true, 27.016e9, 0, 0.001, "Gemma 3 report Table 1: 1,416M + 25,600M"},
};

// Every field that shapes the computation (id, name and published counts aside).
void expect_same_shapes(const ModelSpec& a, const ModelSpec& b) {
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.kv_heads, b.kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.ffn, b.ffn);
  EXPECT_EQ(a.ffn_gated, b.ffn_gated);
  EXPECT_EQ(a.activation, b.activation);
  EXPECT_EQ(a.vocab, b.vocab);
  EXPECT_EQ(a.tied_embeddings, b.tied_embeddings);
  EXPECT_EQ(a.norm, b.norm);
  EXPECT_EQ(a.layer_norms, b.layer_norms);
  EXPECT_EQ(a.qk_norm, b.qk_norm);
  EXPECT_EQ(a.parallel_block, b.parallel_block);
  EXPECT_EQ(a.attention_bias, b.attention_bias);
  EXPECT_EQ(a.attention_out_bias, b.attention_out_bias);
  EXPECT_EQ(a.mlp_bias, b.mlp_bias);
  EXPECT_EQ(a.lm_head_bias, b.lm_head_bias);
  EXPECT_EQ(a.rotary_dim, b.rotary_dim);
  EXPECT_EQ(a.position_embeddings, b.position_embeddings);
  EXPECT_EQ(a.sliding_window, b.sliding_window);
  EXPECT_EQ(a.attention_chunk, b.attention_chunk);
  EXPECT_EQ(a.full_attention_interval, b.full_attention_interval);
  EXPECT_EQ(a.max_context, b.max_context);
  EXPECT_EQ(a.checkpoint.precision, b.checkpoint.precision);
  EXPECT_EQ(a.checkpoint.scope, b.checkpoint.scope);
  EXPECT_EQ(a.checkpoint.group_size, b.checkpoint.group_size);
  EXPECT_EQ(a.moe.experts, b.moe.experts);
  EXPECT_EQ(a.moe.experts_per_token, b.moe.experts_per_token);
  EXPECT_EQ(a.moe.shared_experts, b.moe.shared_experts);
  EXPECT_EQ(a.moe.expert_ffn, b.moe.expert_ffn);
  EXPECT_EQ(a.moe.shared_expert_ffn, b.moe.shared_expert_ffn);
  EXPECT_EQ(a.moe.dense_layers_first, b.moe.dense_layers_first);
  EXPECT_EQ(a.moe.layer_interval, b.moe.layer_interval);
  EXPECT_EQ(a.mla.q_lora_rank, b.mla.q_lora_rank);
  EXPECT_EQ(a.mla.kv_lora_rank, b.mla.kv_lora_rank);
  EXPECT_EQ(a.mla.qk_nope_head_dim, b.mla.qk_nope_head_dim);
  EXPECT_EQ(a.mla.qk_rope_head_dim, b.mla.qk_rope_head_dim);
  EXPECT_EQ(a.mla.v_head_dim, b.mla.v_head_dim);
}

TEST(HfConfig, PublishedCountsAndPresets) {
  std::set<std::string> covered;
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.file) + " (" + c.source + ")");
    covered.insert(std::string(c.file) + ".json");
    auto m = load_model(hf(c.file));
    ASSERT_TRUE(m) << to_string(m.error());
    EXPECT_EQ(m->id, c.file);
    ParameterCount count = count_parameters(*m);
    EXPECT_LE(std::fabs(count.total / c.total - 1.0), c.tolerance) << count.total;
    double active = c.active > 0 ? c.active : c.total;
    double computed_active =
        count.active - (c.active_without_input_embedding ? count.embedding : 0.0);
    EXPECT_LE(std::fabs(computed_active / active - 1.0), c.tolerance) << computed_active;
    if (c.preset) {
      auto preset = load_model(c.file);
      ASSERT_TRUE(preset) << to_string(preset.error());
      expect_same_shapes(*m, *preset);
      EXPECT_DOUBLE_EQ(count.total, count_parameters(*preset).total);
    }
  }
  // Every shipped config is in the table.
  for (const auto& e : std::filesystem::directory_iterator(std::string(XPUSIM_TEST_DATA_DIR) + "/hf"))
    EXPECT_TRUE(covered.contains(e.path().filename().string())) << e.path();
}

// quantization_config states how a release stores its weights (model/v1 checkpoint.*): gpt-oss's
// MXFP4 routed experts, DeepSeek-V3's FP8 weights, AWQ/GPTQ int4 with their group; a method the
// importer does not know, or none, states nothing.
TEST(HfConfig, QuantizationConfigStatesTheCheckpointFormat) {
  auto oss = load_model(hf("gpt-oss-120b"));
  ASSERT_TRUE(oss) << to_string(oss.error());
  EXPECT_EQ(oss->checkpoint.precision, "fp4");
  EXPECT_EQ(oss->checkpoint.scope, "routed_experts");
  EXPECT_EQ(oss->checkpoint.group_size, 32);
  auto v3 = load_model(hf("deepseek-v3"));
  ASSERT_TRUE(v3) << to_string(v3.error());
  EXPECT_EQ(v3->checkpoint.precision, "fp8");
  EXPECT_EQ(v3->checkpoint.scope, "all");
  auto llama = load_model(hf("llama-3.1-8b"));
  ASSERT_TRUE(llama);
  EXPECT_FALSE(llama->checkpoint.stated());
  const std::string text = R"({"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 256,
    "num_attention_heads": 8, "num_key_value_heads": 2, "intermediate_size": 512,
    "vocab_size": 1000, "max_position_embeddings": 4096,
    "quantization_config": {"quant_method": "QUANT", "bits": 4, "group_size": 64}})";
  auto with = [&](const std::string& method) {
    std::string t = text;
    t.replace(t.find("QUANT"), 5, method);
    return model_from_hf_text(t, "awq.json");
  };
  for (const char* method : {"awq", "gptq"}) {
    auto m = with(method);
    ASSERT_TRUE(m) << to_string(m.error());
    EXPECT_EQ(m->checkpoint.precision, "int4") << method;
    EXPECT_EQ(m->checkpoint.scope, "all") << method;
    EXPECT_EQ(m->checkpoint.group_size, 64) << method;
  }
  auto unknown = with("bitsandbytes");
  ASSERT_TRUE(unknown) << to_string(unknown.error());
  EXPECT_FALSE(unknown->checkpoint.stated());
}

TEST(HfConfig, FamilyDetails) {
  auto j = load_model(hf("gpt-j-6b"));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->ffn, 4 * 4096);  // n_inner null -> 4 x n_embd
  EXPECT_EQ(j->rotary_dim, 64);
  EXPECT_EQ(j->activation, "gelu_tanh");
  EXPECT_TRUE(j->parallel_block);
  EXPECT_EQ(j->layer_norms, 1);
  auto neox = load_model(hf("gpt-neox-20b"));
  ASSERT_TRUE(neox);
  EXPECT_EQ(neox->rotary_dim, 24);  // rotary_pct 0.25 x head_dim 96
  EXPECT_TRUE(neox->attention_out_bias);
  // 44 x (3H^2 + 3H + H^2 + H + 2HF + F + H + 4H) + 2VH + 2H, the paper's exact count.
  EXPECT_DOUBLE_EQ(count_parameters(*neox).total, 20554567680.0);
  auto qwen = load_model(hf("qwen2.5-72b"));
  ASSERT_TRUE(qwen);
  EXPECT_TRUE(qwen->attention_bias);
  EXPECT_FALSE(qwen->attention_out_bias);
  EXPECT_EQ(qwen->sliding_window, 0);  // use_sliding_window false
  auto gemma = load_model(hf("gemma-7b"));
  ASSERT_TRUE(gemma);
  EXPECT_TRUE(gemma->tied_embeddings);     // GemmaConfig default
  EXPECT_EQ(gemma->activation, "gelu_tanh");  // GemmaMLP ignores hidden_act "gelu"
  auto ds = load_model(hf("deepseek-v3"));
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->head_dim, 192);
  EXPECT_EQ(ds->moe.dense_layers_first, 3);
  auto lite = load_model(hf("deepseek-v2-lite"));
  ASSERT_TRUE(lite);
  EXPECT_EQ(lite->mla.q_lora_rank, 0);  // null: queries projected directly
  EXPECT_EQ(lite->moe.shared_experts, 2);
  auto gemma2 = load_model(hf("gemma-2-9b"));
  ASSERT_TRUE(gemma2);
  EXPECT_EQ(gemma2->layer_norms, 4);
  // Gemma2DecoderLayer.is_sliding = not layer_idx % 2: layers 1, 3, ... (from 1) slide.
  EXPECT_EQ(gemma2->sliding_window, 4096);
  EXPECT_EQ(gemma2->full_attention_interval, 2);
  EXPECT_DOUBLE_EQ(count_parameters(*gemma2).total, 9241705984.0);
  // Gemma 3: full attention on every sliding_window_pattern-th layer (default 6), QK-norm, four
  // norms per block; a multimodal config's text_config, Gemma3TextConfig's defaults where it is
  // silent (vocabulary, positions).
  auto gemma3 = load_model(hf("gemma-3-27b"));
  ASSERT_TRUE(gemma3) << to_string(gemma3.error());
  EXPECT_EQ(gemma3->family, "gemma3");
  EXPECT_EQ(gemma3->sliding_window, 1024);
  EXPECT_EQ(gemma3->full_attention_interval, 6);
  EXPECT_TRUE(gemma3->qk_norm);
  EXPECT_EQ(gemma3->layer_norms, 4);
  EXPECT_TRUE(gemma3->tied_embeddings);
  EXPECT_EQ(gemma3->activation, "gelu_tanh");
  EXPECT_EQ(gemma3->vocab, 262208);
  EXPECT_EQ(gemma3->max_context, 131072);
  EXPECT_EQ(local_attention_layers(*gemma3), 52);  // 62 layers, 10 of them global
  // Non-embedding parameters: the report's 25,600M.
  EXPECT_LE(std::fabs((count_parameters(*gemma3).total - 262208.0 * 5376) / 25.6e9 - 1), 2e-4);
  auto gemma3_1b = load_model(hf("gemma-3-1b"));
  ASSERT_TRUE(gemma3_1b) << to_string(gemma3_1b.error());
  EXPECT_EQ(gemma3_1b->family, "gemma3");
  EXPECT_EQ(gemma3_1b->sliding_window, 512);
  EXPECT_EQ(gemma3_1b->full_attention_interval, 6);
  EXPECT_EQ(gemma3_1b->kv_heads, 1);
  auto phi3 = load_model(hf("phi-3-mini-4k"));
  ASSERT_TRUE(phi3);
  EXPECT_EQ(phi3->sliding_window, 2047);
  EXPECT_DOUBLE_EQ(count_parameters(*phi3).total, 3821079552.0);  // HF Hub count
  auto qmoe = load_model(hf("qwen1.5-moe-a2.7b"));
  ASSERT_TRUE(qmoe);
  EXPECT_EQ(qmoe->moe.shared_experts, 1);
  EXPECT_EQ(qmoe->moe.shared_expert_ffn, 5632);
  EXPECT_TRUE(qmoe->attention_bias);
}

// Falcon's three block layouts (modeling_falcon.py): 7B multi-query with one shared norm,
// 40B/180B grouped with ln_attn + ln_mlp, and the non-parallel multi-head variant.
TEST(HfConfig, FalconVariants) {
  const std::string base =
      R"("model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71, )"
      R"("num_hidden_layers": 32, "vocab_size": 65024)";
  auto m7 = model_from_hf_text(
      "{" + base + R"(, "multi_query": true, "parallel_attn": true, "bias": false})", "f7.json");
  ASSERT_TRUE(m7) << to_string(m7.error());
  EXPECT_EQ(m7->kv_heads, 1);
  EXPECT_EQ(m7->layer_norms, 1);
  EXPECT_EQ(m7->head_dim, 64);
  EXPECT_TRUE(m7->tied_embeddings);
  // The Hugging Face Hub shows 7.22B for tiiuae/falcon-7b: its checkpoint stores the tied LM head
  // a second time (V x H = 295,469,056), which is one matrix, not two.
  EXPECT_NEAR((count_parameters(*m7).total + 65024.0 * 4544.0) / 7.22e9, 1.0, 0.01);

  auto mm = model_from_hf_text(
      "{" + base + R"(, "multi_query": false, "parallel_attn": false, "bias": true})", "f.json");
  ASSERT_TRUE(mm) << to_string(mm.error());
  EXPECT_EQ(mm->kv_heads, 71);
  EXPECT_EQ(mm->layer_norms, 2);
  EXPECT_FALSE(mm->parallel_block);
  EXPECT_TRUE(mm->mlp_bias);
}

// Llama 4 keeps the language model in "text_config" (shapes of Llama-4-Scout-17B-16E and
// Maverick-17B-128E, the keys the converter reads; the vision settings are left out here).
TEST(HfConfig, Llama4TextConfig) {
  auto text = [](int experts, int step) {
    return R"({"model_type": "llama4", "vision_config": {"hidden_size": 1408},
      "text_config": {"model_type": "llama4_text", "hidden_size": 5120,
        "intermediate_size": 8192, "intermediate_size_mlp": 16384, "num_local_experts": )" +
           std::to_string(experts) + R"(, "num_experts_per_tok": 1, "num_hidden_layers": 48,
        "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128,
        "vocab_size": 202048, "max_position_embeddings": 10485760, "attention_bias": false,
        "attention_chunk_size": 8192, "no_rope_layers": [],
        "interleave_moe_layer_step": )" +
           std::to_string(step) + R"(, "tie_word_embeddings": false, "hidden_act": "silu"}})";
  };
  for (auto [id, experts, step, max_context] :
       {std::tuple{"llama-4-scout", 16, 1, 10485760}, {"llama-4-maverick", 128, 2, 1048576}}) {
    SCOPED_TRACE(id);
    auto m = model_from_hf_text(text(experts, step), std::string(id) + ".json",
                                {"max_context=" + std::to_string(max_context)});
    ASSERT_TRUE(m) << to_string(m.error());
    auto preset = load_model(id);
    ASSERT_TRUE(preset);
    expect_same_shapes(*m, *preset);
  }
  auto missing = hf_config_document_from_text(R"({"model_type": "llama4"})", "l4.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].to_string(),
            "l4.json: text_config: missing required object (the language model's settings) for "
            "model_type \"llama4\"");
  // Keys are located inside text_config, not in vision_config.
  auto bad = hf_config_document_from_text(
      "{\"model_type\": \"llama4\", \"vision_config\": {\"hidden_size\": 1408},\n"
      " \"text_config\": {\"hidden_size\": \"5120\"}}",
      "l4.json");
  ASSERT_FALSE(bad);
  std::string all = to_string(bad.error());
  EXPECT_NE(all.find("l4.json:2:18: hidden_size: expected an integer (model width), got a string "
                     "\"5120\""),
            std::string::npos)
      << all;
}

// Local attention layers: Llama 4's NoPE layers keep full attention (no_rope_layers, else every
// no_rope_layer_interval-th layer), a layer_types list (transformers >= 4.53) states the pattern
// for any family, and a pattern model/v1 cannot say is refused with the key.
TEST(HfConfig, LocalAttentionLayers) {
  auto llama4 = [](const std::string& extra) {
    return R"({"model_type": "llama4_text", "hidden_size": 512, "intermediate_size": 256,
      "intermediate_size_mlp": 1024, "num_local_experts": 4, "num_experts_per_tok": 1,
      "num_hidden_layers": 8, "num_attention_heads": 8, "num_key_value_heads": 2,
      "vocab_size": 1000)" +
           extra + "}";
  };
  auto dflt = model_from_hf_text(llama4(""), "l4.json");
  ASSERT_TRUE(dflt) << to_string(dflt.error());
  EXPECT_EQ(dflt->attention_chunk, 8192);  // Llama4TextConfig default
  EXPECT_EQ(dflt->full_attention_interval, 4);
  auto every2 = model_from_hf_text(
      llama4(R"(, "attention_chunk_size": 1024, "no_rope_layers": [1, 0, 1, 0, 1, 0, 1, 0])"),
      "l4.json");
  ASSERT_TRUE(every2) << to_string(every2.error());
  EXPECT_EQ(every2->attention_chunk, 1024);
  EXPECT_EQ(every2->full_attention_interval, 2);
  EXPECT_EQ(local_attention_layers(*every2), 4);
  auto odd =
      model_from_hf_text(llama4(R"(, "no_rope_layers": [0, 1, 1, 1, 1, 1, 1, 1])"), "l4.json");
  ASSERT_FALSE(odd);
  EXPECT_NE(to_string(odd.error())
                .find("no_rope_layers: the full-attention layers are not every "
                      "k-th layer"),
            std::string::npos)
      << to_string(odd.error());

  auto not_flag =
      model_from_hf_text(llama4(R"(, "no_rope_layers": [1, 1, 1, "0", 1, 1, 1, 0])"), "l4.json");
  ASSERT_FALSE(not_flag);
  EXPECT_NE(to_string(not_flag.error())
                .find("no_rope_layers: entries must be 0 (a NoPE layer: "
                      "full attention) or 1 (a rope layer: chunked "
                      "attention), got \"0\""),
            std::string::npos)
      << to_string(not_flag.error());

  const std::string qwen = R"({"model_type": "qwen3", "hidden_size": 512, "intermediate_size": 1024,
      "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 64,
      "vocab_size": 1000, "sliding_window": 128, "layer_types": )";
  auto alt = model_from_hf_text(
      qwen + R"(["sliding_attention", "full_attention", "sliding_attention", "full_attention"]})",
      "q.json");
  ASSERT_TRUE(alt) << to_string(alt.error());
  EXPECT_EQ(alt->sliding_window, 128);
  EXPECT_EQ(alt->full_attention_interval, 2);
  auto all_full = model_from_hf_text(
      qwen + R"(["full_attention", "full_attention", "full_attention", "full_attention"]})",
      "q.json");
  ASSERT_TRUE(all_full) << to_string(all_full.error());
  EXPECT_EQ(all_full->sliding_window, 0);  // use_sliding_window false and no local layer
  EXPECT_EQ(local_attention_layers(*all_full), 0);
  auto short_list = model_from_hf_text(qwen + R"(["full_attention"]})", "q.json");
  ASSERT_FALSE(short_list);
  EXPECT_NE(to_string(short_list.error()).find("layer_types: must be a list of 4 entries"),
            std::string::npos)
      << to_string(short_list.error());
  auto unknown = model_from_hf_text(
      qwen + R"(["full_attention", "linear_attention", "full_attention", "full_attention"]})",
      "q.json");
  ASSERT_FALSE(unknown);
  EXPECT_NE(to_string(unknown.error()).find("unsupported entry \"linear_attention\""),
            std::string::npos)
      << to_string(unknown.error());

  // Qwen2 with use_sliding_window slides only from layer max_window_layers on (Qwen2Attention;
  // Qwen2Config default 28): none when it covers every layer, all from 0, and a split into full
  // then sliding layers is refused at the key (model/v1 describes every k-th layer full).
  const std::string qwen2 = R"({"model_type": "qwen2", "hidden_size": 512,
      "intermediate_size": 1024, "num_hidden_layers": 4, "num_attention_heads": 8,
      "num_key_value_heads": 2, "vocab_size": 1000, "sliding_window": 128,
      "use_sliding_window": true)";
  for (const char* covering :
       {"}", R"(, "max_window_layers": 4})", R"(, "max_window_layers": 9})"}) {
    auto m = model_from_hf_text(qwen2 + covering, "q2.json");
    ASSERT_TRUE(m) << to_string(m.error());
    EXPECT_EQ(m->sliding_window, 0) << covering;
  }
  auto every = model_from_hf_text(qwen2 + R"(, "max_window_layers": 0})", "q2.json");
  ASSERT_TRUE(every) << to_string(every.error());
  EXPECT_EQ(every->sliding_window, 128);
  EXPECT_EQ(every->full_attention_interval, 0);
  auto split = model_from_hf_text(qwen2 + R"(, "max_window_layers": 2})", "q2.json");
  ASSERT_FALSE(split);
  EXPECT_NE(to_string(split.error()).find("max_window_layers: the full-attention layers are not"),
            std::string::npos)
      << to_string(split.error());

  // Gemma 3: sliding_window_pattern k keeps full attention on layers k, 2k, ...; a bad pattern is
  // refused at its key; a multimodal gemma3 config needs its text_config.
  const std::string gemma3 = R"({"model_type": "gemma3_text", "hidden_size": 512,
      "intermediate_size": 1024, "num_hidden_layers": 12, "num_attention_heads": 8,
      "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 1000, "sliding_window": 256)";
  auto every4 = model_from_hf_text(gemma3 + R"(, "sliding_window_pattern": 4})", "g3.json");
  ASSERT_TRUE(every4) << to_string(every4.error());
  EXPECT_EQ(every4->full_attention_interval, 4);
  EXPECT_EQ(local_attention_layers(*every4), 9);
  auto pattern0 = model_from_hf_text(gemma3 + R"(, "sliding_window_pattern": 0})", "g3.json");
  ASSERT_FALSE(pattern0);
  EXPECT_NE(to_string(pattern0.error()).find("sliding_window_pattern: must be >= 1"),
            std::string::npos)
      << to_string(pattern0.error());
  auto no_text = hf_config_document_from_text(R"({"model_type": "gemma3"})", "g3.json");
  ASSERT_FALSE(no_text);
  EXPECT_EQ(no_text.error()[0].to_string(),
            "g3.json: text_config: missing required object (the language model's settings) for "
            "model_type \"gemma3\"");
}

TEST(HfConfig, OverridesApplyOnModelPaths) {
  auto m = load_model(hf("llama-3.1-8b"), {"layers=2", "moe.experts=4", "moe.experts_per_token=1",
                                            "moe.expert_ffn=1024"});
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->layers, 2);
  EXPECT_EQ(m->moe.experts, 4);
  auto bad = load_model(hf("llama-3.1-8b"), {"kv_heads=5"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0].to_string(),
            "<command line>: kv_heads: heads (32) must be a multiple of kv_heads (5): "
            "grouped-query attention shares each key/value head among heads / kv_heads query "
            "heads");
  auto typo = load_model(hf("llama-3.1-8b"), {"hiden=5"});
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error()[0].to_string(),
            "<command line>: hiden: unknown key; did you mean \"hidden\"?");
}

TEST(HfConfig, ValuesAreValidatedByTheModelSchemaAtTheHfKey) {
  auto d = hf_config_document_from_text(
      "{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": -3,\n  \"hidden_size\": 64,\n"
      "  \"num_attention_heads\": 4,\n  \"intermediate_size\": 128,\n  \"vocab_size\": 100\n}",
      "neg.json");
  ASSERT_TRUE(d);
  auto m = parse_model_document(*d, {});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error()[0].to_string(),
            "neg.json:3:3: layers: value \"-3\" is out of range; allowed: >= 1 and <= 1e+08");
  auto flag = hf_config_document_from_text(
      R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
          "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
          "tie_word_embeddings": 1})",
      "flag.json");
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error()[0].to_string(),
            "flag.json:3:11: tie_word_embeddings: expected true or false (LM head shares the "
            "embedding), got an integer 1");
}

TEST(HfConfig, TopLevelMustBeAnObject) {
  auto d = hf_config_document_from_text("[1, 2]", "list.json");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error()[0].to_string(),
            "list.json: expected a JSON object (a Hugging Face config.json) at the top level");
  auto none = hf_config_document_from_text(R"({"hidden_size": 1})", "x.json");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error()[0].to_string().find("x.json: model_type: missing required key"),
            std::string::npos);
}

TEST(HfConfig, DuplicateKeysAreErrorsNamingBothPlaces) {
  // nlohmann's parser keeps the last of two "hidden_size" keys; the reader refuses both.
  auto d = hf_config_document_from_text(
      "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 4096,\n  \"hidden_size\": 8192\n}",
      "dup.json");
  ASSERT_FALSE(d);
  EXPECT_EQ(to_string(d.error()),
            "dup.json:4:3: hidden_size: duplicate key \"hidden_size\" (first at line 3, column "
            "3)\n");
  // Written once plainly and once with an escape: the same key after decoding.
  auto escaped = hf_config_document_from_text(
      R"({"model_type": "llama", "hidden_size": 1, "hidden\u005fsize": 2})", "esc.json");
  ASSERT_FALSE(escaped);
  EXPECT_NE(to_string(escaped.error()).find("duplicate key \"hidden_size\""), std::string::npos)
      << to_string(escaped.error());
}

TEST(HfConfig, EchoedValuesAreCut) {
  auto d = hf_config_document_from_text(
      R"({"model_type": "llama", "hidden_size": ")" + std::string(5000, 'x') + "\"}", "x.json");
  ASSERT_FALSE(d);
  const std::string all = to_string(d.error());
  EXPECT_NE(all.find("hidden_size: expected an integer"), std::string::npos) << all;
  EXPECT_LT(all.size(), 1000u) << all;
  auto type = hf_config_document_from_text(
      R"({"model_type": ")" + std::string(5000, 'y') + "\"}", "t.json");
  ASSERT_FALSE(type);
  EXPECT_LT(to_string(type.error()).size(), 1000u);
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

// A 2^63 vocabulary used to wrap to a negative number through get<long long>(); any integer
// beyond the model schema's largest value is refused at its key, echoed as written.
TEST(HfConfig, HugeIntegersAreOutOfRangeAndEchoedAsWritten) {
  for (const char* v : {"9223372036854775808", "18446744073709551615", "9223372036854775807",
                        "-9223372036854775808", "100000001", "1e20"}) {
    const std::string text =
        std::string("{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": 2,\n  "
                    "\"hidden_size\": 64,\n  \"num_attention_heads\": 4,\n  "
                    "\"intermediate_size\": 128,\n  \"vocab_size\": ") +
        v + "\n}";
    auto d = hf_config_document_from_text(text, "big.json");
    ASSERT_FALSE(d) << v;
    const std::string shown = std::string(v) == "1e20" ? "1e+20" : v;
    EXPECT_EQ(d.error()[0].to_string(),
              "big.json:7:3: vocab_size: " + shown +
                  " is out of range; allowed 0 .. 100000000 (model dimensions and counts; 1e8 is "
                  "beyond any published model)");
  }
}

}  // namespace
}  // namespace xpusim
