// SPDX-License-Identifier: Apache-2.0
// One description of the results every command answers with, behind its output formats.
//
// A command's answer is its `--format json` document (api/): an object whose keys carry their
// unit as a suffix (`ttft_ms`, `total_area_mm2`, `weights_bytes`). From that document and the
// tables here come
//  - the tidy CSV of every command (`tidy_table`): one header row and one row per record; the
//    columns are the JSON keys, nested objects flattened by dotted names (`memory.weights_bytes`),
//    a list of records (`ops`, `ranking`, `dies.components`) one row per element with its parent's
//    keys repeated (the list's own keys named by their path: `ops.time_ms`); lists of plain
//    values are one cell, joined by "; "; an empty list has no cells (an infeasible run's `ops`);
//  - the number formatting of the terminal tables and the CSV (`format_column`, below);
//  - the unit and quantity of every key (`unit_of_key`, the suffix table `unit_suffixes`);
//  - the meaning of every field of the declared result types (`result_types`), which
//    `xpusim describe result TYPE` prints and the tests hold every command's JSON to, key for key.
// SQLite columns of a design search are the dse metric table (dse/metrics.h metric_fields), the
// same table the `explore`/`pareto` result type declares its `designs.metrics` from; its names
// are the keys of `run`/`cost`/`serve`, with units by the same suffixes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/result_field.h"
#include "xpusim/report/table.h"

