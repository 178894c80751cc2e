// SPDX-License-Identifier: Apache-2.0
// The number rule, the unit suffixes and the tidy tables of report/result_fields.h.
#include "xpusim/report/result_fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string_view>

namespace xpusim {
namespace {

using Json = nlohmann::ordered_json;

TEST(NumberRule, MeasuresHaveFourSignificantFiguresPositionally) {
  EXPECT_EQ(format_number(27836.1, NumberKind::kMeasure), "27840");  // not 2.784e+04
  EXPECT_EQ(format_number(8871, NumberKind::kMeasure), "8871");
  EXPECT_EQ(format_number(0.112, NumberKind::kMeasure), "0.1120");
  EXPECT_EQ(format_number(1.5, NumberKind::kMeasure), "1.500");
  EXPECT_EQ(format_number(-105.95, NumberKind::kMeasure), "-106.0");
  EXPECT_EQ(format_number(0, NumberKind::kMeasure), "0");
  EXPECT_EQ(format_number(1284000000.0, NumberKind::kMeasure), "1284000000");
}

TEST(NumberRule, CountsAreWholeNumbers) {
  EXPECT_EQ(format_number(16059990016.0, NumberKind::kCount), "16059990016");
  EXPECT_EQ(format_number(31.6, NumberKind::kCount), "32");
}

TEST(NumberRule, HugeAndTinyColumnsAreWhollyInExponentForm) {
  // Never a 300-digit integer; one huge value puts its whole column in exponent form.
  const std::optional<double> col[] = {1e300, 5, std::nullopt};
  const auto text = format_column(col, NumberKind::kCount);
  EXPECT_EQ(text[0], "1.000e+300");
  EXPECT_EQ(text[1], "5.000e+00");
  EXPECT_EQ(text[2], "");
  const std::optional<double> tiny[] = {3.2e-7, 0.5};
  EXPECT_EQ(format_column(tiny, NumberKind::kMeasure)[1], "5.000e-01");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity(), NumberKind::kMeasure), "inf");
  EXPECT_EQ(format_number(std::nan(""), NumberKind::kMeasure), "nan");
}

TEST(UnitSuffixes, NameTheUnitOfAKey) {
  EXPECT_EQ(unit_of_key("ttft_ms")->unit, "ms");
  EXPECT_EQ(unit_of_key("memory.weights_bytes")->kind, NumberKind::kCount);
  EXPECT_EQ(unit_of_key("output_tokens_per_s")->unit, "tokens/s");
  EXPECT_EQ(unit_of_key("total_area_mm2")->unit, "mm2");
  EXPECT_EQ(unit_of_key("die_width_mm")->unit, "mm");
  EXPECT_FALSE(unit_of_key("batch"));
  EXPECT_FALSE(unit_of_key("_ms"));  // a suffix alone is no key
  EXPECT_EQ(unit_of_key("prefill.sustained_clock_ghz")->unit, "GHz");
  EXPECT_EQ(unit_of_key("mlperf.max_qps")->unit, "queries/s");
  // A key that is a suffix's unit word alone: not `_per_s` (1/s) but requests/s.
  EXPECT_EQ(unit_of_key("requests_per_s")->unit, "requests/s");
  EXPECT_EQ(unit_of_key("mlperf.tokens_per_s")->unit, "tokens/s");
  EXPECT_EQ(unit_of_key("mlperf.samples_per_s")->unit, "samples/s");
  EXPECT_EQ(unit_of_key("tflops")->unit, "TFLOP/s");
  EXPECT_EQ(unit_of_key("usd_per_million_output_tokens")->unit, "USD per million output tokens");
  EXPECT_EQ(unit_of_key("kv_cache.bytes_per_token_per_device")->kind, NumberKind::kCount);
  EXPECT_FALSE(unit_of_key("kv_cache.capacity_tokens"));  // a count of tokens
}

// Every suffix is reachable: none is shadowed by a shorter one listed before it.
TEST(UnitSuffixes, ALongerSuffixComesBeforeEveryShorterOneItEndsIn) {
  const auto all = unit_suffixes();
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      EXPECT_FALSE(all[j].suffix.ends_with(all[i].suffix))
          << all[j].suffix << " is shadowed by " << all[i].suffix;
}

