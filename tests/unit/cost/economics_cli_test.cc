// SPDX-License-Identifier: Apache-2.0
// `xpusim area|wafer|cost|fab` run as a process (XPUSIM_BINARY): the JSON contract keys, exit code
// 1 with the message text for bad input, and infeasible designs reported as results (exit 0).
#include <gtest/gtest.h>

#include "cli_run.h"

#include <nlohmann/json.hpp>
#include <string>

namespace {

using xpusim::testing::CliRun;
using xpusim::testing::run;

TEST(WaferCli, JsonKeysAndTheSemiAnalysisGridCount) {
  CliRun r = run("wafer --die-width 28.53 --die-height 28.53 --reticle off --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"gross_dies_formula", "full_dies", "yield", "good_dies",
                        "cost_per_good_die_usd"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["full_dies"].get<int>(), 70);
  // Murphy at 814 mm², D0 0.1 (economics.md §2.2).
  EXPECT_NEAR(j["yield"].get<double>(), 0.4681, 1e-4);
  const int good = j["good_dies"].get<int>();
  EXPECT_EQ(good, 70 - static_cast<int>(std::lround((1 - j["yield"].get<double>()) * 70)));
  EXPECT_NEAR(j["cost_per_good_die_usd"].get<double>(), 16988.0 / good, 0.01);
}

TEST(WaferCli, ChipletActuaryFormulaThroughFlags) {
  CliRun r = run("wafer --die-width 10 --die-height 10 --edge-exclusion 5 --scribe 0.2 "
                 "--yield-model negative_binomial --alpha 2 --defect-density 0.1 --wafer-cost "
                 "10000 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["gross_dies_formula"].get<double>(), 571.71, 0.01);
  EXPECT_NEAR(j["yield"].get<double>(), 0.9070, 1e-4);
  EXPECT_EQ(j["dies_per_shot"].get<int>(), 6);
}

TEST(WaferCli, OversizedDieIsInfeasibleNotAnError) {
  CliRun r = run("wafer --die-width 30 --die-height 30 --format json");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_NE(j["infeasible_reason"].get<std::string>().find("reticle field"), std::string::npos);
}

TEST(WaferCli, BadInputsExitOneWithClearErrors) {
  CliRun big = run("wafer --die-width 400 --die-height 10", true);
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.out.find("is larger than the usable wafer"), std::string::npos) << big.out;
  CliRun neg = run("wafer --die-width 10 --die-height 10 --defect-density -0.1", true);
  EXPECT_EQ(neg.code, 1);
  EXPECT_NE(neg.out.find("error: <command line>: --defect-density: -0.1 is out of range; allowed "
                         "0 .. 100 per cm² (killer defect density"),
            std::string::npos)
      << neg.out;
  CliRun typo = run("wafer --die-width 10 --die-height 10 --yield-model murpy", true);
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.out.find("unknown yield model 'murpy'"), std::string::npos) << typo.out;
  EXPECT_NE(typo.out.find("did you mean 'murphy'?"), std::string::npos) << typo.out;
}

TEST(AreaCli, TotalAreaKeyAndComponents) {
  CliRun r = run("area --hardware h100-sxm-80gb --units-on-die 144 --dram-phys-on-die 6 "
                 "--format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["total_area_mm2"].get<double>(), 814, 81.4);
  EXPECT_TRUE(j["feasible"].get<bool>());
  EXPECT_FALSE(j["dies"][0]["components"].empty());
}

TEST(AreaCli, UnknownHardwareExitsOne) {
  CliRun r = run("area --hardware h100-sxm-80", true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("h100-sxm-80gb"), std::string::npos) << r.out;  // did-you-mean
}

TEST(CostCli, BuildUpKeysAndTokens) {
  CliRun r = run("cost --hardware h100-sxm-80gb --volume 500000 --tokens-per-second 2000 "
                 "--format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"logic_dies_usd", "memory_usd", "package_usd", "test_assembly_usd",
                        "manufacturing_cost_usd", "nre_per_unit_usd", "total_per_unit_usd",
                        "cost_per_million_tokens_usd"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_NEAR(j["nre_per_unit_usd"].get<double>() * 500000, j["design_nre_usd"].get<double>(),
              1e-3 * j["design_nre_usd"].get<double>());
  CliRun bad = run("cost --hardware h100-sxm-80gb --volume 0", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("--volume: 0 is out of range; allowed 1 .. 1e12 packages"),
            std::string::npos)
      << bad.out;
  CliRun bond = run("cost --hardware h100-sxm-80gb --bond-yield 1.5", true);
  EXPECT_EQ(bond.code, 1);
  EXPECT_NE(bond.out.find("--bond-yield: 1.5 is out of range; allowed 0 (exclusive) .. 1"),
            std::string::npos)
      << bond.out;
  // Better bonding wastes fewer known-good dies: the package gets cheaper.
  CliRun good = run("cost --hardware h100-sxm-80gb --bond-yield 0.999 --format json");
  ASSERT_EQ(good.code, 0);
  EXPECT_LT(nlohmann::json::parse(good.out)["package_usd"].get<double>(),
            j["package_usd"].get<double>());
}

TEST(FabCli, UnitsAndBudget) {
  CliRun u = run("fab --hardware h100-sxm-80gb --units 2000000 --format json");
  ASSERT_EQ(u.code, 0) << u.out;
  auto j = nlohmann::json::parse(u.out);
  EXPECT_GT(j["logic_wafers_per_year"].get<double>(), 0);
  EXPECT_FALSE(j["binding_input"].get<std::string>().empty());
  CliRun b = run("fab --hardware h100-sxm-80gb --budget 5e12 --format json");
  ASSERT_EQ(b.code, 0) << b.out;
  auto k = nlohmann::json::parse(b.out);
  EXPECT_GT(k["units_per_year"].get<double>(), 1e6);
  CliRun none = run("fab --hardware h100-sxm-80gb", true);
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.out.find("give --units N or --budget USD"), std::string::npos) << none.out;
  CliRun typo = run("fab --hardware h100-sxm-80gb --units 10 --assume logic_fab_capx=1", true);
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.out.find("did you mean 'logic_fab_capex'?"), std::string::npos) << typo.out;
}

}  // namespace
