// SPDX-License-Identifier: Apache-2.0
// `xpusim list models`, `xpusim show model ID|FILE` and `xpusim describe model`: the model presets,
// one model's derived sizes (parameters, weight and KV-cache bytes per precision) and the model/v1
// schema. A FILE ending in .json is read as a Hugging Face config.json.
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "xpusim/api/specs.h"
#include "xpusim/config/model_params.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

using nlohmann::ordered_json;

std::string billions(double params) { return fixed(params / 1e9, 2); }

// ", sliding window 4096", ", chunked attention 8192 on 36 of 48 layers", or nothing.
std::string local_attention_text(const ModelSpec& m) {
  const int local = local_attention_layers(m);
  if (local == 0) return {};
  std::string kind = m.sliding_window > 0 ? fmt::format("sliding window {}", m.sliding_window)
                                          : fmt::format("chunked attention {}", m.attention_chunk);
  if (local == m.layers) return ", " + kind;
  return fmt::format(", {} on {} of {} layers", kind, local, m.layers);
}

std::string experts_text(const ModelSpec& m) {
  if (!m.moe.enabled()) return "-";
  std::string t = fmt::format("{}/top-{}", m.moe.experts, m.moe.experts_per_token);
  if (m.moe.shared_experts > 0) t += fmt::format("+{}s", m.moe.shared_experts);
  return t;
}

void list_models(const GlobalOptions& g) {
  Table table({"id", "name", "family", "params_b", "active_b", "layers", "hidden", "heads/kv",
               "experts"});
  ordered_json rows = ordered_json::array();
  Diagnostics diags;
  for (const auto& id : list_presets("models")) {
    auto m = load_model(id, g.overrides);
    if (!m) {
      diags.insert(diags.end(), m.error().begin(), m.error().end());
      continue;
    }
    ParameterCount c = count_parameters(*m);
    table.add_row({m->id, m->name, m->family, billions(c.total), billions(c.active),
                   std::to_string(m->layers), std::to_string(m->hidden),
                   m->mla.enabled() ? fmt::format("{}/mla", m->heads)
                                    : fmt::format("{}/{}", m->heads, m->kv_heads),
                   experts_text(*m)});
    rows.push_back({{"id", m->id},
                    {"name", m->name},
                    {"family", m->family},
                    {"parameters", c.total},
                    {"active_parameters", c.active},
                    {"layers", m->layers},
                    {"hidden", m->hidden},
                    {"heads", m->heads},
                    {"kv_heads", m->kv_heads},
                    {"attention_kind", to_string(attention_kind(*m))},
                    {"experts", m->moe.experts},
                    {"experts_per_token", m->moe.experts_per_token}});
  }
  if (!diags.empty()) throw InputError(diags);
  if (g.format == "json")
    print(rows.dump(2) + "\n");
  else if (g.format == "csv")
    print_tidy_csv(rows, g);  // a row per preset, the JSON's keys as columns
  else
    print(table.to_text());
}

void show_model(const std::string& id_or_file, const GlobalOptions& g) {
  ModelSpec m = value_or_throw(load_model(id_or_file, g.overrides));
  ParameterCount c = count_parameters(m);
  AttentionKind kind = attention_kind(m);

  if (g.format == "json") {
    print(api::model_json(m).dump(2) + "\n");
    return;
  }
  if (g.format == "csv") {  // one row, the JSON's flattened keys as columns
    print_tidy_csv(api::model_json(m), g);
    return;
  }

  Table per_precision({"precision", "weights_gb", "kv_cache_bytes_per_token"});
  for (Precision p : kAllPrecisions)
    per_precision.add_row({std::string(to_string(p)), fixed(weight_bytes(m, p).value() / 1e9, 2),
                           fixed(kv_cache_bytes_per_token(m, p).value(), 0)});
  std::string out;
  out += fmt::format("{} ({}, family {})\n", m.name, m.id, m.family);
  out += fmt::format("  layers {}, hidden {}, vocab {}, max context {}\n", m.layers, m.hidden,
                     m.vocab, m.max_context);
  if (kind == AttentionKind::kMla)
    out += fmt::format("  attention: mla, {} heads, kv_lora_rank {}, q_lora_rank {}, "
                       "qk {}+{} (rope), v {}\n",
                       m.heads, m.mla.kv_lora_rank, m.mla.q_lora_rank, m.mla.qk_nope_head_dim,
                       m.mla.qk_rope_head_dim, m.mla.v_head_dim);
  else
    out += fmt::format("  attention: {}, {} query heads, {} kv heads, head_dim {}{}\n",
                       to_string(kind), m.heads, m.kv_heads, m.head_dim, local_attention_text(m));
  out += fmt::format("  mlp: {} {} ffn {}{}\n", m.ffn_gated ? "gated" : "plain", m.activation,
                     m.ffn, m.moe.enabled() ? fmt::format("; experts {} (expert ffn {}), "
                                                          "{} MoE layers",
                                                          experts_text(m), m.moe.expert_ffn,
                                                          c.moe_layers)
                                            : std::string());
  out += fmt::format("  parameters: {} B total, {} B active per token\n", billions(c.total),
                     billions(c.active));
  if (m.published_parameters)
    out += fmt::format("  published: {} B ({:+.2f}% computed vs published)\n",
                       billions(*m.published_parameters),
                       100.0 * (c.total / *m.published_parameters - 1.0));
  out += fmt::format("  breakdown (B): embedding {}, lm_head {}, attention {}, dense mlp {}, "
                     "routed experts {}, shared experts {}, router {}, norms {}\n",
                     billions(c.embedding), billions(c.lm_head), billions(c.attention),
                     billions(c.dense_mlp), billions(c.routed_experts), billions(c.shared_experts),
                     fixed(c.router / 1e9, 4), fixed(c.norms / 1e9, 4));
  out += "\n" + per_precision.to_text();
  std::string scaled;
  for (Precision p : kAllPrecisions)
    if (const BlockScale b = default_block_scale(p); b.elements > 0)
      scaled +=
          fmt::format("{}{} {:g} bits ({} values per {:g}-byte scale)", scaled.empty() ? "" : ", ",
                      to_string(p), 8.0 * storage_bytes_per_element(p).value(), b.elements,
                      b.scale_bytes.value());
  out += "4-bit formats with their block scales: " + scaled +
         "; run --weight-group-size sets a checkpoint's own\n";
  print(out);
}

void describe_model(const GlobalOptions& g) {
  print_schema(model_schema().name(), model_schema().fields(), g);
}

}  // namespace

void add_model_commands(CLI::App& app, GlobalOptions& global) {
  GlobalOptions* g = &global;
  add_spec_commands(
      app,
      {.noun = "model",
       .list_name = "models",
       .list_help = "model presets with parameter counts",
       .show_help =
           "a model's parameters, weight bytes and KV-cache bytes per token per precision",
       .show_arg = "model",
       .show_arg_help = "preset id, model/v1 YAML file or Hugging Face config.json",
       .describe_help = "the model/v1 schema: every field, its range and meaning",
       .list = [g] { list_models(*g); },
       .show = [g](const std::string& id) { show_model(id, *g); },
       .describe = [g] { describe_model(*g); }});
}

}  // namespace xpusim::cli
