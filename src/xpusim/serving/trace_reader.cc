// SPDX-License-Identifier: Apache-2.0
// Trace replay files (see trace_reader.h for the format). The file is read in blocks and split
// into lines here, so that a binary or line-less file is rejected after its first block instead
// of being read whole; the CSV header (or each JSON line's keys) is checked before any value.
#include "xpusim/serving/trace_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"

namespace xpusim {
namespace {

constexpr size_t kMaxDiagnostics = 20;
constexpr size_t kMaxLineBytes = size_t{1} << 20;  // a row is a few dozen bytes
constexpr size_t kBlockBytes = size_t{1} << 16;
constexpr size_t kMaxShown = 40;                   // characters of a bad value quoted back
constexpr double kMaxArrivalSeconds = 1e9;         // ~31 years; keeps nanoseconds in int64
constexpr int64_t kMaxTokens = 1'000'000'000;

enum Column { kArrival, kInput, kOutput, kPrefixId, kPrefixLen, kColumnCount };
const std::vector<std::string> kColumnNames = {"arrival_s", "input_len", "output_len",
                                               "prefix_id", "prefix_len"};
const char* const kAllowed[kColumnCount] = {
    "seconds from the start of the trace, a finite number >= 0",
    "a whole number of prompt tokens >= 1",
    "a whole number of answer tokens >= 1",
    "a whole number >= 0, or empty for no shared prefix",
    "a whole number of tokens with 0 <= prefix_len <= input_len",
};

// A value quoted back in a message: cut and with control bytes escaped.
std::string shown(std::string_view v) { return printable(v, kMaxShown); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Collects diagnostics up to kMaxDiagnostics; `full()` tells the reader to stop.
class Reporter {
 public:
  explicit Reporter(std::string file) : file_(std::move(file)) {}
  void add(int line, int column, std::string path, std::string message) {
    if (full()) return;
    diags_.push_back(Diagnostic{file_, line, column, std::move(path), std::move(message)});
  }
  void bad_value(int line, int column, Column c, const std::string& problem) {
    add(line, column, kColumnNames[c], problem + "; allowed: " + kAllowed[c]);
  }
  [[nodiscard]] bool full() const { return diags_.size() >= kMaxDiagnostics; }
  [[nodiscard]] bool empty() const { return diags_.empty(); }
  Diagnostics take() { return std::move(diags_); }
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  std::string file_;
  Diagnostics diags_;
};

// Splits a stream into lines (LF or CRLF) with bounded memory.
class LineReader {
 public:
  enum class Status { kLine, kEnd, kBinary, kTooLong, kReadError };
  explicit LineReader(std::istream& in) : in_(in) {}

  Status next(std::string& line) {
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        line.assign(buf_, pos_, nl - pos_);
        pos_ = nl + 1;
        return emit(line);
      }
      if (eof_) {
        if (pos_ >= buf_.size()) return Status::kEnd;
        line.assign(buf_, pos_, std::string::npos);
        pos_ = buf_.size();
        return emit(line);
      }
      if (buf_.size() - pos_ > kMaxLineBytes) {
        problem_line_ = line_ + 1;
        return Status::kTooLong;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      size_t old = buf_.size();
      buf_.resize(old + kBlockBytes);
      in_.read(buf_.data() + old, static_cast<std::streamsize>(kBlockBytes));
      if (in_.bad()) return Status::kReadError;
      buf_.resize(old + static_cast<size_t>(in_.gcount()));
      if (in_.gcount() == 0 || in_.eof()) eof_ = true;
      if (size_t nul = buf_.find('\0', old); nul != std::string::npos) {
        auto end = buf_.begin() + static_cast<std::ptrdiff_t>(nul);
        problem_line_ = line_ + 1 + static_cast<int>(std::count(buf_.begin(), end, '\n'));
        return Status::kBinary;
      }
    }
  }
  // 1-based number of the line last returned.
  [[nodiscard]] int line() const { return line_; }
  // The line a kBinary or kTooLong status refers to.
  [[nodiscard]] int problem_line() const { return problem_line_; }

 private:
  Status emit(std::string& line) {
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Status::kLine;
  }
  std::istream& in_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  int line_ = 0;
  int problem_line_ = 0;
};

bool blank(std::string_view line) { return trim(line).empty(); }

// Reports a reader status other than kLine/kEnd; returns true if reading must stop.
bool reader_failed(LineReader::Status st, const LineReader& r, Reporter& rep) {
  switch (st) {
    case LineReader::Status::kBinary:
      rep.add(r.problem_line(), 0, "",
              "binary content (a NUL byte); expected a text trace (CSV or JSON lines)");
      return true;
    case LineReader::Status::kTooLong:
      rep.add(r.problem_line(), 0, "",
              "line is longer than 1 MiB; a trace row is a few dozen bytes (is this a trace?)");
      return true;
    case LineReader::Status::kReadError:
      rep.add(0, 0, "", "cannot read file");
      return true;
    case LineReader::Status::kLine:
    case LineReader::Status::kEnd: return false;
  }
  return true;
}

// ---- Values ------------------------------------------------------------------------------------

// One value as the file wrote it: CSV text, or a JSON value of some type.
struct Cell {
  enum class Type { kText, kInteger, kFloat, kString, kOther, kNull };
  Type type = Type::kText;
  std::string text;     // CSV text; JSON: the number or string as written, or "an object", ...
  int64_t integer = 0;  // kInteger
  bool negative = false;
  bool too_large = false;  // JSON integer beyond int64
  double real = 0;      // kFloat
  int column = 0;       // 1-based character column (CSV); 0 when unknown
};

bool is_absent(const Cell& c) {
  return c.type == Cell::Type::kNull || (c.type == Cell::Type::kText && trim(c.text).empty());
}

// Seconds >= 0, finite; nullopt after reporting.
std::optional<double> arrival_value(const Cell& c, int line, Reporter& rep) {
  double v = 0;
  const std::string quoted = "\"" + shown(c.text) + "\"";
  if (c.type == Cell::Type::kInteger) {
    v = static_cast<double>(c.integer);
  } else if (c.type == Cell::Type::kFloat) {
    v = c.real;
  } else if (c.type == Cell::Type::kText) {
    std::string_view t = trim(c.text);
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc::result_out_of_range) {
      rep.bad_value(line, c.column, kArrival, quoted + " is out of range");
      return std::nullopt;
    }
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      rep.bad_value(line, c.column, kArrival, quoted + " is not a number");
      return std::nullopt;
    }
  } else if (c.type == Cell::Type::kString) {
    rep.bad_value(line, c.column, kArrival, "the string " + quoted + " is not a number");
    return std::nullopt;
  } else {
    rep.bad_value(line, c.column, kArrival, c.text + " is not a number");
    return std::nullopt;
  }
  if (c.too_large || !std::isfinite(v)) {
    rep.bad_value(line, c.column, kArrival, quoted + " is not a finite number");
    return std::nullopt;
  }
  if (v < 0 || c.negative) {
    rep.bad_value(line, c.column, kArrival, quoted + " is negative");
    return std::nullopt;
  }
  if (v > kMaxArrivalSeconds) {
    rep.bad_value(line, c.column, kArrival, quoted + " is above 1e9 s");
    return std::nullopt;
  }
  return v;
}

