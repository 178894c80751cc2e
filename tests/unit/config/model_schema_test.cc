// SPDX-License-Identifier: Apache-2.0
// The model/v1 schema: a valid file parses, every rule has a broken file under
// tests/data/bad/model/ with its exact message, overrides are validated like file values, and
// `describe` lists every field.
#include "xpusim/config/model_schema.h"

#include <gtest/gtest.h>

#include "xpusim/config/hf_config.h"
#include "xpusim/config/model_params.h"

namespace xpusim {
namespace {

std::string bad(const std::string& name) {
  return std::string(XPUSIM_TEST_DATA_DIR) + "/bad/model/" + name;
}

const char* kTiny = R"(schema: model/v1
id: tiny
name: "Tiny"
family: llama
layers: 4
hidden: 512
heads: 8
kv_heads: 2
head_dim: 64
ffn: 1376
vocab: 32000
max_context: 2048
)";

Result<ModelSpec> parse_text(const std::string& yaml, std::vector<std::string> overrides = {}) {
  auto doc = Document::from_yaml(yaml, "tiny.yaml");
  if (!doc) return tl::unexpected(doc.error());
  return parse_model_document(std::move(*doc), overrides);
}

TEST(ModelSchema, ParsesWithDefaults) {
  auto m = parse_text(kTiny);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->kv_heads, 2);
  EXPECT_TRUE(m->ffn_gated);
  EXPECT_EQ(m->activation, "silu");
  EXPECT_EQ(m->norm, "rmsnorm");
  EXPECT_EQ(m->layer_norms, 2);
  EXPECT_EQ(m->moe.layer_interval, 1);
  EXPECT_FALSE(m->moe.enabled());
  EXPECT_FALSE(m->mla.enabled());
  EXPECT_FALSE(m->published_parameters);
}

struct BadCase {
  const char* file;
  const char* message;  // the first diagnostic, after "<dir>/<file>"
};

// One broken file per rule.
TEST(ModelSchema, BadInputCorpus) {
  const BadCase cases[] = {
      {"heads_not_divisible.yaml",
       ":8:1: kv_heads: heads (8) must be a multiple of kv_heads (3): grouped-query attention "
       "shares each key/value head among heads / kv_heads query heads"},
      {"kv_heads_exceed_heads.yaml",
       ":8:1: kv_heads: kv_heads (16) is more than heads (8); each key/value head serves one or "
       "more query heads"},
      {"unknown_key.yaml", ":6:1: hiden: unknown key; did you mean \"hidden\"?"},
      {"negative_layers.yaml",
       ":5:1: layers: value \"-2\" is out of range; allowed: >= 1 and <= 1e+08"},
      {"rotary_too_big.yaml", ":10:1: rotary_dim: rotary_dim (128) exceeds head_dim (64)"},
      {"moe_top_k.yaml",
       ":15:3: moe.experts_per_token: moe.experts_per_token (4) exceeds moe.experts (2)"},
      {"moe_without_experts.yaml",
       ":14:3: moe.expert_ffn: moe.expert_ffn is 1024 but moe.experts is 0 (a dense model); set "
       "moe.experts or remove moe.expert_ffn"},
      {"mla_incomplete.yaml",
       ": mla.v_head_dim: mla.v_head_dim must be > 0 when mla.kv_lora_rank > 0 (multi-head "
       "latent attention needs all of its dimensions)"},
      {"unknown_model_type.json",
       ":4:3: model_type: unsupported model_type \"llama5\"; did you mean \"llama\"? Supported: "
       "deepseek_v2, deepseek_v3, falcon, gemma, gemma2, gemma3, gemma3_text, gpt_neox, gpt_oss, "
       "gptj, llama, llama4, llama4_text, mistral, mixtral, phi3, qwen2, qwen2_moe, qwen3, "
       "qwen3_moe"},
      {"malformed.json",
       ":4:21: malformed JSON: syntax error while parsing object - unexpected string literal; "
       "expected '}'"},
      {"missing_key.json",
       ": num_hidden_layers: missing required key (number of decoder layers) for model_type "
       "\"llama\""},
      {"wrong_type.json",
       ":2:3: hidden_size: expected an integer (model width), got a string \"4096\""},
      {"bad_activation.json",
       ":2:3: hidden_act: unsupported activation \"swiglu\"; supported: silu, swish, gelu, "
       "gelu_new, gelu_fast, gelu_pytorch_tanh, gelu_python, relu"},
      {"mlp_only_layers.json",
       ":4:3: mlp_only_layers: a non-empty mlp_only_layers list is not supported; use "
       "moe.dense_layers_first and moe.layer_interval in a model/v1 file"},
      {"hf_heads_not_divisible.json",
       ":7:3: kv_heads: heads (32) must be a multiple of kv_heads (6): grouped-query attention "
       "shares each key/value head among heads / kv_heads query heads"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto m = load_model(bad(c.file));
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error()[0].to_string(), bad(c.file) + c.message);
  }
}

