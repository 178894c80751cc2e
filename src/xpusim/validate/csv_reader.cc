// SPDX-License-Identifier: Apache-2.0
#include "xpusim/validate/csv_reader.h"

#include <fstream>
#include <sstream>

namespace xpusim {

CsvTable::CsvTable(std::string file, std::vector<std::string> header,
                   std::vector<CsvRecord> records)
    : file_(std::move(file)), header_(std::move(header)), records_(std::move(records)) {
  for (size_t i = 0; i < header_.size(); ++i) index_.emplace(header_[i], i);
}

std::optional<size_t> CsvTable::column(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

const std::string& CsvTable::field(const CsvRecord& record, std::string_view name) const {
  static const std::string kEmpty;
  auto col = column(name);
  if (!col || *col >= record.fields.size()) return kEmpty;
  return record.fields[*col];
}

namespace {

// Cursor over the text that keeps the 1-based line and column of the next character.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] int column() const { return column_; }
  void skip(size_t n) {
    pos_ += n;
    column_ += static_cast<int>(n);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// What ended a field: a comma (more fields follow), a line end or the end of the text.
enum class FieldEnd { kComma, kLineEnd, kEof };

struct ParseState {
  const std::string& file;
  Diagnostics diags;
  Diagnostic at(int line, int column, std::string message) const {
    return Diagnostic{.file = file, .line = line, .column = column, .message = std::move(message)};
  }
};

// Consumes a line end (CRLF or LF) at the cursor; false (and an error) for a lone CR.
bool take_line_end(Cursor& c, ParseState& st) {
  if (c.peek() == '\r') {
    if (c.peek(1) != '\n') {
      st.diags.push_back(st.at(c.line(), c.column(),
                               "carriage return not followed by a line feed (RFC 4180 line ends "
                               "are CRLF; a lone LF is also accepted)"));
      return false;
    }
    c.advance();
  }
  c.advance();  // '\n'
  return true;
}

// Reads one field; returns nullopt after a structural error (the rest of the file is not read).
std::optional<FieldEnd> read_field(Cursor& c, ParseState& st, std::string& out) {
  out.clear();
  if (c.peek() == '"' && !c.done()) {
    const int open_line = c.line(), open_column = c.column();
    c.advance();
    for (;;) {
      if (c.done()) {
        st.diags.push_back(st.at(open_line, open_column,
                                 "quoted field is never closed (missing closing '\"')"));
        return std::nullopt;
      }
      char ch = c.peek();
      if (ch == '\0') {
        st.diags.push_back(st.at(c.line(), c.column(), "NUL byte in the file (binary content?)"));
        return std::nullopt;
      }
      if (ch == '"') {
        if (c.peek(1) == '"') {
          out += '"';
          c.advance();
          c.advance();
          continue;
        }
        c.advance();  // closing quote
        break;
      }
      out += ch;
      c.advance();
    }
    if (c.done()) return FieldEnd::kEof;
    char after = c.peek();
    if (after == ',') {
      c.advance();
      return FieldEnd::kComma;
    }
    if (after == '\n' || after == '\r') {
      if (!take_line_end(c, st)) return std::nullopt;
      return FieldEnd::kLineEnd;
    }
    st.diags.push_back(st.at(c.line(), c.column(),
                             std::string("unexpected character '") + after +
                                 "' after the closing quote of a quoted field (expected ',' or a "
                                 "line end; write a quote inside a quoted field as \"\")"));
    return std::nullopt;
  }
  for (;;) {
    if (c.done()) return FieldEnd::kEof;
    char ch = c.peek();
    if (ch == ',') {
      c.advance();
      return FieldEnd::kComma;
    }
    if (ch == '\n' || ch == '\r') {
      if (!take_line_end(c, st)) return std::nullopt;
      return FieldEnd::kLineEnd;
    }
    if (ch == '"') {
      st.diags.push_back(st.at(c.line(), c.column(),
                               "double quote inside an unquoted field (quote the whole field and "
                               "double the quote: \"a \"\"b\"\" c\")"));
      return std::nullopt;
    }
    if (ch == '\0') {
      st.diags.push_back(st.at(c.line(), c.column(), "NUL byte in the file (binary content?)"));
      return std::nullopt;
    }
    out += ch;
    c.advance();
  }
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view text, const std::string& file) {
  ParseState st{file, {}};
  Cursor c(text);
  if (text.starts_with("\xEF\xBB\xBF")) c.skip(3);
  if (c.done()) return fail(st.at(1, 0, "empty file: expected a header row"));

  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  std::vector<std::string> current;
  int record_line = c.line();
  std::string field;
  bool structural_error = false;
  while (!c.done()) {
    auto end = read_field(c, st, field);
    if (!end) {
      structural_error = true;
      break;
    }
    current.push_back(field);
    if (*end == FieldEnd::kComma && c.done()) current.emplace_back();  // "a,b," at EOF
    if (*end != FieldEnd::kComma || c.done()) {
      rows.push_back(std::move(current));
      lines.push_back(record_line);
      current.clear();
      record_line = c.line();
    }
  }
  if (structural_error) return tl::unexpected(st.diags);
  if (rows.empty()) return fail(st.at(1, 0, "empty file: expected a header row"));

  std::vector<std::string> header = std::move(rows.front());
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i].empty()) {
      st.diags.push_back(st.at(lines.front(), 0,
                               "header column " + std::to_string(i + 1) + " has no name"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (!header[i].empty() && header[i] == header[j]) {
        st.diags.push_back(st.at(lines.front(), 0,
                                 "duplicate header column \"" + header[i] + "\" (columns " +
                                     std::to_string(j + 1) + " and " + std::to_string(i + 1) +
                                     ")"));
      }
    }
  }
  std::vector<CsvRecord> records;
  records.reserve(rows.size() - 1);
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != header.size()) {
      std::string what = rows[r].size() == 1 && rows[r][0].empty()
                             ? "empty line (a record must have " + std::to_string(header.size()) +
                                   " fields)"
                             : "expected " + std::to_string(header.size()) +
                                   " fields as in the header, got " +
                                   std::to_string(rows[r].size());
      st.diags.push_back(st.at(lines[r], 0, what));
      continue;
    }
    records.push_back(CsvRecord{lines[r], std::move(rows[r])});
  }
  if (!st.diags.empty()) return tl::unexpected(st.diags);
  return CsvTable(file, std::move(header), std::move(records));
}

Result<CsvTable> read_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Diagnostic{.file = path, .message = "cannot open file"});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Diagnostic{.file = path, .message = "cannot read file"});
  return parse_csv(ss.str(), path);
}

}  // namespace xpusim
