// SPDX-License-Identifier: Apache-2.0
// A CSV table of ../shared/reference for tests that compare presets with it: its rows of fields,
// the header first, read by the project's RFC 4180 reader (validate/csv_reader.h); empty when the
// file cannot be read (the caller asserts on that, naming the file).
#pragma once

#include <string>
#include <vector>

#include "xpusim/validate/csv_reader.h"

namespace xpusim::testing {

inline std::vector<std::vector<std::string>> read_reference_csv(const std::string& path) {
  auto table = read_csv_file(path);
  if (!table) return {};
  std::vector<std::vector<std::string>> rows{table->header()};
  for (const CsvRecord& record : table->records()) rows.push_back(record.fields);
  return rows;
}

}  // namespace xpusim::testing
