// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/result_fields.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "xpusim/base/check.h"
#include "xpusim/base/text.h"

namespace xpusim {
namespace {

using Json = nlohmann::ordered_json;

// Longest suffixes first: `_per_s` before `_s`, `_mm2` before `_mm`.
constexpr UnitSuffix kSuffixes[] = {
    {"_usd_per_million_output_tokens", "USD per million output tokens", "cost per token",
     NumberKind::kMeasure},
    {"_tokens_per_s_per_device", "tokens/s per device", "throughput", NumberKind::kMeasure},
    {"_bytes_per_token_per_device", "B per token per device", "memory per token",
     NumberKind::kCount},
    {"_usd_per_kwh", "USD/kWh", "electricity price", NumberKind::kMeasure},
    {"_eflops_per_year", "EFLOP/s per year", "compute added per year", NumberKind::kMeasure},
    {"_tokens_per_s", "tokens/s", "throughput", NumberKind::kMeasure},
    {"_requests_per_s", "requests/s", "request rate", NumberKind::kMeasure},
    {"_samples_per_s", "samples/s", "sample rate", NumberKind::kMeasure},
    {"_wafers_per_year", "wafers/year", "wafer starts", NumberKind::kMeasure},
    {"_per_device_hour_usd", "USD/device-hour", "cost rate", NumberKind::kMeasure},
    {"_per_cm2", "1/cm2", "areal density", NumberKind::kMeasure},
    {"_per_year", "1/year", "yearly volume", NumberKind::kMeasure},
    {"_per_usd", "1/USD", "per dollar", NumberKind::kMeasure},
    {"_per_w", "1/W", "per watt", NumberKind::kMeasure},
    {"_per_s", "1/s", "rate", NumberKind::kMeasure},
    {"_bytes", "B", "memory size or traffic", NumberKind::kCount},
    {"_bits", "bits", "storage per element", NumberKind::kMeasure},
    {"_tflops", "TFLOP/s", "compute rate", NumberKind::kMeasure},
    {"_gbs", "GB/s", "bandwidth", NumberKind::kMeasure},
    {"_flop", "FLOP", "work", NumberKind::kMeasure},
    {"_ghz", "GHz", "clock frequency", NumberKind::kMeasure},
    {"_qps", "queries/s", "request rate", NumberKind::kMeasure},
    {"_years", "years", "time", NumberKind::kMeasure},
    {"_mm2", "mm2", "area", NumberKind::kMeasure},
    {"_kwh", "kWh", "energy", NumberKind::kMeasure},
    {"_usd", "USD", "cost", NumberKind::kMeasure},
    {"_pct", "%", "percentage", NumberKind::kMeasure},
    {"_mm", "mm", "length", NumberKind::kMeasure},
    {"_ms", "ms", "time", NumberKind::kMeasure},
    {"_us", "us", "time", NumberKind::kMeasure},
    {"_ns", "ns", "time", NumberKind::kMeasure},
    {"_w", "W", "power", NumberKind::kMeasure},
    {"_j", "J", "energy", NumberKind::kMeasure},
    {"_s", "s", "time", NumberKind::kMeasure},
};

std::string_view last_part(std::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

// A column needs exponent form when one of its values cannot be written positionally in a
// reasonable width.
bool needs_exponent(double v) {
  const double a = std::fabs(v);
  return std::isfinite(v) && (a >= 1e15 || (a != 0 && a < 1e-4));
}

std::string special(double v) {
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

// 4 significant figures, positional: the digits after the point are 3 - floor(log10|v|), at
// least 0; the integer part keeps its digits (27836.1 -> "27840": rounded to 4 figures first).
std::string positional(double v) {
  if (v == 0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  const int decimals = std::max(0, 3 - magnitude);
  double rounded = v;
  if (magnitude > 3) {
    const double scale = std::pow(10.0, magnitude - 3);
    rounded = std::round(v / scale) * scale;
  }
  return fmt::format("{:.{}f}", rounded, decimals);
}

struct Cell {
  enum Type { kNull, kText, kNumber } type = kNull;
  std::string text;      // kText: the string or "true"/"false"
  double number = 0;     // kNumber
  bool integer = false;  // a JSON integer
};

using Cells = std::vector<std::pair<std::string, Cell>>;

Cell scalar_cell(const Json& v) {
  Cell c;
  if (v.is_null()) return c;
  if (v.is_number()) {
    c.type = Cell::kNumber;
    c.number = v.get<double>();
    c.integer = v.is_number_integer();
  } else if (v.is_boolean()) {
    c.type = Cell::kText;
    c.text = v.get<bool>() ? "true" : "false";
  } else if (v.is_string()) {
    c.type = Cell::kText;
    c.text = v.get<std::string>();
  } else {
    c.type = Cell::kText;
    c.text = v.dump();
  }
  return c;
}

bool is_record_list(const Json& v) {
  return v.is_array() && std::any_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
}

std::string joined(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// The scalar fields of an object (nested objects flattened; lists of records left out; lists of
// plain values joined by "; ").
void own_cells(const Json& obj, const std::string& prefix, Cells& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string key = joined(prefix, it.key());
    const Json& v = *it;
    if (v.is_object()) {
      own_cells(v, key, out);
    } else if (is_record_list(v) || (v.is_array() && v.empty())) {
      continue;  // records are rows of their own; an empty list has no fields to show
    } else if (v.is_array()) {
      std::vector<std::string> parts;
      for (const Json& e : v) parts.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      Cell c;
      c.type = Cell::kText;
      c.text = join(parts, "; ");
      out.emplace_back(key, c);
    } else {
      out.emplace_back(key, scalar_cell(v));
    }
  }
}

// The value at a dotted path of objects (no lists), or nullptr.
const Json* child(const Json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(name));
  return it == obj.end() ? nullptr : &*it;
}

// Rows of the records at `path` (parts from `at`) under `node`, each with `parent` first and then
// `node`'s own fields; `prefix` is the dotted path of `node`.
void record_rows(const Json& node, const std::vector<std::string>& path, size_t at,
                 const std::string& prefix, const Cells& parent, std::vector<Cells>& rows) {
  Cells base = parent;
  own_cells(node, prefix, base);
  if (at == path.size()) {
    rows.push_back(std::move(base));
    return;
  }
  // Through objects to the next list of records.
  const Json* v = &node;
  std::string key = prefix;
  while (at < path.size()) {
    v = child(*v, path[at]);
    if (!v) return;
    key = joined(key, path[at++]);
    if (!v->is_object()) break;
  }
  if (!is_record_list(*v)) return;
  for (const Json& e : *v)
    if (e.is_object()) record_rows(e, path, at, key, base, rows);
}

NumberKind number_kind(std::string_view key, bool integer) {
  const auto unit = unit_of_key(key);
  return integer || (unit && unit->kind == NumberKind::kCount) ? NumberKind::kCount
                                                               : NumberKind::kMeasure;
}

void find_lists(const Json& obj, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string key = joined(prefix, it.key());
    if (it->is_object()) {
      find_lists(*it, key, out);
    } else if (is_record_list(*it)) {
      if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
      for (const Json& e : *it)
        if (e.is_object()) find_lists(e, key, out);
    }
  }
}

void field_names(const Json& obj, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string key = joined(prefix, it.key());
    if (it->is_object()) {
      field_names(*it, key, out);
    } else if (is_record_list(*it)) {
      for (const Json& e : *it)
        if (e.is_object()) field_names(e, key, out);
    } else if (it->is_array() && it->empty()) {
      continue;
    } else if (std::find(out.begin(), out.end(), key) == out.end()) {
      out.push_back(key);
    }
  }
}

// Whether the dotted `records` path leads through objects to an empty list: a list of records
// that has none this time (a search without a front, an infeasible run's ops).
bool empty_list_at(const Json& doc, std::string_view records) {
  const Json* v = &doc;
  for (std::string_view rest = records;;) {
    const size_t dot = rest.find('.');
    v = child(*v, rest.substr(0, dot));
    if (!v) return false;
    if (v->is_array()) return v->empty();
    if (dot == std::string_view::npos) return false;
    rest = rest.substr(dot + 1);
  }
}

// The declared scalar fields under `prefix` ("uncertainty.ttft_ms.", "ops."), in declaration
// order: an object's or a list's columns when it has no figures. Map fields (keys that are data)
// and objects (their fields are listed) have no column of their own.
std::vector<std::string> declared_columns(const ResultType& type, std::string_view prefix) {
  std::vector<std::string> out;
  for (const ResultField& f : type.fields)
    if (f.name.starts_with(prefix) && f.key_meaning.empty() && f.type != FieldType::kObject)
      out.emplace_back(f.name);
  return out;
}

// A null object field of `type` (`uncertainty.ttft_ms` without a prediction) as its declared
// fields, empty: the columns it has when it holds figures.
void expand_null_objects(const ResultType& type, Cells& row) {
  Cells out;
  for (auto& [key, c] : row) {
    const ResultField* f = c.type == Cell::kNull ? find_field(type, key) : nullptr;
    if (f && f->type == FieldType::kObject && f->key_meaning.empty() && f->name == key) {
      const std::vector<std::string> cols = declared_columns(type, key + ".");
      if (!cols.empty()) {
        for (const std::string& col : cols) out.emplace_back(col, Cell{});
        continue;
      }
    }
    out.emplace_back(std::move(key), std::move(c));
  }
  row = std::move(out);
}

}  // namespace

std::span<const UnitSuffix> unit_suffixes() { return kSuffixes; }

std::optional<UnitSuffix> unit_of_key(std::string_view key) {
  // A name ending in a suffix (`ttft_ms`), or that is a suffix's unit word alone (`tflops`,
  // `requests_per_s`: `_tflops`, `_requests_per_s` without the underscore).
  // A per-model metric of a design search, `metric@model` (dse/space.h; the model id may hold
  // dots, "ttft_ms@llama-3.1-8b"): the metric's unit.
  const size_t at = key.find('@');
  const std::string_view name = last_part(at == std::string_view::npos ? key : key.substr(0, at));
  for (const UnitSuffix& s : kSuffixes)
    if ((name.size() > s.suffix.size() && name.ends_with(s.suffix)) || name == s.suffix.substr(1))
      return s;
  return std::nullopt;
}

std::optional<UnitSuffix> unit_of_field(std::string_view key) {
  std::optional<UnitSuffix> unit;
  for (std::string_view rest = key; !unit && !rest.empty();) {
    unit = unit_of_key(rest);
    const size_t dot = rest.rfind('.');
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(0, dot);
  }
  return unit;
}

std::vector<std::string> format_column(std::span<const std::optional<double>> values,
                                       NumberKind kind) {
  const bool exponent = std::any_of(values.begin(), values.end(), [](const auto& v) {
    return v && needs_exponent(*v);
  });
  std::vector<std::string> out;
  out.reserve(values.size());
  for (const auto& v : values) {
    if (!v) {
      out.emplace_back();
    } else if (!std::isfinite(*v)) {
      out.push_back(special(*v));
    } else if (exponent) {
      out.push_back(fmt::format("{:.3e}", *v));
    } else if (kind == NumberKind::kCount) {
      out.push_back(fmt::format("{:.0f}", std::round(*v)));
    } else {
      out.push_back(positional(*v));
    }
  }
  return out;
}

std::string format_number(double v, NumberKind kind) {
  const std::optional<double> one[] = {v};
  return format_column(one, kind).front();
}

std::vector<std::string> record_lists(const Json& doc) {
  std::vector<std::string> out;
  if (doc.is_object()) find_lists(doc, "", out);
  return out;
}

std::vector<std::string> flattened_field_names(const Json& doc) {
  std::vector<std::string> out;
  if (doc.is_object()) field_names(doc, "", out);
  return out;
}

Result<Table> tidy_table(const Json& doc, std::string_view records, std::string_view flag,
                         const ResultType* type) {
  std::vector<Cells> rows;
  if (doc.is_array()) {  // a document that is a list of records (describe): a row each
    if (!records.empty()) return tidy_table(Json{{"records", doc}}, records, flag, type);
    for (const Json& e : doc) {
      Cells row;
      if (e.is_object()) own_cells(e, "", row);
      else row.emplace_back("value", scalar_cell(e));
      rows.push_back(std::move(row));
    }
  } else if (records.empty()) {
    Cells row;
    own_cells(doc, "", row);
    rows.push_back(std::move(row));
  } else {
    const std::vector<std::string> lists = record_lists(doc);
    const bool listed = std::find(lists.begin(), lists.end(), records) != lists.end();
    if (!listed && empty_list_at(doc, records)) {
      // No records this time: no rows; with the declared type, the columns a row would have.
      if (type) {
        Cells parent;
        own_cells(doc, "", parent);
        expand_null_objects(*type, parent);
        std::vector<std::string> header;
        for (const auto& kc : parent) header.push_back(kc.first);
        for (std::string& col : declared_columns(*type, std::string(records) + "."))
          if (std::find(header.begin(), header.end(), col) == header.end())
            header.push_back(std::move(col));
        return Table(header);
      }
      return Table(std::vector<std::string>{});
    }
    if (!listed) {
      std::string allowed = lists.empty() ? "none (this answer has no lists of records)"
                                          : join(lists);
      Diagnostic d;
      d.file = "<command line>";
      d.path = std::string(flag);
      d.message = fmt::format("\"{}\" is not a list of records of this answer; allowed: {}",
                              records, allowed);
      return tl::unexpected(Diagnostics{d});
    }
    std::vector<std::string> path;
    for (std::string_view rest = records;;) {
      const size_t dot = rest.find('.');
      path.emplace_back(rest.substr(0, dot));
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    record_rows(doc, path, 0, "", {}, rows);
  }
  if (type)
    for (Cells& r : rows) expand_null_objects(*type, r);
  // Columns: the union of the rows' keys in first-seen order; a key that is null in some rows and
  // an object (dotted children) in others is its children only.
  std::vector<std::string> header;
  for (const Cells& r : rows)
    for (const auto& [k, c] : r)
      if (std::find(header.begin(), header.end(), k) == header.end()) header.push_back(k);
  std::erase_if(header, [&](const std::string& k) {
    const bool has_children = std::any_of(header.begin(), header.end(), [&](const std::string& o) {
      return o.size() > k.size() && o.starts_with(k) && o[k.size()] == '.';
    });
    return has_children;
  });
  std::vector<std::vector<std::string>> cells(rows.size(), std::vector<std::string>(header.size()));
  for (size_t col = 0; col < header.size(); ++col) {
    std::vector<std::optional<double>> numbers(rows.size());
    std::vector<size_t> numeric_rows;
    bool all_integer = true;
    for (size_t r = 0; r < rows.size(); ++r) {
      auto it = std::find_if(rows[r].begin(), rows[r].end(),
                             [&](const auto& kc) { return kc.first == header[col]; });
      if (it == rows[r].end()) continue;
      const Cell& c = it->second;
      if (c.type == Cell::kText) cells[r][col] = c.text;
      if (c.type != Cell::kNumber) continue;
      numbers[r] = c.number;
      numeric_rows.push_back(r);
      all_integer = all_integer && c.integer;
    }
    const std::vector<std::string> text = format_column(numbers, number_kind(header[col], all_integer));
    for (size_t r : numeric_rows) cells[r][col] = text[r];
  }
  Table t(header);
  for (auto& r : cells) t.add_row(std::move(r));
  return t;
}

Table field_table(const ResultType& type, const Json& doc,
                  std::span<const std::string_view> leave_out) {
  Cells cells;
  if (doc.is_object()) own_cells(doc, "", cells);
  Table t({"field", "value", "unit"});
  for (const auto& [key, c] : cells) {
    XPUSIM_CHECK(find_field(type, key) != nullptr, key.c_str());
    if (c.type == Cell::kNull ||
        std::find(leave_out.begin(), leave_out.end(), key) != leave_out.end())
      continue;
    const std::optional<UnitSuffix> unit = unit_of_field(key);
    t.add_row({key, c.type == Cell::kText ? c.text : format_number(c.number, number_kind(key, c.integer)),
               unit ? std::string(unit->unit) : ""});
  }
  return t;
}

Table field_table_of(const ResultType& type, const Json& doc,
                     std::span<const std::string_view> keys) {
  Cells cells;
  if (doc.is_object()) own_cells(doc, "", cells);
  Table t({"field", "value", "unit"});
  for (std::string_view key : keys) {
    XPUSIM_CHECK(find_field(type, key) != nullptr, std::string(key).c_str());
    const auto it = std::find_if(cells.begin(), cells.end(),
                                 [&](const auto& kc) { return kc.first == key; });
    if (it == cells.end() || it->second.type == Cell::kNull) continue;
    const Cell& c = it->second;
    const std::optional<UnitSuffix> unit = unit_of_field(key);
    t.add_row({std::string(key),
               c.type == Cell::kText ? c.text : format_number(c.number, number_kind(key, c.integer)),
               unit ? std::string(unit->unit) : ""});
  }
  return t;
}

Result<Table> record_table(const Json& doc, std::string_view records,
                           std::span<const std::string_view> parent_columns) {
  Result<Table> tidy = tidy_table(doc, records);
  if (!tidy) return tidy;
  const std::vector<std::string>& header = tidy->header();
  const std::string own = std::string(records) + ".";
  std::vector<size_t> columns;
  for (std::string_view name : parent_columns)
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) columns.push_back(i);
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i].starts_with(own)) columns.push_back(i);
  const auto pick = [&](const std::vector<std::string>& row) {
    std::vector<std::string> out;
    for (size_t i : columns) out.push_back(i < row.size() ? row[i] : "");
    return out;
  };
  Table t(pick(header));
  for (const auto& row : tidy->rows()) t.add_row(pick(row));
  return t;
}

Result<Table> record_table(const ResultType& type, const Json& doc, std::string_view records,
                           std::span<const std::string_view> columns) {
  Result<Table> tidy = tidy_table(doc, records, "--csv-records", &type);
  if (!tidy) return tidy;
  const std::vector<std::string>& header = tidy->header();
  std::vector<std::optional<size_t>> at;  // the tidy column of each name, if any record has it
  for (std::string_view name : columns) {
    XPUSIM_CHECK(find_field(type, name) != nullptr, std::string(name).c_str());
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) at.emplace_back();
    else at.emplace_back(static_cast<size_t>(it - header.begin()));
  }
  Table t(std::vector<std::string>(columns.begin(), columns.end()));
  for (const auto& row : tidy->rows()) {
    std::vector<std::string> out;
    for (const auto& i : at) out.push_back(i && *i < row.size() ? row[*i] : "");
    t.add_row(std::move(out));
  }
  return t;
}

}  // namespace xpusim