// A whole number >= `min`; nullopt after reporting.
std::optional<int64_t> integer_value(const Cell& c, Column col, int64_t min, int line,
                                     Reporter& rep) {
  const std::string quoted = "\"" + shown(c.text) + "\"";
  int64_t v = 0;
  if (c.type == Cell::Type::kInteger) {
    if (c.too_large) {
      rep.bad_value(line, c.column, col, quoted + " is too large");
      return std::nullopt;
    }
    v = c.integer;
  } else if (c.type == Cell::Type::kFloat) {
    rep.bad_value(line, c.column, col, quoted + " is not a whole number");
    return std::nullopt;
  } else if (c.type == Cell::Type::kText) {
    std::string_view t = trim(c.text);
    std::string_view digits = t.starts_with('-') ? t.substr(1) : t;
    bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char ch) {
      return ch >= '0' && ch <= '9';
    });
    if (!all_digits) {
      double d = 0;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
      bool numeric = ptr == t.data() + t.size() && !t.empty() &&
                     (ec == std::errc() || ec == std::errc::result_out_of_range);
      if (!numeric)
        rep.bad_value(line, c.column, col, quoted + " is not a number");
      else if (ec == std::errc::result_out_of_range || !std::isfinite(d))
        rep.bad_value(line, c.column, col, quoted + " is out of range");
      else
        rep.bad_value(line, c.column, col, quoted + " is not a whole number");
      return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      rep.bad_value(line, c.column, col, quoted + " is too large");
      return std::nullopt;
    }
  } else if (c.type == Cell::Type::kString) {
    rep.bad_value(line, c.column, col, "the string " + quoted + " is not a number");
    return std::nullopt;
  } else {
    rep.bad_value(line, c.column, col, c.text + " is not a number");
    return std::nullopt;
  }
  if (v < 0) {
    rep.bad_value(line, c.column, col, quoted + " is negative");
    return std::nullopt;
  }
  if (v < min) {
    rep.bad_value(line, c.column, col, quoted + " is below " + std::to_string(min));
    return std::nullopt;
  }
  if (v > kMaxTokens && col != kPrefixId) {
    rep.bad_value(line, c.column, col, quoted + " is above " + std::to_string(kMaxTokens));
    return std::nullopt;
  }
  return v;
}

