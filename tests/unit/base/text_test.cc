// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/text.h"

#include <gtest/gtest.h>

#include "xpusim/base/diagnostic.h"

namespace xpusim {
namespace {

TEST(Text, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(Text, ClosestMatch) {
  std::vector<std::string> known = {"bandwidth", "capacity", "stacks"};
  EXPECT_EQ(closest_match("bandwith", known), "bandwidth");
  EXPECT_EQ(closest_match("capacty", known), "capacity");
  EXPECT_FALSE(closest_match("zzzzzzzzz", known));
}

TEST(Diagnostic, Format) {
  Diagnostic d{"x.yaml", 12, 3, "memory.bandwidth", "expected a bandwidth"};
  EXPECT_EQ(d.to_string(), "x.yaml:12:3: memory.bandwidth: expected a bandwidth");
  EXPECT_EQ(Diagnostic{.message = "oops"}.to_string(), "oops");
}

}  // namespace
}  // namespace xpusim
