// SPDX-License-Identifier: Apache-2.0
// RFC-4180 edge cases of the CSV reader and the checks of measured rows (schema of
// ../shared/validation/README.md).
#include "xpusim/validate/csv_reader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "xpusim/base/input_file.h"
#include "xpusim/validate/measured_row.h"

namespace xpusim {
namespace {

TEST(CsvReader, PlainRecordsWithCrlfAndLineNumbers) {
  auto t = parse_csv("a,b,c\r\n1,2,3\r\n4,,6\r\n", "x.csv");
  ASSERT_TRUE(t) << to_string(t.error());
  ASSERT_EQ(t->header(), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t->records().size(), 2u);
  EXPECT_EQ(t->records()[0].line, 2);
  EXPECT_EQ(t->records()[1].line, 3);
  EXPECT_EQ(t->records()[1].fields, (std::vector<std::string>{"4", "", "6"}));
  EXPECT_EQ(t->field(t->records()[0], "c"), "3");
  EXPECT_EQ(t->field(t->records()[0], "nope"), "");
}

TEST(CsvReader, LfLineEndsAndMissingFinalLineEnd) {
  auto t = parse_csv("a,b\n1,2\n3,4", "x.csv");
  ASSERT_TRUE(t) << to_string(t.error());
  ASSERT_EQ(t->records().size(), 2u);
  EXPECT_EQ(t->records()[1].fields, (std::vector<std::string>{"3", "4"}));
}

TEST(CsvReader, TrailingEmptyFieldAtEndOfFile) {
  auto t = parse_csv("a,b\r\n1,", "x.csv");
  ASSERT_TRUE(t) << to_string(t.error());
  EXPECT_EQ(t->records()[0].fields, (std::vector<std::string>{"1", ""}));
}

TEST(CsvReader, QuotedFieldsWithCommasQuotesAndNewlines) {
  // RFC 4180 section 2 rules 5-7: quoted fields may hold commas, CRLF and doubled quotes.
  auto t = parse_csv(
      "id,notes,v\r\n"
      "r1,\"a, b\",1\r\n"
      "r2,\"say \"\"hi\"\"\",2\r\n"
      "r3,\"line one\r\nline two\nline three\",3\r\n"
      "r4,\"\",4\r\n",
      "x.csv");
  ASSERT_TRUE(t) << to_string(t.error());
  ASSERT_EQ(t->records().size(), 4u);
  EXPECT_EQ(t->records()[0].fields[1], "a, b");
  EXPECT_EQ(t->records()[1].fields[1], "say \"hi\"");
  EXPECT_EQ(t->records()[2].fields[1], "line one\r\nline two\nline three");
  EXPECT_EQ(t->records()[2].line, 4);
  EXPECT_EQ(t->records()[3].line, 7);  // the embedded newlines count as lines of the file
  EXPECT_EQ(t->records()[3].fields[1], "");
}

TEST(CsvReader, ByteOrderMarkIsSkipped) {
  auto t = parse_csv("\xEF\xBB\xBFid,v\r\nx,1\r\n", "x.csv");
  ASSERT_TRUE(t) << to_string(t.error());
  EXPECT_EQ(t->header()[0], "id");
}

std::string error_of(std::string_view text) {
  auto t = parse_csv(text, "bad.csv");
  EXPECT_FALSE(t);
  return t ? std::string() : to_string(t.error());
}

TEST(CsvReader, UnterminatedQuoteNamesWhereItOpened) {
  EXPECT_EQ(error_of("a,b\r\n1,\"open\r\n2,3\r\n"),
            "bad.csv:2:3: quoted field is never closed (missing closing '\"')\n");
}

TEST(CsvReader, QuoteInsideUnquotedField) {
  EXPECT_NE(error_of("a,b\r\n1,x\"y\r\n").find("bad.csv:2:4: double quote inside an unquoted field"),
            std::string::npos);
}

TEST(CsvReader, TextAfterClosingQuote) {
  EXPECT_NE(error_of("a,b\r\n1,\"x\"y\r\n")
                .find("bad.csv:2:6: unexpected character 'y' after the closing quote"),
            std::string::npos);
}

TEST(CsvReader, FieldCountMismatchListsEveryBadLine) {
  std::string e = error_of("a,b,c\r\n1,2,3\r\n1,2\r\n1,2,3,4\r\n\r\n");
  EXPECT_NE(e.find("bad.csv:3: expected 3 fields as in the header, got 2"), std::string::npos) << e;
  EXPECT_NE(e.find("bad.csv:4: expected 3 fields as in the header, got 4"), std::string::npos) << e;
  EXPECT_NE(e.find("bad.csv:5: empty line (a record must have 3 fields)"), std::string::npos) << e;
}

TEST(CsvReader, LoneCarriageReturn) {
  EXPECT_NE(error_of("a,b\r1,2\r\n").find("bad.csv:1:4: carriage return not followed by a line feed"),
            std::string::npos);
}

TEST(CsvReader, EmptyFileNulBytesAndHeaderProblems) {
  EXPECT_EQ(error_of(""), "bad.csv:1: empty file: expected a header row\n");
  EXPECT_NE(error_of(std::string_view("a,b\r\n1,\0\r\n", 10)).find("NUL byte"), std::string::npos);
  EXPECT_NE(error_of("a,a\r\n1,2\r\n").find("duplicate header column \"a\" (columns 1 and 2)"),
            std::string::npos);
  EXPECT_NE(error_of("a,,b\r\n1,2,3\r\n").find("header column 2 has no name"), std::string::npos);
}

TEST(CsvReader, MissingFileIsADiagnostic) {
  auto t = read_csv_file("/nonexistent/measured.csv");
  ASSERT_FALSE(t);
  EXPECT_EQ(to_string(t.error()), "/nonexistent/measured.csv: no such file\n");
}

// A file in the temporary directory, unique to this process, removed at the end of the test.
struct TempFile {
  explicit TempFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("xpusim_csv_" + std::to_string(::getpid()) + "_" + name))
                 .string()) {}
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  std::string path;
};