// One row's cells by column (absent: the column is not in the file or the cell is empty/null).
using RowCells = std::array<std::optional<Cell>, kColumnCount>;

// Validates a row; appends the request when every cell is valid.
void add_row(const RowCells& cells, int line, int first_column, Reporter& rep,
             std::vector<RequestSpec>& out) {
  bool ok = true;
  std::optional<double> arrival;
  std::optional<int64_t> in, outlen, pid, plen;
  auto required = [&](Column c) -> const Cell* {
    const auto& cell = cells[c];
    if (!cell || is_absent(*cell)) {
      rep.bad_value(line, cell ? cell->column : first_column, c,
                    cell && cell->type == Cell::Type::kNull ? "null" : "empty");
      ok = false;
      return nullptr;
    }
    return &*cell;
  };
  if (const Cell* c = required(kArrival)) arrival = arrival_value(*c, line, rep);
  if (const Cell* c = required(kInput)) in = integer_value(*c, kInput, 1, line, rep);
  if (const Cell* c = required(kOutput)) outlen = integer_value(*c, kOutput, 1, line, rep);
  const bool has_pid = cells[kPrefixId] && !is_absent(*cells[kPrefixId]);
  const bool has_plen = cells[kPrefixLen] && !is_absent(*cells[kPrefixLen]);
  if (has_pid) pid = integer_value(*cells[kPrefixId], kPrefixId, 0, line, rep);
  if (has_plen) plen = integer_value(*cells[kPrefixLen], kPrefixLen, 0, line, rep);
  ok = ok && arrival && in && outlen && (!has_pid || pid) && (!has_plen || plen);
  if (has_pid && !has_plen) {
    const auto& cell = cells[kPrefixLen];
    rep.bad_value(line, cell ? cell->column : first_column, kPrefixLen,
                  std::string(cell && cell->type == Cell::Type::kNull ? "null" : "empty") +
                      " but prefix_id is given");
    ok = false;
  }
  if (!has_pid && plen && *plen > 0) {
    rep.bad_value(line, cells[kPrefixLen]->column, kPrefixLen,
                  "\"" + std::to_string(*plen) + "\" without a prefix_id in the same row");
    ok = false;
  }
  if (in && plen && *plen > *in) {
    rep.bad_value(line, cells[kPrefixLen]->column, kPrefixLen,
                  "\"" + std::to_string(*plen) + "\" exceeds input_len " + std::to_string(*in) +
                      " (the shared prefix is part of the prompt)");
    ok = false;
  }
  if (!ok) return;
  RequestSpec r;
  r.arrival = SimDuration(std::llround(*arrival * 1e9));
  r.input_len = *in;
  r.output_len = *outlen;
  if (pid) {
    r.prefix_id = *pid;
    r.prefix_len = *plen;
  }
  out.push_back(r);
}

std::optional<Column> column_of(const std::string& name) {
  for (int c = 0; c < kColumnCount; ++c)
    if (kColumnNames[static_cast<size_t>(c)] == name) return static_cast<Column>(c);
  return std::nullopt;
}

