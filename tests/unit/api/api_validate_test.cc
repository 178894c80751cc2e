// SPDX-License-Identifier: Apache-2.0
// api/validate.h: the scenario choices the command line's parser restricts, --set refused, and
// the document of a report (its keys sorted, as `validate --format json` prints them).
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/validate.h"

namespace xpusim::api {
namespace {

// All diagnostics of a failed result, one per line, as the command line prints them.
template <class T>
std::string why(const Result<T>& r) {
  return xpusim::testing::error_text(r);
}

const std::string kFixture = std::string(XPUSIM_TEST_DATA_DIR) + "/validation/fixture.csv";

TEST(ApiValidate, UnknownScenarioAndOverridesAreDiagnostics) {
  ValidateRequest v{.file = kFixture, .scenarios = {"statc"}};
  EXPECT_NE(why(validate(v)).find("--scenarios: unknown scenario \"statc\"; allowed: "),
            std::string::npos)
      << why(validate(v));
  EXPECT_NE(why(validate(v)).find("(did you mean \"static\"?)"), std::string::npos);
  v = {.file = kFixture, .overrides = {"compute.units=1"}};
  EXPECT_NE(why(validate(v)).find("--set is not used by this command"), std::string::npos);
  v = {.file = kFixture + ".missing"};
  EXPECT_FALSE(validate(v));
}

TEST(ApiValidate, OnlyTheScenariosAsked) {
  const auto all = validate_scenario({.file = kFixture});
  ASSERT_TRUE(all) << why(all);
  const auto only = validate_scenario({.file = kFixture, .scenarios = {"static"}});
  ASSERT_TRUE(only) << why(only);
  ASSERT_FALSE(only->report.rows.empty());
  EXPECT_LT(only->report.rows.size(), all->report.rows.size());
  for (const auto& r : only->report.rows) EXPECT_EQ(r.scenario, "static");
  // Keys in sorted order, as nlohmann::json writes them.
  const Json& j = only->json;
  EXPECT_EQ(j.begin().key(), "rows");
  EXPECT_EQ(j["summary"].begin().key(), "by_hardware");
  EXPECT_EQ(j["summary"]["simulated"], only->report.rows.size());
}

}  // namespace
}  // namespace xpusim::api
