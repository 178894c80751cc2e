// SPDX-License-Identifier: Apache-2.0
// `xpusim list hardware`, `xpusim show hardware ID|FILE` and `xpusim describe hardware`: the
// hardware presets as a table, one resolved spec with its derived figures (peaks, ridge points,
// bytes per FLOP), and the hardware/v1 schema. JSON keys are snake_case with the unit in the name.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/report/table.h"

namespace xpusim::cli {
namespace {

// Keys keep the order they are written in (the table form lists them in that order).
using json = nlohmann::ordered_json;

double tflops(FlopRate r) { return units::to_tflops(r); }
double gbs(BytesPerSecond b) { return units::to_gb_per_s(b); }


json level_json(const MemoryLevelSpec& l, bool per_unit) {
  if (!l.present) return nullptr;
  json j;
  j["capacity_bytes"] = l.capacity.value();
  j[per_unit ? "bandwidth_per_unit_gbs" : "bandwidth_gbs"] = round6(gbs(l.bandwidth));
  return j;
}

json tier_json(const LinkTierSpec& t) {
  if (!t.present) return nullptr;
  return json{{"name", t.name},
              {"bandwidth_gbs", round6(gbs(t.bandwidth))},
              {"links", t.links},
              {"latency_us", round6(units::to_us(t.latency))},
              {"topology", t.topology},
              {"domain_size", t.domain_size}};
}

json die_json(const DieSpec& d) {
  json j{{"name", d.name}, {"count", d.count}, {"node", d.node}};
  j["area_mm2"] = d.area ? json(d.area->value()) : json(nullptr);
  return j;
}

// The resolved spec and its derived figures. Top-level keys are the stable interface.
json hardware_json(const HardwareSpec& hw) {
  const auto& c = hw.compute;
  const auto& m = hw.memory;
  json j;
  j["schema"] = kHardwareSchemaName;
  j["id"] = hw.id;
  j["name"] = hw.name;
  j["vendor"] = hw.vendor;

  json peak = json::object(), ridge = json::object(), ridge_l2 = json::object(),
       bpf = json::object(), macs = json::object(), datasheet = json::object();
  for (Precision p : kAllPrecisions) {
    const std::string name(to_string(p));
    const size_t i = index_of(p);
    macs[name] = c.matrix.macs_per_cycle[i];
    if (c.datasheet_peak[i]) datasheet[name] = round6(tflops(*c.datasheet_peak[i]));
    if (!(peak_rate(hw, p).value() > 0)) continue;
    peak[name] = round6(tflops(peak_rate(hw, p)));
    if (auto r = dram_ridge_point(hw, p)) ridge[name] = round6(r->value());
    if (auto r = l2_ridge_point(hw, p)) ridge_l2[name] = round6(r->value());
    if (auto b = dram_bytes_per_flop(hw, p)) bpf[name] = round6(b->value());
  }
  j["peak_tflops"] = peak;
  j["vector_fp32_tflops"] = round6(tflops(peak_vector_rate(hw)));
  j["special_function_per_s"] = round6(special_function_rate(hw).value());
  j["dram_capacity_bytes"] = m.dram.capacity.value();
  j["dram_capacity_gb"] = round6(units::to_gb(m.dram.capacity));
  j["dram_capacity_gib"] = round6(units::to_gib(m.dram.capacity));  // vendors' "80 GB" of HBM is GiB
  j["dram_bandwidth_gbs"] = round6(gbs(m.dram.bandwidth));
  j["ridge_flop_per_byte"] = ridge;
  j["ridge_l2_flop_per_byte"] = ridge_l2;
  j["bytes_per_flop"] = bpf;
  j["on_chip_sram_bytes"] = total_on_chip_sram(hw).value();
  j["l1_total_bandwidth_gbs"] = round6(gbs(total_level_bandwidth(hw, m.l1)));

  json spec;
  spec["compute"] = {{"units", c.units},
                     {"units_on_die", c.units_on_die ? json(*c.units_on_die) : json(nullptr)},
                     {"unit_name", c.unit_name},
                     {"clock_ghz", round6(units::to_ghz(c.clock))},
                     {"matrix",
                      {{"engines_per_unit", c.matrix.engines_per_unit},
                       {"macs_per_cycle", macs},
                       {"array_rows", c.matrix.array_rows},
                       {"array_cols", c.matrix.array_cols},
                       {"min_m", c.matrix.min_m}}},
                     {"vector",
                      {{"fp32_flop_per_cycle_per_unit", c.vector.fp32_flop_per_cycle_per_unit},
                       {"special_per_cycle_per_unit", c.vector.special_per_cycle_per_unit}}},
                     {"datasheet_peak_tflops", datasheet}};
  spec["memory"] = {{"register_file", level_json(m.register_file, true)},
                    {"l1", level_json(m.l1, true)},
                    {"l2", level_json(m.l2, false)},
                    {"llc", level_json(m.llc, false)},
                    {"dram",
                     {{"type", m.dram.type},
                      {"stacks", m.dram.stacks},
                      {"sites", m.dram.sites ? json(*m.dram.sites) : json(nullptr)},
                      {"capacity_bytes", m.dram.capacity.value()},
                      {"bandwidth_gbs", round6(gbs(m.dram.bandwidth))}}}};
  const auto& ic = hw.interconnect;
  spec["interconnect"] = {{"scale_up", tier_json(ic.scale_up)},
                          {"scale_out", tier_json(ic.scale_out)},
                          {"host_bandwidth_gbs", ic.host_bandwidth
                                                     ? json(round6(gbs(*ic.host_bandwidth)))
                                                     : json(nullptr)}};
  const auto& ph = hw.physical;
  spec["physical"] = {{"process", ph.process},
                      {"compute_die", die_json(ph.compute_die)},
                      {"io_die", die_json(ph.io_die)},
                      {"tdp_w", ph.tdp.value() > 0 ? json(ph.tdp.value()) : json(nullptr)},
                      {"package", ph.package},
                      {"transistors_billion", ph.transistors_billion
                                                  ? json(*ph.transistors_billion)
                                                  : json(nullptr)}};
  j["spec"] = spec;
  return j;
}

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

// Flattens JSON to (dotted path, value) rows for the table and CSV forms of `show`.
void flatten(const json& j, const std::string& prefix, Table& table) {
  if (j.is_object() && !j.empty()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), table);
    return;
  }
  table.add_row({prefix, j.is_object() ? "-" : cell(j)});
}