namespace xpusim {

// How a number of a unit is printed.
enum class NumberKind {
  kCount,    // whole numbers: counts, tokens, bytes, dies (integers; huge ones in exponent form)
  kMeasure,  // everything measured or modelled: 4 significant figures
};

// A unit suffix of the JSON keys: `_ms` -> "ms", a time.
struct UnitSuffix {
  std::string_view suffix;    // "_ms"
  std::string_view unit;      // "ms"
  std::string_view quantity;  // "time"
  NumberKind kind;
};

// Every suffix, longest first (the first that ends a key is its unit).
std::span<const UnitSuffix> unit_suffixes();
// The unit of a key (its last dotted part) by suffix, or by being a suffix's unit word alone
// (`tflops`, `requests_per_s`); nullopt when the key names no unit (a count such as `batch`, a
// ratio such as `utilization`, or text).
std::optional<UnitSuffix> unit_of_key(std::string_view key);
// The unit of a field: of the nearest dotted part of its name that names one
// (`uncertainty.latency_ms.p10` is in ms); the terminal tables and `describe result` show it.
std::optional<UnitSuffix> unit_of_field(std::string_view key);

// The significant-figure rule, the one formatting of numbers in terminal tables and CSV (JSON
// keeps its round6 numbers):
//  - kCount: the integer (rounded), all digits;
//  - kMeasure: 4 significant figures in positional notation ("27840", "0.1120", "1.500");
//  - a column whose values cannot all be written that way -- any |v| >= 1e15 (never a 300-digit
//    integer) or any nonzero |v| < 1e-4 -- is written wholly in exponent form with 4 significant
//    figures ("1.000e+300", "3.200e-07"), so exponent and plain numbers never mix in one column;
//  - a value that does not exist (nullopt) is an empty cell; inf and nan are spelled "inf",
//    "-inf", "nan".
std::vector<std::string> format_column(std::span<const std::optional<double>> values,
                                       NumberKind kind);
// One number alone, as format_column formats a column of it.
std::string format_number(double v, NumberKind kind);

// The lists of records in a document, by dotted path ("ops", "dies", "dies.components"): the
// record kinds its CSV can have a row per, besides the document itself ("").
std::vector<std::string> record_lists(const nlohmann::ordered_json& doc);

// The tidy table of a document: `records` "" = one row of the document's own fields; a path from
// record_lists = one row per element of that list, the parents' fields first. A document that is
// a list of records (`describe`) is one row per element. Numbers formatted
// by column (format_column; kCount for JSON integers and `_bytes`). An unknown `records` path is
// an error naming the allowed ones (for `flag`, e.g. "--csv-records"); a path to an empty list
// (a search without a front, an infeasible `run`'s `ops`) is a table without rows.
// With the document's declared `type` the columns do not depend on which figures exist: an
// object field that is null (`uncertainty.ttft_ms` of an infeasible run) is its declared fields,
// empty, as it is when it has figures; an empty list's columns are its declared fields.
struct ResultType;
Result<Table> tidy_table(const nlohmann::ordered_json& doc, std::string_view records,
                         std::string_view flag = "--csv-records", const ResultType* type = nullptr);

// ---- declared result types ------------------------------------------------------------------
// A field of a result (base/result_field.h): its flattened name, meaning, value type; a map
// field's keys are data (`summary.skipped_by_reason.<reason>`). The unit comes from the name's
// suffix (unit_of_key).
struct ResultType {
  std::string_view name;     // "run", "gemm", ...
  std::string_view command;  // the command whose --format json document it describes
  std::string_view meaning;
  std::vector<ResultField> fields;
};

std::span<const ResultType> result_types();
const ResultType* find_result_type(std::string_view name);
// The field of `type` a flattened key belongs to: the field of that name, or the map field whose
// keys the key's tail is (`summary.skipped_by_reason.memory`); nullptr when undeclared.
const ResultField* find_field(const ResultType& type, std::string_view key);

// The flattened field names of a document, in document order, each once: scalar keys by dotted
// path, the keys of list elements under the list's path (`ops.time_ms`). A declared type's
// fields must equal this for every document its command writes (optional keys aside).
std::vector<std::string> flattened_field_names(const nlohmann::ordered_json& doc);

// The terminal table of a record of `type` (the key-value layout of wafer, fab, gemm): one row per
// scalar field of `doc` in its order (nested objects by dotted name; lists of records are tables
// of their own and left out), its value by the number rule (format_number: kCount for JSON
// integers and `_bytes`) and its unit from the field's name (the nearest dotted part with a unit
// suffix: `uncertainty.latency_ms.p10` is in ms). A field without a figure (null) has no row, nor
// has a key in `leave_out`. Every key must be a field of `type` (XPUSIM_CHECK: a bug otherwise).
Table field_table(const ResultType& type, const nlohmann::ordered_json& doc,
                  std::span<const std::string_view> leave_out = {});

// The field table of the keys `keys` of `doc` only, in that order: the readable subset of a long
// record that a terminal shows (run's headline figures). Rows as field_table's (value by the
// number rule, unit from the name); a key null or absent in `doc` has no row. Every key must be a
// field of `type` (XPUSIM_CHECK: a bug otherwise).
Table field_table_of(const ResultType& type, const nlohmann::ordered_json& doc,
                     std::span<const std::string_view> keys);

// The terminal table of the records at `records` (a path from record_lists, e.g. "dies" or
// "dies.components"): the tidy table's rows, with the columns of the records' own fields
// (`dies.components.name`, ...) after the columns named in `parent_columns` (`dies.name`: which
// record each row is under). An unknown path is the error tidy_table gives.
Result<Table> record_table(const nlohmann::ordered_json& doc, std::string_view records,
                           std::span<const std::string_view> parent_columns = {});

// The terminal table of the records at `records` with only `columns`, in that order: a readable
// subset of record_table's columns (a record's long text left out). Each name is a dotted key of
// the records or of their parents (`rows.id`, `summary.by_scenario.mape_pct`) and must be a field
// of `type` (XPUSIM_CHECK: a bug otherwise); a column no record has is empty. An unknown path is
// the error tidy_table gives.
Result<Table> record_table(const ResultType& type, const nlohmann::ordered_json& doc,
                           std::string_view records, std::span<const std::string_view> columns);

// What a field's values are, for `describe result`: "number", "integer", "bool" or "text" as
// declared; a kAuto field with a unit (unit_of_field) is a "number" ("integer" for a count unit such as
// `_bytes`, which result_json writes as an integer), one without is "any" (a number, text or bool
// by answer).
std::string_view field_type_name(const ResultField& field);

// `describe result TYPE`: one row per field (name, type, unit, quantity, meaning).
Table describe_result_type(const ResultType& type);

}  // namespace xpusim