TEST(ModelSchema, CrossFieldChecks) {
  std::string moe = std::string(kTiny) + "moe:\n  experts: 8\n  experts_per_token: 2\n";
  auto no_ffn = parse_text(moe);
  ASSERT_FALSE(no_ffn);
  EXPECT_EQ(no_ffn.error()[0].to_string(),
            "tiny.yaml: moe.expert_ffn: moe.expert_ffn (intermediate size of one routed "
            "expert) must be > 0 when moe.experts > 0");
  auto all_dense = parse_text(moe + "  expert_ffn: 512\n  dense_layers_first: 4\n");
  ASSERT_FALSE(all_dense);
  EXPECT_EQ(all_dense.error()[0].to_string(),
            "tiny.yaml:17:3: moe.dense_layers_first: moe.dense_layers_first (4) leaves no MoE "
            "layer among the 4 layers");
  auto ok = parse_text(moe + "  expert_ffn: 512\n", {"ffn=0"});
  ASSERT_TRUE(ok) << to_string(ok.error());  // every layer MoE: the dense ffn is not needed
  auto dense_needs_ffn = parse_text(kTiny, {"ffn=0"});
  ASSERT_FALSE(dense_needs_ffn);
  EXPECT_EQ(dense_needs_ffn.error()[0].to_string(),
            "<command line>: ffn: ffn (dense MLP intermediate size) must be > 0: the model has 4 "
            "dense layer(s)");
  auto mla_heads = parse_text(std::string(kTiny) +
                                  "mla:\n  kv_lora_rank: 64\n  qk_nope_head_dim: 48\n"
                                  "  qk_rope_head_dim: 16\n  v_head_dim: 64\n");
  ASSERT_FALSE(mla_heads);
  EXPECT_EQ(mla_heads.error()[0].to_string(),
            "tiny.yaml:8:1: kv_heads: kv_heads (2) must equal heads (8) with multi-head latent "
            "attention (one key/value per query head)");
  auto stray_mla = parse_text(kTiny, {"mla.v_head_dim=64"});
  ASSERT_FALSE(stray_mla);
  EXPECT_EQ(stray_mla.error()[0].to_string(),
            "<command line>: mla.v_head_dim: mla.v_head_dim is 64 but mla.kv_lora_rank is 0 (no "
            "multi-head latent attention)");
  // Local attention layers: one kind of local layer, an interval only with local layers and
  // never beyond the layers.
  auto both = parse_text(kTiny, {"sliding_window=64", "attention_chunk=128"});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error()[0].to_string(),
            "<command line>: attention_chunk: attention_chunk (128) and sliding_window (64) are "
            "both set; a local layer uses one of them (set the other to 0)");
  auto no_local = parse_text(kTiny, {"full_attention_interval=2"});
  ASSERT_FALSE(no_local);
  EXPECT_EQ(no_local.error()[0].to_string(),
            "<command line>: full_attention_interval: full_attention_interval (2) needs local "
            "layers: set sliding_window or attention_chunk, or set it to 0");
  auto beyond = parse_text(kTiny, {"attention_chunk=128", "full_attention_interval=5"});
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error()[0].to_string(),
            "<command line>: full_attention_interval: full_attention_interval (5) exceeds layers "
            "(4): no layer would keep full attention");
  auto chunked = parse_text(kTiny, {"attention_chunk=128", "full_attention_interval=4"});
  ASSERT_TRUE(chunked) << to_string(chunked.error());
  EXPECT_EQ(local_attention_layers(*chunked), 3);
  // The released checkpoint's format: routed experts need experts, a group a 4-bit format, and
  // a scope or group a stated format.
  auto experts_only =
      parse_text(kTiny, {"checkpoint.precision=fp4", "checkpoint.scope=routed_experts"});
  ASSERT_FALSE(experts_only);
  EXPECT_EQ(experts_only.error()[0].to_string(),
            "<command line>: checkpoint.scope: checkpoint.scope is routed_experts but moe.experts "
            "is 0 (a dense model has no routed experts); use all");
  auto fp8_group = parse_text(kTiny, {"checkpoint.precision=fp8", "checkpoint.group_size=128"});
  ASSERT_FALSE(fp8_group);
  EXPECT_EQ(fp8_group.error()[0].to_string(),
            "<command line>: checkpoint.group_size: checkpoint.group_size is 128 but fp8 weights "
            "carry no block scales; allowed only with checkpoint.precision fp4 or int4 (or "
            "remove it)");
  auto unstated = parse_text(kTiny, {"checkpoint.group_size=32"});
  ASSERT_FALSE(unstated);
  EXPECT_NE(unstated.error()[0].to_string().find("checkpoint.group_size is 32 but "
                                                 "checkpoint.precision is none"),
            std::string::npos);
  auto huge = parse_text(kTiny, {"checkpoint.precision=int4", "checkpoint.group_size=100000"});
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error()[0].to_string().find("checkpoint.group_size"), std::string::npos);
  auto fp5 = parse_text(kTiny, {"checkpoint.precision=fp5"});
  ASSERT_FALSE(fp5);
  EXPECT_NE(fp5.error()[0].to_string().find("expected one of: none, fp32"), std::string::npos)
      << fp5.error()[0].to_string();
  auto int4 = parse_text(kTiny, {"checkpoint.precision=int4", "checkpoint.group_size=32"});
  ASSERT_TRUE(int4) << to_string(int4.error());
  EXPECT_EQ(int4->checkpoint.group_size, 32);
  auto activation = parse_text(kTiny, {"activation=swiglu"});
  ASSERT_FALSE(activation);
  EXPECT_EQ(activation.error()[0].to_string(),
            "<command line>: activation: expected one of: silu, gelu, gelu_tanh, relu, got "
            "\"swiglu\"; did you mean \"silu\"?");
}