std::string unknown_name_message(const std::string& what, const std::string& name) {
  std::string msg = "unknown " + what + " \"" + shown(name) + "\"";
  if (auto m = closest_match(name, kColumnNames)) msg += " (did you mean \"" + *m + "\"?)";
  return msg + "; allowed: " + join(kColumnNames);
}

// ---- CSV ---------------------------------------------------------------------------------------

struct CsvCell {
  std::string text;
  int column = 0;  // 1-based
};

// RFC 4180 cells of one line: "..." quotes a cell, "" is a quote inside it. A quoted cell cannot
// span lines here (a trace has no multi-line values).
tl::expected<std::vector<CsvCell>, std::pair<int, std::string>> split_csv(const std::string& line) {
  std::vector<CsvCell> cells;
  size_t i = 0;
  while (true) {
    CsvCell cell;
    cell.column = static_cast<int>(i) + 1;
    size_t q = i;
    while (q < line.size() && (line[q] == ' ' || line[q] == '\t')) ++q;
    if (q < line.size() && line[q] == '"') {
      size_t j = q + 1;
      while (true) {
        if (j >= line.size())
          return tl::unexpected(std::pair{static_cast<int>(q) + 1,
                                          std::string("unterminated quoted cell")});
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            cell.text += '"';
            j += 2;
            continue;
          }
          break;
        }
        cell.text += line[j++];
      }
      size_t k = j + 1;
      while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
      if (k < line.size() && line[k] != ',')
        return tl::unexpected(std::pair{static_cast<int>(k) + 1,
                                        std::string("unexpected text after a quoted cell")});
      cells.push_back(cell);
      if (k >= line.size()) break;
      i = k + 1;
    } else {
      size_t comma = line.find(',', i);
      cell.text = line.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
      cells.push_back(cell);
      if (comma == std::string::npos) break;
      i = comma + 1;
    }
  }
  return cells;
}

std::vector<RequestSpec> read_csv(LineReader& reader, Reporter& rep) {
  std::vector<RequestSpec> out;
  std::string line;
  LineReader::Status st;
  while ((st = reader.next(line)) == LineReader::Status::kLine && blank(line)) {
  }
  if (reader_failed(st, reader, rep)) return out;
  if (st == LineReader::Status::kEnd) {
    rep.add(0, 0, "",
            "file is empty; expected a header line such as \"arrival_s,input_len,output_len\"");
    return out;
  }
  // The header, checked before any row.
  const int header_line = reader.line();
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte-order mark
  auto header = split_csv(line);
  if (!header) {
    rep.add(header_line, header.error().first, "", header.error().second);
    return out;
  }
  std::array<int, kColumnCount> index;  // cell index of each column, -1 if absent
  index.fill(-1);
  for (size_t i = 0; i < header->size(); ++i) {
    const CsvCell& h = (*header)[i];
    std::string name(trim(h.text));
    auto col = column_of(name);
    if (!col) {
      rep.add(header_line, h.column, name, unknown_name_message("column", name));
    } else if (index[*col] >= 0) {
      rep.add(header_line, h.column, name,
              "duplicate column \"" + name + "\" (already column " +
                  std::to_string(index[*col] + 1) + " of the header)");
    } else {
      index[*col] = static_cast<int>(i);
    }
  }
  // A misspelt column is reported once, as unknown, not again as missing.
  if (!rep.empty()) return out;
  for (Column c : {kArrival, kInput, kOutput})
    if (index[c] < 0)
      rep.add(header_line, 0, kColumnNames[c],
              "missing column \"" + kColumnNames[c] + "\"; required: arrival_s, input_len, "
              "output_len");
  if (index[kPrefixId] >= 0 && index[kPrefixLen] < 0)
    rep.add(header_line, 0, "prefix_len",
            "missing column \"prefix_len\"; required when prefix_id is given");
  if (index[kPrefixLen] >= 0 && index[kPrefixId] < 0)
    rep.add(header_line, 0, "prefix_id",
            "missing column \"prefix_id\"; prefix_len needs it (the id of the shared prefix)");
  if (!rep.empty()) return out;

  while (!rep.full() && (st = reader.next(line)) == LineReader::Status::kLine) {
    if (blank(line)) continue;
    auto cells = split_csv(line);
    if (!cells) {
      rep.add(reader.line(), cells.error().first, "", cells.error().second);
      continue;
    }
    if (cells->size() != header->size()) {
      rep.add(reader.line(), 0, "",
              "row has " + std::to_string(cells->size()) + " cells; the header has " +
                  std::to_string(header->size()));
      continue;
    }
    RowCells row;
    for (int c = 0; c < kColumnCount; ++c) {
      if (index[static_cast<size_t>(c)] < 0) continue;
      const CsvCell& cell = (*cells)[static_cast<size_t>(index[static_cast<size_t>(c)])];
      row[static_cast<size_t>(c)] = Cell{.type = Cell::Type::kText, .text = cell.text,
                                         .column = cell.column};
    }
    add_row(row, reader.line(), 1, rep, out);
  }
  if (!rep.full()) reader_failed(st, reader, rep);
  if (rep.empty() && out.empty())
    rep.add(header_line, 0, "", "no requests: the file has a header but no rows");
  return out;
}

