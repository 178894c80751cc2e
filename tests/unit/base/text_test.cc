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

TEST(Text, ClosestMatchSkipsCandidatesThatCannotWin) {
  // A megabyte-long word is compared by length first, not by a quadratic edit distance.
  const std::string huge(size_t{1} << 20, 'x');
  EXPECT_FALSE(closest_match(huge, {"bandwidth", "capacity"}));
  EXPECT_EQ(closest_match("bandwidthh", {"bandwidth", "b"}), "bandwidth");
}

TEST(Text, PrintableEscapesAndCuts) {
  EXPECT_EQ(printable("plain text"), "plain text");
  EXPECT_EQ(printable("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(printable(std::string_view("\0\x1b\x7f", 3)), "\\x00\\x1b\\x7f");
  EXPECT_EQ(printable("caf\xC3\xA9 \xE2\x89\xA5 \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x89\xA5 \xF0\x9F\x98\x80");           // UTF-8 kept
  EXPECT_EQ(printable("\xE9t\xE9"), "\\xe9t\\xe9");               // Latin-1 escaped
  EXPECT_EQ(printable(std::string(200, 'a')), std::string(80, 'a') + "...");
  EXPECT_EQ(printable("abc\xC3\xA9", 4), "abc...");  // never cuts inside a UTF-8 sequence
  EXPECT_EQ(quote("v"), "\"v\"");
  EXPECT_EQ(quote(std::string(100, 'b'), 3), "\"bbb...\"");
}

TEST(Text, Utf8SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\x80", 0), 0u);      // overlong
  EXPECT_EQ(utf8_sequence_length("\xC3", 0), 0u);              // cut
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);              // a lone continuation byte
}

TEST(Diagnostic, EscapesControlBytesAndCutsWhatSlippedThrough) {
  Diagnostic d{"in\x1b[2J.yaml", 1, 2, std::string(1000, 'k'), "bad \x01 value\nerror: fake"};
  const std::string s = d.to_string();
  EXPECT_EQ(s.find('\x1b'), std::string::npos);
  EXPECT_EQ(s.find('\n'), std::string::npos);  // one diagnostic, one line
  EXPECT_NE(s.find("in\\x1b[2J.yaml:1:2: "), std::string::npos) << s;
  EXPECT_NE(s.find(std::string(256, 'k') + "...: "), std::string::npos);
  EXPECT_NE(s.find("bad \\x01 value\\nerror: fake"), std::string::npos) << s;
}

TEST(Text, AsciiLowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("HBM3E"), "hbm3e");
  EXPECT_EQ(ascii_lower("Framework: vLLM 0.6; GDDR6X"), "framework: vllm 0.6; gddr6x");
  EXPECT_EQ(ascii_lower(""), "");
  // Bytes outside A-Z stay as they are (UTF-8 included: no locale-dependent folding).
  EXPECT_EQ(ascii_lower("\xc3\x89T\xc3\xa9 @[`{"), "\xc3\x89t\xc3\xa9 @[`{");
}

TEST(Text, AsciiIequalsIsEqualityAfterAsciiLower) {
  EXPECT_TRUE(ascii_iequals("HBM3E", "hbm3e"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("hbm3", "hbm3e"));
  EXPECT_FALSE(ascii_iequals("hbm3", "hbm4"));
  // '@' and '`' sit next to 'A' and 'a' (and '[' next to 'Z'): not folded.
  EXPECT_FALSE(ascii_iequals("@[", "`{"));
  // Bytes outside A-Z compare as they are.
  EXPECT_TRUE(ascii_iequals("\xc3\x89T", "\xc3\x89t"));
  EXPECT_FALSE(ascii_iequals("\xc3\x89", "\xc3\xa9"));
}

TEST(Diagnostic, Format) {
  Diagnostic d{"x.yaml", 12, 3, "memory.bandwidth", "expected a bandwidth"};
  EXPECT_EQ(d.to_string(), "x.yaml:12:3: memory.bandwidth: expected a bandwidth");
  EXPECT_EQ(Diagnostic{.message = "oops"}.to_string(), "oops");
}

}  // namespace
}  // namespace xpusim