void print(const std::string& text) { std::fputs(text.c_str(), stdout); }

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
  else if (g.format == "csv") print(table.to_csv());
  else print(table.to_text());
}

void show_hardware(const GlobalOptions& g, const std::string& target) {
  HardwareSpec hw = value_or_throw(load_hardware(target, g.overrides));
  json j = hardware_json(hw);
  if (g.format == "json") {
    print(j.dump(2) + "\n");
    return;
  }
  Table table({"field", "value"});
  flatten(j, "", table);
  print(g.format == "csv" ? table.to_csv() : table.to_text());
}

void describe_hardware(const GlobalOptions& g) {
  const auto& schema = hardware_schema();
  if (g.format != "json") {
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
  print(json{{"schema", schema.name()}, {"fields", fields}}.dump(2) + "\n");
}

}  // namespace

void add_hardware_commands(CLI::App& app, GlobalOptions& g) {
  if (auto* list = app.get_subcommand("list")) {
    list->add_subcommand("hardware", "list the hardware presets with their headline figures")
        ->callback([&g] { list_hardware(g); });
  }
  if (auto* show = app.get_subcommand("show")) {
    auto target = std::make_shared<std::string>();
    auto* sub = show->add_subcommand(
        "hardware", "show a hardware preset or file (YAML/JSON) with its derived figures");
    sub->add_option("spec", *target, "preset id or path to a hardware/v1 YAML or JSON file")
        ->required();
    sub->callback([&g, target] { show_hardware(g, *target); });
  }
  if (auto* describe = app.get_subcommand("describe")) {
    describe->add_subcommand("hardware", "print the hardware/v1 schema")
        ->callback([&g] { describe_hardware(g); });
  }
}

}  // namespace xpusim::cli
