// SPDX-License-Identifier: Apache-2.0
// `xpusim describe model|dataset|engine`: a schema as a text table or, with --format json, one
// object per field (path, type, required, default, range, description); --format csv: a row each.
#include <cstdio>

#include <nlohmann/json.hpp>

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
  if (g.format == "csv") print_tidy_csv(arr, g);  // a row per field
  else std::fputs((arr.dump(2) + "\n").c_str(), stdout);
}

}  // namespace xpusim::cli