// ---- JSON lines --------------------------------------------------------------------------------

// SAX handler for one line: keeps the top-level keys and their scalar values, and stops at a
// duplicate key (nlohmann's DOM parser would keep the last one silently) or a top level that is
// not an object.
class RowSax {
 public:
  using json = nlohmann::json;

  bool null() { return value(Cell{.type = Cell::Type::kNull, .text = "null"}); }
  bool boolean(bool b) {
    return value(Cell{.type = Cell::Type::kOther, .text = b ? "true" : "false"});
  }
  bool number_integer(json::number_integer_t v) {
    return value(Cell{.type = Cell::Type::kInteger, .text = std::to_string(v), .integer = v,
                      .negative = v < 0});
  }
  bool number_unsigned(json::number_unsigned_t v) {
    Cell c{.type = Cell::Type::kInteger, .text = std::to_string(v)};
    if (v > static_cast<json::number_unsigned_t>(INT64_MAX)) c.too_large = true;
    else c.integer = static_cast<int64_t>(v);
    return value(c);
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return value(Cell{.type = Cell::Type::kFloat, .text = s, .real = v});
  }
  bool string(json::string_t& s) { return value(Cell{.type = Cell::Type::kString, .text = s}); }
  bool binary(json::binary_t&) { return value(Cell{.type = Cell::Type::kOther, .text = "binary"}); }
  bool start_object(std::size_t) {
    if (depth_ == 0) top_object_ = true;
    else if (!value(Cell{.type = Cell::Type::kOther, .text = "an object"})) return false;
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    if (!value(Cell{.type = Cell::Type::kOther, .text = "an array"})) return false;
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(json::string_t& k) {
    if (depth_ != 1) return true;
    if (!seen_.insert(k).second) {
      error_ = "duplicate key \"" + shown(k) + "\"";
      error_key_ = k;
      return false;
    }
    key_ = k;
    expecting_value_ = true;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    error_column_ = static_cast<int>(position);
    if (expecting_value_) error_key_ = key_;
    if (ex.id == 406) {  // number overflow ("1e400")
      error_ = "\"" + shown(last_token) + "\" is out of range";
      return false;
    }
    std::string what = ex.what();
    size_t at = what.find("column ");
    size_t colon = at == std::string::npos ? at : what.find(": ", at);
    error_ = "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2));
    return false;
  }

  [[nodiscard]] const std::vector<std::pair<std::string, Cell>>& cells() const { return cells_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& error_key() const { return error_key_; }
  [[nodiscard]] int error_column() const { return error_column_; }

 private:
  bool value(Cell c) {
    if (depth_ == 0) {  // the line is a scalar or an array
      std::string got = c.type == Cell::Type::kOther ? c.text : "\"" + shown(c.text) + "\"";
      error_ = "expected a JSON object such as {\"arrival_s\": 0.5, \"input_len\": 128, "
               "\"output_len\": 64}, got " + got;
      return false;
    }
    if (depth_ == 1) {
      cells_.emplace_back(key_, std::move(c));
      expecting_value_ = false;
    }
    return true;
  }

  int depth_ = 0;
  bool top_object_ = false;
  bool expecting_value_ = false;
  std::string key_;
  std::set<std::string> seen_;
  std::vector<std::pair<std::string, Cell>> cells_;
  std::string error_, error_key_;
  int error_column_ = 0;
};

std::vector<RequestSpec> read_jsonl(LineReader& reader, Reporter& rep) {
  std::vector<RequestSpec> out;
  std::string line;
  LineReader::Status st;
  bool any_line = false;
  while (!rep.full() && (st = reader.next(line)) == LineReader::Status::kLine) {
    if (blank(line)) continue;
    any_line = true;
    const int n = reader.line();
    RowSax sax;
    bool parsed = nlohmann::json::sax_parse(line, &sax);
    if (!parsed || !sax.error().empty()) {
      std::string msg = sax.error().empty() ? "malformed JSON" : sax.error();
      auto col = column_of(sax.error_key());
      if (col && !msg.starts_with("duplicate"))
        rep.bad_value(n, sax.error_column(), *col, msg);
      else
        rep.add(n, msg.starts_with("duplicate") ? 0 : sax.error_column(), sax.error_key(), msg);
      continue;
    }
    RowCells row;
    bool keys_ok = true;
    for (const auto& [key, cell] : sax.cells()) {
      auto col = column_of(key);
      if (!col) {
        rep.add(n, 0, key, unknown_name_message("key", key));
        keys_ok = false;
        continue;
      }
      row[*col] = cell;
    }
    for (Column c : {kArrival, kInput, kOutput})
      if (keys_ok && !row[c]) {
        rep.add(n, 0, kColumnNames[c],
                "missing key \"" + kColumnNames[c] + "\"; required: arrival_s, input_len, "
                "output_len");
        keys_ok = false;
      }
    if (keys_ok) add_row(row, n, 0, rep, out);
  }
  if (!rep.full()) reader_failed(st, reader, rep);
  if (rep.empty() && !any_line)
    rep.add(0, 0, "",
            "file is empty; expected one JSON object per line such as {\"arrival_s\": 0.5, "
            "\"input_len\": 128, \"output_len\": 64}");
  return out;
}

}  // namespace

namespace {

Result<std::vector<RequestSpec>> read_stream(std::istream& in, TraceFormat format,
                                             const std::string& file) {
  Reporter rep(file);
  LineReader reader(in);
  std::vector<RequestSpec> out =
      format == TraceFormat::kCsv ? read_csv(reader, rep) : read_jsonl(reader, rep);
  if (!rep.empty()) {
    Diagnostics diags = rep.take();
    if (diags.size() >= kMaxDiagnostics)
      diags.push_back(Diagnostic{file, reader.line(), 0, "",
                                 "stopped reading after " + std::to_string(kMaxDiagnostics) +
                                     " errors"});
    return tl::unexpected(std::move(diags));
  }
  std::stable_sort(out.begin(), out.end(), [](const RequestSpec& a, const RequestSpec& b) {
    return *a.arrival < *b.arrival;
  });
  return out;
}

}  // namespace

Result<std::vector<RequestSpec>> read_trace(const std::string& path) {
  namespace fs = std::filesystem;
  const InputKind kind{"a trace file (.csv, .jsonl or .ndjson)", kMaxTraceBytes};
  // Directories, devices (/dev/urandom), FIFOs: refused by kind before anything is opened.
  if (auto r = check_regular_file(path, kind); !r) return tl::unexpected(r.error());
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const bool csv = ext == ".csv";
  if (!csv && ext != ".jsonl" && ext != ".ndjson")
    return fail(Diagnostic{.file = path,
                           .message = "unknown trace format \"" + shown(ext) +
                                      "\"; expected a .csv, .jsonl or .ndjson file"});
  // The size cap before anything is read.
  std::error_code ec;
  if (auto r = check_file_size(path, fs::file_size(path, ec), kind); !ec && !r)
    return tl::unexpected(r.error());
  std::ifstream in;
  if (auto opened = open_input_stream(path, kind, in); !opened)  // binary content in the first KiB
    return tl::unexpected(opened.error());
  return read_stream(in, csv ? TraceFormat::kCsv : TraceFormat::kJsonLines, path);
}

Result<std::vector<RequestSpec>> parse_trace(std::string_view text, TraceFormat format,
                                             const std::string& file) {
  std::istringstream in{std::string(text)};
  return read_stream(in, format, file);
}

}  // namespace xpusim
