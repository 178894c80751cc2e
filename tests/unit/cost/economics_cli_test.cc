// SPDX-License-Identifier: Apache-2.0
// `xpusim area|wafer|cost|fab` run as a process (XPUSIM_BINARY): the JSON contract keys, exit code
// 1 with the message text for bad input, and infeasible designs reported as results (exit 0).
#include <gtest/gtest.h>

#include "cli_run.h"

#include <nlohmann/json.hpp>
#include <filesystem>
#include <string>
#include <vector>

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
  EXPECT_EQ(j["infeasible_reason"], "reticle");
  EXPECT_NE(j["infeasible_detail"].get<std::string>().find("reticle field"), std::string::npos);
  // No die of a size the scanner cannot expose: no count, yield or cost, only how far it is off.
  for (const char* k : {"gross_dies_formula", "full_dies", "dies_per_shot", "shots", "yield",
                        "good_dies", "cost_per_die_usd", "cost_per_good_die_usd"})
    EXPECT_TRUE(j[k].is_null()) << k << " = " << j[k];
  EXPECT_EQ(j["reticle_width_mm"].get<double>(), 26.0);
  EXPECT_EQ(j["reticle_height_mm"].get<double>(), 33.0);
  EXPECT_NEAR(j["reticle_overhang_width_mm"].get<double>(), 4.0, 1e-9);
  EXPECT_NEAR(j["reticle_overhang_height_mm"].get<double>(), 0.0, 1e-9);
  CliRun table = run("wafer --die-width 30 --die-height 30");
  ASSERT_EQ(table.code, 0);
  EXPECT_EQ(table.out.rfind("INFEASIBLE: reticle: a 30 x 30 mm die does not fit", 0), 0u)
      << table.out;
  for (const char* k : {"good_dies", "full_dies", "cost_per_good_die_usd"})
    EXPECT_EQ(table.out.find(k), std::string::npos) << k << " in\n" << table.out;
  // A feasible die keeps every figure and no overhang.
  auto ok = nlohmann::json::parse(run("wafer --die-width 20 --die-height 20 --format json").out);
  EXPECT_TRUE(ok["feasible"].get<bool>());
  EXPECT_TRUE(ok["infeasible_reason"].is_null());
  EXPECT_TRUE(ok["reticle_overhang_width_mm"].is_null());
  EXPECT_GT(ok["good_dies"].get<int>(), 0);
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

// 300 units on H100's die: ~1350 mm², beyond the 858 mm² reticle.
const std::string kOversized = "--hardware h100-sxm-80gb --units-on-die 300";

