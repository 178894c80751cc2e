// SPDX-License-Identifier: Apache-2.0
#include "xpusim/units/quantity.h"

#include <gtest/gtest.h>

#include "xpusim/units/unit_parser.h"

namespace xpusim {
namespace {

TEST(Quantity, DerivedDimensions) {
  Bytes b = units::gb(3.35);
  Seconds t = units::seconds(1.0);
  BytesPerSecond bw = b / t;
  EXPECT_DOUBLE_EQ(bw.value(), 3.35e9);
  Seconds back = b / bw;
  EXPECT_DOUBLE_EQ(back.value(), 1.0);
  FlopPerByte ridge = units::tflops(989) / units::tb_per_s(3.35);
  EXPECT_NEAR(ridge.value(), 295.2, 0.1);
  double ratio = units::gb(2) / units::gb(1);  // dimensionless collapses to double
  EXPECT_DOUBLE_EQ(ratio, 2.0);
  Watts p = units::joules(10) / units::seconds(2);
  EXPECT_DOUBLE_EQ(p.value(), 5.0);
}

struct ParseCase {
  const char* text;
  double canonical;
};

class ParseBytes : public ::testing::TestWithParam<ParseCase> {};
TEST_P(ParseBytes, Canonical) {
  auto q = parse_quantity<Bytes::Dimension>(GetParam().text);
  ASSERT_TRUE(q) << q.error();
  EXPECT_DOUBLE_EQ(q->value(), GetParam().canonical);
}
INSTANTIATE_TEST_SUITE_P(Units, ParseBytes,
                         ::testing::Values(ParseCase{"80 GiB", 80.0 * 1073741824.0},
                                           ParseCase{"80 GB", 80e9}, ParseCase{"80GB", 80e9},
                                           ParseCase{"50 MiB", 50.0 * 1048576.0},
                                           ParseCase{"256 KiB", 262144.0},
                                           ParseCase{"228 KB", 228e3},
                                           ParseCase{"8 Gb", 1e9}));

TEST(UnitParser, OtherDimensions) {
  EXPECT_DOUBLE_EQ(parse_quantity<BytesPerSecond::Dimension>("3.35 TB/s")->value(), 3.35e12);
  EXPECT_DOUBLE_EQ(parse_quantity<FlopRate::Dimension>("989 TFLOP/s")->value(), 989e12);
  EXPECT_DOUBLE_EQ(parse_quantity<Hertz::Dimension>("1.98 GHz")->value(), 1.98e9);
  EXPECT_DOUBLE_EQ(parse_quantity<Watts::Dimension>("700 W")->value(), 700.0);
  EXPECT_DOUBLE_EQ(parse_quantity<SquareMillimeters::Dimension>("814 mm2")->value(), 814.0);
  EXPECT_DOUBLE_EQ(parse_quantity<SquareMillimeters::Dimension>("814 mm²")->value(), 814.0);
  EXPECT_DOUBLE_EQ(parse_quantity<SquareMillimeters::Dimension>("1 cm2")->value(), 100.0);
  EXPECT_DOUBLE_EQ(parse_quantity<Millimeters::Dimension>("26 mm")->value(), 26.0);
  EXPECT_DOUBLE_EQ(parse_quantity<Seconds::Dimension>("2 us")->value(), 2e-6);
  EXPECT_DOUBLE_EQ(parse_quantity<Seconds::Dimension>("1.5 ms")->value(), 1.5e-3);
  EXPECT_DOUBLE_EQ(parse_quantity<Usd::Dimension>("16988 USD")->value(), 16988.0);
  EXPECT_NEAR(parse_quantity<PerSquareMillimeter::Dimension>("0.1 /cm2")->value(), 0.001, 1e-15);
  EXPECT_NEAR(parse_quantity<PerSquareMillimeter::Dimension>("0.1 per cm2")->value(), 0.001, 1e-15);
  EXPECT_NEAR(parse_quantity<JoulesPerByte::Dimension>("6 pJ/bit")->value(), 48e-12, 1e-24);
  EXPECT_NEAR(parse_quantity<UsdPerJoule::Dimension>("0.1 USD/kWh")->value(), 0.1 / 3.6e6, 1e-15);
}

TEST(UnitParser, GbAndGibAreDistinct) {
  auto gb = parse_quantity<Bytes::Dimension>("1 GB");
  auto gib = parse_quantity<Bytes::Dimension>("1 GiB");
  ASSERT_TRUE(gb && gib);
  EXPECT_NE(gb->value(), gib->value());
}

TEST(UnitParser, BareNumberWhereUnitRequiredIsAnError) {
  auto q = parse_quantity<BytesPerSecond::Dimension>("3.35");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error(), "expected a bandwidth such as \"3.35 TB/s\", got \"3.35\"");
}

TEST(UnitParser, WrongDimensionAndGarbage) {
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>("3 TB/s"));
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>("lots"));
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>("80 GiBs"));
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>(""));
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>("nan GB"));
  EXPECT_FALSE(parse_quantity<Bytes::Dimension>("inf GB"));
}

TEST(Ratio, InRange) {
  EXPECT_DOUBLE_EQ(Ratio(0.25).value(), 0.25);
  EXPECT_DEATH(Ratio(1.5), "outside");
}

}  // namespace
}  // namespace xpusim
