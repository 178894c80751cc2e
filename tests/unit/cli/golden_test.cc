// SPDX-License-Identifier: Apache-2.0
// Golden CLI outputs (CONVENTIONS §9): the exact stdout of stable commands on fixed presets,
// stored under tests/golden/. A change in any of them fails here; when the change is intended,
// regenerate with XPUSIM_UPDATE_GOLDEN=1 (README, Development) and review the diff. Only outputs
// that do not depend on calibration constants are goldened (no run/compare/validate).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_run.h"

namespace xpusim {
namespace {

struct Golden {
  const char* file;  // under tests/golden/
  const char* args;  // xpusim command line
};

const Golden kGoldens[] = {
    {"show_hardware_h100-sxm-80gb.txt", "show hardware h100-sxm-80gb"},
    {"show_hardware_a100-sxm-80gb.json", "show hardware a100-sxm-80gb --format json"},
    {"show_model_llama-3.1-70b.json", "show model llama-3.1-70b --format json"},
    {"describe_hardware.txt", "describe hardware"},
    {"list_models.txt", "list models"},
    {"wafer_25.8x31.55.json", "wafer --die-width 25.8 --die-height 31.55 --format json"},
};

using testing::run;

bool update_requested() {
  const char* env = std::getenv("XPUSIM_UPDATE_GOLDEN");
  return env != nullptr && std::string(env) == "1";
}

// First line where `got` and `want` differ, for the failure message.
std::string first_difference(const std::string& got, const std::string& want) {
  std::istringstream g(got), w(want);
  std::string gl, wl;
  for (int line = 1;; ++line) {
    const bool more_g = static_cast<bool>(std::getline(g, gl));
    const bool more_w = static_cast<bool>(std::getline(w, wl));
    if (!more_g && !more_w) return "outputs differ only in the final newline";
    if (!more_g || !more_w || gl != wl)
      return "line " + std::to_string(line) + ":\n  golden: " + (more_w ? wl : "<end>") +
             "\n  now:    " + (more_g ? gl : "<end>");
  }
}

TEST(CliGolden, OutputsMatchTheGoldenFiles) {
  const bool update = update_requested();
  for (const Golden& gold : kGoldens) {
    SCOPED_TRACE(gold.args);
    const testing::CliRun r = run(gold.args);
    ASSERT_EQ(r.code, 0) << "xpusim " << gold.args;
    ASSERT_FALSE(r.out.empty());
    const std::string path = std::string(XPUSIM_GOLDEN_DIR) + "/" + gold.file;
    if (update) {
      std::ofstream(path, std::ios::binary) << r.out;
      std::printf("updated %s\n", path.c_str());
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "missing golden file " << path
                    << " (create it with XPUSIM_UPDATE_GOLDEN=1)";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_TRUE(r.out == want.str())
        << gold.file << " differs from `xpusim " << gold.args << "`; "
        << first_difference(r.out, want.str())
        << "\nIf the change is intended, rerun with XPUSIM_UPDATE_GOLDEN=1 and review the diff.";
  }
}

// The comparison is exact: a one-character change is reported with its line.
TEST(CliGolden, FirstDifferenceNamesTheLine) {
  EXPECT_EQ(first_difference("a\nb\nc\n", "a\nB\nc\n"), "line 2:\n  golden: B\n  now:    b");
  EXPECT_EQ(first_difference("a\n", "a\nb\n"), "line 2:\n  golden: b\n  now:    <end>");
  EXPECT_EQ(first_difference("a\n", "a"), "outputs differ only in the final newline");
}

}  // namespace
}  // namespace xpusim