TEST(AreaCli, DieBeyondTheReticleIsInfeasibleWithTheExcess) {
  CliRun r = run("area " + kOversized + " --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "reticle");
  EXPECT_EQ(j["reticle_area_mm2"].get<double>(), 858.0);
  EXPECT_NEAR(j["reticle_excess_mm2"].get<double>(), j["total_area_mm2"].get<double>() - 858.0,
              0.01);
  EXPECT_FALSE(j["dies"][0]["within_reticle"].get<bool>());
  CliRun table = run("area " + kOversized);
  ASSERT_EQ(table.code, 0);
  EXPECT_EQ(table.out.rfind("INFEASIBLE: reticle: compute die of ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("exceeds the 26 x 33 mm reticle (858 mm²) by "), std::string::npos);
  auto ok = nlohmann::json::parse(run("area --hardware h100-sxm-80gb --format json").out);
  EXPECT_TRUE(ok["reticle_excess_mm2"].is_null());
  EXPECT_TRUE(ok["infeasible_detail"].is_null());
}

TEST(CostCli, DieBeyondTheReticleHasNoCostPerDie) {
  CliRun r = run("cost " + kOversized + " --tokens-per-second 1000 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "reticle");
  for (const char* k : {"logic_dies_usd", "package_usd", "test_assembly_usd",
                        "manufacturing_cost_usd", "nre_per_unit_usd", "total_per_unit_usd",
                        "cost_per_million_tokens_usd"})
    EXPECT_TRUE(j[k].is_null()) << k << " = " << j[k];
  for (const char* k : {"full_dies", "sellable_yield", "cost_per_good_die_usd"})
    EXPECT_TRUE(j["dies"][0][k].is_null()) << k;
  EXPECT_TRUE(j["package"]["total_usd"].is_null());
  EXPECT_TRUE(j["tco"]["total_usd"].is_null());
  EXPECT_GT(j["design_nre_usd"].get<double>(), 0);  // what the design would cost exists
  CliRun table = run("cost " + kOversized);
  ASSERT_EQ(table.code, 0);
  EXPECT_EQ(table.out.rfind("INFEASIBLE: reticle: ", 0), 0u) << table.out;
  for (const char* k : {"\ntotal_per_unit_usd ", "\nmanufacturing_cost_usd ", "\ntco.total_usd "})
    EXPECT_EQ(table.out.find(k), std::string::npos) << k << " in\n" << table.out;
  EXPECT_NE(table.out.find("\ndesign_nre_usd "), std::string::npos) << table.out;
}

TEST(FabCli, BudgetBelowTheDesignCostBuildsNothing) {
  CliRun r = run("fab --hardware h100-sxm-80gb --budget 1e6 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "budget");
  EXPECT_NEAR(j["budget_shortfall_usd"].get<double>(),
              j["design_nre_usd"].get<double>() - j["budget_usd"].get<double>(),
              1e-6 * j["design_nre_usd"].get<double>());
  for (const char* k : {"units_per_year", "logic_wafers_per_year", "hbm_stacks_per_year",
                        "dram_wafers_per_year", "logic_fabs", "total_capex_usd",
                        "years_to_build", "binding_input"})
    EXPECT_TRUE(j[k].is_null()) << k << " = " << j[k];
  EXPECT_TRUE(j["logic"].empty());
  CliRun table = run("fab --hardware h100-sxm-80gb --budget 1e6");
  ASSERT_EQ(table.code, 0);
  EXPECT_EQ(table.out.rfind("INFEASIBLE: budget: the budget of $1e+06 does not cover the design "
                            "NRE",
                            0),
            0u)
      << table.out;
  EXPECT_NE(table.out.find("budget_shortfall_usd"), std::string::npos);
  for (const char* k : {"capex", "stacks", "wafers", "fabs"})
    EXPECT_EQ(table.out.find(k), std::string::npos) << k << " in\n" << table.out;
  // A design that cannot be built is infeasible at any budget and for any unit count.
  auto big = nlohmann::json::parse(run("fab " + kOversized + " --units 1e6 --format json").out);
  EXPECT_EQ(big["infeasible_reason"], "reticle");
  EXPECT_EQ(big["units_per_year"].get<double>(), 1e6);  // the question, not a figure
  EXPECT_TRUE(big["total_capex_usd"].is_null());
}

// The terminal tables of area and cost are drawn from the JSON: a row per record of each list
// shown (area's components per die, the dies) and a row per scalar field of the document.
using nlohmann::ordered_json;

// The scalar fields of a JSON object by dotted name (lists left out), those with a figure.
void scalar_keys(const ordered_json& obj, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it->is_object()) scalar_keys(*it, prefix + it.key() + ".", out);
    else if (!it->is_array() && !it->is_null()) out.push_back(prefix + it.key());
  }
}

// Lines of `text` that start with `first` followed by a space.
size_t rows_starting(const std::string& text, const std::string& first) {
  size_t n = 0;
  for (size_t at = text.find("\n" + first + " "); at != std::string::npos;
       at = text.find("\n" + first + " ", at + 1))
    ++n;
  return n;
}

TEST(AreaCli, TheTablesAreTheJsonsRecordsAndFields) {
  const auto j = ordered_json::parse(run("area --hardware mi300x --format json").out);
  const CliRun t = run("area --hardware mi300x");
  ASSERT_EQ(t.code, 0) << t.out;
  EXPECT_EQ(t.out.rfind("dies.name  dies.count  dies.node  dies.components.name", 0), 0u) << t.out;
  for (const auto& die : j["dies"]) {
    const std::string name = die["name"].get<std::string>();
    // One row per component, and the die's own row (size, reticle check) in the dies table.
    EXPECT_EQ(rows_starting(t.out, name), die["components"].size() + 1) << name << "\n" << t.out;
    for (const auto& c : die["components"])
      EXPECT_NE(t.out.find(c["name"].get<std::string>()), std::string::npos) << c["name"];
  }
  for (const char* column : {"dies.area_mm2", "dies.within_reticle", "dies.width_mm"})
    EXPECT_NE(t.out.find(column), std::string::npos) << column;
  std::vector<std::string> keys;
  scalar_keys(j, "", keys);
  for (const std::string& k : keys)
    if (k != "feasible") {
      EXPECT_EQ(rows_starting(t.out, k), 1u) << k << "\n" << t.out;
    }
}

TEST(CostCli, TheTablesAreTheJsonsRecordsAndFieldsInTheBuildUpsOrder) {
  const auto j = ordered_json::parse(run("cost --hardware mi300x --format json").out);
  const CliRun t = run("cost --hardware mi300x");
  ASSERT_EQ(t.code, 0) << t.out;
  for (const auto& die : j["dies"])
    EXPECT_EQ(rows_starting(t.out, die["name"].get<std::string>()), 1u) << t.out;
  std::vector<std::string> keys;
  scalar_keys(j, "", keys);
  for (const std::string& k : keys)
    if (k != "feasible" && k != "system.description") {
      EXPECT_EQ(rows_starting(t.out, k), 1u) << k << "\n" << t.out;
    }
  // The waterfall reads top to bottom as the JSON does.
  size_t last = 0;
  for (const char* k : {"logic_dies_usd", "memory_usd", "package_usd", "test_assembly_usd",
                        "manufacturing_cost_usd", "nre_per_unit_usd", "total_per_unit_usd",
                        "tco.energy_usd", "tco.total_usd", "tco.cost_per_hour_usd"}) {
    const size_t at = t.out.find("\n" + std::string(k) + " ");
    ASSERT_NE(at, std::string::npos) << k;
    EXPECT_GT(at, last) << k;
    last = at;
  }
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
  EXPECT_TRUE(k["feasible"].get<bool>());
  EXPECT_TRUE(k["budget_shortfall_usd"].is_null());
  CliRun none = run("fab --hardware h100-sxm-80gb", true);
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.out.find("give --units N or --budget USD"), std::string::npos) << none.out;
  CliRun typo = run("fab --hardware h100-sxm-80gb --units 10 --assume logic_fab_capx=1", true);
  EXPECT_EQ(typo.code, 1);
  EXPECT_NE(typo.out.find("did you mean 'logic_fab_capex'?"), std::string::npos) << typo.out;
}

// Every shipped hardware preset (TPUs included: their process node is an estimate, flagged in the
// YAML) goes through area, cost and fab: a result (exit 0) that is either feasible or says
// INFEASIBLE with its reason, never an error.
TEST(EconomicsCli, AreaCostAndFabWorkOnEveryShippedPreset) {
  std::vector<std::string> ids;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(XPUSIM_DATA_DIR) + "/presets/hardware"))
    if (e.path().extension() == ".yaml") ids.push_back(e.path().stem().string());
  ASSERT_GE(ids.size(), 20u);
  for (const std::string& id : ids) {
    for (const std::string cmd : {"area", "cost", "fab --units 1e6"}) {
      CliRun r = run(cmd + " --hardware " + id + " --format json");
      ASSERT_EQ(r.code, 0) << cmd << " " << id << ": " << run(cmd + " --hardware " + id, true).out;
      auto j = nlohmann::json::parse(r.out);
      ASSERT_TRUE(j.contains("feasible")) << cmd << " " << id;
      if (!j["feasible"].get<bool>()) {
        EXPECT_FALSE(j["infeasible_reason"].is_null()) << cmd << " " << id;
        EXPECT_NE(run(cmd + " --hardware " + id).out.find("INFEASIBLE"), std::string::npos)
            << cmd << " " << id;
      }
    }
  }
}

}  // namespace
