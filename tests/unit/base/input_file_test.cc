// SPDX-License-Identifier: Apache-2.0
// The input gate of base/input_file.h: files refused by kind before they are opened, size caps,
// binary content found in the first KiB, bounded reads.
#include "xpusim/base/input_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace xpusim {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::string error_of(const Result<void>& r) { return r ? "" : to_string(r.error()); }

TEST(InputFile, RefusesWhatIsNotARegularFileByKind) {
  TempDir dir("input");
  EXPECT_EQ(error_of(check_regular_file(dir.path.string(), kSpecInput)),
            dir.path.string() + ": is a directory; expected a YAML or JSON file\n");
  EXPECT_EQ(error_of(check_regular_file((dir.path / "none.yaml").string(), kSpecInput)),
            (dir.path / "none.yaml").string() + ": no such file\n");
  if (fs::exists("/dev/urandom")) {
    EXPECT_EQ(error_of(check_regular_file("/dev/urandom", kTableInput)),
              "/dev/urandom: is a character device (such as /dev/urandom or a terminal), not a "
              "regular file; expected a CSV file\n");
  }
  const std::string fifo = (dir.path / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO without a writer would block: it must be refused before that.
  EXPECT_EQ(error_of(check_regular_file(fifo, kSpecInput)),
            fifo + ": is a FIFO (named pipe), not a regular file (write the input to a file "
                   "first); expected a YAML or JSON file\n");
  EXPECT_TRUE(check_regular_file(dir.file("ok.yaml", "a: 1\n"), kSpecInput));
}

TEST(InputFile, SizeCapMessageNamesBothSizes) {
  EXPECT_TRUE(check_file_size("x.yaml", kMaxSpecFileBytes, kSpecInput));
  EXPECT_EQ(error_of(check_file_size("x.yaml", kMaxSpecFileBytes + 1, kSpecInput)),
            "x.yaml: file is 1048577 bytes (1.0 MiB); a YAML or JSON file may be at most "
            "1048576 bytes (1 MiB)\n");
  EXPECT_EQ(error_of(check_file_size("x.csv", std::uintmax_t{200} << 20, kTableInput)),
            "x.csv: file is 209715200 bytes (200 MiB); a CSV file may be at most 67108864 bytes "
            "(64 MiB)\n");
}

TEST(InputFile, BinaryContentIsFoundWithItsPlace) {
  EXPECT_FALSE(binary_content("a: 1\r\n\tb: \"caf\xC3\xA9\"\n", kSpecInput, true));
  auto nul = binary_content(std::string_view("ab\ncd\0", 6), kSpecInput, true);
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->line, 2);
  EXPECT_EQ(nul->column, 3);
  EXPECT_EQ(nul->message, "binary content (a NUL byte at byte 6); expected a YAML or JSON file");
  auto ctrl = binary_content("a\x01", kSpecInput, true);
  ASSERT_TRUE(ctrl);
  EXPECT_EQ(ctrl->message,
            "binary content (control character \\x01 at byte 2); expected a YAML or JSON file");
  auto latin1 = binary_content("caf\xE9 au lait", kTableInput, true);
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->message,
            "not UTF-8 text (byte \\xe9 at byte 4); save the file as UTF-8; expected a CSV file");
  EXPECT_TRUE(binary_content("\xC0\x80", kTableInput, true));  // overlong NUL
  EXPECT_TRUE(binary_content("\xED\xA0\x80", kTableInput, true));  // a surrogate
  auto utf16 = binary_content("\xFF\xFEi\0d\0", kTableInput, false);
  ASSERT_TRUE(utf16);
  EXPECT_EQ(utf16->message,
            "UTF-16 text (byte-order mark \\xff\\xfe); save the file as UTF-8; expected a CSV "
            "file");
  // A sequence cut by the end of the first KiB is fine when the file goes on; not at its end.
  EXPECT_FALSE(binary_content("ok \xE2\x82", kTableInput, false));
  EXPECT_TRUE(binary_content("ok \xE2\x82", kTableInput, true));
}

TEST(InputFile, ReadInputFileIsBoundedAndChecked) {
  TempDir dir("input");
  auto ok = read_input_file(dir.file("ok.yaml", "a: 1\n"), kSpecInput);
  ASSERT_TRUE(ok) << to_string(ok.error());
  EXPECT_EQ(*ok, "a: 1\n");
  const std::string big = dir.file("big.yaml", std::string(kMaxSpecFileBytes + 1, 'a'));
  auto too_big = read_input_file(big, kSpecInput);
  ASSERT_FALSE(too_big);
  EXPECT_NE(to_string(too_big.error()).find("may be at most 1048576 bytes"), std::string::npos);
  auto binary = read_input_file(dir.file("bin.yaml", std::string("a: 1\n\0\0", 7)), kSpecInput);
  ASSERT_FALSE(binary);
  EXPECT_EQ(to_string(binary.error()), (dir.path / "bin.yaml").string() +
                                           ":2:1: binary content (a NUL byte at byte 6); "
                                           "expected a YAML or JSON file\n");
  // /proc files report a size of 0 but have content: the read itself is bounded.
  if (fs::exists("/proc/self/status")) {
    InputKind tiny{"a YAML or JSON file", 16};
    auto proc = read_input_file("/proc/self/status", tiny);
    ASSERT_FALSE(proc);
    EXPECT_NE(to_string(proc.error()).find("grows beyond 16 bytes"), std::string::npos)
        << to_string(proc.error());
  }
}

}  // namespace
}  // namespace xpusim
