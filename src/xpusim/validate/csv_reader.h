// SPDX-License-Identifier: Apache-2.0
// A strict RFC-4180 CSV reader: the input boundary of the validate stage. It turns the text of a
// measured_*.csv file into records of raw fields, each with the line it starts on, so that every
// later complaint about a row can name file:line. Structural damage is a Diagnostic. Files are
// streamed record by record with the header handed over first, so that a huge file with a wrong
// header costs one line, and memory stays bounded by the caller's use of the records.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// One record (row) of a CSV file: its fields as written (quotes removed, "" unescaped) and the
// 1-based line of the file it starts on (a quoted field may span several lines).
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

class CsvTable {
 public:
  CsvTable(std::string file, std::vector<std::string> header, std::vector<CsvRecord> records);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] const std::vector<CsvRecord>& records() const { return records_; }
  // Index of the named header column, or nullopt.
  [[nodiscard]] std::optional<size_t> column(std::string_view name) const;
  // The field of `record` in the named column; "" when the table has no such column.
  [[nodiscard]] const std::string& field(const CsvRecord& record, std::string_view name) const;

 private:
  std::string file_;
  std::vector<std::string> header_;
  std::vector<CsvRecord> records_;
  std::map<std::string, size_t, std::less<>> index_;
};

// Bounds of the reader: a record (all its fields, quotes included) longer than kMaxCsvRecordBytes
// is an error (an unclosed quote in a big file is found after 1 MiB, not at its end); reading
// stops after kMaxCsvDiagnostics errors (a last diagnostic says so).
inline constexpr size_t kMaxCsvRecordBytes = size_t{1} << 20;
inline constexpr size_t kMaxCsvDiagnostics = 20;

// Called with the header (and the line it ends on) before any record is read; diagnostics it
// returns stop reading there.
using CsvHeaderCheck =
    std::function<Diagnostics(const std::vector<std::string>& header, int line)>;
// Called with each record whose field count matches the header's, in file order.
using CsvRecordSink = std::function<void(CsvRecord&& record)>;

// Streams CSV text: the header is checked (empty or duplicate names), handed to `check_header`,
// then each record to `sink`. Returns the header, or every problem found (at most
// kMaxCsvDiagnostics). The rules are those of parse_csv below.
Result<std::vector<std::string>> stream_csv(std::string_view text, const std::string& file,
                                            const CsvHeaderCheck& check_header,
                                            const CsvRecordSink& sink);

// The same for a file, read in blocks through base/input_file.h: a missing file, a directory, a
// device or FIFO and binary content in the first KiB are refused before reading; after the header
// passes `check_header`, a file above `max_bytes` (the reported size, or the bytes actually read)
// is refused.
Result<std::vector<std::string>> stream_csv_file(const std::string& path, std::uintmax_t max_bytes,
                                                 const CsvHeaderCheck& check_header,
                                                 const CsvRecordSink& sink);

// Parses CSV text per RFC 4180: comma separators; records end in CRLF (a lone LF is accepted
// too, a lone CR is not); a field that starts with a double quote is quoted and may hold commas,
// CR/LF and doubled quotes (""); a quote inside an unquoted field, text after a closing quote,
// an unterminated quote, NUL bytes, an empty or duplicate header name, an empty file and a
// record whose field count differs from the header's are errors naming file:line:column.
// A UTF-8 byte-order mark before the header is skipped; a final line end is optional.
Result<CsvTable> parse_csv(std::string_view text, const std::string& file);

// Reads and parses a CSV file of at most kMaxTableFileBytes (base/input_file.h) into a table; a
// missing, unreadable, non-regular or binary file is a Diagnostic naming it.
Result<CsvTable> read_csv_file(const std::string& path);

}  // namespace xpusim
