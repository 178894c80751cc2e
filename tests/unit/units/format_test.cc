// SPDX-License-Identifier: Apache-2.0
// format_in_unit / format_quantity: canonical values written back in a display unit, as `describe`
// and the schema's range messages show them. Each row is a hand conversion (1 GHz = 1e9 Hz,
// 1 GiB = 2^30 B, 1 GB/s = 1e9 B/s, 1 TFLOP/s = 1e12 FLOP/s, 1 /cm2 = 0.01 /mm2).
#include <gtest/gtest.h>

#include "xpusim/units/unit_parser.h"

namespace xpusim {
namespace {

TEST(FormatQuantity, DisplayUnitOfEachDimension) {
  struct Row { double canonical; RuntimeDim dim; const char* want; };
  const Row rows[] = {
      {1e10, runtime_dim<Hertz::Dimension>(), "10 GHz"},
      {0, runtime_dim<Bytes::Dimension>(), "0 GiB"},
      {8 * units::kTi, runtime_dim<Bytes::Dimension>(), "8192 GiB"},
      {3.35e12, runtime_dim<BytesPerSecond::Dimension>(), "3350 GB/s"},
      {989e12, runtime_dim<FlopRate::Dimension>(), "989 TFLOP/s"},
      {700, runtime_dim<Watts::Dimension>(), "700 W"},
      {814, runtime_dim<SquareMillimeters::Dimension>(), "814 mm2"},
      {0.001, runtime_dim<Dimensionless>(), "0.001"},
  };
  for (const Row& r : rows) EXPECT_EQ(format_quantity(r.canonical, r.dim), r.want) << r.want;
}

TEST(FormatQuantity, ExplicitUnitAndRoundTrip) {
  const RuntimeDim bytes = runtime_dim<Bytes::Dimension>();
  EXPECT_EQ(*format_in_unit(80e9, bytes, "GB"), "80 GB");
  EXPECT_EQ(*format_in_unit(81559 * units::kMi, bytes, "MiB"), "81559 MiB");
  const RuntimeDim defects = runtime_dim<PerSquareMillimeter::Dimension>();
  EXPECT_EQ(*format_in_unit(0.001, defects, "/cm2"), "0.1 /cm2");
  // What is printed parses back to the same value (6 significant digits).
  auto text = format_quantity(1.41e9, runtime_dim<Hertz::Dimension>());
  auto back = parse_quantity_text(text);
  ASSERT_TRUE(back) << text;
  EXPECT_DOUBLE_EQ(back->canonical, 1.41e9);
}

TEST(FormatQuantity, WrongUnitIsAnError) {
  auto r = format_in_unit(1e9, runtime_dim<Hertz::Dimension>(), "GB");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "\"GB\" is not a unit of a frequency");
  auto bad = format_in_unit(1e9, runtime_dim<Hertz::Dimension>(), "furlongs");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("cannot format in \"furlongs\""), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace xpusim
