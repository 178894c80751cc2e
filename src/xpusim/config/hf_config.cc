// SPDX-License-Identifier: Apache-2.0
// Key names and defaults follow the configuration classes of Hugging Face transformers
// (models/<type>/configuration_<type>.py, v4.4x): a key the class gives a default may be absent,
// any other key the mapping needs is required. Fields the class derives implicitly (Qwen2's Q/K/V
// biases, GPT-J's LM-head bias, Falcon's norms per block) are set here from the modelling code.
#include "xpusim/config/hf_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "xpusim/base/bounds.h"
#include "xpusim/base/text.h"
#include "xpusim/config/json_text.h"

namespace xpusim {
namespace {

using nlohmann::json;

const std::vector<std::string>& supported_types() {
  static const std::vector<std::string> types = {
      "deepseek_v2", "deepseek_v3", "falcon", "gemma",     "gemma2", "gemma3",      "gemma3_text",
      "gpt_neox",    "gpt_oss",     "gptj",   "llama",     "llama4", "llama4_text", "mistral",
      "mixtral",     "phi3",        "qwen2",  "qwen2_moe", "qwen3",  "qwen3_moe"};
  return types;
}

struct Location {
  int line = 0;
  int column = 0;
};

// Line and column (1-based) of byte `offset` (0-based) of `text`.
Location location_of(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  Location loc{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  return "an object";
}

// Reads typed keys of the top-level object, recording diagnostics and the place of every key.
class Reader {
 public:
  // `search_from`: byte offset where the keys of `root` start in `text` (a nested text_config).
  Reader(const json& root, const std::string& text, std::string file, std::string model_type,
         size_t search_from = 0)
      : root_(root),
        text_(text),
        file_(std::move(file)),
        model_type_(std::move(model_type)),
        search_from_(search_from) {}

  [[nodiscard]] const std::string& file() const { return file_; }
  Diagnostics& diags() { return diags_; }

  [[nodiscard]] bool has(const std::string& key) const {
    auto it = root_.find(key);
    return it != root_.end() && !it->is_null();
  }

  // Where `"key":` is written (first occurrence), or 0:0 when it is not written.
  [[nodiscard]] Location where(const std::string& key) const {
    const std::string quoted = "\"" + key + "\"";
    for (size_t pos = text_.find(quoted, search_from_); pos != std::string::npos;
         pos = text_.find(quoted, pos + 1)) {
      size_t after = text_.find_first_not_of(" \t\r\n", pos + quoted.size());
      if (after != std::string::npos && text_[after] == ':') return location_of(text_, pos);
    }
    return {};
  }

  void error(const std::string& key, std::string message) {
    Location loc = where(key);
    diags_.push_back(Diagnostic{file_, loc.line, loc.column, key, std::move(message)});
  }

  void missing(const std::string& key, const std::string& meaning) {
    diags_.push_back(Diagnostic{file_, 0, 0, key,
                                "missing required key (" + meaning + ") for model_type \"" +
                                    model_type_ + "\""});
  }

  // An integer key; nullopt when absent or null (after reporting it when `required`).
  std::optional<long long> integer(const std::string& key, const std::string& meaning,
                                   bool required) {
    auto it = root_.find(key);
    if (it == root_.end() || it->is_null()) {
      if (required) missing(key, meaning);
      return std::nullopt;
    }
    // Beyond the model schema's largest value (bounds::kModelDimension) an integer is refused
    // here, echoed as written: get<long long>() would wrap 2^63 to a negative number, and the
    // mapping's arithmetic (4 x hidden, hidden / heads) must not overflow. Smaller out-of-range
    // values (0, -3) go on to the schema, which names the model/v1 field.
    const long long limit = bounds::kModelDimension.hi;
    if (it->is_number_unsigned()) {
      if (it->get<unsigned long long>() <= static_cast<unsigned long long>(limit))
        return it->get<long long>();
    } else if (it->is_number_integer()) {
      const long long v = it->get<long long>();
      if (v >= -limit && v <= limit) return v;
    } else if (it->is_number_float()) {
      double d = it->get<double>();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= static_cast<double>(limit))
        return static_cast<long long>(d);
    }
    if (it->is_number_integer() || (it->is_number_float() && std::isfinite(it->get<double>()) &&
                                    std::floor(it->get<double>()) == it->get<double>())) {
      error(key, out_of_range_message(printable(it->dump()), bounds::kModelDimension));
      return std::nullopt;
    }
    error(key, "expected an integer (" + meaning + "), got " + type_name(*it) + " " +
                   printable(it->dump()));
    return std::nullopt;
  }

  long long integer_or(const std::string& key, const std::string& meaning, long long fallback) {
    return integer(key, meaning, false).value_or(fallback);
  }

  std::optional<double> real(const std::string& key, const std::string& meaning) {
    auto it = root_.find(key);
    if (it == root_.end() || it->is_null()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    error(key, "expected a number (" + meaning + "), got " + type_name(*it) + " " +
                   printable(it->dump()));
    return std::nullopt;
  }

  bool boolean_or(const std::string& key, const std::string& meaning, bool fallback) {
    auto it = root_.find(key);
    if (it == root_.end() || it->is_null()) return fallback;
    if (it->is_boolean()) return it->get<bool>();
    error(key, "expected true or false (" + meaning + "), got " + type_name(*it) + " " +
                   printable(it->dump()));
    return fallback;
  }

  std::optional<std::string> text(const std::string& key, const std::string& meaning) {
    auto it = root_.find(key);
    if (it == root_.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    error(key, "expected a string (" + meaning + "), got " + type_name(*it) + " " +
                   printable(it->dump()));
    return std::nullopt;
  }

  [[nodiscard]] const json* raw(const std::string& key) const {
    auto it = root_.find(key);
    return it == root_.end() ? nullptr : &*it;
  }

 private:
  const json& root_;
  const std::string& text_;
  std::string file_;
  std::string model_type_;
  size_t search_from_ = 0;
  Diagnostics diags_;
};

// Collects model/v1 entries, each placed at the Hugging Face key it came from.
class Builder {
 public:
  Builder(Reader& reader, Document& doc) : r_(reader), doc_(doc) {}

  void set(const std::string& path, const std::string& value, const std::string& source_key) {
    Location loc = source_key.empty() ? Location{} : r_.where(source_key);
    doc_.set(path, DocumentEntry{value, r_.file(), loc.line, loc.column, false, false});
  }
  void set(const std::string& path, long long value, const std::string& source_key) {
    set(path, std::to_string(value), source_key);
  }
  void set_bool(const std::string& path, bool value, const std::string& source_key) {
    set(path, std::string(value ? "true" : "false"), source_key);
  }

 private:
  Reader& r_;
  Document& doc_;
};

// hidden_act spellings of transformers' ACT2FN mapped to model/v1 activations.
std::optional<std::string> activation_of(const std::string& act) {
  static const std::map<std::string, std::string> map = {
      {"silu", "silu"},           {"swish", "silu"},          {"gelu", "gelu"},
      {"gelu_new", "gelu_tanh"},  {"gelu_fast", "gelu_tanh"}, {"gelu_pytorch_tanh", "gelu_tanh"},
      {"gelu_python", "gelu"},    {"relu", "relu"}};
  auto it = map.find(act);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

void map_activation(Reader& r, Builder& b, const std::string& key, const std::string& fallback) {
  std::string act = r.text(key, "MLP activation").value_or(fallback);
  auto mapped = activation_of(act);
  if (!mapped) {
    r.error(key, "unsupported activation \"" + act +
                     "\"; supported: silu, swish, gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, "
                     "gelu_python, relu");
    return;
  }
  b.set("activation", *mapped, r.has(key) ? key : "");
}

// tie_word_embeddings (PretrainedConfig); `fallback` is the family's config-class default.
void map_tied_embeddings(Reader& r, Builder& b, bool fallback) {
  b.set_bool("tied_embeddings",
             r.boolean_or("tie_word_embeddings", "LM head shares the embedding", fallback),
             "tie_word_embeddings");
}

// Rotary dimensions per head from partial_rotary_factor / rotary_pct (fraction of head_dim).
void map_rotary_fraction(Reader& r, Builder& b, const std::string& key, long long head_dim,
                         double fallback) {
  double fraction = r.real(key, "fraction of each head with rotary embedding").value_or(fallback);
  if (!(fraction >= 0.0 && fraction <= 1.0)) {
    r.error(key, "expected a fraction between 0 and 1, got " + std::to_string(fraction));
    return;
  }
  b.set("rotary_dim", static_cast<long long>(std::llround(fraction * static_cast<double>(head_dim))),
        r.has(key) ? key : "");
}

// Families whose config follows LlamaConfig's key names: llama, mistral, mixtral, qwen2/3(_moe),
// gemma/gemma2, phi3, deepseek_v2/v3.
// The period k of a layer pattern whose full-attention layers are exactly layers k, 2k, ...
// (counted from 1), 0 when every layer is local; nullopt for any other pattern.
std::optional<int> full_attention_period(const std::vector<bool>& full) {
  const int n = static_cast<int>(full.size());
  int first = 0;
  for (int i = 0; i < n && first == 0; ++i)
    if (full[static_cast<size_t>(i)]) first = i + 1;
  if (first == 0) return 0;
  for (int i = 0; i < n; ++i)
    if (full[static_cast<size_t>(i)] != ((i + 1) % first == 0)) return std::nullopt;
  return first;
}

// Which layers attend locally. Gemma 2 alternates a sliding window (layers 1, 3, ... from 1;
// Gemma2DecoderLayer.is_sliding = not layer_idx % 2) with full attention; Gemma 3 keeps full
// attention on every sliding_window_pattern-th layer (Gemma3TextConfig: layer i from 0 slides
// when (i + 1) % pattern, default 6: five local layers per global one, Gemma 3 report); Llama 4
// runs chunked attention (attention_chunk_size) on its rope layers and full attention on the NoPE
// layers (no_rope_layers, default every no_rope_layer_interval-th layer: Llama4TextConfig). A
// `layer_types` list (transformers >= 4.53: "full_attention", "sliding_attention",
// "chunked_attention") overrides both; it must be periodic (full layers k, 2k, ...).
// Qwen2/Qwen3 (dense or MoE) with use_sliding_window: the first layer that slides
// (max_window_layers, Qwen2Config default 28); otherwise a value no layer count reaches.
long long qwen_sliding_from(Reader& r, const std::string& type) {
  constexpr long long kNever = std::numeric_limits<long long>::max();
  const bool qwen =
      type == "qwen2" || type == "qwen2_moe" || type == "qwen3" || type == "qwen3_moe";
  if (!qwen || !r.boolean_or("use_sliding_window", "sliding-window attention", false))
    return kNever;
  return std::max(0LL, r.integer_or("max_window_layers",
                                    "layers, from the first, that keep full attention", 28));
}

// `qwen_from`: qwen_sliding_from's answer for this config.
void map_local_layers(Reader& r, Builder& b, const std::string& type, int layers,
                      long long qwen_from) {
  const bool llama4 = type == "llama4" || type == "llama4_text";
  std::vector<bool> full;  // per layer; empty = no pattern stated
  std::string source;
  bool chunked = llama4;
  if (const json* lt = r.raw("layer_types"); lt && !lt->is_null()) {
    if (!lt->is_array() || static_cast<int>(lt->size()) != layers) {
      r.error("layer_types", "must be a list of " + std::to_string(layers) +
                                 " entries (one per layer, num_hidden_layers)");
      return;
    }
    bool any_sliding = false, any_chunked = false;
    for (const json& t : *lt) {
      const std::string v = t.is_string() ? t.get<std::string>() : std::string();
      if (v != "full_attention" && v != "sliding_attention" && v != "chunked_attention") {
        r.error("layer_types", "unsupported entry " + (t.is_string() ? quote(v) : t.dump()) +
                                   "; supported: full_attention, sliding_attention, "
                                   "chunked_attention");
        return;
      }
      full.push_back(v == "full_attention");
      any_sliding = any_sliding || v == "sliding_attention";
      any_chunked = any_chunked || v == "chunked_attention";
    }
    if (any_sliding && any_chunked) {
      r.error("layer_types",
              "mixes sliding_attention and chunked_attention layers; a model has "
              "one kind of local layer");
      return;
    }
    chunked = any_chunked;
    source = "layer_types";
  } else if (llama4) {
    if (const json* nr = r.raw("no_rope_layers"); nr && nr->is_array() && !nr->empty()) {
      if (static_cast<int>(nr->size()) != layers) {
        r.error("no_rope_layers", "must list " + std::to_string(layers) +
                                      " entries (one per layer, num_hidden_layers)");
        return;
      }
      for (const json& v : *nr) {
        if (!v.is_number_integer() || (v.get<long long>() != 0 && v.get<long long>() != 1)) {
          r.error("no_rope_layers",
                  "entries must be 0 (a NoPE layer: full attention) or 1 (a "
                  "rope layer: chunked attention), got " +
                      v.dump());
          return;
        }
        full.push_back(v.get<long long>() == 0);
      }
      source = "no_rope_layers";
    } else {
      const long long k =
          r.integer_or("no_rope_layer_interval", "every k-th layer is a NoPE layer", 4);
      for (int i = 0; i < layers; ++i) full.push_back(k > 0 && (i + 1) % k == 0);
      source = "no_rope_layer_interval";
    }
  } else if (qwen_from > 0 && qwen_from < layers) {
    for (int i = 0; i < layers; ++i) full.push_back(i < qwen_from);  // the first layers full
    source = "max_window_layers";
  } else if (type == "gemma2") {
    for (int i = 0; i < layers; ++i) full.push_back(i % 2 == 1);
    source = "model_type";
  } else if (type == "gemma3" || type == "gemma3_text") {
    const long long k =
        r.integer_or("sliding_window_pattern", "every k-th layer attends globally", 6);
    if (k < 1) {
      r.error("sliding_window_pattern",
              "must be >= 1 (every k-th layer global), got " + std::to_string(k));
      return;
    }
    for (int i = 0; i < layers; ++i) full.push_back((i + 1) % k == 0);
    source = r.has("sliding_window_pattern") ? "sliding_window_pattern" : "model_type";
  }
  if (full.empty()) return;
  const std::optional<int> period = full_attention_period(full);
  if (!period) {
    r.error(source,
            "the full-attention layers are not every k-th layer (k, 2k, ... from 1), "
            "which model/v1's full_attention_interval describes");
    return;
  }
  if (*period == 1) return;  // every layer full: no local attention
  if (chunked && llama4) {
    b.set("attention_chunk",
          r.integer_or("attention_chunk_size", "tokens per attention chunk", 8192),
          "attention_chunk_size");  // Llama4TextConfig default 8192
  } else if (chunked) {
    if (auto c = r.integer("attention_chunk_size", "tokens per attention chunk", true))
      b.set("attention_chunk", *c, "attention_chunk_size");
  } else if ((type == "gemma3" || type == "gemma3_text") && !r.has("sliding_window")) {
    b.set("sliding_window", 4096, "");  // Gemma3TextConfig default
  } else if (auto w = r.integer("sliding_window", "attention window in tokens", true)) {
    b.set("sliding_window", *w, "sliding_window");
  }
  b.set("full_attention_interval", *period, source);
}

void map_llama_like(Reader& r, Builder& b, const std::string& type) {
  const bool gemma3 = type == "gemma3" || type == "gemma3_text";
  // Gemma 3's shipped configs leave out what Gemma3TextConfig defaults (the 4B's text_config
  // states neither heads nor vocabulary): 8 query heads, 4 key/value heads, 262,208 tokens,
  // 131,072 positions. The sizes every Gemma 3 config states stay required.
  auto integer_or_gemma3 = [&](const char* key, const char* meaning, long long gemma3_default) {
    if (!gemma3 || r.has(key)) return r.integer(key, meaning, true);
    return std::optional<long long>(gemma3_default);
  };
  auto layers = r.integer("num_hidden_layers", "number of decoder layers", true);
  auto hidden = r.integer("hidden_size", "model width", true);
  auto heads = integer_or_gemma3("num_attention_heads", "query heads", 8);
  auto vocab = integer_or_gemma3("vocab_size", "vocabulary size", 262208);
  const bool deepseek = type == "deepseek_v2" || type == "deepseek_v3";
  const bool gemma = type == "gemma" || type == "gemma2" || gemma3;
  const bool qwen_moe = type == "qwen2_moe" || type == "qwen3_moe";
  const bool llama4 = type == "llama4" || type == "llama4_text";
  auto ffn = r.integer("intermediate_size", "dense MLP intermediate size", !qwen_moe);
  if (layers) b.set("layers", *layers, "num_hidden_layers");
  if (hidden) b.set("hidden", *hidden, "hidden_size");
  if (heads) b.set("heads", *heads, r.has("num_attention_heads") ? "num_attention_heads" : "");
  if (vocab) b.set("vocab", *vocab, r.has("vocab_size") ? "vocab_size" : "");
  if (ffn) b.set("ffn", *ffn, "intermediate_size");
  if (!heads || !hidden) return;

  // Key/value heads: LlamaConfig defaults num_key_value_heads to num_attention_heads.
  if (auto kv = r.integer("num_key_value_heads", "key/value heads", false))
    b.set("kv_heads", *kv, "num_key_value_heads");
  else if (gemma3)
    b.set("kv_heads", 4, "");  // Gemma3TextConfig default
  else
    b.set("kv_heads", *heads, "num_attention_heads");

  long long head_dim = *heads > 0 ? *hidden / *heads : 0;
  std::string head_dim_key = "hidden_size";
  if (deepseek) {
    auto nope = r.integer("qk_nope_head_dim", "query/key dimensions without rotary", true);
    auto rope = r.integer("qk_rope_head_dim", "query/key dimensions with rotary", true);
    auto v = r.integer("v_head_dim", "value dimensions per head", true);
    auto kv_rank = r.integer("kv_lora_rank", "rank of the compressed key/value latent", true);
    auto q_rank = r.integer("q_lora_rank", "rank of the query down-projection", false);
    if (nope && rope) {
      head_dim = *nope + *rope;
      head_dim_key = "qk_nope_head_dim";
      b.set("mla.qk_nope_head_dim", *nope, "qk_nope_head_dim");
      b.set("mla.qk_rope_head_dim", *rope, "qk_rope_head_dim");
      b.set("rotary_dim", *rope, "qk_rope_head_dim");
    }
    if (v) b.set("mla.v_head_dim", *v, "v_head_dim");
    if (kv_rank) b.set("mla.kv_lora_rank", *kv_rank, "kv_lora_rank");
    b.set("mla.q_lora_rank", q_rank.value_or(0), "q_lora_rank");  // null in DeepSeek-V2-Lite
  } else if (auto hd = r.integer("head_dim", "dimension of one head", false)) {
    head_dim = *hd;
    head_dim_key = "head_dim";
  } else if (gemma) {
    head_dim = 256;  // GemmaConfig, Gemma2Config and Gemma3TextConfig default
    head_dim_key = "";
  }
  b.set("head_dim", head_dim, head_dim_key);
  if (!deepseek) map_rotary_fraction(r, b, "partial_rotary_factor", head_dim, 1.0);

  auto max_pos = r.integer("max_position_embeddings", "longest context", false);
  b.set("max_context", max_pos.value_or(gemma3 ? 131072 : 2048),
        max_pos ? "max_position_embeddings" : "");

  // Tied embeddings: PretrainedConfig defaults to true, but Llama/Mistral/Qwen/DeepSeek/Phi-3
  // configuration classes pass tie_word_embeddings=False; Gemma keeps true.
  map_tied_embeddings(r, b, gemma);
  b.set("norm", std::string("rmsnorm"), "");
  if (type == "gemma") {
    // GemmaModel runs gelu_pytorch_tanh whatever hidden_act says unless hidden_activation is set.
    map_activation(r, b, r.has("hidden_activation") ? "hidden_activation" : "hidden_act",
                   "gelu_pytorch_tanh");
    if (!r.has("hidden_activation")) b.set("activation", std::string("gelu_tanh"), "hidden_act");
  } else if (type == "gemma2" || gemma3) {
    map_activation(r, b, "hidden_activation", "gelu_pytorch_tanh");
    b.set("layer_norms", 4, "");  // input, post-attention, pre- and post-feedforward norms
  } else {
    map_activation(r, b, "hidden_act", "silu");
  }

  // Biases. Qwen2 (and Qwen2-MoE) always put biases on Q/K/V, never on O.
  if (type == "qwen2" || type == "qwen2_moe") {
    b.set_bool("attention_bias", true, "");
  } else {
    bool bias = r.boolean_or("attention_bias", "biases on the attention projections", false);
    b.set_bool("attention_bias", bias, "attention_bias");
    // Llama/Mistral/Gemma with attention_bias also bias o_proj; Qwen3 and DeepSeek do not.
    bool out =
        bias && (type == "llama" || llama4 || type == "mistral" || gemma || type == "gpt_oss");
    b.set_bool("attention_out_bias", out, "attention_bias");
  }
  if (type == "gpt_oss")  // GptOssExperts: gate_up_proj_bias and down_proj_bias on every expert
    b.set_bool("mlp_bias", true, "");
  else
    b.set_bool("mlp_bias", r.boolean_or("mlp_bias", "biases on the MLP", false), "mlp_bias");
  // Qwen3 and Gemma 3 normalise each query and key head (q_norm, k_norm).
  if (type == "qwen3" || type == "qwen3_moe" || gemma3) b.set_bool("qk_norm", true, "");

  // Sliding window: Mistral applies it to every layer; Qwen2 only with use_sliding_window, and
  // then only to the layers from max_window_layers on (Qwen2Attention: sliding_window if
  // layer_idx >= max_window_layers; Qwen2Config default 28): none when it covers every layer
  // (before 2026-12-07 every layer slid, so the KV cache came out too small), a mixed split in
  // map_local_layers.
  const long long qwen_from = qwen_sliding_from(r, type);
  if (type == "mistral" || type == "mixtral" || type == "phi3" ||
      qwen_from < (layers ? *layers : 0)) {
    if (auto w = r.integer("sliding_window", "attention window in tokens", false))
      b.set("sliding_window", *w, "sliding_window");
  }
  map_local_layers(r, b, type, layers ? static_cast<int>(*layers) : 0, qwen_from);

  // Mixture of experts.
  if (type == "gpt_oss") {
    // GptOssMLP: every layer MoE, num_local_experts experts of intermediate_size, top
    // num_experts_per_tok; no dense MLP. Not represented: the router's bias (experts per layer),
    // the attention sinks (one logit per head and layer), the clamped SwiGLU (same cost as SiLU)
    // and the MXFP4 expert weights (the precision is the run's).
    auto e = r.integer("num_local_experts", "routed experts", true);
    auto k = r.integer("num_experts_per_tok", "experts per token", true);
    if (e) b.set("moe.experts", *e, "num_local_experts");
    if (k) b.set("moe.experts_per_token", *k, "num_experts_per_tok");
    if (ffn) b.set("moe.expert_ffn", *ffn, "intermediate_size");
  } else if (type == "mixtral") {
    auto e = r.integer("num_local_experts", "routed experts", true);
    auto k = r.integer("num_experts_per_tok", "experts per token", true);
    if (e) b.set("moe.experts", *e, "num_local_experts");
    if (k) b.set("moe.experts_per_token", *k, "num_experts_per_tok");
    if (ffn) b.set("moe.expert_ffn", *ffn, "intermediate_size");
  } else if (qwen_moe) {
    auto e = r.integer("num_experts", "routed experts", true);
    auto k = r.integer("num_experts_per_tok", "experts per token", true);
    auto ef = r.integer("moe_intermediate_size", "intermediate size of one expert", true);
    if (e) b.set("moe.experts", *e, "num_experts");
    if (k) b.set("moe.experts_per_token", *k, "num_experts_per_tok");
    if (ef) b.set("moe.expert_ffn", *ef, "moe_intermediate_size");
    if (!ffn) b.set("ffn", ef.value_or(0), "moe_intermediate_size");
    b.set("moe.layer_interval", r.integer_or("decoder_sparse_step", "MoE layer step", 1),
          "decoder_sparse_step");
    if (const json* only = r.raw("mlp_only_layers"); only && only->is_array() && !only->empty())
      r.error("mlp_only_layers", "a non-empty mlp_only_layers list is not supported; use "
                                 "moe.dense_layers_first and moe.layer_interval in a model/v1 file");
    if (type == "qwen2_moe") {
      auto sf = r.integer("shared_expert_intermediate_size", "shared expert size", false);
      if (sf && *sf > 0) {
        b.set("moe.shared_experts", 1, "shared_expert_intermediate_size");
        b.set("moe.shared_expert_ffn", *sf, "shared_expert_intermediate_size");
      }
    }
  } else if (llama4) {
    // Llama4TextMoe: routed experts of intermediate_size plus one shared expert of the same size;
    // the dense layers between MoE layers use intermediate_size_mlp. The chunked-attention layers
    // are map_local_layers'; the NoPE layers' missing rotary is not represented (a few
    // elementwise FLOPs).
    auto e = r.integer("num_local_experts", "routed experts", true);
    auto k = r.integer("num_experts_per_tok", "experts per token", true);
    auto dense = r.integer("intermediate_size_mlp", "dense MLP intermediate size", true);
    if (e) b.set("moe.experts", *e, "num_local_experts");
    if (k) b.set("moe.experts_per_token", *k, "num_experts_per_tok");
    if (ffn) b.set("moe.expert_ffn", *ffn, "intermediate_size");
    b.set("moe.shared_experts", 1, "");
    if (dense) b.set("ffn", *dense, "intermediate_size_mlp");
    b.set("moe.layer_interval",
          r.integer_or("interleave_moe_layer_step", "every k-th layer is MoE", 1),
          "interleave_moe_layer_step");
  } else if (deepseek) {
    auto e = r.integer("n_routed_experts", "routed experts", false);
    if (e && *e > 0) {
      b.set("moe.experts", *e, "n_routed_experts");
      if (auto k = r.integer("num_experts_per_tok", "experts per token", true))
        b.set("moe.experts_per_token", *k, "num_experts_per_tok");
      if (auto ef = r.integer("moe_intermediate_size", "intermediate size of one expert", true))
        b.set("moe.expert_ffn", *ef, "moe_intermediate_size");
      // One shared MLP of n_shared_experts x moe_intermediate_size (DeepseekV3MoE) has the
      // parameters of n_shared_experts experts of moe_intermediate_size.
      b.set("moe.shared_experts", r.integer_or("n_shared_experts", "shared experts", 0),
            "n_shared_experts");
      b.set("moe.dense_layers_first",
            r.integer_or("first_k_dense_replace", "leading dense layers", 0),
            "first_k_dense_replace");
      b.set("moe.layer_interval", r.integer_or("moe_layer_freq", "MoE layer frequency", 1),
            "moe_layer_freq");
    }
  }
}

void map_gptj(Reader& r, Builder& b) {
  auto layers = r.integer("n_layer", "number of decoder layers", true);
  auto hidden = r.integer("n_embd", "model width", true);
  auto heads = r.integer("n_head", "attention heads", true);
  auto vocab = r.integer("vocab_size", "vocabulary size", true);
  if (layers) b.set("layers", *layers, "n_layer");
  if (vocab) b.set("vocab", *vocab, "vocab_size");
  if (!hidden || !heads) return;
  b.set("hidden", *hidden, "n_embd");
  b.set("heads", *heads, "n_head");
  b.set("kv_heads", *heads, "n_head");
  b.set("head_dim", *heads > 0 ? *hidden / *heads : 0, "n_embd");
  auto inner = r.integer("n_inner", "MLP intermediate size", false);  // null = 4 x n_embd
  b.set("ffn", inner.value_or(4 * *hidden), inner ? "n_inner" : "");
  b.set_bool("ffn_gated", false, "");
  map_activation(r, b, "activation_function", "gelu_new");
  b.set("rotary_dim", r.integer_or("rotary_dim", "dimensions with rotary embedding", 64),
        "rotary_dim");
  b.set("max_context", r.integer_or("n_positions", "longest context", 2048), "n_positions");
  map_tied_embeddings(r, b, false);
  // GPTJBlock: one ln_1 feeding attention and MLP in parallel; q/k/v/out without bias, MLP with
  // bias, lm_head with bias (modeling_gptj.py).
  b.set("norm", std::string("layernorm"), "");
  b.set("layer_norms", 1, "");
  b.set_bool("parallel_block", true, "");
  b.set_bool("mlp_bias", true, "");
  b.set_bool("lm_head_bias", true, "");
}

void map_gpt_neox(Reader& r, Builder& b) {
  auto layers = r.integer("num_hidden_layers", "number of decoder layers", true);
  auto hidden = r.integer("hidden_size", "model width", true);
  auto heads = r.integer("num_attention_heads", "attention heads", true);
  auto vocab = r.integer("vocab_size", "vocabulary size", true);
  auto ffn = r.integer("intermediate_size", "MLP intermediate size", true);
  if (layers) b.set("layers", *layers, "num_hidden_layers");
  if (vocab) b.set("vocab", *vocab, "vocab_size");
  if (ffn) b.set("ffn", *ffn, "intermediate_size");
  if (!hidden || !heads) return;
  b.set("hidden", *hidden, "hidden_size");
  b.set("heads", *heads, "num_attention_heads");
  b.set("kv_heads", *heads, "num_attention_heads");
  long long head_dim = *heads > 0 ? *hidden / *heads : 0;
  b.set("head_dim", head_dim, "hidden_size");
  map_rotary_fraction(r, b, "rotary_pct", head_dim, 0.25);
  b.set_bool("ffn_gated", false, "");
  map_activation(r, b, "hidden_act", "gelu");
  b.set("max_context", r.integer_or("max_position_embeddings", "longest context", 2048),
        "max_position_embeddings");
  map_tied_embeddings(r, b, false);
  b.set_bool("parallel_block",
             r.boolean_or("use_parallel_residual", "parallel attention and MLP", true),
             "use_parallel_residual");
  // GPTNeoXLayer: input_layernorm and post_attention_layernorm (LayerNorm) in both residual modes.
  b.set("norm", std::string("layernorm"), "");
  bool bias = r.boolean_or("attention_bias", "biases on the attention projections", true);
  b.set_bool("attention_bias", bias, "attention_bias");
  b.set_bool("attention_out_bias", bias, "attention_bias");
  b.set_bool("mlp_bias", true, "");
}

void map_falcon(Reader& r, Builder& b) {
  auto layers = r.has("num_hidden_layers")
                    ? r.integer("num_hidden_layers", "number of decoder layers", true)
                    : r.integer("n_layer", "number of decoder layers", true);
  auto hidden = r.integer("hidden_size", "model width", true);
  auto heads = r.has("num_attention_heads") ? r.integer("num_attention_heads", "query heads", true)
                                            : r.integer("n_head", "query heads", true);
  auto vocab = r.integer("vocab_size", "vocabulary size", true);
  if (layers) b.set("layers", *layers, r.has("num_hidden_layers") ? "num_hidden_layers" : "n_layer");
  if (vocab) b.set("vocab", *vocab, "vocab_size");
  if (!hidden || !heads) return;
  const std::string heads_key = r.has("num_attention_heads") ? "num_attention_heads" : "n_head";
  b.set("hidden", *hidden, "hidden_size");
  b.set("heads", *heads, heads_key);
  long long head_dim = *heads > 0 ? *hidden / *heads : 0;
  b.set("head_dim", head_dim, "hidden_size");
  // FalconAttention: the new decoder architecture (40B/180B) has num_kv_heads groups; the old one
  // is multi-query (7B) or multi-head.
  bool new_arch = r.boolean_or("new_decoder_architecture", "Falcon-40B/180B block", false);
  bool multi_query = r.boolean_or("multi_query", "one key/value head", true);
  bool parallel = r.boolean_or("parallel_attn", "parallel attention and MLP", true);
  if (new_arch) {
    auto kv = r.integer("num_kv_heads", "key/value heads", false);
    b.set("kv_heads", kv.value_or(*heads), kv ? "num_kv_heads" : heads_key);
  } else {
    b.set("kv_heads", multi_query ? 1LL : *heads, "multi_query");
  }
  auto ffn = r.integer("ffn_hidden_size", "MLP intermediate size", false);  // default 4 x hidden
  b.set("ffn", ffn.value_or(4 * *hidden), ffn ? "ffn_hidden_size" : "");
  b.set_bool("ffn_gated", false, "");
  b.set("activation", std::string("gelu"), "");
  bool alibi = r.boolean_or("alibi", "ALiBi position bias instead of rotary", false);
  b.set("rotary_dim", alibi ? 0 : head_dim, alibi ? "alibi" : "");
  b.set("max_context", r.integer_or("max_position_embeddings", "longest context", 2048),
        "max_position_embeddings");
  map_tied_embeddings(r, b, true);
  b.set("norm", std::string("layernorm"), "");
  b.set_bool("parallel_block", new_arch || parallel, "parallel_attn");
  // FalconDecoderLayer: ln_attn + ln_mlp (new architecture), one input_layernorm for a parallel
  // block, input + post-attention norms otherwise.
  b.set("layer_norms", new_arch ? 2 : (parallel ? 1 : 2), "");
  bool bias = r.boolean_or("bias", "biases on linear layers", false);
  b.set_bool("attention_bias", bias, "bias");
  b.set_bool("attention_out_bias", bias, "bias");
  b.set_bool("mlp_bias", bias, "bias");
}

}  // namespace

std::vector<std::string> hf_supported_model_types() { return supported_types(); }

// quantization_config of a quantised release (transformers' quantizer configs) as model/v1
// checkpoint.*: mxfp4 (gpt-oss: 32 values per E8M0 scale; on a MoE model the routed experts
// alone, the attention, router and embeddings staying bf16), fp8 / fbgemm_fp8 (DeepSeek-V3's
// e4m3 with 128 x 128 block scales: every weight GEMM), awq / gptq with `bits` 4 (int4 with its
// `group_size`; -1, one scale per output channel, leaves the default) or 8 (int8). Other methods
// (compressed-tensors, modelopt, bitsandbytes, ...) state no checkpoint format.
void map_quantization(Reader& top, Builder& b, bool moe) {
  const json* q = top.raw("quantization_config");
  if (q == nullptr || !q->is_object()) return;
  const auto method = q->find("quant_method");
  if (method == q->end() || !method->is_string()) return;
  const std::string m = method->get<std::string>();
  auto integer = [&](const char* key) -> std::optional<long long> {
    const auto it = q->find(key);
    if (it == q->end() || !it->is_number_integer()) return std::nullopt;
    return it->get<long long>();
  };
  const std::string at = "quant_method";
  if (m == "mxfp4") {
    b.set("checkpoint.precision", std::string("fp4"), at);
    if (moe) b.set("checkpoint.scope", std::string("routed_experts"), at);
    b.set("checkpoint.group_size", 32, at);
  } else if (m == "fp8" || m == "fbgemm_fp8") {
    b.set("checkpoint.precision", std::string("fp8"), at);
  } else if (m == "awq" || m == "gptq") {
    const std::optional<long long> bits = integer("bits");
    if (bits == 8) b.set("checkpoint.precision", std::string("int8"), at);
    if (bits != 4) return;
    b.set("checkpoint.precision", std::string("int4"), at);
    const std::optional<long long> group = integer("group_size");
    if (group && *group > 0) b.set("checkpoint.group_size", *group, "group_size");
  }
}

Result<Document> hf_config_document_from_text(const std::string& text, const std::string& file) {
  // Nesting, duplicate keys (nlohmann would keep the last "hidden_size" silently) and syntax.
  auto parsed = parse_json_text(text, file);
  if (!parsed) return tl::unexpected(parsed.error());
  const json root = std::move(*parsed);
  if (!root.is_object())
    return fail(Diagnostic{.file = file, .message = "expected a JSON object (a Hugging Face "
                                                    "config.json) at the top level"});
  // An empty model/v1 document named after this file (Document has no other public constructor
  // that records the file); the entries below replace its one line.
  auto doc_or = Document::from_yaml("schema: model/v1\n", file);
  if (!doc_or) return tl::unexpected(doc_or.error());
  Document doc = std::move(*doc_or);
  doc.set("schema", DocumentEntry{"model/v1", file, 0, 0, false, false});

  Reader probe(root, text, file, "");
  auto type = probe.text("model_type", "architecture family");
  if (!probe.diags().empty()) return tl::unexpected(probe.diags());
  if (!type)
    return fail(Diagnostic{file, 0, 0, "model_type",
                           "missing required key (architecture family); supported: " +
                               join(supported_types())});
  const auto& types = supported_types();
  if (std::find(types.begin(), types.end(), *type) == types.end()) {
    Location loc = probe.where("model_type");
    std::string msg = "unsupported model_type " + quote(*type);
    if (auto m = closest_match(*type, types)) msg += "; did you mean \"" + *m + "\"?";
    msg += " Supported: " + join(types);
    return fail(Diagnostic{file, loc.line, loc.column, "model_type", msg});
  }

  // Llama 4 and Gemma 3 (4B and up) checkpoints are multimodal: the language model's keys sit
  // in "text_config".
  const json* config = &root;
  size_t search_from = 0;
  if (*type == "llama4" || *type == "gemma3") {
    auto it = root.find("text_config");
    if (it == root.end() || !it->is_object())
      return fail(Diagnostic{file, 0, 0, "text_config",
                             "missing required object (the language model's settings) for "
                             "model_type " +
                                 quote(*type)});
    config = &*it;
    search_from = text.find("\"text_config\"");
    if (search_from == std::string::npos) search_from = 0;
  }
  Reader r(*config, text, file, *type, search_from);
  Builder b(r, doc);
  std::string stem = std::filesystem::path(file).stem().string();
  b.set("id", stem.empty() ? *type : stem, "");
  auto name = r.text("_name_or_path", "model name");
  b.set("name", name && !name->empty() ? *name : (stem.empty() ? *type : stem),
        name ? "_name_or_path" : "");
  const std::string family = *type == "llama4_text"   ? std::string("llama4")
                             : *type == "gemma3_text" ? std::string("gemma3")
                                                      : *type;
  b.set("family", family, "model_type");
  if (*type == "gptj")
    map_gptj(r, b);
  else if (*type == "gpt_neox")
    map_gpt_neox(r, b);
  else if (*type == "falcon")
    map_falcon(r, b);
  else
    map_llama_like(r, b, *type);
  if (!r.diags().empty()) return tl::unexpected(r.diags());
  // A quantised release states its format at the top level, also for multimodal configs.
  Reader top(root, text, file, *type);
  Builder tb(top, doc);
  const auto experts = doc.entries().find("moe.experts");
  map_quantization(top, tb, experts != doc.entries().end() && experts->second.text != "0");
  return doc;
}

Result<Document> hf_config_document(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return hf_config_document_from_text(*text, path);
}

}  // namespace xpusim
