// SPDX-License-Identifier: Apache-2.0
#include "xpusim/validate/csv_reader.h"

#include <fstream>

#include "xpusim/base/input_file.h"
#include "xpusim/base/text.h"

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

// The bytes of the CSV with the 1-based line and column of the next one: a whole text, or a file
// read in 64 KiB blocks of which only the unread part is kept.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : view_(text) {}
  Cursor(std::istream& in, std::uintmax_t max_bytes) : in_(&in), max_bytes_(max_bytes) {}

  [[nodiscard]] bool done() { return !available(0); }
  [[nodiscard]] char peek(size_t ahead = 0) {
    return available(ahead) ? view_[pos_ + ahead] : '\0';
  }
  void advance() {
    if (view_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] int column() const { return column_; }
  // Bytes consumed from the start of the input.
  [[nodiscard]] std::uintmax_t offset() const { return consumed_ + pos_; }
  void skip(size_t n) {
    for (size_t i = 0; i < n && available(0); ++i) {
      ++pos_;
      ++column_;
    }
  }
  // The file holds more than the cap given to the constructor.
  [[nodiscard]] bool over_cap() const { return over_cap_; }
  [[nodiscard]] bool read_failed() const { return read_failed_; }

 private:
  // True when the byte at pos_ + ahead exists, reading a block if needed.
  bool available(size_t ahead) {
    while (pos_ + ahead >= view_.size()) {
      if (!in_ || eof_) return false;
      refill();
    }
    return true;
  }
  void refill() {
    constexpr size_t kBlock = size_t{1} << 16;
    buf_.erase(0, pos_);
    consumed_ += pos_;
    pos_ = 0;
    const size_t old = buf_.size();
    buf_.resize(old + kBlock);
    in_->read(buf_.data() + old, static_cast<std::streamsize>(kBlock));
    const auto got = static_cast<size_t>(in_->gcount());
    buf_.resize(old + got);
    if (in_->bad()) read_failed_ = true;
    if (got == 0 || !*in_) eof_ = true;
    if (consumed_ + buf_.size() > max_bytes_) {
      over_cap_ = true;
      eof_ = true;
      buf_.resize(static_cast<size_t>(max_bytes_ - consumed_));  // stop at the cap
    }
    view_ = buf_;
  }

  std::string_view view_;
  std::istream* in_ = nullptr;
  std::uintmax_t max_bytes_ = 0;
  std::string buf_;
  std::uintmax_t consumed_ = 0;  // bytes dropped from the front of buf_
  bool eof_ = false;
  bool over_cap_ = false;
  bool read_failed_ = false;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// What ended a field: a comma (more fields follow), a line end or the end of the text.
enum class FieldEnd { kComma, kLineEnd, kEof };

struct ParseState {
  const std::string& file;
  Diagnostics diags;
  std::uintmax_t record_start = 0;  // offset where the current record began
  Diagnostic at(int line, int column, std::string message) const {
    return Diagnostic{.file = file, .line = line, .column = column, .message = std::move(message)};
  }
  [[nodiscard]] bool full() const { return diags.size() >= kMaxCsvDiagnostics; }
};

// The current record has grown past kMaxCsvRecordBytes: an error, reading stops.
bool record_too_long(Cursor& c, ParseState& st, int line) {
  if (c.offset() - st.record_start <= kMaxCsvRecordBytes) return false;
  st.diags.push_back(st.at(line, 0,
                           "record longer than " + std::to_string(kMaxCsvRecordBytes) +
                               " bytes (1 MiB); a measured row is a few hundred bytes (an "
                               "unclosed quote?)"));
  return true;
}

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
std::optional<FieldEnd> read_field(Cursor& c, ParseState& st, std::string& out, int record_line) {
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
      if (record_too_long(c, st, record_line)) return std::nullopt;
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
                             "unexpected character '" + printable(std::string_view(&after, 1)) +
                                 "' after the closing quote of a quoted field (expected ',' or a "
                                 "line end; write a quote inside a quoted field as \"\")"));
    return std::nullopt;
  }
  for (;;) {
    if (c.done()) return FieldEnd::kEof;
    if (record_too_long(c, st, record_line)) return std::nullopt;
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

// Reads the next record into `fields`; false at the end of the input or after a structural
// error (st.diags then holds it).
bool read_record(Cursor& c, ParseState& st, std::vector<std::string>& fields, int& line) {
  fields.clear();
  if (c.done()) return false;
  line = c.line();
  st.record_start = c.offset();
  std::string field;
  for (;;) {
    auto end = read_field(c, st, field, line);
    if (!end) return false;
    fields.push_back(field);
    if (*end == FieldEnd::kComma && c.done()) fields.emplace_back();  // "a,b," at EOF
    if (*end != FieldEnd::kComma || c.done()) return true;
  }
}

void header_problems(const std::vector<std::string>& header, int line, ParseState& st) {
  std::map<std::string_view, size_t> first;  // name -> 0-based column
  for (size_t i = 0; i < header.size() && !st.full(); ++i) {
    if (header[i].empty()) {
      st.diags.push_back(st.at(line, 0,
                               "header column " + std::to_string(i + 1) + " has no name"));
      continue;
    }
    if (auto [it, inserted] = first.emplace(header[i], i); !inserted) {
      st.diags.push_back(st.at(line, 0,
                               "duplicate header column " + quote(header[i]) + " (columns " +
                                   std::to_string(it->second + 1) + " and " +
                                   std::to_string(i + 1) + ")"));
    }
  }
}

// The streaming core shared by text and files. `after_header` runs once the header passed
// check_header (the file reader checks the size cap there).
Result<std::vector<std::string>> stream(Cursor& c, const std::string& file,
                                        const CsvHeaderCheck& check_header,
                                        const CsvRecordSink& sink,
                                        const std::function<Diagnostics()>& after_header) {
  ParseState st{file, {}};
  if (c.peek() == '\xEF' && c.peek(1) == '\xBB' && c.peek(2) == '\xBF') c.skip(3);
  if (c.done()) return fail(st.at(1, 0, "empty file: expected a header row"));

  std::vector<std::string> header;
  int header_line = 1;
  if (!read_record(c, st, header, header_line)) return tl::unexpected(st.diags);
  header_problems(header, header_line, st);
  if (!st.diags.empty()) return tl::unexpected(st.diags);
  if (check_header) {
    Diagnostics d = check_header(header, header_line);
    if (!d.empty()) return tl::unexpected(d);
  }
  if (after_header) {
    Diagnostics d = after_header();
    if (!d.empty()) return tl::unexpected(d);
  }

  std::vector<std::string> fields;
  int line = 0;
  while (!st.full() && read_record(c, st, fields, line)) {
    if (fields.size() != header.size()) {
      std::string what = fields.size() == 1 && fields[0].empty()
                             ? "empty line (a record must have " + std::to_string(header.size()) +
                                   " fields)"
                             : "expected " + std::to_string(header.size()) +
                                   " fields as in the header, got " +
                                   std::to_string(fields.size());
      st.diags.push_back(st.at(line, 0, what));
      continue;
    }
    if (st.diags.empty() && sink) sink(CsvRecord{line, std::move(fields)});
  }
  if (c.read_failed()) st.diags.push_back(st.at(c.line(), 0, "cannot read the file"));
  if (st.full())
    st.diags.push_back(st.at(c.line(), 0,
                             "stopped reading after " + std::to_string(kMaxCsvDiagnostics) +
                                 " errors"));
  if (!st.diags.empty()) return tl::unexpected(st.diags);
  return header;
}

}  // namespace

