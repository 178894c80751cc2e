// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/result_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {

using Json = ResultJson::Json;

bool under(std::string_view name, std::string_view path) {
  return name.size() > path.size() && name.starts_with(path) && name[path.size()] == '.';
}

[[noreturn]] void bug(const std::string& message) {
  XPUSIM_CHECK(false, message.c_str());
  std::abort();
}

// The value at dotted `path` of `obj`, created as objects on the way.
Json& at_path(Json& obj, std::string_view path) {
  Json* node = &obj;
  for (;;) {
    const size_t dot = path.find('.');
    Json& next = (*node)[std::string(path.substr(0, dot))];
    if (dot == std::string_view::npos) return next;
    node = &next;
    path = path.substr(dot + 1);
  }
}

// Whether a field holds whole numbers: kInteger, or a kAuto field whose unit (unit_of_field) is a
// count (`_bytes`, NumberKind::kCount in unit_suffixes).
bool whole_numbers(const ResultField& field) {
  if (field.type == FieldType::kInteger) return true;
  const auto unit = unit_of_field(field.name);
  return field.type == FieldType::kAuto && unit && unit->kind == NumberKind::kCount;
}

// A double that is a whole number: finite and without a fraction.
bool integral(const Json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::trunc(d);
}

// `v` as a JSON integer when it is an integral double within int64 (|v| < 2^63); anything else,
// a huge count included, stays as it is (a double, never a 300-digit integer).
void to_integer(Json& v) {
  if (!v.is_number_float() || !integral(v)) return;
  const double d = v.get<double>();
  if (std::fabs(d) < 0x1p63) v = static_cast<std::int64_t>(d);
}

}  // namespace

ResultJson::ResultJson(std::string_view type, std::string_view record)
    : type_(find_result_type(type)), prefix_(record.empty() ? "" : std::string(record) + ".") {
  XPUSIM_CHECK(type_ != nullptr, "ResultJson of an undeclared result type");
}

bool ResultJson::fits(const ResultField& field, const Json& value) {
  if (value.is_null()) return true;
  if (!field.key_meaning.empty()) {  // a map: an object of values of the type
    if (!value.is_object()) return false;
    ResultField element = field;
    element.key_meaning = {};
    return std::all_of(value.begin(), value.end(), [&](const Json& v) { return fits(element, v); });
  }
  FieldType t = field.type;
  if (t == FieldType::kAuto && unit_of_field(field.name)) t = FieldType::kNumber;
  switch (t) {
    case FieldType::kNumber: return value.is_number();
    case FieldType::kInteger: return integral(value);  // an integral double becomes an integer
    case FieldType::kBool: return value.is_boolean();
    case FieldType::kText: return value.is_string();
    case FieldType::kTextList:
      return value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
    case FieldType::kObject: return value.is_object();  // its keys: each checked as a field
    case FieldType::kAuto: break;
  }
  // Any scalar, or a list of scalars (one cell of the CSV).
  const auto scalar = [](const Json& v) { return !v.is_object() && !v.is_array(); };
  return scalar(value) || (value.is_array() && std::all_of(value.begin(), value.end(), scalar));
}

void ResultJson::check_and_normalise(const std::string& name, Json& value) const {
  const ResultField* field = find_field(*type_, name);
  // A declared nested object: null, or an object whose keys are checked one by one below.
  // (A map of objects -- keys that are data, each value an object -- is given whole: fits.)
  const bool object = field && field->name == name && field->type == FieldType::kObject &&
                      field->key_meaning.empty();
  if (object && value.is_null()) return;
  if (!object && field && field->name == name && fits(*field, value)) {
    if (field->key_meaning.empty()) {
      if (whole_numbers(*field)) to_integer(value);
      return;
    }
    for (auto it = value.begin(); value.is_object() && it != value.end(); ++it) {
      // A map's value by its key's unit (`infeasible.memory`, a count of a kInteger map).
      const std::string key = name + "." + it.key();
      ResultField element = *field;
      element.name = key;
      if (whole_numbers(element)) to_integer(*it);
    }
    return;
  }
  // A nested object or a list of records given whole: each key inside, by its dotted path.
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      check_and_normalise(name + "." + it.key(), *it);
    return;
  }
  if (value.is_array() && std::all_of(value.begin(), value.end(),
                                      [](const Json& e) { return e.is_object(); })) {
    for (Json& e : value) check_and_normalise(name, e);
    return;
  }
  if (!field)
    bug(fmt::format("\"{}\" is not a field of result type \"{}\"", name, type_->name));
  bug(fmt::format("\"{}\" of result type \"{}\" holds {}, not of its declared type", name,
                   type_->name, value.dump()));
}

ResultJson& ResultJson::set(std::string_view key, Json value) {
  check_and_normalise(prefix_ + std::string(key), value);
  const auto it = std::find_if(values_.begin(), values_.end(),
                               [&](const auto& kv) { return kv.first == key; });
  if (it != values_.end()) it->second = std::move(value);
  else values_.emplace_back(std::string(key), std::move(value));
  return *this;
}

Json ResultJson::json() const {
  Json out = Json::object();
  std::vector<bool> done(values_.size(), false);
  for (const ResultField& f : type_->fields) {
    if (!f.name.starts_with(prefix_)) continue;
    const std::string_view rel = f.name.substr(prefix_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      if (done[i] || !(rel == values_[i].first || under(rel, values_[i].first))) continue;
      at_path(out, values_[i].first) = values_[i].second;
      done[i] = true;
    }
  }
  return out;
}

}  // namespace xpusim
