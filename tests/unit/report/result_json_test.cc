// SPDX-License-Identifier: Apache-2.0
// The emitter of report/result_json.h: keys in the declared table's order whatever order they are
// set in, nested objects and lists of records placed where their first field is, values checked
// against their declared type, and an undeclared key a bug that aborts (a death test).
#include "xpusim/report/result_json.h"

#include <gtest/gtest.h>

namespace xpusim {
namespace {

using Json = ResultJson::Json;

TEST(ResultJson, KeysComeOutInTheTablesOrder) {
  // wafer declares die_width_mm ... cost_per_good_die_usd, feasible, ..., reticle_width_mm.
  const Json j = ResultJson("wafer")
                     .set("reticle_width_mm", 26.0)
                     .set("feasible", true)
                     .set("die_width_mm", 25.8)
                     .set("die_height_mm", 31.55)
                     .json();
  EXPECT_EQ(j.dump(), R"({"die_width_mm":25.8,"die_height_mm":31.55,"feasible":true,)"
                      R"("reticle_width_mm":26.0})");
}

TEST(ResultJson, NestedObjectsAndRecordsSitWhereTheirFirstFieldIs) {
  const Json tile = Json{{"m", 128}, {"n", 256}, {"k", 64}};
  const Json j = ResultJson("gemm").set("waves", 3).set("tile", tile).set("m", 4096).json();
  EXPECT_EQ(j.dump(), R"({"m":4096,"tile":{"m":128,"n":256,"k":64},"waves":3})");
  // A field of a nested object set by its dotted name.
  EXPECT_EQ(ResultJson("gemm").set("tile.n", 8).set("tile.m", 4).json().dump(),
            R"({"tile":{"m":4,"n":8}})");
  // A record of a list, and the list given whole.
  const Json comp = ResultJson("area", "dies.components").set("area_mm2", 1.5).set("name", "sram").json();
  EXPECT_EQ(comp.dump(), R"({"name":"sram","area_mm2":1.5})");
  const Json die = ResultJson("area", "dies").set("components", Json::array({comp})).set("name", "compute").json();
  EXPECT_EQ(die.dump(), R"({"name":"compute","components":[{"name":"sram","area_mm2":1.5}]})");
}

// An optional nested object is null as a whole (no figures) or its fields, in the table's order.
TEST(ResultJson, ANestedObjectIsNullOrItsFields) {
  EXPECT_EQ(ResultJson("serve").set("rejections", nullptr).set("rejected", 0).json().dump(),
            R"({"rejected":0,"rejections":null})");
  EXPECT_EQ(ResultJson("serve")
                .set("rejections.larger_than_kv_cache", 1)
                .set("rejections.longer_than_max_model_len", 0)
                .json()
                .dump(),
            R"({"rejections":{"longer_than_max_model_len":0,"larger_than_kv_cache":1}})");
  EXPECT_EQ(ResultJson("compare", "ranking").set("memory", nullptr).set("rank", 1).json().dump(),
            R"({"rank":1,"memory":null})");
}

TEST(ResultJson, MapsTakeDataAsKeys) {
  const Json j = ResultJson("explore")
                     .set("infeasible", Json{{"memory", 3}, {"reticle", 1}})
                     .set("evaluated", 12)
                     .json();
  EXPECT_EQ(j.dump(), R"({"evaluated":12,"infeasible":{"memory":3,"reticle":1}})");
}

// A map of objects (sensitivity's binding: per metric, the binding field and its elasticity) is
// given whole, its keys in the given order; a value that is no object is a bug.
TEST(ResultJson, AMapOfObjectsIsGivenWhole) {
  const Json binding = Json{{"tpot_ms", Json{{"field", "memory.dram.bandwidth"}, {"elasticity", -0.4}}},
                            {"ttft_ms", nullptr}};
  EXPECT_EQ(ResultJson("sensitivity").set("binding", binding).set("step", 0.05).json().dump(),
            R"({"step":0.05,"binding":{"tpot_ms":{"field":"memory.dram.bandwidth","elasticity":-0.4},"ttft_ms":null}})");
  const ResultField* f = find_field(*find_result_type("sensitivity"), "binding");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(ResultJson::fits(*f, Json{{"tpot_ms", "memory.dram.bandwidth"}}));
}

TEST(ResultJson, ValuesFitTheirDeclaredType) {
  const ResultType* wafer = find_result_type("wafer");
  ASSERT_NE(wafer, nullptr);
  const ResultField* width = find_field(*wafer, "die_width_mm");  // a unit: a number
  ASSERT_NE(width, nullptr);
  EXPECT_TRUE(ResultJson::fits(*width, 25.8));
  EXPECT_TRUE(ResultJson::fits(*width, nullptr));
  EXPECT_FALSE(ResultJson::fits(*width, "25.8"));
  const ResultType* search = find_result_type("explore");
  ASSERT_NE(search, nullptr);
  const ResultField* id = find_field(*search, "designs.design_id");  // text
  ASSERT_NE(id, nullptr);
  EXPECT_FALSE(ResultJson::fits(*id, 7));
  const ResultField* inf = find_field(*search, "infeasible");  // a map of integers
  ASSERT_NE(inf, nullptr);
  EXPECT_TRUE(ResultJson::fits(*inf, Json{{"memory", 3}}));
  EXPECT_FALSE(ResultJson::fits(*inf, Json{{"memory", "three"}}));
  EXPECT_FALSE(ResultJson::fits(*inf, 3));
}

// A list of text (serve's assumptions) holds strings only; a declared nested object (serve's
// rejections) is null or an object whose every key is a declared field of the right type.
TEST(ResultJson, TextListsAndNestedObjectsFitTheirTypes) {
  const ResultType* serve = find_result_type("serve");
  ASSERT_NE(serve, nullptr);
  const ResultField* notes = find_field(*serve, "assumptions");
  ASSERT_NE(notes, nullptr);
  EXPECT_EQ(field_type_name(*notes), "text list");
  EXPECT_TRUE(ResultJson::fits(*notes, Json::array({"a", "b"})));
  EXPECT_TRUE(ResultJson::fits(*notes, Json::array()));
  EXPECT_FALSE(ResultJson::fits(*notes, "a"));
  EXPECT_FALSE(ResultJson::fits(*notes, Json::array({"a", 1})));
  const ResultField* rejections = find_field(*serve, "rejections");
  ASSERT_NE(rejections, nullptr);
  EXPECT_EQ(field_type_name(*rejections), "object");
  EXPECT_TRUE(ResultJson::fits(*rejections, nullptr));
  EXPECT_FALSE(ResultJson::fits(*rejections, 3));
  const Json counts = Json{{"larger_than_kv_cache", 2.0}};
  EXPECT_EQ(ResultJson("serve").set("rejections", counts).json().dump(),
            R"({"rejections":{"larger_than_kv_cache":2}})");
}

TEST(ResultJson, WholeNumbersOfCountsAndIntegersAreJsonIntegers) {
  // A byte count (`_bytes`: a count unit) computed as a double comes out as an integer.
  EXPECT_EQ(ResultJson("gemm").set("dram_bytes", 1606418432.0).json().dump(),
            R"({"dram_bytes":1606418432})");
  // ... but not when it has a fraction or lies beyond int64: never a 300-digit integer.
  EXPECT_EQ(ResultJson("gemm").set("dram_bytes", 2.5).json().dump(), R"({"dram_bytes":2.5})");
  const Json huge = ResultJson("gemm").set("dram_bytes", 1e300).json();
  EXPECT_TRUE(huge["dram_bytes"].is_number_float());
  EXPECT_TRUE(ResultJson("gemm").set("dram_bytes", 0x1p63).json()["dram_bytes"].is_number_float());
  EXPECT_EQ(ResultJson("gemm").set("dram_bytes", -0x1p62).json()["dram_bytes"].get<int64_t>(),
            -(int64_t{1} << 62));
  // A measure stays a double even when whole (`_ms` is not a count).
  EXPECT_EQ(ResultJson("gemm").set("latency_ms", 2.0).json().dump(), R"({"latency_ms":2.0})");
  // kInteger fields, also inside maps, records and nested objects given whole.
  const Json search = ResultJson("explore")
                          .set("evaluated", 12.0)
                          .set("infeasible", Json{{"memory", 3.0}})
                          .json();
  EXPECT_EQ(search.dump(), R"({"evaluated":12,"infeasible":{"memory":3}})");
  const Json ops = ResultJson("run")
                       .set("ops", Json::array({Json{{"dram_bytes", 64.0}, {"time_ms", 1.0}}}))
                       .json();
  EXPECT_EQ(ops.dump(), R"({"ops":[{"dram_bytes":64,"time_ms":1.0}]})");
  const Json memory = ResultJson("run").set("memory", Json{{"weights_bytes", 1e9}}).json();
  EXPECT_EQ(memory.dump(), R"({"memory":{"weights_bytes":1000000000}})");
}

TEST(ResultJsonDeathTest, AnUndeclaredKeyOrAWrongTypeIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(ResultJson("wafer").set("die_widht_mm", 1.0), "not a field of result type \"wafer\"");
  EXPECT_DEATH(ResultJson("wafer").set("die_width_mm", "wide"), "not of its declared type");
  EXPECT_DEATH(ResultJson("explore").set("evaluated", 2.5), "not of its declared type");
  EXPECT_DEATH(ResultJson("serve").set("assumptions", Json::array({1})),
               "not of its declared type");
  EXPECT_DEATH(ResultJson("serve").set("rejections", "none"), "not of its declared type");
  EXPECT_DEATH(ResultJson("serve").set("rejections", Json{{"too_long", 1}}),
               "rejections.too_long");
  EXPECT_DEATH(ResultJson("sensitivity").set("binding", Json{{"tpot_ms", 1.0}}),
               "not of its declared type");
  EXPECT_DEATH(ResultJson("area", "dies").set("components", Json::array({Json{{"nmae", "x"}}})),
               "dies.components.nmae");
}

}  // namespace
}  // namespace xpusim
