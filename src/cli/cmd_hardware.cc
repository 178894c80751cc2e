// SPDX-License-Identifier: Apache-2.0
// `xpusim list hardware`, `xpusim show hardware ID|FILE` and `xpusim describe hardware`: the
// hardware presets as a table, one resolved spec with its derived figures (peaks, ridge points,
// bytes per FLOP), and the hardware/v1 schema. JSON keys are snake_case with the unit in the name.
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "xpusim/api/specs.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

// Keys keep the order they are written in (the table form lists them in that order).
using json = nlohmann::ordered_json;

double tflops(FlopRate r) { return units::to_tflops(r); }

std::string cell(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::fabs(d) < 1e15 && std::floor(d) == d) return fixed(d, 0);
    return sig(d, 6);
  }
  return v.dump();
}

// Flattens JSON to (dotted path, value) rows for the table form of `show`.
void flatten(const json& j, const std::string& prefix, Table& table) {
  if (j.is_object() && !j.empty()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), table);
    return;
  }
  table.add_row({prefix, j.is_object() ? "-" : cell(j)});
}

void list_hardware(const GlobalOptions& g) {
  Table table({"id", "name", "vendor", "bf16_tflops", "fp8_tflops", "dram_gib", "dram_tb_s"});
  json out = json::array();
  Diagnostics diags;
  for (const auto& id : list_presets("hardware")) {
    auto hw = load_hardware(id);
    if (!hw) {
      diags.insert(diags.end(), hw.error().begin(), hw.error().end());
      continue;
    }
    const double bf16 = tflops(peak_rate(*hw, Precision::kBf16));
    const double fp8 = tflops(peak_rate(*hw, Precision::kFp8));
    table.add_row({hw->id, hw->name, hw->vendor, fixed(bf16, 1), fp8 > 0 ? fixed(fp8, 1) : "-",
                   fixed(units::to_gib(hw->memory.dram.capacity), 1),
                   fixed(units::to_tb_per_s(hw->memory.dram.bandwidth), 3)});
    out.push_back({{"id", hw->id},
                   {"name", hw->name},
                   {"vendor", hw->vendor},
                   {"bf16_tflops", round6(bf16)},
                   {"fp8_tflops", round6(fp8)},
                   {"dram_gib", round6(units::to_gib(hw->memory.dram.capacity))},
                   {"dram_tb_s", round6(units::to_tb_per_s(hw->memory.dram.bandwidth))}});
  }
  if (!diags.empty()) throw InputError(diags);
  if (g.format == "json") print(out.dump(2) + "\n");
  else if (g.format == "csv") print_tidy_csv(out, g);  // a row per preset, the JSON's keys
  else print(table.to_text());
}

void show_hardware(const GlobalOptions& g, const std::string& target) {
  HardwareSpec hw = value_or_throw(load_hardware(target, g.overrides));
  json j = api::hardware_json(hw);
  if (g.format == "json") {
    print(j.dump(2) + "\n");
    return;
  }
  if (g.format == "csv") {  // one row, the JSON's flattened keys as columns
    print_tidy_csv(j, g);
    return;
  }
  Table table({"field", "value"});
  flatten(j, "", table);
  print(table.to_text());
}

void describe_hardware(const GlobalOptions& g) {
  const auto& schema = hardware_schema();
  if (g.format == "table") {
    print(describe_schema(schema.name(), schema.fields()));
    return;
  }
  json fields = json::array();
  for (const auto& f : schema.fields()) {
    json e{{"path", f.path},
           {"type", f.type_text()},
           {"required", f.required},
           {"description", f.description}};
    e["unit"] = f.kind == FieldKind::kQuantity ? json(dimension_unit_hint(f.dim)) : json(nullptr);
    e["default"] = f.default_text.empty() ? json(nullptr) : json(f.default_text);
    e["range"] = f.range_text().empty() ? json(nullptr) : json(f.range_text());
    e["choices"] = f.choices;
    fields.push_back(e);
  }
  const json doc{{"schema", schema.name()}, {"fields", fields}};
  if (g.format == "csv") print_tidy_csv(doc, g, "fields");  // a row per field
  else print(doc.dump(2) + "\n");
}

}  // namespace

void add_hardware_commands(CLI::App& app, GlobalOptions& g) {
  add_spec_commands(
      app, {.noun = "hardware",
            .list_name = "hardware",
            .list_help = "list the hardware presets with their headline figures",
            .show_help = "show a hardware preset or file (YAML/JSON) with its derived figures",
            .show_arg = "spec",
            .show_arg_help = "preset id or path to a hardware/v1 YAML or JSON file",
            .describe_help = "print the hardware/v1 schema",
            .list = [&g] { list_hardware(g); },
            .show = [&g](const std::string& spec) { show_hardware(g, spec); },
            .describe = [&g] { describe_hardware(g); }});
}

}  // namespace xpusim::cli
