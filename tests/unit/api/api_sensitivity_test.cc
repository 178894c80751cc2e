// SPDX-License-Identifier: Apache-2.0
// api/sensitivity.h: the library call gives the elasticities of the dse module on the request's
// base design, and checks a caller's numbers as the command line checks its text (each bad value
// a diagnostic naming the flag).
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/sensitivity.h"

namespace xpusim::api {
namespace {

template <class T>
std::string why(const Result<T>& r) {
  return xpusim::testing::error_text(r);
}

SensitivityRequest static_request() {
  SensitivityRequest r;
  r.hardware = "h100-sxm-80gb";
  r.model = "llama-3.1-8b";
  r.batch = 8;
  r.input_len = 256;
  r.output_len = 32;
  r.metrics = {"tpot_ms"};
  return r;
}

TEST(ApiSensitivity, DecodeOfASmallModelIsBoundByTheDramBandwidth) {
  const auto j = sensitivity(static_request());
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["feasible"], true);
  EXPECT_EQ((*j)["scenario"]["kind"], "static");
  EXPECT_TRUE((*j)["scenario"]["precision_note"].is_null());  // H100 has bf16 engines
  // TPOT of batch-8 decode streams the weights: more DRAM bandwidth, less TPOT, by less than in
  // proportion (kernel gaps and the step's host cost do not shrink; ~-0.45 today).
  double bw = NAN;
  for (const auto& f : (*j)["fields"])
    if (f["path"] == "memory.dram.bandwidth") bw = f["elasticity"]["tpot_ms"].get<double>();
  EXPECT_LT(bw, -0.3);
  EXPECT_GT(bw, -1.0);
  EXPECT_EQ((*j)["binding"]["tpot_ms"]["field"], (*j)["ranking"]["tpot_ms"][0]);
}

TEST(ApiSensitivity, FallbackPrecisionCarriesRunsNote) {
  SensitivityRequest r = static_request();
  r.hardware = "a100-sxm-80gb";
  r.precision = "fp8";
  const auto j = sensitivity(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["scenario"]["weight_only_fallback"], true);
  ASSERT_TRUE((*j)["scenario"]["precision_note"].is_string());
  EXPECT_NE((*j)["scenario"]["precision_note"].get<std::string>().find("fp8"), std::string::npos);
}

// --expert-precision: the routed experts' format is the scenario's, with its fallback in the
// note; a dense model refuses it under the flag.
TEST(ApiSensitivity, ExpertPrecisionIsTheScenariosAndADenseModelRefusesIt) {
  SensitivityRequest r = static_request();
  r.model = "gpt-oss-20b";
  r.expert_precision = "fp4";
  const auto j = sensitivity(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["scenario"]["expert_precision"], "fp4");
  EXPECT_EQ((*j)["scenario"]["weight_only_fallback"], false);  // the bf16 rest runs as asked
  ASSERT_TRUE((*j)["scenario"]["precision_note"].is_string());
  EXPECT_NE((*j)["scenario"]["precision_note"].get<std::string>().find("routed experts: fp4"),
            std::string::npos);
  r = static_request();
  EXPECT_TRUE((*sensitivity(r))["scenario"]["expert_precision"].is_null());
  r.expert_precision = "fp4";
  const auto dense = sensitivity(r);
  ASSERT_FALSE(dense);
  EXPECT_NE(why(dense).find("<command line>: --expert-precision: \"fp4\" is given, but no model"),
            std::string::npos)
      << why(dense);
}

// --weight-group-size: the scenario's 4-bit weights take the checkpoint's group (gpt-oss's MXFP4,
// 32) and the JSON says so; weights without block scales refuse it under the flag.
TEST(ApiSensitivity, WeightGroupSizeIsTheScenariosAndNeedsBlockScaledWeights) {
  SensitivityRequest r = static_request();
  r.model = "gpt-oss-20b";
  r.expert_precision = "fp4";
  r.weight_group = 32;
  const auto j = sensitivity(r);
  ASSERT_TRUE(j) << why(j);
  EXPECT_EQ((*j)["scenario"]["weight_group_size"], 32);
  r = static_request();
  EXPECT_TRUE((*sensitivity(r))["scenario"]["weight_group_size"].is_null());
  r.weight_group = 32;
  const auto bf16 = sensitivity(r);
  ASSERT_FALSE(bf16);
  EXPECT_NE(why(bf16).find("--weight-group-size: 32 is given with bf16 weights"), std::string::npos)
      << why(bf16);
}

TEST(ApiSensitivity, ACallersBadNumbersNameTheFlags) {
  const std::vector<std::pair<void (*)(SensitivityRequest&), std::string>> cases = {
      {[](SensitivityRequest& r) { r.step = 0.9; }, "--step"},
      {[](SensitivityRequest& r) { r.step = NAN; }, "--step"},
      {[](SensitivityRequest& r) { r.devices = -2; }, "--devices"},
      {[](SensitivityRequest& r) { r.tp = 0; }, "--tp"},
      {[](SensitivityRequest& r) { r.batch = 0; }, "--batch"},
      {[](SensitivityRequest& r) { r.scenario = "server"; }, "--scenario: unknown scenario"},
      {[](SensitivityRequest& r) { r.metrics = {"cost_usd"}; }, "--metric: unknown metric"},
      {[](SensitivityRequest& r) { r.precision = "fp9"; }, "--precision: unknown precision"},
      {[](SensitivityRequest& r) { r.overrides = {"compute.units=100"}; }, "--set"},
  };
  for (const auto& [mutate, message] : cases) {
    SensitivityRequest r = static_request();
    mutate(r);
    const auto j = sensitivity(r);
    ASSERT_FALSE(j) << message;
    EXPECT_NE(why(j).find(message), std::string::npos) << why(j);
  }
}

}  // namespace
}  // namespace xpusim::api