TEST(CsvStream, TheHeaderIsCheckedBeforeAnyRecordIsRead) {
  TempFile file("wrong_header.csv");
  {
    std::ofstream out(file.path, std::ios::binary);
    out << "id,hardwre\n";
    for (int i = 0; i < 200000; ++i) out << "r" << i << ",h100\n";  // ~2.4 MB of rows
  }
  int records = 0;
  auto r = stream_csv_file(
      file.path, kMaxTableFileBytes,
      [](const std::vector<std::string>& header, int line) {
        EXPECT_EQ(header, (std::vector<std::string>{"id", "hardwre"}));
        return Diagnostics{Diagnostic{.file = "f", .line = line, .message = "bad header"}};
      },
      [&](CsvRecord&&) { ++records; });
  ASSERT_FALSE(r);
  EXPECT_EQ(to_string(r.error()), "f:1: bad header\n");
  EXPECT_EQ(records, 0);
}

TEST(CsvStream, RecordsStreamInOrderWithTheirLines) {
  std::vector<int> lines;
  auto r = stream_csv("a,b\n1,\"x\ny\"\n2,3\n", "s.csv", nullptr,
                      [&](CsvRecord&& rec) { lines.push_back(rec.line); });
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(lines, (std::vector<int>{2, 4}));
}

TEST(CsvStream, ARecordLongerThanTheCapStopsReading) {
  // An unclosed quote would otherwise swallow the rest of a big file into one field.
  std::string text = "a,b\n1,\"" + std::string(kMaxCsvRecordBytes + 10, 'x');
  EXPECT_EQ(error_of(text),
            "bad.csv:2: record longer than 1048576 bytes (1 MiB); a measured row is a few "
            "hundred bytes (an unclosed quote?)\n");
  EXPECT_NE(error_of("a\n" + std::string(kMaxCsvRecordBytes + 10, ',')).find("record longer"),
            std::string::npos);
}

TEST(CsvStream, StopsAfterTwentyErrors) {
  std::string text = "a,b\n";
  for (int i = 0; i < 100; ++i) text += "1\n";
  auto t = parse_csv(text, "bad.csv");
  ASSERT_FALSE(t);
  ASSERT_EQ(t.error().size(), kMaxCsvDiagnostics + 1);
  EXPECT_EQ(t.error().back().message, "stopped reading after 20 errors");
}

