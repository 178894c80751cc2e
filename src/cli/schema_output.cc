// SPDX-License-Identifier: Apache-2.0
// `xpusim describe model|dataset|engine`: a schema as a text table or, with --format json, one
// object per field (path, type, required, default, range, description); --format csv: a row each.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "cli/command.h"

namespace xpusim::cli {

void print_schema(const std::string& name, const std::vector<FieldInfo>& fields,
                  const GlobalOptions& g) {
  if (g.format == "table") {
    std::fputs(describe_schema(name, fields).c_str(), stdout);
    return;
  }
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& f : fields)
    arr.push_back({{"path", f.path},
                   {"type", f.type_text()},
                   {"required", f.required},
                   {"default", f.default_text},
                   {"range", f.range_text()},
                   {"description", f.description}});
  if (g.format == "csv")
    print_tidy_csv(arr, g);  // a row per field
  else
    std::fputs((arr.dump(2) + "\n").c_str(), stdout);
}

void add_spec_commands(CLI::App& app, SpecCommands c) {
  app.get_subcommand("list")->add_subcommand(c.list_name, c.list_help)->callback(std::move(c.list));
  auto target = std::make_shared<std::string>();
  auto* show = app.get_subcommand("show")->add_subcommand(c.noun, c.show_help);
  show->add_option(c.show_arg, *target, c.show_arg_help)->required();
  show->callback([target, f = std::move(c.show)] { f(*target); });
  app.get_subcommand("describe")
      ->add_subcommand(c.noun, c.describe_help)
      ->callback(std::move(c.describe));
}

}  // namespace xpusim::cli
