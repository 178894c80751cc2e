// SPDX-License-Identifier: Apache-2.0
// A field of a result table (report/result_fields.h): the one description of a result's keys
// behind its JSON, CSV, terminal table and SQLite columns. Here, below every library, so that a
// table declared in a model library (the design-search metrics, dse/metrics.h) is the same kind of
// table as the ones report/ declares.
#pragma once

#include <string_view>

namespace xpusim {

// The value a field holds. Every value may also be null (no figure: an infeasible answer).
enum class FieldType {
  kAuto,     // a number when the name has a unit suffix (`_ms`), else any scalar
  kNumber,   // a real number (SQLite REAL)
  kInteger,  // a whole number (SQLite INTEGER)
  kBool,     // true or false (SQLite INTEGER 0/1)
  kText,     // a string (SQLite TEXT)
  kTextList, // a list of strings (notes, assumptions): one text cell, joined by "; " (SQLite TEXT)
  kObject,   // a nested object given whole, or null; its keys are fields declared under its name
};

// A field: its flattened name (the JSON key path; a list's elements under the list's path,
// `ops.time_ms`), what it means, and what it holds.
struct ResultField {
  std::string_view name;
  std::string_view meaning;
  bool optional = false;  // present only in some answers (a preset that failed to load, ...)
  FieldType type = FieldType::kAuto;
  // Non-empty: the field is a map, an object whose keys are data (skip reasons, parameter
  // paths) and whose values are `type`; this says what a key is.
  std::string_view key_meaning = {};
};

// The SQLite column type of a field's values.
constexpr std::string_view sql_type(FieldType t) {
  switch (t) {
    case FieldType::kInteger:
    case FieldType::kBool: return "INTEGER";
    case FieldType::kText:
    case FieldType::kTextList:
    case FieldType::kObject: return "TEXT";  // never a column (its fields are); TEXT as JSON
    case FieldType::kNumber:
    case FieldType::kAuto: break;
  }
  return "REAL";
}

}  // namespace xpusim
