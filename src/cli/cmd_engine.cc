// SPDX-License-Identifier: Apache-2.0
// `xpusim list engines`, `xpusim show engine ID|FILE` and `xpusim describe engine`: the
// serving-engine presets (data/presets/engines/), one resolved profile and the engine/v1 schema.
// Output keys are the id and the schema's dotted paths, the names users write in engine files.
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/table.h"
#include "xpusim/serving/engine_profile.h"

namespace xpusim::cli {
namespace {

using nlohmann::ordered_json;

// Every field of the profile under its engine/v1 path, in schema order, preceded by the id.
ordered_json profile_json(const EngineProfile& e) {
  ordered_json j;
  j["id"] = e.id;
  j["description"] = e.description;
  j["runtime"] = e.runtime;
  j["max_batch"] = e.max_batch;
  j["max_num_tokens"] = e.max_num_tokens;
  j["chunked_prefill"] = e.chunked_prefill;
  j["schedule"] = to_string(e.schedule);
  j["admission"] = to_string(e.admission);
  j["kv_block_size"] = e.kv_block_size;
  j["memory_fraction"] = e.memory_fraction;
  j["memory_fraction_of"] = to_string(e.memory_fraction_of);
  j["watermark"] = e.watermark;
  j["prefix_caching"] = e.prefix_caching;
  j["scheduler_steps"] = e.scheduler_steps;
  j["max_model_len"] = e.max_model_len;
  return j;
}

// A scalar as the user writes it in YAML (strings unquoted).
std::string scalar_text(const ordered_json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void list_engines(const GlobalOptions& g) {
  Table table({"id", "description", "runtime", "max_batch", "max_num_tokens", "chunked",
               "schedule", "admission", "block", "memory"});
  ordered_json rows = ordered_json::array();
  Diagnostics diags;
  for (const auto& id : list_presets("engines")) {
    auto e = load_engine(id);
    if (!e) {
      diags.insert(diags.end(), e.error().begin(), e.error().end());
      continue;
    }
    table.add_row({e->id, e->description, e->runtime, std::to_string(e->max_batch),
                   std::to_string(e->max_num_tokens), e->chunked_prefill ? "yes" : "no",
                   std::string(to_string(e->schedule)), std::string(to_string(e->admission)),
                   std::to_string(e->kv_block_size),
                   fmt::format("{} of {}", fixed(e->memory_fraction, 2),
                               to_string(e->memory_fraction_of))});
    rows.push_back(profile_json(*e));
  }
  if (!diags.empty()) throw InputError(diags);
  if (g.format == "json")
    print(rows.dump(2) + "\n");
  else if (g.format == "csv")
    print_tidy_csv(rows, g);  // a row per preset, the JSON's keys as columns
  else
    print(table.to_text());
}

void show_engine(const std::string& id_or_file, const GlobalOptions& g) {
  EngineProfile e = value_or_throw(load_engine(id_or_file));
  ordered_json j = profile_json(e);
  if (g.format == "json") {
    print(j.dump(2) + "\n");
    return;
  }
  if (g.format == "csv") {  // one row, the JSON's keys as columns
    print_tidy_csv(j, g);
    return;
  }
  Table table({"field", "value"});
  for (const auto& [path, value] : j.items()) table.add_row({path, scalar_text(value)});
  print(table.to_text());
}

void describe_engine(const GlobalOptions& g) {
  print_schema(engine_schema().name(), engine_schema().fields(), g);
}

}  // namespace

void add_engine_commands(CLI::App& app, GlobalOptions& global) {
  GlobalOptions* g = &global;
  add_spec_commands(
      app, {.noun = "engine",
            .list_name = "engines",
            .list_help = "serving-engine presets: batching, scheduling, KV-cache policy",
            .show_help = "a serving-engine profile with every field resolved (defaults included)",
            .show_arg = "engine",
            .show_arg_help = "preset id or engine/v1 YAML file",
            .describe_help = "the engine/v1 schema: every field, its range and meaning",
            .list = [g] { list_engines(*g); },
            .show = [g](const std::string& id) { show_engine(id, *g); },
            .describe = [g] { describe_engine(*g); }});
}

}  // namespace xpusim::cli