// Every number a declared result type holds has its unit named by the unit table -- or its name
// ends in a word for a count of things or a ratio (no unit), or it is one of the few keys named
// without a unit (contract names; their unit is in their meaning or in a `unit` field beside
// them). A key added with a unit the table does not know (`_ghz` before it was added) fails.
TEST(UnitSuffixes, EveryNumericFieldOfEveryResultTypeHasAKnownUnitOrNone) {
  const std::set<std::string_view> count_or_ratio_words = {
      // counts of things
      "batch", "budget", "cache", "capacity", "classic", "completed", "concurrency", "constraints",
      "count", "devices", "die", "dies", "ep", "evaluated", "evaluations", "fabs", "feasible", "formula", "hops",
      "inside", "k", "len", "m", "n", "pp", "preemptions", "rejected", "replicas", "requests",
      "rows", "shot", "shots", "simulated", "size", "skipped", "step", "steps", "tiles",
      "tokens", "tp", "volume", "wafer", "waves",
      // ordinals and seeds
      "index", "line", "rank", "seed",
      // ratios
      "factor", "fraction", "margin", "pue", "ratio", "share", "utilization", "yield"};
  const std::set<std::string_view> named_without_unit = {
      "workload.rate",           // requests/s (serve's contract name)
      "mlperf.probes.rate",      // requests/s
      "years_to_build",          // years (fab's contract name)
      "rows.measured",           // in the row's `unit`
      "rows.predicted",          // in the row's `unit`
      "validation_after.rows.measured", "validation_after.rows.predicted",  // calibrate
      "system.params.value",     // in params.unit
      "economics.system.params.value", "assumptions.value",  // in the record's `unit`
      "scenario.rate",           // requests/s (sensitivity's contract name, as serve's --rate)
      "fields.value", "fields.low", "fields.high",  // sensitivity: in the record's `unit`
      // calibrate's constants: seconds for a time constant, a factor otherwise (the terminal
      // table writes each with its unit)
      "parameters.start", "parameters.fitted", "parameters.min", "parameters.max"};
  for (const ResultType& type : result_types())
    for (const ResultField& f : type.fields) {
      const std::string_view t = field_type_name(f);
      if (t != "number" && t != "integer") continue;
      if (!f.key_meaning.empty()) continue;  // a map: its keys are data, its values counts
      if (unit_of_field(f.name) || named_without_unit.count(f.name)) continue;
      const std::string_view name = f.name.substr(f.name.rfind('.') + 1);
      const std::string_view word = name.substr(name.rfind('_') + 1);
      EXPECT_TRUE(count_or_ratio_words.count(word))
          << type.name << ": " << f.name << " is a number whose unit the unit table does not "
          << "know (add its suffix to report/result_fields.cc) nor a count or ratio";
    }
}

Json sample() {
  return Json::parse(R"({"hardware": "h", "feasible": true, "ttft_ms": 105.95,
    "memory": {"weights_bytes": 16059990016.0, "fits": true}, "notes": ["a", "b"], "none": [],
    "dies": [{"name": "compute", "count": 2, "components": [{"name": "sram", "area_mm2": 51.02},
                                                            {"name": "phy", "area_mm2": 3.1}]},
             {"name": "io", "count": 1, "components": [{"name": "phy", "area_mm2": 12}]}]})");
}

TEST(TidyTable, TheDocumentIsOneRowOfItsFlattenedKeys) {
  auto t = tidy_table(sample(), "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_csv(),
            "hardware,feasible,ttft_ms,memory.weights_bytes,memory.fits,notes\n"
            "h,true,106.0,16059990016,true,a; b\n");
}

TEST(TidyTable, AListOfRecordsIsARowEachWithItsParentsKeys) {
  EXPECT_EQ(record_lists(sample()), (std::vector<std::string>{"dies", "dies.components"}));
  auto t = tidy_table(sample(), "dies.components");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_csv(),
            "hardware,feasible,ttft_ms,memory.weights_bytes,memory.fits,notes,dies.name,"
            "dies.count,dies.components.name,dies.components.area_mm2\n"
            "h,true,106.0,16059990016,true,a; b,compute,2,sram,51.02\n"
            "h,true,106.0,16059990016,true,a; b,compute,2,phy,3.100\n"
            "h,true,106.0,16059990016,true,a; b,io,1,phy,12.00\n");
}

