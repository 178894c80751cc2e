// SPDX-License-Identifier: Apache-2.0
// The JSON of a declared result type (report/result_fields.h), built through its table: the one
// emitter the api/ builders write their records with.
//
// Every key set is a field of the type (or the path of a declared list of records, nested object
// or map, given whole), its value of the declared type (a number for a unit-suffixed field, a
// string for kText, ...; null always allowed: no figure), and the object comes out with its keys
// in the table's order. Whole numbers come out as JSON integers: a value of a kInteger field, or of
// a kAuto field whose unit is a count (`dram_bytes`), that is integral and within int64 is written
// `1606418432`, not `1606418432.0` (a larger one stays a double). An undeclared key or a value of the wrong type is a bug in xpusim
// (XPUSIM_CHECK, naming the key), which the tests that run every command catch
// (tests/unit/cli/result_fields_cli_test.cc, tests/unit/report/result_json_test.cc).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "xpusim/report/result_fields.h"

namespace xpusim {

class ResultJson {
 public:
  using Json = nlohmann::ordered_json;

  // `type`: a declared type (result_types); `record`: the dotted path of the object built within
  // it ("" the document itself, "dies" an element of area's list of dies).
  explicit ResultJson(std::string_view type, std::string_view record = "");

  // Sets `key`, relative to the record; dotted for a field of a nested object ("tile.m").
  ResultJson& set(std::string_view key, Json value);

  // The object, its keys in the table's order (a nested object where its first field is).
  [[nodiscard]] Json json() const;

  // Whether `value` may be the value of `field` (null: always; a kInteger field: an integer or an
  // integral double).
  static bool fits(const ResultField& field, const Json& value);

 private:
  // Fails (XPUSIM_CHECK) unless `value` may be at `name`: a field's value, or an object or list
  // of records whose every key is declared and fits; and normalises `value` in place: the whole
  // numbers of integer and count fields in it become JSON integers.
  void check_and_normalise(const std::string& name, Json& value) const;

  const ResultType* type_ = nullptr;
  std::string prefix_;  // the record's path and ".", or ""
  std::vector<std::pair<std::string, Json>> values_;  // in the order set
};

}  // namespace xpusim
