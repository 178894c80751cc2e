// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/table.h"

#include <cmath>

#include <gtest/gtest.h>

namespace xpusim {
namespace {

TEST(Table, TextAlignsNumbersRight) {
  Table t({"id", "tflops"});
  t.add_row({"a100", "312"});
  t.add_row({"h100-sxm", "989.5"});
  EXPECT_EQ(t.to_text(),
            "id        tflops\n"
            "--------  ------\n"
            "a100         312\n"
            "h100-sxm   989.5\n");
}

TEST(Table, CsvQuotesWhenNeeded) {
  Table t({"id", "note"});
  t.add_row({"x", "a, \"b\""});
  EXPECT_EQ(t.to_csv(), "id,note\nx,\"a, \"\"b\"\"\"\n");
}

TEST(Format, FixedAndSignificant) {
  EXPECT_EQ(fixed(12.345, 2), "12.35");
  EXPECT_EQ(sig(0.00123456, 3), "0.00123");
  EXPECT_EQ(fixed(1.0 / 0.0, 1), "inf");
}

// The JSON's 6 significant figures: finite for every finite value, tiny and huge ones too (a
// power-of-ten scale overflowed below ~1e-302 and turned a price of 1e-320 into nan).
TEST(Format, Round6KeepsSixFiguresOfEveryFiniteValue) {
  EXPECT_DOUBLE_EQ(round6(123456789.0), 123457000.0);
  EXPECT_DOUBLE_EQ(round6(-0.000123456789), -0.000123457);
  EXPECT_DOUBLE_EQ(round6(2.5), 2.5);
  EXPECT_EQ(round6(0.0), 0.0);
  for (double v : {1e-307, 4.9e-324, 1e-320, -1e-310, 1.7976931348623157e308}) {
    EXPECT_TRUE(std::isfinite(round6(v))) << v;
    EXPECT_NEAR(round6(v) / v, 1.0, 1e-3) << v;  // denormals: spacing ~5e-4 at 1e-320
  }
  EXPECT_TRUE(std::isinf(round6(1.0 / 0.0)));
}

}  // namespace
}  // namespace xpusim