TEST(TidyTable, NullObjectsAndMissingKeysAreEmptyCellsOfOneRectangle) {
  const Json doc = Json::parse(R"({"ranking": [{"hardware": "a", "memory": {"max_batch": 3}},
                                               {"hardware": "b", "error": "x", "memory": null}]})");
  auto t = tidy_table(doc, "ranking");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_csv(),
            "ranking.hardware,ranking.memory.max_batch,ranking.error\n"
            "a,3,\n"
            "b,,x\n");
}

TEST(TidyTable, AnUnknownListIsAnErrorNamingTheAllowedOnes) {
  auto t = tidy_table(sample(), "ops", "--csv-records");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().front().path, "--csv-records");
  EXPECT_NE(t.error().front().message.find("allowed: dies, dies.components"), std::string::npos);
}

// A list of records as a terminal table: the records' own columns after the chosen parents'.
TEST(RecordTable, TheRecordsOwnColumnsAfterTheChosenParents) {
  const std::string_view parents[] = {"dies.name"};
  auto t = record_table(sample(), "dies.components", parents);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_csv(),
            "dies.name,dies.components.name,dies.components.area_mm2\n"
            "compute,sram,51.02\n"
            "compute,phy,3.100\n"
            "io,phy,12.00\n");
  auto dies = record_table(sample(), "dies");
  ASSERT_TRUE(dies);
  EXPECT_EQ(dies->to_csv(), "dies.name,dies.count\ncompute,2\nio,1\n");
  EXPECT_FALSE(record_table(sample(), "ops"));
}

TEST(ResultTypes, NamesAreUniqueAndEveryFieldHasAMeaning) {
  for (const ResultType& type : result_types()) {
    SCOPED_TRACE(std::string(type.name));
    std::set<std::string_view> seen;
    for (const ResultField& f : type.fields) {
      EXPECT_TRUE(seen.insert(f.name).second) << f.name;
      EXPECT_FALSE(f.meaning.empty()) << f.name;
    }
    EXPECT_EQ(find_result_type(type.name), &type);
  }
  EXPECT_EQ(find_result_type("nope"), nullptr);
  const Table d = describe_result_type(*find_result_type("run"));
  EXPECT_NE(d.to_text().find("ttft_ms"), std::string::npos);
}

