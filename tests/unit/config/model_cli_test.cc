// SPDX-License-Identifier: Apache-2.0
// `xpusim list|show|describe model` run as a process (XPUSIM_BINARY): exit codes, stderr text and
// the JSON keys other tools read (parameters, active_parameters, weight_bytes,
// kv_cache_bytes_per_token).
#include <gtest/gtest.h>

#include "cli_run.h"

#include <nlohmann/json.hpp>
#include <string>

namespace {

using xpusim::testing::CliRun;
using xpusim::testing::run;

const std::string kBad = std::string(XPUSIM_TEST_DATA_DIR) + "/bad/model/";
const std::string kHf = std::string(XPUSIM_TEST_DATA_DIR) + "/hf/";

TEST(ModelCli, BadInputExitsWithOneAndExplains) {
  CliRun r = run("show model " + kBad + "heads_not_divisible.yaml", true);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "error: " + kBad +
                       "heads_not_divisible.yaml:8:1: kv_heads: heads (8) must be a multiple of "
                       "kv_heads (3): grouped-query attention shares each key/value head among "
                       "heads / kv_heads query heads\n");
  CliRun json = run("show model " + kBad + "malformed.json", true);
  EXPECT_EQ(json.code, 1);
  EXPECT_NE(json.out.find("malformed.json:4:21: malformed JSON"), std::string::npos) << json.out;
  CliRun set = run("show model llama-2-7b --set layers=0", true);
  EXPECT_EQ(set.code, 1);
  EXPECT_EQ(set.out,
            "error: <command line>: layers: value \"0\" is out of range; allowed: >= 1 and <= "
            "1e+08\n");
}

TEST(ModelCli, ShowJsonHasTheContractKeys) {
  CliRun r = run("--format json show model mixtral-8x7b");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["parameters"].get<double>(), 46702792704.0);
  EXPECT_DOUBLE_EQ(j["active_parameters"].get<double>(), 12879925248.0);
  EXPECT_DOUBLE_EQ(j["weight_bytes"]["bf16"].get<double>(), 2.0 * 46702792704.0);
  // 2 x 32 layers x 8 kv heads x 128 x 2 bytes.
  EXPECT_DOUBLE_EQ(j["kv_cache_bytes_per_token"]["bf16"].get<double>(), 131072.0);
  // 4-bit formats with their block scales: NVFP4 4.5 bits, int4 (128 per scale + zero) 4.25.
  EXPECT_DOUBLE_EQ(j["weight_bytes"]["fp4"].get<double>(), 4.5 / 8 * 46702792704.0);
  EXPECT_DOUBLE_EQ(j["weight_bytes"]["int4"].get<double>(), 4.25 / 8 * 46702792704.0);
  EXPECT_EQ(j["attention_kind"], "gqa");
  CliRun text = run("show model mixtral-8x7b");
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("int4 4.25 bits (128 values per 4-byte scale), fp4 4.5 bits (16 values "
                          "per 1-byte scale)"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(j["spec"]["moe"]["experts"], 8);

  CliRun hf = run("--format json show model " + kHf + "deepseek-v3.json --set moe.experts_per_token=4");
  ASSERT_EQ(hf.code, 0);
  auto d = nlohmann::json::parse(hf.out);
  EXPECT_EQ(d["attention_kind"], "mla");
  EXPECT_EQ(d["spec"]["moe"]["experts_per_token"], 4);
  EXPECT_DOUBLE_EQ(d["kv_cache_bytes_per_token"]["fp8"].get<double>(), 61.0 * 576.0);
}

TEST(ModelCli, ListAndDescribe) {
  CliRun r = run("--format json list models");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 41u);
  bool found = false;
  for (const auto& row : j)
    if (row["id"] == "llama-3.1-405b") found = row["parameters"].get<double>() > 4e11;
  EXPECT_TRUE(found);
  CliRun text = run("list models");
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("qwen3-30b-a3b"), std::string::npos);
  CliRun d = run("describe model");
  EXPECT_EQ(d.code, 0);
  EXPECT_NE(d.out.find("moe.experts_per_token"), std::string::npos);
  EXPECT_EQ(run("show model no-such-model", true).code, 1);
}

}  // namespace
