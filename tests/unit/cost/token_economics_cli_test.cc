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
  for (const char* k : {"energy_per_output_token_j", "average_power_w",
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

// run's cost per token is the cost command's TCO per hour over the tokens per hour of one device,
// in the same server (cost/system_tco.h): the device's price, its average power, the class.
TEST(RunEconomicsCli, CostPerTokenIsTheCostCommandsTcoPerHourOverTokensPerHour) {
  for (const char* system : {"", " --system nvl72-liquid --system-param pue=1.4"}) {
    SCOPED_TRACE(system);
    auto r = nlohmann::json::parse(run(kRun + " --device-price 25000" + system).out);
    const double tps = r["output_tokens_per_s_per_device"].get<double>();
    const double power = r["average_power_w"].get<double>();
    CliRun c = run("cost --hardware h100-sxm-80gb --price 25000 --format json --power " +
                   std::to_string(power) + " --tokens-per-second " + std::to_string(tps) + system);
    ASSERT_EQ(c.code, 0) << c.out;
    auto k = nlohmann::json::parse(c.out);
    EXPECT_EQ(r["economics"]["system"]["class"], k["system"]["class"]);
    EXPECT_EQ(r["economics"]["system"]["fixed_power_w"], k["system"]["fixed_power_w"]);
    const double per_hour = k["tco"]["cost_per_hour_usd"].get<double>();
    const double usd = r["cost_per_million_output_tokens_usd"].get<double>();
    EXPECT_NEAR(usd, per_hour / (tps * 3600.0) * 1e6, 1e-5 * usd);
    EXPECT_NEAR(usd, k["cost_per_million_tokens_usd"].get<double>(), 1e-5 * usd);
    EXPECT_NEAR(r["economics"]["tco_per_device_hour_usd"].get<double>(), per_hour, 1e-5 * per_hour);
  }
}

TEST(RunEconomicsCli, TheServerClassIsTheHardwaresAndItsParametersMoveTheCost) {
  auto base = nlohmann::json::parse(run(kRun + " --device-price 25000").out);
  // H100 SXM: an 8-way NVSwitch baseboard; L40S: PCIe cards.
  EXPECT_EQ(base["economics"]["system"]["class"], "hgx-8-air");
  auto pcie = nlohmann::json::parse(
      run("run --hardware l40s --model llama-3.1-8b --batch 8 --input-len 256 --output-len 64 "
          "--format json").out);
  EXPECT_EQ(pcie["economics"]["system"]["class"], "pcie-8-air");
  // A worse facility (PUE), a dearer host or more host power each cost more per token; the
  // system power follows the PUE and the host power.
  const double c = base["cost_per_million_output_tokens_usd"].get<double>();
  const double w = base["system_power_w"].get<double>();
  for (const char* p : {"pue=1.6", "host_cpu_power=3000"}) {
    auto worse = nlohmann::json::parse(
        run(kRun + " --device-price 25000 --system-param " + p).out);
    EXPECT_GT(worse["cost_per_million_output_tokens_usd"].get<double>(), c) << p;
    EXPECT_GT(worse["system_power_w"].get<double>(), w) << p;
  }
  auto dear_host = nlohmann::json::parse(
      run(kRun + " --device-price 25000 --system-param host_capital_per_server=1000000").out);
  EXPECT_GT(dear_host["cost_per_million_output_tokens_usd"].get<double>(), c);
  EXPECT_GT(dear_host["economics"]["host_capital_usd"].get<double>(),
            base["economics"]["host_capital_usd"].get<double>());
  // The flags are the cost command's: an unknown class or parameter exits 1 naming the flag.
  CliRun bad = run(kRun + " --system hgx-9-air", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("--system"), std::string::npos) << bad.out;
  CliRun badp = run(kRun + " --system-param pue=0.5", true);
  EXPECT_EQ(badp.code, 1);
  EXPECT_NE(badp.out.find("--system-param pue"), std::string::npos) << badp.out;
}

TEST(ServeEconomicsCli, TheServerClassMovesTheCostPerToken) {
  const std::string serve =
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --requests 50 --input-len 256 "
      "--output-len 64 --format json";
  auto base = nlohmann::json::parse(run(serve).out);
  EXPECT_EQ(base["system"]["class"], "hgx-8-air");
  auto worse = nlohmann::json::parse(run(serve + " --system-param pue=1.6").out);
  EXPECT_GT(worse["usd_per_million_output_tokens"].get<double>(),
            base["usd_per_million_output_tokens"].get<double>());
  EXPECT_EQ(worse["energy_per_output_token_j"], base["energy_per_output_token_j"]);  // chip only
  CliRun bad = run(serve + " --system nope", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("--system"), std::string::npos) << bad.out;
}
