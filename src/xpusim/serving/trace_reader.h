// SPDX-License-Identifier: Apache-2.0
// Replay traces (stage: serving/): a CSV or JSON-lines file with one request per row -- arrival
// time, prompt and answer length, optionally a shared-prefix id and length -- read into
// RequestSpecs for the simulator. Streamed row by row with the header checked first; every bad
// cell is reported with file, line, column name, the value and what is allowed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/serving/request.h"

namespace xpusim {

// Columns (CSV header names and JSONL keys; no aliases):
//   arrival_s   seconds from the start of the trace, >= 0, finite (decimals allowed)
//   input_len   prompt tokens, integer >= 1
//   output_len  answer tokens, integer >= 1
//   prefix_id   optional integer >= 0 (rows without it have no shared prefix)
//   prefix_len  optional integer, 0 <= prefix_len <= input_len; required when prefix_id is given
// Rows need not be sorted by arrival; the result is sorted by arrival (stable). A file with no
// rows, an unknown column, a missing required column, a duplicate column, a negative, non-numeric,
// NaN/inf or fractional-token value are errors; reading stops after 20 diagnostics (a 21st says
// so). The format is chosen by extension: .csv -> CSV (RFC 4180, CRLF or LF, a UTF-8 byte-order
// mark allowed, a quoted cell cannot span lines, empty prefix cells = no prefix), .jsonl /
// .ndjson -> one JSON object per line (a duplicate key is an error; null prefix keys = no
// prefix). Token counts must be written as integers ("128", not "128.0" or "1.28e2"); arrival_s
// is at most 1e9 s. Blank lines are skipped.
// Files above kMaxTraceBytes and non-regular files (directories, devices, FIFOs) are rejected by
// kind (base/input_file.h), binary content in the first KiB (NUL, control bytes, not UTF-8) before
// any line is read; the file is read in 64 KiB blocks, so a NUL byte later on or a line over 1 MiB
// stops reading at once. Diagnostics name file:line (and the character column for CSV cells), the
// column name, the value cut to 40 characters and what is allowed.
Result<std::vector<RequestSpec>> read_trace(const std::string& path);

// The same rules for text already in memory (tests, the fuzz harness), with the format given.
enum class TraceFormat { kCsv, kJsonLines };
Result<std::vector<RequestSpec>> parse_trace(std::string_view text, TraceFormat format,
                                             const std::string& file);

inline constexpr long long kMaxTraceBytes = 2LL << 30;  // 2 GiB

}  // namespace xpusim
