// SPDX-License-Identifier: Apache-2.0
// RFC-4180 edge cases of the CSV reader and the checks of measured rows (schema of
// ../shared/validation/README.md).
#include "xpusim/validate/csv_reader.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(to_string(t.error()), "/nonexistent/measured.csv: cannot open file\n");
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
  EXPECT_EQ(r.metric, Metric::kOutputTokensPerS);
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
      "B8,s,h100-sxm-80gb,,,,,fp16,,gemm,,,,128,128,128,gemm_tflops,3,TFLOP/s,\r\n");
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_TRUE(s->rows.empty());
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

TEST(MeasuredRows, EveryMetricHasAUnit) {
  for (const auto& info : metric_table()) {
    EXPECT_FALSE(info.unit.empty()) << info.name;
    EXPECT_EQ(metric_from_string(info.name), info.metric);
  }
}

}  // namespace
}  // namespace xpusim
