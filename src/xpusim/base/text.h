// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by config/, validate/ and cli/: "did you mean" suggestions and
// joining lists for messages.
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

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

}  // namespace xpusim
