// SPDX-License-Identifier: Apache-2.0
// The tidy CSV of every command (report/result_fields.h): the command's --format json document
// as one table, one row per record of the kind --csv-records names (default: the command's).
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "xpusim/base/check.h"
#include "xpusim/base/text.h"
#include "xpusim/report/result_fields.h"

namespace xpusim::cli {

void print_tidy_csv(const nlohmann::ordered_json& doc, const GlobalOptions& g,
                    std::string_view default_records, std::string_view type) {
  const std::string_view records =
      g.csv_records.empty() ? default_records
                            : (g.csv_records == "." ? std::string_view() : g.csv_records);
  const ResultType* declared = type.empty() ? nullptr : find_result_type(type);
  XPUSIM_CHECK(type.empty() || declared != nullptr, "tidy CSV of an undeclared result type");
  const Table t = value_or_throw(tidy_table(doc, records, "--csv-records", declared));
  std::fputs(t.to_csv().c_str(), stdout);
}

namespace {

std::vector<std::string> type_names() {
  std::vector<std::string> out;
  for (const ResultType& t : result_types()) out.emplace_back(t.name);
  return out;
}

// `describe result [TYPE]`: the declared result types, or one type's fields with their type, unit
// and meaning.
void describe_result(const std::string& name, const GlobalOptions& g) {
  nlohmann::ordered_json doc;
  Table table({"type", "command", "fields", "meaning"});
  if (name.empty()) {
    doc = nlohmann::ordered_json::array();
    for (const ResultType& t : result_types()) {
      table.add_row({std::string(t.name), std::string(t.command), std::to_string(t.fields.size()),
                     std::string(t.meaning)});
      doc.push_back({{"type", t.name}, {"command", t.command}, {"fields", t.fields.size()},
                     {"meaning", t.meaning}});
    }
  } else {
    const ResultType* type = find_result_type(name);
    if (!type) {
      std::string msg = fmt::format("unknown result type \"{}\"; allowed: {}", name,
                                    join(type_names()));
      if (auto m = closest_match(name, type_names())) msg += fmt::format(" (did you mean \"{}\"?)", *m);
      throw InputError({Diagnostic{.file = "<command line>", .path = "TYPE", .message = msg}});
    }
    table = describe_result_type(*type);
    doc = nlohmann::ordered_json::array();
    for (const auto& row : table.rows())
      doc.push_back({{"field", row[0]},
                     {"type", row[1]},
                     {"unit", row[2] == "-" ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row[2])},
                     {"quantity", row[3] == "-" ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row[3])},
                     {"meaning", row[4]}});
  }
  if (g.format == "json") std::fputs((doc.dump(2) + "\n").c_str(), stdout);
  else if (g.format == "csv") print_tidy_csv(doc, g);
  else std::fputs(table.to_text().c_str(), stdout);
}

}  // namespace

void add_result_commands(CLI::App& app, GlobalOptions& g) {
  auto* describe = app.get_subcommand("describe");
  if (!describe) return;
  auto name = std::make_shared<std::string>();
  auto* sub = describe->add_subcommand(
      "result", "print the fields of a command's result (JSON keys = CSV columns) with their "
                "types, units and meanings; without TYPE, the result types");
  sub->add_option("TYPE", *name, "result type: " + join(type_names()));
  sub->callback([&g, name] { describe_result(*name, g); });
}

}  // namespace xpusim::cli