TEST(ModelSchema, OverridesOnPresets) {
  auto m = load_model("llama-3.1-8b", {"layers=16", "vocab=32000"});
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->layers, 16);
  EXPECT_EQ(m->vocab, 32000);
  auto bad_value = load_model("llama-3.1-8b", {"layers=many"});
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error()[0].to_string(),
            "<command line>: layers: expected an integer, got \"many\"");
  auto unknown = load_model("llama-3.1-8c");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error()[0].message.find("unknown model preset \"llama-3.1-8c\"; did you mean "
                                            "\"llama-3.1-8b\"?"),
            std::string::npos)
      << unknown.error()[0].message;
}

TEST(ModelSchema, DescribeListsEveryField) {
  std::string d = describe_schema("model/v1", model_schema().fields());
  for (const char* p :
       {"id", "name", "family", "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn",
        "ffn_gated", "activation", "vocab", "tied_embeddings", "norm", "parallel_block",
        "attention_bias", "mlp_bias", "lm_head_bias", "rotary_dim", "sliding_window",
        "max_context", "moe.experts", "moe.experts_per_token", "moe.shared_experts",
        "moe.expert_ffn", "moe.shared_expert_ffn", "moe.dense_layers_first", "moe.layer_interval",
        "mla.q_lora_rank", "mla.kv_lora_rank", "mla.qk_nope_head_dim", "mla.qk_rope_head_dim",
        "mla.v_head_dim", "published_parameters"})
    EXPECT_NE(d.find(std::string("\n") + p + " "), std::string::npos) << p;
}

}  // namespace
}  // namespace xpusim
