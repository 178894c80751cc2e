// SPDX-License-Identifier: Apache-2.0
// `xpusim run` economics keys, run as a process (XPUSIM_BINARY): present and positive for a
// feasible scenario, present and null for an infeasible one, flags change them, bad flags exit 1.
#include <gtest/gtest.h>

#include "cli_run.h"

#include <nlohmann/json.hpp>
#include <string>

namespace {

using xpusim::testing::CliRun;
using xpusim::testing::run;

const char* const kKeys[] = {"energy_per_output_token_j", "average_power_w", "system_power_w",
                             "cost_per_million_output_tokens_usd"};
const std::string kRun =
    "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
    "--output-len 64 --format json";

TEST(RunEconomicsCli, KeysPresentAndPositive) {
  CliRun r = run(kRun);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : kKeys) {
    ASSERT_TRUE(j.contains(k)) << k;
    ASSERT_TRUE(j[k].is_number()) << k;
    EXPECT_GT(j[k].get<double>(), 0) << k;
  }
  ASSERT_TRUE(j.contains("economics"));
  const auto& e = j["economics"];
  for (const char* k : {"electricity_usd_per_kwh", "pue", "system_power_factor", "lifetime_years",
                        "utilization", "gross_margin", "device_price_usd", "prefill_power_w",
                        "decode_power_w", "capped_by_tdp"})
    EXPECT_TRUE(e.contains(k)) << k;
  EXPECT_DOUBLE_EQ(e["electricity_usd_per_kwh"].get<double>(), 0.08);
  EXPECT_DOUBLE_EQ(e["lifetime_years"].get<double>(), 4.0);
  EXPECT_LE(j["average_power_w"].get<double>(), 700.0);  // H100 SXM TDP
}

TEST(RunEconomicsCli, FlagsChangeTheCost) {
  auto base = nlohmann::json::parse(run(kRun + " --device-price 25000").out);
  auto dear = nlohmann::json::parse(run(kRun + " --device-price 25000 --electricity-price 0.3").out);
  auto longer = nlohmann::json::parse(run(kRun + " --device-price 25000 --lifetime-years 6").out);
  EXPECT_DOUBLE_EQ(base["economics"]["device_price_usd"].get<double>(), 25000.0);
  EXPECT_TRUE(base["economics"]["gross_margin"].is_null());
  const double c = base["cost_per_million_output_tokens_usd"].get<double>();
  EXPECT_GT(dear["cost_per_million_output_tokens_usd"].get<double>(), c);
  EXPECT_LT(longer["cost_per_million_output_tokens_usd"].get<double>(), c);
}

TEST(RunEconomicsCli, InfeasibleScenarioHasNullKeys) {
  CliRun r = run("run --hardware h100-sxm-80gb --model llama-3.1-405b --batch 1 --input-len 128 "
                 "--output-len 16 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  for (const char* k : kKeys) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_TRUE(j[k].is_null()) << k;
  }
  EXPECT_EQ(j["economics"]["unavailable_reason"].get<std::string>(), "scenario infeasible");
}

TEST(RunEconomicsCli, TableHasTheEconomicsLines) {
  CliRun r = run("run --hardware a100-sxm-80gb --model llama-3.1-8b --batch 4 --input-len 128 "
                 "--output-len 32");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* k : {"energy_per_output_token_j", "average_power_w (per device)",
                        "system_power_w", "cost_per_million_output_tokens_usd"})
    EXPECT_NE(r.out.find(k), std::string::npos) << k;
}

TEST(RunEconomicsCli, BadFlagsExitOneWithTheMessage) {
  CliRun r = run(kRun + " --electricity-price -1", true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("--electricity-price"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-1 is out of range; allowed 0 .. 100 USD/kWh"), std::string::npos) << r.out;
  CliRun m = run(kRun + " --gross-margin 1.5", true);
  EXPECT_EQ(m.code, 1);
  EXPECT_NE(m.out.find("--gross-margin: 1.5 is out of range; allowed 0 .. 1 (exclusive)"),
            std::string::npos)
      << m.out;
  CliRun l = run(kRun + " --lifetime-years 0", true);
  EXPECT_EQ(l.code, 1);
  EXPECT_NE(l.out.find("--lifetime-years: 0 is out of range; allowed 0 (exclusive) .. 100 years"),
            std::string::npos)
      << l.out;
}

}  // namespace