// The type column of `describe result`: the declared type, else by the unit suffix.
TEST(ResultTypes, EveryFieldHasATypeName) {
  const ResultType& gemm = *find_result_type("gemm");
  EXPECT_EQ(field_type_name(*find_field(gemm, "dram_bytes")), "integer");  // a count unit
  EXPECT_EQ(field_type_name(*find_field(gemm, "latency_ms")), "number");
  const ResultType& search = *find_result_type("explore");
  EXPECT_EQ(field_type_name(*find_field(search, "evaluated")), "integer");
  EXPECT_EQ(field_type_name(*find_field(search, "designs.design_id")), "text");
  EXPECT_EQ(field_type_name(ResultField{.name = "hardware", .meaning = "id"}), "any");
  EXPECT_EQ(field_type_name(ResultField{.name = "ok", .meaning = "m", .type = FieldType::kBool}),
            "bool");
  const Table d = describe_result_type(gemm);
  ASSERT_EQ(d.header(), (std::vector<std::string>{"field", "type", "unit", "quantity", "meaning"}));
  const std::set<std::string> names = {"number", "integer", "bool", "text", "text list",
                                       "object", "any"};
  for (const auto& row : d.rows()) EXPECT_TRUE(names.count(row[1])) << row[0] << ": " << row[1];
  // A band's percentile is in its metric's unit, the nearest dotted part with one.
  ASSERT_TRUE(unit_of_field("uncertainty.latency_ms.p10"));
  EXPECT_EQ(unit_of_field("uncertainty.latency_ms.p10")->unit, "ms");
  EXPECT_EQ(unit_of_field("uncertainty.tflops.p10")->unit, "TFLOP/s");  // `tflops` is a unit
  EXPECT_EQ(field_type_name(*find_field(gemm, "uncertainty.latency_ms.p10")), "number");
  EXPECT_EQ(field_type_name(*find_field(gemm, "uncertainty.latency_ms")), "object");  // or null
  // Every field declares its type but the values of a design's parameters: an integer, number,
  // bool or text by the parameter's kind.
  for (const ResultType& type : result_types())
    for (const ResultField& f : type.fields) {
      if (f.name == "designs.parameters") continue;
      EXPECT_NE(field_type_name(f), "any") << type.name << " " << f.name;
    }
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

// The key-value terminal table of a record: one row per field with a figure, its value by the
// number rule and its unit from the nearest dotted part that names one.
TEST(FieldTable, RowsAreTheFieldsWithAFigureValueByTheRuleUnitBySuffix) {
  const ResultType* gemm = find_result_type("gemm");
  ASSERT_NE(gemm, nullptr);
  const Json doc = {{"hardware", "h100"},
                    {"m", 4096},
                    {"latency_ms", 0.17312},
                    {"tflops", nullptr},  // no figure: no row
                    {"uncertainty", {{"latency_ms", {{"p10", 0.163}}}}},
                    {"dram_bytes", 176160768.0},
                    {"power_limited", false}};
  const Table t = field_table(*gemm, doc);
  EXPECT_EQ(t.header(), (std::vector<std::string>{"field", "value", "unit"}));
  const std::vector<std::vector<std::string>> want = {
      {"hardware", "h100", ""},
      {"m", "4096", ""},
      {"latency_ms", "0.1731", "ms"},
      {"uncertainty.latency_ms.p10", "0.1630", "ms"},
      {"dram_bytes", "176160768", "B"},
      {"power_limited", "false", ""}};
  EXPECT_EQ(t.rows(), want);
  const std::string_view leave_out[] = {"hardware"};
  EXPECT_EQ(field_table(*gemm, doc, leave_out).rows().front().front(), "m");
}

TEST(FieldTableDeathTest, AnUndeclaredKeyIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ResultType* gemm = find_result_type("gemm");
  ASSERT_NE(gemm, nullptr);
  EXPECT_DEATH((void)field_table(*gemm, Json{{"latnecy_ms", 1.0}}), "latnecy_ms");
}

// The chosen keys only, in the order chosen (run's headline figures); a key null or absent in
// the document has no row; a name that is no field of the type is a bug.
TEST(FieldTable, OfChosenKeysInTheirOrder) {
  const ResultType* run = find_result_type("run");
  ASSERT_NE(run, nullptr);
  const Json doc = {{"ttft_ms", 105.819},
                    {"tpot_ms", 11.1734},
                    {"output_tokens_per_s", nullptr},
                    {"memory", {{"weights_bytes", 16059990016}, {"max_batch", 572}}},
                    {"economics", {{"device_price_source", "given (--device-price)"}}}};
  const std::string_view keys[] = {"memory.weights_bytes", "tpot_ms", "output_tokens_per_s",
                                   "economics.device_price_source", "memory.max_batch",
                                   "economics.device_price_usd"};
  const std::vector<std::vector<std::string>> want = {
      {"memory.weights_bytes", "16059990016", "B"},
      {"tpot_ms", "11.17", "ms"},
      {"economics.device_price_source", "given (--device-price)", ""},
      {"memory.max_batch", "572", ""}};
  EXPECT_EQ(field_table_of(*run, doc, keys).rows(), want);
}

TEST(FieldTableDeathTest, AChosenKeyThatIsNoFieldIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ResultType* run = find_result_type("run");
  ASSERT_NE(run, nullptr);
  const std::string_view keys[] = {"weights_gb_per_device"};
  EXPECT_DEATH((void)field_table_of(*run, Json{{"ttft_ms", 1.0}}, keys), "weights_gb_per_device");
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

// A readable subset of a list's records: the named columns, in that order; a column no record
// has is empty; a name that is not a field of the type is a bug.
TEST(RecordTable, TheNamedColumnsOfTheRecordsInTheirOrder) {
  const ResultType* validate = find_result_type("validate");
  ASSERT_NE(validate, nullptr);
  const Json doc = Json::parse(R"({"rows": [
      {"detail": "long text", "error_pct": -4.06, "id": "A", "measured": 15.0, "unit": "ms"},
      {"detail": "more", "error_pct": 12.5, "id": "B", "measured": 1500.0, "unit": "ms"}],
    "skipped": [], "summary": {"total_rows": 2}})");
  const std::string_view columns[] = {"rows.id", "rows.measured", "rows.unit", "rows.error_pct",
                                      "rows.metric"};
  auto t = record_table(*validate, doc, "rows", columns);
  ASSERT_TRUE(t) << t.error().front().message;
  EXPECT_EQ(t->header(), (std::vector<std::string>{"rows.id", "rows.measured", "rows.unit",
                                                   "rows.error_pct", "rows.metric"}));
  const std::vector<std::vector<std::string>> want = {{"A", "15.00", "ms", "-4.060", ""},
                                                      {"B", "1500", "ms", "12.50", ""}};
  EXPECT_EQ(t->rows(), want);
  // An empty list is a list without records this time: the named columns, no rows.
  const std::string_view skipped_columns[] = {"skipped.id", "skipped.reason"};
  auto none = record_table(*validate, doc, "skipped", skipped_columns);
  ASSERT_TRUE(none) << none.error().front().message;
  EXPECT_EQ(none->header(), (std::vector<std::string>{"skipped.id", "skipped.reason"}));
  EXPECT_TRUE(none->rows().empty());
  EXPECT_FALSE(record_table(*validate, doc, "summary", columns));  // no list at all
  EXPECT_FALSE(record_table(*validate, doc, "nothing", columns));
}

