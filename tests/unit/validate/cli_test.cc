// SPDX-License-Identifier: Apache-2.0
// The `xpusim validate` command as a user runs it (XPUSIM_BINARY): the JSON contract
// {"rows": [...], "skipped": [...], "summary": {...}}, the text report, and bad input files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs the CLI with `args`; stderr is merged into the output when `merge_stderr`.
CliRun run(const std::string& args, bool merge_stderr = false) {
  std::string cmd = std::string(XPUSIM_BINARY) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kFixture = std::string(XPUSIM_TEST_DATA_DIR) + "/validation/fixture.csv";
const std::string kBad = std::string(XPUSIM_TEST_DATA_DIR) + "/bad/validation/";

TEST(ValidateCli, JsonContract) {
  CliRun r = run("validate " + kFixture + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("rows") && j["rows"].is_array());
  ASSERT_TRUE(j.contains("skipped") && j["skipped"].is_array());
  ASSERT_TRUE(j.contains("summary") && j["summary"].is_object());
  ASSERT_EQ(j["rows"].size(), 19u);
  for (const auto& row : j["rows"]) {
    for (const char* key : {"id", "predicted", "measured", "error_pct", "scenario", "metric",
                            "unit", "hardware", "line"})
      EXPECT_TRUE(row.contains(key)) << key;
    EXPECT_TRUE(row["predicted"].is_number());
    EXPECT_TRUE(row["error_pct"].is_number());
  }
  ASSERT_EQ(j["skipped"].size(), 15u);
  for (const auto& s : j["skipped"]) {
    EXPECT_TRUE(s["id"].is_string());
    EXPECT_TRUE(s["reason"].is_string());
    EXPECT_FALSE(s["reason"].get<std::string>().empty());
  }
  const auto& sum = j["summary"];
  EXPECT_EQ(sum["total_rows"], 34);
  EXPECT_EQ(sum["simulated"], 19);
  EXPECT_EQ(sum["skipped"], 15);
  EXPECT_TRUE(sum["overall"]["mape_pct"].is_number());
  for (const char* key : {"by_scenario", "by_metric", "by_hardware", "by_runtime"}) {
    ASSERT_TRUE(sum[key].is_array()) << key;
    EXPECT_FALSE(sum[key].empty()) << key;
  }
  EXPECT_EQ(sum["skipped_by_reason"]["unknown hardware preset \"nonexistent-xpu\"."], 1);
}

// Each row names the runtime profile it ran under (docs/validation.md, "Runtime profiles"): the
// framework's for static, gemm and op rows, the engine's for serving rows, null where no
// software overhead enters (bandwidth, collective and copy rows, which assume no profile).
TEST(ValidateCli, RowsNameTheirRuntimeProfile) {
  CliRun r = run("validate " + kFixture + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> rt;
  for (const auto& row : j["rows"]) {
    ASSERT_TRUE(row.contains("runtime")) << row["id"];
    rt[row["id"].get<std::string>()] = row["runtime"];
    const std::string scenario = row["scenario"];
    if (scenario == "membw" || scenario == "allreduce" || scenario == "p2p") {
      EXPECT_TRUE(row["runtime"].is_null()) << row["id"];
      for (const auto& a : row["assumptions"])
        EXPECT_EQ(a.get<std::string>().find("runtime profile"), std::string::npos) << a;
    } else {
      EXPECT_TRUE(row["runtime"].is_string()) << row["id"];
    }
  }
  // The summary groups the rows by that profile ("none" for the rows of none), and every row is
  // in exactly one group.
  std::map<std::string, int> counted;
  for (const auto& [id, profile] : rt)
    ++counted[profile.is_null() ? "none" : profile.get<std::string>()];
  int grouped = 0;
  for (const auto& s : j["summary"]["by_runtime"]) {
    EXPECT_EQ(s["rows"], counted[s["key"].get<std::string>()]) << s["key"];
    grouped += s["rows"].get<int>();
  }
  EXPECT_EQ(grouped, static_cast<int>(j["rows"].size()));
  EXPECT_EQ(rt["S-USER"], "gpt-fast");
  EXPECT_EQ(rt["G-TF"], "pytorch-eager");
  EXPECT_EQ(rt["M-MAXT"], "tensorrt-llm-ifb");
  EXPECT_EQ(rt["M-CONC"], "tensorrt-llm-serve");
}

TEST(ValidateCli, TextReportListsMapeAndSkippedRows) {
  CliRun r = run("validate " + kFixture);
  ASSERT_EQ(r.exit_code, 0);
  for (const char* s : {"MAPE by scenario", "MAPE by metric", "MAPE by hardware",
                        "MAPE by runtime profile", "Skipped rows",
                        "X-HW", "unknown scenario \"statik\"",
                        "34 rows in " /* the closing summary line */})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

TEST(ValidateCli, BadFilesExitWithOneAndNameTheLine) {
  CliRun r = run("validate " + kBad + "missing_column.csv", true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("missing_column.csv:1: missing required column \"hardware\"; did you mean "
                       "\"hardwre\"?"),
            std::string::npos)
      << r.out;
  r = run("validate " + kBad + "unterminated_quote.csv", true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("unterminated_quote.csv:2:46: quoted field is never closed"),
            std::string::npos)
      << r.out;
  r = run("validate " + kBad + "no_such_file.csv", true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no_such_file.csv: no such file"), std::string::npos) << r.out;
}

TEST(CalibrateCli, JsonReportsConstantsAndHoldout) {
  CliRun r = run("calibrate " + kFixture + " --max-rounds 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["parameters"].is_array());
  EXPECT_FALSE(j["parameters"].empty());
  for (const auto& p : j["parameters"]) {
    EXPECT_GE(p["fitted"].get<double>(), p["min"].get<double>()) << p["name"];
    EXPECT_LE(p["fitted"].get<double>(), p["max"].get<double>()) << p["name"];
  }
  EXPECT_LE(j["mape_after_pct"].get<double>(), j["mape_before_pct"].get<double>());
  // The fixture has Ampere and Hopper rows: two leave-one-family-out folds.
  ASSERT_EQ(j["leave_one_family_out"].size(), 2u);
  EXPECT_EQ(j["leave_one_family_out"][0]["held_out"], "ampere");
  EXPECT_EQ(j["leave_one_family_out"][1]["held_out"], "hopper");
}

}  // namespace
