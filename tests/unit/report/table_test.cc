// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/table.h"

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

}  // namespace
}  // namespace xpusim