TEST(CsvStream, FilesAreCheckedByKindSizeAndContent) {
  auto dir = read_csv_file(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir);
  EXPECT_NE(to_string(dir.error()).find(": is a directory; expected a CSV file"),
            std::string::npos);
  if (std::filesystem::exists("/dev/urandom")) {
    auto dev = read_csv_file("/dev/urandom");  // would never end if it were read
    ASSERT_FALSE(dev);
    EXPECT_NE(to_string(dev.error()).find("/dev/urandom: is a character device"),
              std::string::npos);
  }
  TempFile bin("bin.csv");
  { std::ofstream(bin.path, std::ios::binary) << std::string("a,b\n\x01\x02\x03", 7); }
  auto b = read_csv_file(bin.path);
  ASSERT_FALSE(b);
  EXPECT_EQ(to_string(b.error()),
            bin.path + ":2:1: binary content (control character \\x01 at byte 5); expected a "
                       "CSV file\n");
  // Above the cap (a sparse file): refused once its header is read, before any row.
  TempFile big("big.csv");
  {
    std::ofstream out(big.path);
    out << "id,hardware,num_devices,scenario,metric,value,unit\n";
    for (int i = 0; i < 100; ++i)
      out << "r" << i << ",h100-sxm-80gb,1,membw,mem_bw_gbs,3000,GB/s\n";
  }
  std::error_code ec;
  std::filesystem::resize_file(big.path, kMaxTableFileBytes + 1, ec);
  if (ec) GTEST_SKIP() << "cannot create a sparse file: " << ec.message();
  auto m = load_measured_file(big.path);
  ASSERT_FALSE(m);
  EXPECT_EQ(to_string(m.error()),
            big.path + ": file is 67108865 bytes (64.0 MiB); a CSV file may be at most 67108864 "
                       "bytes (64 MiB)\n");
}

// ---- measured rows ----------------------------------------------------------------------------

constexpr const char* kHeader =
    "id,source,hardware,num_devices,tp,pp,model,precision,kv_precision,scenario,batch,input_len,"
    "output_len,m,n,k,metric,value,unit,notes\r\n";

Result<MeasuredSet> load(const std::string& body) {
  auto t = parse_csv(std::string(kHeader) + body, "m.csv");
  if (!t) return tl::unexpected(t.error());
  return load_measured(*t);
}

TEST(MeasuredRows, ConvertsTypedFields) {
  auto s = load("R1,src,h100-sxm-80gb,8,8,,llama-2-70b,fp8,fp8,static,64,2048,128,,,,"
                "output_tokens_per_s,2022,tokens/s,\"n, with comma\"\r\n");
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->rows.size(), 1u);
  const MeasuredRow& r = s->rows[0];
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.num_devices, 8);
  EXPECT_EQ(r.tp, 8);
  EXPECT_FALSE(r.pp.has_value());
  EXPECT_EQ(r.batch, 64);
  EXPECT_EQ(r.metric, MeasuredMetric::kOutputTokensPerS);
  EXPECT_DOUBLE_EQ(r.value, 2022.0);
  EXPECT_EQ(r.notes, "n, with comma");
  EXPECT_TRUE(s->malformed.empty());
}

TEST(MeasuredRows, MalformedValuesAreSkippedWithReason) {
  auto s = load(
      "B1,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,fast,TFLOP/s,\r\n"
      "B2,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,12,GB/s,\r\n"
      "B3,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflopz,12,TFLOP/s,\r\n"
      "B4,s,h100-sxm-80gb,two,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,12,TFLOP/s,\r\n"
      "B5,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,12.5,128,128,gemm_tflops,12,TFLOP/s,\r\n"
      "B6,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,-3,TFLOP/s,\r\n"
      ",s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n"
      "B8,s,h100-sxm-80gb,,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n"
      "OK,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n");
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_EQ(s->rows.size(), 1u);  // a file without one usable row is an error (below)
  ASSERT_EQ(s->malformed.size(), 8u);
  EXPECT_EQ(s->malformed[0].reason, "column value: expected a positive number, got \"fast\"");
  EXPECT_EQ(s->malformed[1].reason,
            "column unit: \"GB/s\" is not the unit of metric gemm_tflops (expected \"TFLOP/s\")");
  EXPECT_EQ(s->malformed[2].reason,
            "column metric: unknown metric \"gemm_tflopz\"; did you mean \"gemm_tflops\"?");
  EXPECT_EQ(s->malformed[3].reason,
            "column num_devices: expected a whole number >= 1, got \"two\"");
  EXPECT_EQ(s->malformed[4].reason, "column m: expected a whole number >= 1, got \"12.5\"");
  EXPECT_EQ(s->malformed[5].reason, "column value: expected a positive number, got \"-3\"");
  EXPECT_EQ(s->malformed[6].id, "(line 8)");
  EXPECT_EQ(s->malformed[6].reason, "column id: blank");
  EXPECT_EQ(s->malformed[7].reason,
            "column num_devices: blank (the number of accelerators is required)");
  EXPECT_EQ(s->malformed[0].line, 2);
}

