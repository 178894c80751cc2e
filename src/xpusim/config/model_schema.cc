// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/model_schema.h"

#include <string>

#include "xpusim/base/bounds.h"

#include "xpusim/config/hf_config.h"
#include "xpusim/config/model_params.h"
#include "xpusim/config/precision.h"
#include "xpusim/config/presets.h"

namespace xpusim {
namespace {

// Upper bound of every integer field (base/bounds.h): keeps products far from int overflow and
// rejects typos with extra digits (the longest published context, Llama 4 Scout's, is 10.5
// million tokens).
constexpr double kMaxDim = static_cast<double>(bounds::kModelDimension.hi);

FieldOptions positive() { return FieldOptions{.min = 1, .max = kMaxDim}; }
FieldOptions count_default(const char* def, double min = 0) {
  return FieldOptions{.default_text = def, .min = min, .max = kMaxDim};
}
FieldOptions flag(const char* def) { return FieldOptions{.default_text = def}; }

std::string num(int v) { return std::to_string(v); }

// "none" and the precision names: the values of checkpoint.precision.
std::vector<std::string> checkpoint_precisions() {
  std::vector<std::string> v{"none"};
  for (const std::string& p : precision_names()) v.push_back(p);
  return v;
}

void check_model(const ModelSpec& s, const FieldSource& doc, Diagnostics& diags) {
  auto err = [&](const std::string& path, std::string msg) {
    diags.push_back(doc.at(path, std::move(msg)));
  };
  const bool mla = s.mla.enabled();
  if (s.kv_heads > s.heads) {
    err("kv_heads", "kv_heads (" + num(s.kv_heads) + ") is more than heads (" + num(s.heads) +
                        "); each key/value head serves one or more query heads");
  } else if (s.heads % s.kv_heads != 0) {
    err("kv_heads", "heads (" + num(s.heads) + ") must be a multiple of kv_heads (" +
                        num(s.kv_heads) + "): grouped-query attention shares each key/value head " +
                        "among heads / kv_heads query heads");
  }
  if (s.rotary_dim > s.head_dim)
    err("rotary_dim", "rotary_dim (" + num(s.rotary_dim) + ") exceeds head_dim (" +
                          num(s.head_dim) + ")");
  if (s.rotary_dim % 2 != 0)
    err("rotary_dim", "rotary_dim (" + num(s.rotary_dim) + ") must be even (rotary embedding "
                      "rotates pairs of dimensions)");

  // Mixture of experts.
  const MoeSpec& m = s.moe;
  if (!m.enabled()) {
    auto unused = [&](const char* path, int value, int neutral) {
      if (value != neutral)
        err(path, std::string(path) + " is " + num(value) +
                      " but moe.experts is 0 (a dense model); set moe.experts or remove " + path);
    };
    unused("moe.experts_per_token", m.experts_per_token, 0);
    unused("moe.shared_experts", m.shared_experts, 0);
    unused("moe.expert_ffn", m.expert_ffn, 0);
    unused("moe.shared_expert_ffn", m.shared_expert_ffn, 0);
    unused("moe.dense_layers_first", m.dense_layers_first, 0);
    unused("moe.layer_interval", m.layer_interval, 1);
  } else {
    if (m.experts_per_token < 1)
      err("moe.experts_per_token", "moe.experts_per_token must be >= 1 when moe.experts > 0");
    else if (m.experts_per_token > m.experts)
      err("moe.experts_per_token", "moe.experts_per_token (" + num(m.experts_per_token) +
                                       ") exceeds moe.experts (" + num(m.experts) + ")");
    if (m.expert_ffn < 1)
      err("moe.expert_ffn", "moe.expert_ffn (intermediate size of one routed expert) must be > 0 "
                            "when moe.experts > 0");
    if (m.shared_expert_ffn > 0 && m.shared_experts == 0)
      err("moe.shared_expert_ffn", "moe.shared_expert_ffn is " + num(m.shared_expert_ffn) +
                                       " but moe.shared_experts is 0");
    if (m.dense_layers_first >= s.layers)
      err("moe.dense_layers_first", "moe.dense_layers_first (" + num(m.dense_layers_first) +
                                        ") leaves no MoE layer among the " + num(s.layers) +
                                        " layers");
    else if (moe_layer_count(s) == 0)
      err("moe.layer_interval", "moe.layer_interval (" + num(m.layer_interval) +
                                    ") leaves no MoE layer among the " + num(s.layers) + " layers");
  }
  const int dense_layers = s.layers - moe_layer_count(s);
  if (dense_layers > 0 && s.ffn < 1)
    err("ffn", "ffn (dense MLP intermediate size) must be > 0: the model has " + num(dense_layers) +
                   " dense layer(s)");

  // Multi-head latent attention.
  const MlaSpec& a = s.mla;
  if (mla) {
    auto need = [&](const char* path, int value) {
      if (value < 1)
        err(path, std::string(path) + " must be > 0 when mla.kv_lora_rank > 0 (multi-head "
                                      "latent attention needs all of its dimensions)");
    };
    need("mla.qk_nope_head_dim", a.qk_nope_head_dim);
    need("mla.qk_rope_head_dim", a.qk_rope_head_dim);
    need("mla.v_head_dim", a.v_head_dim);
    if (a.qk_nope_head_dim > 0 && a.qk_rope_head_dim > 0 &&
        s.head_dim != a.qk_nope_head_dim + a.qk_rope_head_dim)
      err("head_dim", "head_dim (" + num(s.head_dim) + ") must equal mla.qk_nope_head_dim + "
                      "mla.qk_rope_head_dim (" + num(a.qk_nope_head_dim + a.qk_rope_head_dim) +
                      ") with multi-head latent attention");
    if (s.kv_heads != s.heads)
      err("kv_heads", "kv_heads (" + num(s.kv_heads) + ") must equal heads (" + num(s.heads) +
                          ") with multi-head latent attention (one key/value per query head)");
  } else {
    auto unused = [&](const char* path, int value) {
      if (value != 0)
        err(path, std::string(path) + " is " + num(value) +
                      " but mla.kv_lora_rank is 0 (no multi-head latent attention)");
    };
    unused("mla.q_lora_rank", a.q_lora_rank);
    unused("mla.qk_nope_head_dim", a.qk_nope_head_dim);
    unused("mla.qk_rope_head_dim", a.qk_rope_head_dim);
    unused("mla.v_head_dim", a.v_head_dim);
  }
  if (s.sliding_window > 0 && s.max_context > 0 && s.sliding_window > s.max_context)
    err("sliding_window", "sliding_window (" + num(s.sliding_window) + ") exceeds max_context (" +
                              num(s.max_context) + ")");
  if (s.sliding_window > 0 && s.attention_chunk > 0)
    err("attention_chunk", "attention_chunk (" + num(s.attention_chunk) + ") and sliding_window (" +
                               num(s.sliding_window) +
                               ") are both set; a local layer uses one of them (set the other "
                               "to 0)");
  if (s.full_attention_interval > 0 && s.sliding_window == 0 && s.attention_chunk == 0)
    err("full_attention_interval",
        "full_attention_interval (" + num(s.full_attention_interval) +
            ") needs local layers: set sliding_window or attention_chunk, or set it to 0");
  if (s.layers > 0 && s.full_attention_interval > s.layers)
    err("full_attention_interval", "full_attention_interval (" + num(s.full_attention_interval) +
                                       ") exceeds layers (" + num(s.layers) +
                                       "): no layer would keep full attention");
  if (s.published_parameters && s.published_active_parameters &&
      *s.published_active_parameters > *s.published_parameters)
    err("published_active_parameters",
        "published_active_parameters exceeds published_parameters");

  // The released checkpoint's format.
  const CheckpointSpec& c = s.checkpoint;
  if (!c.stated()) {
    if (c.scope != "all")
      err("checkpoint.scope", "checkpoint.scope is " + c.scope +
                                  " but checkpoint.precision is none; set the format the "
                                  "released weights are stored in, or remove checkpoint.scope");
    if (c.group_size != 0)
      err("checkpoint.group_size", "checkpoint.group_size is " + num(c.group_size) +
                                       " but checkpoint.precision is none; set the format the "
                                       "released weights are stored in, or remove it");
  } else {
    if (c.scope == "routed_experts" && !m.enabled())
      err("checkpoint.scope",
          "checkpoint.scope is routed_experts but moe.experts is 0 (a dense model has no routed "
          "experts); use all");
    const auto p = precision_from_string(c.precision);
    if (c.group_size != 0 && p && !block_scaled(*p))
      err("checkpoint.group_size",
          "checkpoint.group_size is " + num(c.group_size) + " but " + c.precision +
              " weights carry no block scales; allowed only with checkpoint.precision fp4 or "
              "int4 (or remove it)");
  }
}

template <class F>
Field<ModelSpec> field(std::string path, F ref, std::string description, FieldOptions opt = {}) {
  return make_field<ModelSpec>(std::move(path), ref, std::move(description), std::move(opt));
}

}  // namespace

const Schema<ModelSpec>& model_schema() {
  using S = ModelSpec;
  static const Schema<ModelSpec> schema(
      "model/v1",
      {
          field("id", [](S& s) -> auto& { return s.id; }, "preset id (file name without .yaml)"),
          field("name", [](S& s) -> auto& { return s.name; }, "model name as published"),
          field("family", [](S& s) -> auto& { return s.family; },
                "architecture family (llama, mixtral, qwen3_moe, deepseek_v3, gptj, falcon, ...)"),
          field("layers", [](S& s) -> auto& { return s.layers; }, "decoder layers", positive()),
          field("hidden", [](S& s) -> auto& { return s.hidden; }, "model (residual) width",
                positive()),
          field("heads", [](S& s) -> auto& { return s.heads; }, "query heads", positive()),
          field("kv_heads", [](S& s) -> auto& { return s.kv_heads; },
                "key/value heads: = heads for MHA, 1 for MQA, a divisor of heads for GQA",
                positive()),
          field("head_dim", [](S& s) -> auto& { return s.head_dim; },
                "dimension of one query/key head (need not be hidden / heads)", positive()),
          field("ffn", [](S& s) -> auto& { return s.ffn; },
                "intermediate size of the dense MLP (unused when every layer is MoE)",
                count_default("0")),
          field("ffn_gated", [](S& s) -> auto& { return s.ffn_gated; },
                "gated MLP (SwiGLU/GeGLU, three matrices) instead of up/down (two)", flag("true")),
          field("activation", [](S& s) -> auto& { return s.activation; }, "MLP activation",
                FieldOptions{.default_text = "silu",
                             .choices = {"silu", "gelu", "gelu_tanh", "relu"}}),
          field("vocab", [](S& s) -> auto& { return s.vocab; }, "vocabulary size", positive()),
          field("tied_embeddings", [](S& s) -> auto& { return s.tied_embeddings; },
                "the LM head reuses the input embedding matrix", flag("false")),
          field("norm", [](S& s) -> auto& { return s.norm; },
                "normalization: rmsnorm (weight) or layernorm (weight and bias)",
                FieldOptions{.default_text = "rmsnorm", .choices = {"rmsnorm", "layernorm"}}),
          field("layer_norms", [](S& s) -> auto& { return s.layer_norms; },
                "norms per block: 2 pre-attention and pre-MLP, 1 shared by a parallel block, "
                "4 with post-norms (Gemma 2)",
                FieldOptions{.default_text = "2", .min = 0, .max = 4}),
          field("qk_norm", [](S& s) -> auto& { return s.qk_norm; },
                "RMSNorm over head_dim on queries and keys (Qwen3)", flag("false")),
          field("parallel_block", [](S& s) -> auto& { return s.parallel_block; },
                "attention and MLP read the same input (GPT-J, NeoX, Falcon)", flag("false")),
          field("attention_bias", [](S& s) -> auto& { return s.attention_bias; },
                "biases on the Q, K and V projections", flag("false")),
          field("attention_out_bias", [](S& s) -> auto& { return s.attention_out_bias; },
                "bias on the attention output projection", flag("false")),
          field("mlp_bias", [](S& s) -> auto& { return s.mlp_bias; }, "biases on the MLP matrices",
                flag("false")),
          field("lm_head_bias", [](S& s) -> auto& { return s.lm_head_bias; },
                "bias on the LM head (GPT-J)", flag("false")),
          field("rotary_dim", [](S& s) -> auto& { return s.rotary_dim; },
                "dimensions per head with rotary position embedding (0 = none)",
                count_default("0")),
          field("position_embeddings", [](S& s) -> auto& { return s.position_embeddings; },
                "rows of a learned absolute position table (GPT-2/3; 0 = none)",
                count_default("0")),
          field("sliding_window", [](S& s) -> auto& { return s.sliding_window; },
                "attention window in tokens of the local layers (every layer unless "
                "full_attention_interval is set; 0 = none)",
                count_default("0")),
          field("attention_chunk", [](S& s) -> auto& { return s.attention_chunk; },
                "chunked attention (Llama 4): a query sees only the keys of its own chunk of this "
                "many tokens, on the local layers (0 = none)",
                count_default("0")),
          field("full_attention_interval",
                [](S& s) -> auto& { return s.full_attention_interval; },
                "every k-th layer (k, 2k, ... from 1) keeps full attention, the others use "
                "sliding_window or attention_chunk (0 = every layer is local)",
                count_default("0")),
          field("max_context", [](S& s) -> auto& { return s.max_context; },
                "longest context the model supports, in tokens", positive()),
          field("moe.experts", [](S& s) -> auto& { return s.moe.experts; },
                "routed experts per MoE layer (0 = dense model)", count_default("0")),
          field("moe.experts_per_token", [](S& s) -> auto& { return s.moe.experts_per_token; },
                "routed experts each token uses (top-k)", count_default("0")),
          field("moe.shared_experts", [](S& s) -> auto& { return s.moe.shared_experts; },
                "always-active experts per MoE layer", count_default("0")),
          field("moe.expert_ffn", [](S& s) -> auto& { return s.moe.expert_ffn; },
                "intermediate size of one routed expert", count_default("0")),
          field("moe.shared_expert_ffn", [](S& s) -> auto& { return s.moe.shared_expert_ffn; },
                "intermediate size of one shared expert (0 = moe.expert_ffn)", count_default("0")),
          field("moe.dense_layers_first", [](S& s) -> auto& { return s.moe.dense_layers_first; },
                "leading layers with a dense MLP of size ffn", count_default("0")),
          field("moe.layer_interval", [](S& s) -> auto& { return s.moe.layer_interval; },
                "after the dense-first layers, every k-th layer is MoE (others dense)",
                count_default("1", 1)),
          field("mla.q_lora_rank", [](S& s) -> auto& { return s.mla.q_lora_rank; },
                "rank of the query down-projection (0 = queries projected from hidden directly)",
                count_default("0")),
          field("mla.kv_lora_rank", [](S& s) -> auto& { return s.mla.kv_lora_rank; },
                "rank of the compressed key/value latent (0 = no multi-head latent attention)",
                count_default("0")),
          field("mla.qk_nope_head_dim", [](S& s) -> auto& { return s.mla.qk_nope_head_dim; },
                "query/key dimensions per head without rotary embedding", count_default("0")),
          field("mla.qk_rope_head_dim", [](S& s) -> auto& { return s.mla.qk_rope_head_dim; },
                "query/key dimensions per head with rotary embedding (key shared by heads)",
                count_default("0")),
          field("mla.v_head_dim", [](S& s) -> auto& { return s.mla.v_head_dim; },
                "value dimensions per head", count_default("0")),
          field("checkpoint.precision", [](S& s) -> auto& { return s.checkpoint.precision; },
                "format the released checkpoint stores its quantised weights in (none = not "
                "stated); run and serve say how to run it as released",
                FieldOptions{.default_text = "none", .choices = checkpoint_precisions()}),
          field("checkpoint.scope", [](S& s) -> auto& { return s.checkpoint.scope; },
                "which weights are in that format: all weight GEMMs, or the routed experts "
                "alone (gpt-oss: MXFP4 experts beside bf16 attention)",
                FieldOptions{.default_text = "all", .choices = {"all", "routed_experts"}}),
          field("checkpoint.group_size", [](S& s) -> auto& { return s.checkpoint.group_size; },
                "values per scale of fp4/int4 weights (MXFP4 32, NVFP4 16, AWQ/GPTQ 128; 0 = "
                "the format's default)",
                FieldOptions{.default_text = "0",
                             .min = 0,
                             .max = static_cast<double>(bounds::kWeightGroup.hi),
                             .reason = std::string(bounds::kWeightGroup.reason)}),
          field("published_parameters", [](S& s) -> auto& { return s.published_parameters; },
                "total parameter count as published (for checking the computed count)",
                FieldOptions{.required = false, .min = 0, .max = 1e15, .min_exclusive = true,
                             .reason = "1e15 is a thousand times the largest published model"}),
          field("published_active_parameters",
                [](S& s) -> auto& { return s.published_active_parameters; },
                "parameters used per token as published (mixture-of-experts models)",
                FieldOptions{.required = false, .min = 0, .max = 1e15, .min_exclusive = true,
                             .reason = "1e15 is a thousand times the largest published model"}),
      },
      check_model);
  return schema;
}

Result<ModelSpec> parse_model_document(Document doc, const std::vector<std::string>& overrides) {
  if (auto r = doc.apply_overrides(overrides); !r) return tl::unexpected(r.error());
  return model_schema().parse(doc);
}

namespace {

// The model/v1 document of a preset id, a YAML file or a Hugging Face config.json.
Result<Document> model_document(const std::string& id_or_file) {
  if (id_or_file.ends_with(".json")) return hf_config_document(id_or_file);
  auto path = resolve_preset_path("models", id_or_file, "model");
  if (!path) return tl::unexpected(path.error());
  return Document::load_yaml_file(*path);
}

}  // namespace

Result<ModelSpec> load_model(const std::string& id_or_file,
                             const std::vector<std::string>& overrides) {
  auto doc = model_document(id_or_file);
  if (!doc) return tl::unexpected(doc.error());
  return parse_model_document(std::move(*doc), overrides);
}

Result<SourcedSpec<ModelSpec>> load_model_sourced(const std::string& id_or_file) {
  auto doc = model_document(id_or_file);
  if (!doc) return tl::unexpected(doc.error());
  return model_schema().parse_sourced(*doc);
}

}  // namespace xpusim