Result<std::vector<std::string>> stream_csv(std::string_view text, const std::string& file,
                                            const CsvHeaderCheck& check_header,
                                            const CsvRecordSink& sink) {
  Cursor c(text);
  return stream(c, file, check_header, sink, nullptr);
}

Result<std::vector<std::string>> stream_csv_file(const std::string& path, std::uintmax_t max_bytes,
                                                 const CsvHeaderCheck& check_header,
                                                 const CsvRecordSink& sink) {
  const InputKind kind{"a CSV file", max_bytes};
  std::ifstream in;
  auto size = open_input_stream(path, kind, in);
  if (!size) return tl::unexpected(size.error());
  Cursor c(in, max_bytes);
  auto after_header = [&]() -> Diagnostics {
    if (auto r = check_file_size(path, *size, kind); !r) return r.error();
    return {};
  };
  auto header = stream(c, path, check_header, sink, after_header);
  // A file that reports a small size but holds more (/proc, a file growing while read).
  if (c.over_cap())
    return fail(Diagnostic{.file = path,
                           .message = "file holds more than " + std::to_string(max_bytes) +
                                      " bytes; a CSV file may be at most " +
                                      std::to_string(max_bytes) + " bytes"});
  return header;
}

Result<CsvTable> parse_csv(std::string_view text, const std::string& file) {
  std::vector<CsvRecord> records;
  auto header = stream_csv(text, file, nullptr,
                           [&](CsvRecord&& r) { records.push_back(std::move(r)); });
  if (!header) return tl::unexpected(header.error());
  return CsvTable(file, std::move(*header), std::move(records));
}

Result<CsvTable> read_csv_file(const std::string& path) {
  std::vector<CsvRecord> records;
  auto header = stream_csv_file(path, kMaxTableFileBytes, nullptr,
                                [&](CsvRecord&& r) { records.push_back(std::move(r)); });
  if (!header) return tl::unexpected(header.error());
  return CsvTable(path, std::move(*header), std::move(records));
}

}  // namespace xpusim
