// SPDX-License-Identifier: Apache-2.0
// Trace replay files: good CSV and JSON-lines traces (with and without prefix columns, unsorted
// arrivals, CRLF, a quoted header) are read and sorted stably by arrival; every bad case under
// tests/data/traces/bad/ is reported with its exact message, file, line and column.
#include "xpusim/serving/trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace xpusim {
namespace {

std::string trace(const std::string& name) {
  return std::string(XPUSIM_TEST_DATA_DIR) + "/traces/" + name;
}

struct Row {
  int64_t arrival_ns, input, output, prefix_id, prefix_len;
};

void expect_rows(const std::vector<RequestSpec>& got, const std::vector<Row>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(got[i].arrival.has_value());
    EXPECT_EQ(got[i].arrival->count(), want[i].arrival_ns);
    EXPECT_EQ(got[i].input_len, want[i].input);
    EXPECT_EQ(got[i].output_len, want[i].output);
    EXPECT_EQ(got[i].prefix_id, want[i].prefix_id);
    EXPECT_EQ(got[i].prefix_len, want[i].prefix_len);
  }
}

TEST(TraceReader, CsvSortedStablyByArrival) {
  auto r = read_trace(trace("good.csv"));
  ASSERT_TRUE(r) << to_string(r.error());
  // Rows 2 and 3 share 0.10 s and keep their file order.
  expect_rows(*r, {{0, 4096, 1024, -1, 0},
                   {100'000'000, 2048, 16, -1, 0},
                   {100'000'000, 512, 256, -1, 0},
                   {500'000'000, 128, 64, -1, 0},
                   {1'250'000'000, 1, 1, -1, 0}});
}

TEST(TraceReader, CsvWithPrefixColumnsCrlfAndQuotedHeader) {
  auto r = read_trace(trace("good_prefix.csv"));
  ASSERT_TRUE(r) << to_string(r.error());
  // The row with empty prefix cells has no shared prefix.
  expect_rows(*r, {{1'000'000'000, 100, 10, -1, 0},
                   {1'500'000'000, 300, 30, 7, 256},
                   {2'000'000'000, 300, 20, 7, 256}});
}

TEST(TraceReader, JsonLines) {
  auto r = read_trace(trace("good.jsonl"));
  ASSERT_TRUE(r) << to_string(r.error());
  // Keys in any order, a blank line, "prefix_id": null as no prefix.
  expect_rows(*r, {{0, 60, 6, -1, 0},
                   {250'000'000, 50, 5, -1, 0},
                   {750'000'000, 1000, 200, 3, 512},
                   {1'000'000'000, 70, 7, -1, 0}});
}

TEST(TraceReader, BadFiles) {
  struct Case {
    const char* file;
    const char* message;  // the first diagnostic, after "<dir>/bad/<file>"
  };
  const std::vector<Case> cases = {
      {"negative_time.csv",
       ":3:1: arrival_s: \"-0.5\" is negative; allowed: seconds from the start of the trace, a "
       "finite number >= 0"},
      {"non_numeric.csv",
       ":2:5: input_len: \"abc\" is not a number; allowed: a whole number of prompt tokens >= 1"},
      {"fractional_tokens.csv",
       ":3:9: output_len: \"1.5\" is not a whole number; allowed: a whole number of answer tokens "
       ">= 1"},
      {"nan.csv",
       ":2:1: arrival_s: \"nan\" is not a finite number; allowed: seconds from the start of the "
       "trace, a finite number >= 0"},
      {"huge_number.csv",
       ":2:5: input_len: \"1e400\" is out of range; allowed: a whole number of prompt tokens >= 1"},
      {"empty_cell.csv", ":2:5: input_len: empty; allowed: a whole number of prompt tokens >= 1"},
      {"wrong_cell_count.csv", ":2: row has 4 cells; the header has 3"},
      {"missing_column.csv",
       ":1: output_len: missing column \"output_len\"; required: arrival_s, input_len, output_len"},
      {"unknown_column.csv",
       ":1:32: prefx_id: unknown column \"prefx_id\" (did you mean \"prefix_id\"?); allowed: "
       "arrival_s, input_len, output_len, prefix_id, prefix_len"},
      {"duplicate_column.csv",
       ":1:21: input_len: duplicate column \"input_len\" (already column 2 of the header)"},
      {"prefix_id_without_len.csv",
       ":1: prefix_len: missing column \"prefix_len\"; required when prefix_id is given"},
      {"prefix_len_empty.csv",
       ":2:14: prefix_len: empty but prefix_id is given; allowed: a whole number of tokens with 0 "
       "<= prefix_len <= input_len"},
      {"prefix_too_long.csv",
       ":3:14: prefix_len: \"300\" exceeds input_len 200 (the shared prefix is part of the "
       "prompt); allowed: a whole number of tokens with 0 <= prefix_len <= input_len"},
      {"empty.csv",
       ": file is empty; expected a header line such as \"arrival_s,input_len,output_len\""},
      {"header_only.csv", ":1: no requests: the file has a header but no rows"},
      {"binary.csv",
       ":2:7: binary content (a NUL byte at byte 38); expected a trace file (.csv, .jsonl or "
       ".ndjson)"},
      {"duplicate_key.jsonl", ":1: input_len: duplicate key \"input_len\""},
      {"fractional.jsonl",
       ":2: output_len: \"1.5\" is not a whole number; allowed: a whole number of answer tokens "
       ">= 1"},
      {"overflow.jsonl",
       ":1:35: input_len: \"1e400\" is out of range; allowed: a whole number of prompt tokens >= "
       "1"},
      {"string_number.jsonl",
       ":1: input_len: the string \"128\" is not a number; allowed: a whole number of prompt "
       "tokens >= 1"},
      {"negative.jsonl",
       ":1: input_len: \"-3\" is negative; allowed: a whole number of prompt tokens >= 1"},
      {"missing_key.jsonl",
       ":1: output_len: missing key \"output_len\"; required: arrival_s, input_len, output_len"},
      {"unknown_key.jsonl",
       ":1: inptu_len: unknown key \"inptu_len\" (did you mean \"input_len\"?); allowed: "
       "arrival_s, input_len, output_len, prefix_id, prefix_len"},
      {"malformed.jsonl",
       ":1:15: arrival_s: malformed JSON: syntax error while parsing value - invalid literal; "
       "last read: '\"arrival_s\": N'; allowed: seconds from the start of the trace, a finite "
       "number >= 0"},
      {"not_object.jsonl",
       ":1: expected a JSON object such as {\"arrival_s\": 0.5, \"input_len\": 128, "
       "\"output_len\": 64}, got an array"},
      {"empty.jsonl",
       ": file is empty; expected one JSON object per line such as {\"arrival_s\": 0.5, "
       "\"input_len\": 128, \"output_len\": 64}"},
      {"trace.txt", ": unknown trace format \".txt\"; expected a .csv, .jsonl or .ndjson file"},
  };
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(trace("bad")))
    files += e.path().filename() != "many_errors.csv";
  EXPECT_EQ(files, cases.size()) << "a bad file without a case, or a case without a file";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = trace("bad/") + c.file;
    auto r = read_trace(path);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error()[0].file, path);
    EXPECT_EQ(r.error()[0].to_string(), path + c.message);
    EXPECT_EQ(r.error().size(), 1u) << to_string(r.error());
  }
}

TEST(TraceReader, StopsAfterTwentyDiagnostics) {
  const std::string path = trace("bad/many_errors.csv");  // 25 bad rows
  auto r = read_trace(path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 21u);
  EXPECT_EQ(r.error()[19].to_string(),
            path + ":21:6: input_len: \"-20\" is negative; allowed: a whole number of prompt "
                   "tokens >= 1");
  EXPECT_EQ(r.error()[20].to_string(), path + ":21: stopped reading after 20 errors");
}

TEST(TraceReader, RejectsWhatIsNotARegularFile) {
  auto dir = read_trace(trace("bad"));
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error()[0].to_string(),
            trace("bad") + ": is a directory; expected a trace file (.csv, .jsonl or .ndjson)");
  if (std::filesystem::exists("/dev/null")) {
    auto dev = read_trace("/dev/null");
    ASSERT_FALSE(dev);
    EXPECT_EQ(dev.error()[0].to_string(),
              "/dev/null: is a character device (such as /dev/urandom or a terminal), not a "
              "regular file; expected a trace file (.csv, .jsonl or .ndjson)");
  }
  auto missing = read_trace(trace("no_such_trace.csv"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].to_string(), trace("no_such_trace.csv") + ": no such file");
}

// A file in the temporary directory, unique to this process, removed at the end of the test.
struct TempFile {
  explicit TempFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("xpusim_" + std::to_string(::getpid()) + "_" + name)) {}
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  std::filesystem::path path;
};

TEST(TraceReader, BinaryAndLinelessFilesStopEarly) {
  TempFile zeros("zeros.csv");  // 8 MiB of NUL bytes and no newline: rejected in the first block
  { std::ofstream(zeros.path, std::ios::binary) << std::string(size_t{8} << 20, '\0'); }
  auto r = read_trace(zeros.path.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].to_string(),
            zeros.path.string() +
                ":1:1: binary content (a NUL byte at byte 1); expected a trace file (.csv, "
                ".jsonl or .ndjson)");
  TempFile line("line.jsonl");  // 4 MiB without a newline: rejected after 1 MiB
  { std::ofstream(line.path, std::ios::binary) << std::string(size_t{4} << 20, 'x'); }
  auto l = read_trace(line.path.string());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error()[0].to_string(),
            line.path.string() +
                ":1: line is longer than 1 MiB; a trace row is a few dozen bytes (is this a "
                "trace?)");
}

TEST(TraceReader, RejectsFilesAboveTheSizeCapWithoutReadingThem) {
  // A sparse file one byte over the cap: rejected from its size alone.
  TempFile file("size.csv");
  const auto& path = file.path;
  { std::ofstream(path) << "arrival_s,input_len,output_len\n"; }
  std::error_code ec;
  std::filesystem::resize_file(path, static_cast<std::uintmax_t>(kMaxTraceBytes) + 1, ec);
  if (ec) GTEST_SKIP() << "cannot create a sparse file: " << ec.message();
  auto r = read_trace(path.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].message,
            "file is 2147483649 bytes (2.0 GiB); a trace file (.csv, .jsonl or .ndjson) may be at "
            "most 2147483648 bytes (2 GiB)");
}

}  // namespace
}  // namespace xpusim
