// SPDX-License-Identifier: Apache-2.0
// JSON text checks beyond nlohmann's parser: duplicate keys with both places, bounded nesting,
// errors at file:line:column, and the hardware JSON loader that uses them.
#include "xpusim/config/json_text.h"

#include <gtest/gtest.h>

#include "xpusim/config/hardware_schema.h"

namespace xpusim {
namespace {

std::string error_of(const std::string& text) {
  auto j = parse_json_text(text, "x.json");
  EXPECT_FALSE(j);
  return j ? std::string() : to_string(j.error());
}

TEST(JsonText, ParsesValidText) {
  auto j = parse_json_text(R"({"a": {"b": [1, {"c": "}{"}]}, "d": "\"quoted\""})", "ok.json");
  ASSERT_TRUE(j) << to_string(j.error());
  EXPECT_EQ((*j)["a"]["b"][1]["c"], "}{");
}

TEST(JsonText, DuplicateKeysNameBothPlacesAndThePath) {
  EXPECT_EQ(error_of("{\n  \"a\": 1,\n  \"a\": 2\n}"),
            "x.json:3:3: a: duplicate key \"a\" (first at line 2, column 3)\n");
  EXPECT_EQ(error_of(R"({"m": {"bw": 1, "cap": 2, "bw": 3}})"),
            "x.json:1:27: m.bw: duplicate key \"bw\" (first at line 1, column 8)\n");
  // The same name in different objects is no duplicate.
  EXPECT_TRUE(parse_json_text(R"({"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}]})",
                              "ok.json"));
  // Many duplicates: at most 20 reported.
  std::string many = "{\"k\": 0";
  for (int i = 0; i < 100; ++i) many += ", \"k\": 0";
  auto j = parse_json_text(many + "}", "many.json");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().size(), 20u);
}

TEST(JsonText, NestingIsBounded) {
  EXPECT_EQ(error_of(std::string(100000, '[') + std::string(100000, ']')),
            "x.json:1:65: nested deeper than 64 levels; a spec is a few levels of objects\n");
  std::string ok = std::string(60, '[') + std::string(60, ']');
  EXPECT_TRUE(parse_json_text(ok, "ok.json"));
}

TEST(JsonText, MalformedEmptyAndTooLarge) {
  EXPECT_EQ(error_of("  \n"), "x.json: file is empty\n");
  const std::string bad = error_of("{\"a\": 1,\n \"b\": }");
  EXPECT_EQ(bad.rfind("x.json:2:7: malformed JSON: ", 0), 0u) << bad;
  const std::string huge = error_of("{\"a\": \"" + std::string(size_t{1} << 20, 'x') + "\"}");
  EXPECT_NE(huge.find("may be at most 1048576 bytes"), std::string::npos) << huge;
  // nlohmann's message quotes the last token; it is cut.
  EXPECT_LT(error_of("[\"" + std::string(100000, 'x')).size(), 400u);
}

TEST(JsonText, HardwareJsonLoaderReportsDuplicatesWithPositions) {
  auto d = document_from_json("{\n\"schema\": \"hardware/v1\",\n\"schema\": \"x\"\n}", "hw.json");
  ASSERT_FALSE(d);
  EXPECT_EQ(to_string(d.error()),
            "hw.json:3:1: schema: duplicate key \"schema\" (first at line 2, column 1)\n");
}

}  // namespace
}  // namespace xpusim
