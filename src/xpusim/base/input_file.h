// SPDX-License-Identifier: Apache-2.0
// The one gate every input file passes before it is parsed (stage: base/, used by the readers in
// config/, validate/ and serving/): the path must name a regular file (a directory, a device such
// as /dev/urandom, a FIFO or a socket is rejected by kind before it is opened), its size must be
// under the cap of its kind, and its first KiB must look like text. Reads are bounded even when
// the size the file system reports is wrong (/proc files report 0).
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

// Size caps by kind of input (documented in README.md, "Input limits"). Spec files are small by
// nature (the largest preset is a few KiB, a Hugging Face config.json a few KiB); tables are read
// as a stream and checked header first.
inline constexpr std::uintmax_t kMaxSpecFileBytes = std::uintmax_t{1} << 20;    // YAML/JSON
inline constexpr std::uintmax_t kMaxTableFileBytes = std::uintmax_t{64} << 20;  // measured CSV

// How much of the start of a file is inspected for binary content.
inline constexpr size_t kBinarySniffBytes = 1024;

// What kind of input a reader expects, for messages: "a YAML or JSON file", "a CSV file".
struct InputKind {
  std::string_view expected;  // "a YAML or JSON file"
  std::uintmax_t max_bytes;   // size cap
};
inline constexpr InputKind kSpecInput{"a YAML or JSON file", kMaxSpecFileBytes};
inline constexpr InputKind kTableInput{"a CSV file", kMaxTableFileBytes};

// Checks that `path` names an existing regular file without opening it: "no such file", "is a
// directory", "is a character device (such as /dev/urandom or a terminal), not a regular file",
// "is a FIFO (named pipe)", ... each followed by "; expected <kind.expected>".
Result<void> check_regular_file(const std::string& path, const InputKind& kind);

// "file is N bytes (X MiB); <kind> above the cap of C bytes (Y MiB) is refused" when `size`
// exceeds kind.max_bytes.
Result<void> check_file_size(const std::string& path, std::uintmax_t size, const InputKind& kind);

// Where the start of a file stops looking like text: a NUL byte, a control character other than
// tab, CR, LF and form feed, bytes that are not UTF-8, or a UTF-16 byte-order mark. `head` is the
// first bytes of the file, `complete` when it is the whole file (otherwise a UTF-8 sequence cut
// by the end of `head` is accepted). Returns the
// place (1-based line and column, in bytes) and the problem ("binary content (a NUL byte at byte
// 17); expected a CSV file"), or nullopt for text.
struct BinaryContent {
  int line = 0;
  int column = 0;
  std::string message;
};
std::optional<BinaryContent> binary_content(std::string_view head, const InputKind& kind,
                                            bool complete);

// check_regular_file, check_file_size, binary_content on the first KiB, then the whole file read
// with at most kind.max_bytes bytes (a file that turns out larger while being read is refused
// too).
Result<std::string> read_input_file(const std::string& path, const InputKind& kind);

// Opens a checked input file for streaming: check_regular_file, then binary_content on its first
// KiB (the stream is rewound). Returns the size the file system reports; the caller applies
// check_file_size when it suits it (the CSV reader checks the header first, so that a huge file
// with a wrong header is reported as such). Streaming readers must still bound what they read
// (bytes, lines, records) as they go, since that size may be wrong (/proc files report 0).
Result<std::uintmax_t> open_input_stream(const std::string& path, const InputKind& kind,
                                         std::ifstream& in);

}  // namespace xpusim
