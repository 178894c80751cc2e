// SPDX-License-Identifier: Apache-2.0
#include "xpusim/base/input_file.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

namespace fs = std::filesystem;

// "64 MiB", "1.5 GiB", "812 KiB": binary units, one decimal when not whole.
std::string size_text(std::uintmax_t bytes) {
  const char* unit = "KiB";
  std::uintmax_t scale = std::uintmax_t{1} << 10;
  if (bytes >= (std::uintmax_t{1} << 30)) {
    unit = "GiB";
    scale = std::uintmax_t{1} << 30;
  } else if (bytes >= (std::uintmax_t{1} << 20)) {
    unit = "MiB";
    scale = std::uintmax_t{1} << 20;
  }
  if (bytes % scale == 0) return std::to_string(bytes / scale) + " " + unit;
  const std::uintmax_t tenths = bytes / scale * 10 + bytes % scale * 10 / scale;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " " + unit;
}

Diagnostic file_error(const std::string& path, std::string message) {
  return Diagnostic{.file = path, .message = std::move(message)};
}

}  // namespace

Result<void> check_regular_file(const std::string& path, const InputKind& kind) {
  const std::string expected = "; expected " + std::string(kind.expected);
  if (path.empty()) return fail(file_error("<command line>", "empty file name" + expected));
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec && st.type() != fs::file_type::not_found) {
    // EACCES on a parent directory, ELOOP, ENAMETOOLONG, ...
    return fail(file_error(path, "cannot access the file: " + ec.message()));
  }
  switch (st.type()) {
    case fs::file_type::regular: break;
    case fs::file_type::not_found:
    case fs::file_type::none: return fail(file_error(path, "no such file"));
    case fs::file_type::directory:
      return fail(file_error(path, "is a directory" + expected));
    case fs::file_type::character:
      return fail(file_error(path, "is a character device (such as /dev/urandom or a terminal), "
                                   "not a regular file" + expected));
    case fs::file_type::block:
      return fail(file_error(path, "is a block device, not a regular file" + expected));
    case fs::file_type::fifo:
      return fail(file_error(path, "is a FIFO (named pipe), not a regular file (write the input "
                                   "to a file first)" + expected));
    case fs::file_type::socket:
      return fail(file_error(path, "is a socket, not a regular file" + expected));
    default: return fail(file_error(path, "is not a regular file" + expected));
  }
  return {};
}

Result<void> check_file_size(const std::string& path, std::uintmax_t size, const InputKind& kind) {
  if (size <= kind.max_bytes) return {};
  return fail(file_error(path, "file is " + std::to_string(size) + " bytes (" + size_text(size) +
                                   "); " + std::string(kind.expected) + " may be at most " +
                                   std::to_string(kind.max_bytes) + " bytes (" +
                                   size_text(kind.max_bytes) + ")"));
}

std::optional<BinaryContent> binary_content(std::string_view head, const InputKind& kind,
                                            bool complete) {
  const std::string expected = "; expected " + std::string(kind.expected);
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF"))
    return BinaryContent{1, 1, "UTF-16 text (byte-order mark " + printable(head.substr(0, 2)) +
                                   "); save the file as UTF-8" + expected};
  int line = 1;
  size_t line_start = 0;
  auto found = [&](size_t i, const std::string& what, const char* hint) {
    return BinaryContent{line, static_cast<int>(i - line_start) + 1,
                         what + " at byte " + std::to_string(i + 1) + ")" + hint + expected};
  };
  for (size_t i = 0; i < head.size();) {
    const auto b = static_cast<unsigned char>(head[i]);
    if (b == '\n') {
      ++line;
      line_start = i + 1;
    }
    if (b == 0) return found(i, "binary content (a NUL byte", "");
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7F)
      return found(i, "binary content (control character " + printable(head.substr(i, 1)), "");
    const size_t n = utf8_sequence_length(head, i);
    if (n == 0) {
      // A sequence cut by the end of the inspected bytes is not evidence of binary content.
      if (!complete && head.size() - i < 4 && b >= 0xC2 && b <= 0xF4 &&
          std::all_of(head.begin() + static_cast<std::ptrdiff_t>(i) + 1, head.end(),
                      [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) == 0x80; }))
        break;
      return found(i, "not UTF-8 text (byte " + printable(head.substr(i, 1)),
                   "; save the file as UTF-8");
    }
    i += n;
  }
  return std::nullopt;
}

Result<std::string> read_input_file(const std::string& path, const InputKind& kind) {
  // Kind and size before anything is opened or read.
  if (auto r = check_regular_file(path, kind); !r) return tl::unexpected(r.error());
  std::error_code ec;
  const std::uintmax_t reported = fs::file_size(path, ec);
  if (!ec)
    if (auto r = check_file_size(path, reported, kind); !r) return tl::unexpected(r.error());
  std::ifstream in;
  auto size = open_input_stream(path, kind, in);
  if (!size) return tl::unexpected(size.error());
  std::string text;
  text.reserve(static_cast<size_t>(std::min(*size, kind.max_bytes)));
  std::array<char, 1 << 16> block{};
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    text.append(block.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > kind.max_bytes)
      return fail(file_error(path, "file grows beyond " + std::to_string(kind.max_bytes) +
                                       " bytes while being read; " + std::string(kind.expected) +
                                       " may be at most " + size_text(kind.max_bytes)));
  }
  if (in.bad())
    return fail(file_error(path, "cannot read the file: " + std::string(std::strerror(errno))));
  return text;
}

Result<std::uintmax_t> open_input_stream(const std::string& path, const InputKind& kind,
                                         std::ifstream& in) {
  if (auto r = check_regular_file(path, kind); !r) return tl::unexpected(r.error());
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return fail(file_error(path, "cannot read the file size: " + ec.message()));
  errno = 0;
  in.open(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return fail(file_error(path, "cannot open the file" +
                                     (err != 0 ? ": " + std::string(std::strerror(err)) : "")));
  }
  std::array<char, kBinarySniffBytes> head{};
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (in.bad()) return fail(file_error(path, "cannot read the file"));
  const auto got = static_cast<size_t>(in.gcount());
  if (auto bin = binary_content(std::string_view(head.data(), got), kind, got < head.size()))
    return fail(Diagnostic{path, bin->line, bin->column, "", bin->message});
  in.clear();
  in.seekg(0);
  if (!in) return fail(file_error(path, "cannot read the file (seek failed)"));
  return size;
}

}  // namespace xpusim
