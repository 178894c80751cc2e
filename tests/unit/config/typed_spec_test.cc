// SPDX-License-Identifier: Apache-2.0
// Typed get/set of schema fields by path on a parsed spec (Schema::get/set/check): a set is
// range-checked as the file's value would be, and the cross-field checks run on the spec give
// what parsing the document with the same --set gives.
#include <gtest/gtest.h>

#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"

namespace xpusim {
namespace {

SourcedSpec<HardwareSpec> h100() {
  auto doc = load_hardware_document("h100-sxm-80gb");
  EXPECT_TRUE(doc);
  auto s = hardware_schema().parse_sourced(*doc);
  EXPECT_TRUE(s) << (s ? "" : to_string(s.error()));
  return std::move(*s);
}

// "path: message" of each diagnostic (positions aside).
std::vector<std::string> messages(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.path + ": " + d.message);
  return out;
}

TEST(TypedSpec, GetReadsEveryKindOfField) {
  const auto s = h100();
  const auto& schema = hardware_schema();
  EXPECT_EQ(schema.get(s.spec, "compute.units")->number, 132);
  EXPECT_DOUBLE_EQ(schema.get(s.spec, "memory.dram.bandwidth")->number, 3.35e12);
  EXPECT_EQ(schema.get(s.spec, "memory.dram.type")->text, "hbm3");
  EXPECT_EQ(schema.get(s.spec, "compute.network")->text, "crossbar");  // an enum
  EXPECT_EQ(schema.get(s.spec, "memory.dram.sites")->number, 6);      // an optional, set
  EXPECT_FALSE(schema.get(s.spec, "memory.llc.capacity"));            // an absent level
  EXPECT_FALSE(schema.get(s.spec, "no.such.path"));
  EXPECT_FALSE(schema.field_index("schema"));
}

TEST(TypedSpec, SetRangeChecksAndAssigns) {
  auto s = h100();
  const auto& schema = hardware_schema();
  ASSERT_TRUE(schema.set(s, "compute.units", 140.0));
  EXPECT_EQ(s.spec.compute.units, 140);
  EXPECT_TRUE(s.origins.overridden("compute.units"));
  EXPECT_FALSE(s.origins.overridden("compute.clock"));
  ASSERT_TRUE(schema.set(s, "memory.dram.bandwidth", "4 TB/s"));
  EXPECT_DOUBLE_EQ(s.spec.memory.dram.bandwidth.value(), 4e12);
  EXPECT_TRUE(schema.check(s).empty());

  // Out of range, not an integer, wrong kind, unknown path: diagnostics naming the path.
  auto zero = schema.set(s, "compute.units", 0.0);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error()[0].path, "compute.units");
  EXPECT_NE(zero.error()[0].message.find("out of range; allowed: >= 1"), std::string::npos)
      << zero.error()[0].message;
  EXPECT_EQ(s.spec.compute.units, 140);  // unchanged
  auto half = schema.set(s, "compute.units", 140.5);
  ASSERT_FALSE(half);
  EXPECT_NE(half.error()[0].message.find("expected an integer"), std::string::npos);
  auto text = schema.set(s, "memory.dram.type", 3.0);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error()[0].message.find("numeric fields only"), std::string::npos);
  auto unit = schema.set(s, "memory.dram.bandwidth", "4 GHz");
  ASSERT_FALSE(unit);
  EXPECT_NE(unit.error()[0].message.find("that is a frequency"), std::string::npos)
      << unit.error()[0].message;
  auto unknown = schema.set(s, "compute.unitz", 1.0);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error()[0].message.find("did you mean \"compute.units\""), std::string::npos);
}

// The cross-field checks on the spec equal those parse() runs on the document with --set.
TEST(TypedSpec, CheckOnTheSpecEqualsTheDocument) {
  const std::vector<std::vector<std::string>> cases = {
      {"compute.units=150"},                                      // > units_on_die
      {"memory.dram.stacks=7"},                                   // > sites
      {"memory.dram.type=sram_only"},                             // capacity, bandwidth, stacks
      {"memory.llc.bandwidth=1 TB/s"},                            // a level without capacity
      {"memory.llc.capacity=64 MiB"},                             // a level without bandwidth
      {"compute.datasheet_peak.bf16=500 TFLOP/s"},                // derived peak mismatch
      {"compute.units=120", "compute.datasheet_peak.bf16=900 TFLOP/s"},
      {"compute.units=120"},                                      // datasheet no longer checked
      {"physical.io_die.area=100 mm2"},                           // io die count 0
  };
  for (const auto& sets : cases) {
    auto s = h100();
    for (const auto& a : sets) {
      const size_t eq = a.find('=');
      ASSERT_TRUE(hardware_schema().set(s, a.substr(0, eq), a.substr(eq + 1))) << a;
    }
    const Diagnostics on_spec = hardware_schema().check(s);
    auto on_doc = load_hardware("h100-sxm-80gb", sets);
    EXPECT_EQ(messages(on_spec), on_doc ? std::vector<std::string>{} : messages(on_doc.error()))
        << sets[0];
    if (on_doc) {
      EXPECT_EQ(s.spec.compute.units, on_doc->compute.units);
      EXPECT_EQ(peak_rate(s.spec, Precision::kBf16), peak_rate(*on_doc, Precision::kBf16));
    }
  }
}

TEST(TypedSpec, ModelChecksRunOnTheSpec) {
  auto s = load_model_sourced("llama-3.1-8b");
  ASSERT_TRUE(s);
  ASSERT_TRUE(model_schema().set(*s, "kv_heads", 7.0));
  const auto on_doc = load_model("llama-3.1-8b", {"kv_heads=7"});
  ASSERT_FALSE(on_doc);
  EXPECT_EQ(messages(model_schema().check(*s)), messages(on_doc.error()));
}

}  // namespace
}  // namespace xpusim
