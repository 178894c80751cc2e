// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/bounds.h"

#include <gtest/gtest.h>

#include <limits>

namespace xpusim {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr IntBound kCount{1, 1000, "a count"};
constexpr RealBound kLength{25, 450, "mm", "a wafer"};

TEST(Bounds, IntegersWithinTheBoundParse) {
  EXPECT_EQ(parse_bounded_int("1", kCount), 1);
  EXPECT_EQ(parse_bounded_int("1000", kCount), 1000);
  EXPECT_EQ(parse_bounded_int("+7", kCount), 7);
  // Decimal always: CLI11's strtoll(base 0) reads 010 as 8.
  EXPECT_EQ(parse_bounded_int("010", kCount), 10);
  EXPECT_EQ(parse_bounded_int(" 12 ", kCount), 12);
}

TEST(Bounds, IntegerOutOfRangeEchoesTheTextAsGiven) {
  EXPECT_EQ(parse_bounded_int("0", kCount).error(),
            "0 is out of range; allowed 1 .. 1000 (a count)");
  EXPECT_EQ(parse_bounded_int("-8", kCount).error(),
            "-8 is out of range; allowed 1 .. 1000 (a count)");
  // Beyond int64: reported as given, never clamped to 2^63-1.
  EXPECT_EQ(parse_bounded_int("99999999999999999999", kCount).error(),
            "99999999999999999999 is out of range; allowed 1 .. 1000 (a count)");
  EXPECT_EQ(parse_bounded_int("-99999999999999999999", kCount).error(),
            "-99999999999999999999 is out of range; allowed 1 .. 1000 (a count)");
  EXPECT_EQ(parse_bounded_int("9223372036854775807", kCount).error(),
            "9223372036854775807 is out of range; allowed 1 .. 1000 (a count)");
}

TEST(Bounds, NonIntegersAreRejected) {
  for (const char* text : {"1.5", "1e3", "2.0", "0x10", "abc", "", "-", "+", "1 2", "nan"})
    EXPECT_EQ(parse_bounded_int(text, kCount).error(),
              std::string("expected an integer in 1 .. 1000, got \"") + text + "\"")
        << text;
}

TEST(Bounds, FullInt64RangeParses) {
  const IntBound all{kMin, kMax, ""};
  EXPECT_EQ(parse_bounded_int("9223372036854775807", all), kMax);
  EXPECT_EQ(parse_bounded_int("-9223372036854775808", all), kMin);
  EXPECT_EQ(parse_bounded_int("9223372036854775808", all).error(),
            "9223372036854775808 is out of range; allowed -9223372036854775808 .. "
            "9223372036854775807");
}

TEST(Bounds, Reals) {
  EXPECT_EQ(parse_bounded_real("300", kLength), 300.0);
  EXPECT_EQ(parse_bounded_real("2.5e2", kLength), 250.0);
  EXPECT_EQ(parse_bounded_real("+25", kLength), 25.0);
  EXPECT_EQ(parse_bounded_real("1e9", kLength).error(),
            "1e9 is out of range; allowed 25 .. 450 mm (a wafer)");
  EXPECT_EQ(parse_bounded_real("1e400", kLength).error(),
            "1e400 is out of range; allowed 25 .. 450 mm (a wafer)");
  EXPECT_EQ(parse_bounded_real("-300", kLength).error(),
            "-300 is out of range; allowed 25 .. 450 mm (a wafer)");
  for (const char* text : {"nan", "inf", "-inf", "infinity", "300mm", "0x1p8", "", "3e"})
    EXPECT_EQ(parse_bounded_real(text, kLength).error(),
              std::string("expected a number in 25 .. 450 mm, got \"") + text + "\"")
        << text;
}

TEST(Bounds, OpenEnds) {
  const RealBound margin{0, 1, "", "a fraction", false, true};
  EXPECT_EQ(parse_bounded_real("0", margin), 0.0);
  EXPECT_EQ(parse_bounded_real("1", margin).error(),
            "1 is out of range; allowed 0 .. 1 (exclusive) (a fraction)");
  const RealBound positive{0, 10, "W", "", true, false};
  EXPECT_EQ(parse_bounded_real("0", positive).error(),
            "0 is out of range; allowed 0 (exclusive) .. 10 W");
  EXPECT_EQ(parse_bounded_real("10", positive), 10.0);
  // Exponents are written short: 1e+12 -> 1e12.
  const RealBound big{1e-6, 1e12, "", ""};
  EXPECT_EQ(range_text(big), "1e-6 .. 1e12");
}

TEST(Bounds, LongTextIsShortenedInMessages) {
  const std::string huge(100000, '9');
  const std::string msg = parse_bounded_int(huge, kCount).error();
  EXPECT_LT(msg.size(), 200u);
  EXPECT_NE(msg.find("(100000 characters) is out of range"), std::string::npos) << msg;
}

TEST(Bounds, CheckConvertedValues) {
  EXPECT_FALSE(check_bound(int64_t{5}, kCount));
  EXPECT_EQ(*check_bound(int64_t{0}, kCount), "0 is out of range; allowed 1 .. 1000 (a count)");
  EXPECT_FALSE(check_bound(300.0, kLength));
  EXPECT_TRUE(check_bound(std::numeric_limits<double>::quiet_NaN(), kLength));
  EXPECT_TRUE(check_bound(std::numeric_limits<double>::infinity(), kLength));
}

TEST(CheckedArithmetic, DetectsOverflowInsteadOfWrapping) {
  EXPECT_EQ(checked_mul(1 << 20, 1 << 20), int64_t{1} << 40);
  EXPECT_FALSE(checked_mul(kMax, 2));
  EXPECT_FALSE(checked_mul(kMin, -1));
  EXPECT_EQ(checked_mul(kMax, 1), kMax);
  EXPECT_EQ(checked_add(kMax - 1, 1), kMax);
  EXPECT_FALSE(checked_add(kMax, 1));
  EXPECT_FALSE(checked_add(kMin, -1));
  EXPECT_EQ(checked_product({2, 3, 7}), 42);
  // The gemm FLOP count of the issue: 2 x (2^63-1) x 1 x 1 x 1.
  EXPECT_FALSE(checked_product({2, kMax, 1, 1, 1}));
  EXPECT_FALSE(checked_product({2, 2147483647, 2147483647, 2147483647, 1}));
}

TEST(CheckedArithmetic, SaturatingAndCeilDiv) {
  EXPECT_EQ(saturating_mul(kMax, 2), kMax);
  EXPECT_EQ(saturating_mul(kMax, -2), kMin);
  EXPECT_EQ(saturating_mul(6, 7), 42);
  EXPECT_EQ(saturating_add(kMax, 5), kMax);
  EXPECT_EQ(saturating_add(kMin, -5), kMin);
  EXPECT_EQ(ceil_div(10, 3), 4);
  EXPECT_EQ(ceil_div(9, 3), 3);
  EXPECT_EQ(ceil_div(0, 3), 0);
  // (a + b - 1) / b would wrap here and give a negative count.
  EXPECT_EQ(ceil_div(kMax, 16), kMax / 16 + 1);
}

}  // namespace
}  // namespace xpusim