// With its declared type a document's tidy table has the same columns whether or not it has
// figures: a null object field is its declared fields, empty; an empty list has its declared
// fields as columns and no rows (a search without a front).
TEST(TidyTable, TheDeclaredColumnsWhenAnAnswerHasNoFigures) {
  const ResultType* gemm = find_result_type("gemm");
  ASSERT_NE(gemm, nullptr);
  const Json with = Json::parse(R"({"uncertainty": {"latency_ms": {"p10": 1.0, "p90": 2.0}}})");
  const Json without = Json::parse(R"({"uncertainty": {"latency_ms": null}})");
  auto a = tidy_table(with, "", "--csv-records", gemm);
  auto b = tidy_table(without, "", "--csv-records", gemm);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->header(), b->header());
  EXPECT_EQ(b->header(), (std::vector<std::string>{"uncertainty.latency_ms.p10",
                                                   "uncertainty.latency_ms.p90"}));
  EXPECT_EQ(b->rows(), (std::vector<std::vector<std::string>>{{"", ""}}));
  // Without the type the null object stays one column (the generic flattening).
  auto c = tidy_table(without, "", "--csv-records");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->header(), (std::vector<std::string>{"uncertainty.latency_ms"}));

  const ResultType* explore = find_result_type("explore");
  ASSERT_NE(explore, nullptr);
  const Json empty = Json::parse(R"({"evaluated": 4, "designs": []})");
  auto front = tidy_table(empty, "designs", "--csv-records", explore);
  ASSERT_TRUE(front) << front.error().front().message;
  EXPECT_TRUE(front->rows().empty());
  ASSERT_GE(front->header().size(), 2u);
  EXPECT_EQ(front->header().front(), "evaluated");
  EXPECT_EQ(front->header()[1], "designs.design_id");
}

TEST(RecordTableDeathTest, AColumnThatIsNoFieldIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ResultType* validate = find_result_type("validate");
  ASSERT_NE(validate, nullptr);
  const Json doc = Json::parse(R"({"rows": [{"id": "A"}]})");
  const std::string_view columns[] = {"rows.idd"};
  EXPECT_DEATH((void)record_table(*validate, doc, "rows", columns), "rows.idd");
}

}  // namespace
}  // namespace xpusim