TEST(MeasuredRows, MissingRequiredColumnWithDidYouMean) {
  auto t = parse_csv("id,hardwre,num_devices,scenario,metric,value,unit\r\n", "m.csv");
  ASSERT_TRUE(t);
  auto s = load_measured(*t);
  ASSERT_FALSE(s);
  EXPECT_EQ(to_string(s.error()),
            "m.csv:1: missing required column \"hardware\"; did you mean \"hardwre\"? (required: "
            "id, hardware, num_devices, scenario, metric, value, unit)\n");
}

TEST(MeasuredRows, OptionalColumnsMayBeAbsentAndExtraOnesAreListed) {
  auto t = parse_csv("id,hardware,num_devices,scenario,metric,value,unit,extra\r\n"
                     "X,h100-sxm-80gb,2,p2p,p2p_gbs,400,GB/s,e\r\n",
                     "m.csv");
  ASSERT_TRUE(t);
  auto s = load_measured(*t);
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->rows.size(), 1u);
  EXPECT_EQ(s->rows[0].notes, "");
  EXPECT_EQ(s->ignored_columns, (std::vector<std::string>{"extra"}));
}

TEST(MeasuredRows, DuplicateIdsAreErrorsNamingBothLines) {
  auto s = load("R1,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n"
                "R2,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n"
                "R1,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,256,128,128,gemm_tflops,3,TFLOP/s,\r\n");
  ASSERT_FALSE(s);
  EXPECT_EQ(to_string(s.error()),
            "m.csv:4: id: duplicate id \"R1\" (first at line 2); every row needs its own id\n");
}

TEST(MeasuredRows, AFileWithoutOneUsableRowIsAnError) {
  auto bad = load("B1,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,fast,TFLOP/s,\r\n"
                  ",s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(to_string(bad.error()),
            "m.csv:2: column value: expected a positive number, got \"fast\"\n"
            "m.csv:3: column id: blank\n"
            "m.csv: no usable row: all 2 rows are malformed\n");
  auto none = load("");
  ASSERT_FALSE(none);
  EXPECT_EQ(to_string(none.error()),
            "m.csv: no measured rows: the file has a header and no rows\n");
}

TEST(MeasuredRows, LongValuesAreCutInReasons) {
  auto s = load("R1,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops," +
                std::string(5000, '9') + "x,TFLOP/s,\r\n" + std::string(500, 'i') +
                ",s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n"
                "OK,s,h100-sxm-80gb,1,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n");
  ASSERT_TRUE(s) << to_string(s.error());
  ASSERT_EQ(s->malformed.size(), 2u);
  EXPECT_EQ(s->malformed[0].reason,
            "column value: expected a positive number, got \"" + std::string(80, '9') + "...\"");
  EXPECT_EQ(s->malformed[1].id, "(line 3)");
  EXPECT_EQ(s->malformed[1].reason,
            "column id: \"" + std::string(80, 'i') + "...\" is longer than 128 bytes");
}

TEST(MeasuredRows, EveryMetricHasAUnit) {
  for (const auto& info : metric_table()) {
    EXPECT_FALSE(info.unit.empty()) << info.name;
    EXPECT_EQ(metric_from_string(info.name), info.metric);
  }
}

}  // namespace
}  // namespace xpusim
