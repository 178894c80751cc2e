// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by config/, validate/ and cli/: "did you mean" suggestions, joining
// lists for messages, and quoting input text back to the user safely (bounded and escaped).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xpusim {

// Levenshtein distance (insert, delete, substitute all cost 1).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible misspelling
// (distance at most max(2, |word| / 3)); ties go to the first candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// `text` with ASCII letters lowered (locale-independent; other bytes kept): the one case folding of
// names and notes (DRAM types, link names, validation notes).
std::string ascii_lower(std::string_view text);

// ascii_lower(a) == ascii_lower(b), without building either (for hot paths).
bool ascii_iequals(std::string_view a, std::string_view b);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// Length (1-4) of the valid UTF-8 sequence that starts at text[i], or 0 when the bytes there are
// not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF; a sequence cut by
// the end of `text` is 0 too). Requires i < text.size().
size_t utf8_sequence_length(std::string_view text, size_t i);

// How many bytes of a user's value a message quotes back before cutting it with "...".
inline constexpr size_t kMaxEchoedBytes = 80;

// `text` made safe to print in a message: control bytes, DEL and bytes that are not valid UTF-8
// become \xNN (\n, \r, \t as such), and after `max_bytes` bytes of input the rest is cut and
// "..." appended (never inside a UTF-8 sequence). Printable UTF-8 is kept as is.
std::string printable(std::string_view text, size_t max_bytes = kMaxEchoedBytes);

// printable(text) between double quotes: the form every message uses to quote a value back.
std::string quote(std::string_view text, size_t max_bytes = kMaxEchoedBytes);

}  // namespace xpusim
