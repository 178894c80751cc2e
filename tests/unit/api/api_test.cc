// SPDX-License-Identifier: Apache-2.0
// api/: what a library caller (the Python module) can hand that the command line's parser stops
// first -- numbers beyond a flag's bound, NaN, a choice outside the allowed ones -- comes back as
// diagnostics naming the flag, never as a crash; a valid request comes back with the document of
// `--format json`, the same from the outcome and from the JSON-only call. (api/validate.h has its
// own test file.)
#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/dse.h"
#include "xpusim/api/economics.h"
#include "xpusim/api/perf.h"
#include "xpusim/api/serve.h"
#include "xpusim/api/specs.h"

namespace xpusim::api {
namespace {

// All diagnostics of a failed result, one per line, as the command line prints them.
template <class T>
std::string why(const Result<T>& r) {
  return xpusim::testing::error_text(r);
}

RunRequest small_run() {
  RunRequest r;
  r.hardware = "h100-sxm-80gb";
  r.model = "llama-3.1-8b";
  r.batch = 4;
  r.input_len = 256;
  r.output_len = 32;
  return r;
}

TEST(Api, RunAnswersWithTheCommandsDocument) {
  const auto out = run_scenario(small_run());
  ASSERT_TRUE(out) << why(out);
  EXPECT_EQ(out->json["hardware"], "h100-sxm-80gb");
  EXPECT_EQ(out->json["feasible"], true);
  EXPECT_GT(out->json["output_tokens_per_s"].get<double>(), 0.0);
  EXPECT_EQ(out->json["devices"], 1);  // tp x pp when not given
  const auto j = run(small_run());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dump(), out->json.dump());
}

// The error band says what it was measured on: the hardware families of its held-out rows, this
// hardware's family, and whether that is one of them (a preset of another vendor, or a design with
// an id of its own, is not: its prediction extrapolates beyond the band's evidence).
TEST(Api, TheErrorBandSaysWhichFamiliesItWasMeasuredOn) {
  auto basis = [](const std::string& hardware, const std::vector<std::string>& overrides = {}) {
    GemmRequest g;
    g.hardware = hardware;
    g.overrides = overrides;
    g.m = g.n = g.k = 2048;
    const auto out = gemm_scenario(g);
    EXPECT_TRUE(out) << why(out);
    return out ? out->json["uncertainty_basis"] : nlohmann::ordered_json();
  };
  const auto h100 = basis("h100-sxm-80gb");
  EXPECT_EQ(h100["families"], (nlohmann::ordered_json{"ampere", "hopper"}));
  EXPECT_EQ(h100["hardware_family"], "hopper");
  EXPECT_EQ(h100["family_measured"], true);
  const auto mi300x = basis("mi300x");
  EXPECT_EQ(mi300x["hardware_family"], "mi300x");
  EXPECT_EQ(mi300x["family_measured"], false);
  // A new design described from an H100 is a family of its own once it has its own id.
  EXPECT_EQ(basis("h100-sxm-80gb", {"id=my-chip"})["family_measured"], false);

  const auto run = run_scenario(small_run());
  ASSERT_TRUE(run) << why(run);
  EXPECT_EQ(run->json["uncertainty_basis"]["families"],
            (nlohmann::ordered_json{"ampere", "ada", "hopper"}));
  EXPECT_EQ(run->json["uncertainty_basis"]["family_measured"], true);
}

TEST(Api, NumbersBeyondTheFlagsBoundsAreDiagnostics) {
  RunRequest r = small_run();
  r.batch = 0;
  r.tp = 5000;
  r.gross_margin = std::nan("");
  const auto out = run(r);
  ASSERT_FALSE(out);
  // Every bad number at once, each under its flag with the allowed range.
  EXPECT_EQ(why(out),
            "<command line>: --batch: 0 is out of range; allowed 1 .. 1048576 (requests per "
            "static batch; 2^20 keeps batch x tokens exact)\n"
            "<command line>: --tp: 5000 is out of range; allowed 1 .. 4096 (ways of parallelism; "
            "beyond any scale-up domain or pipeline depth)\n"
            "<command line>: --gross-margin: nan is out of range; allowed 0 .. 1 (exclusive) (a "
            "fraction of the price)");

  GemmRequest g{.hardware = "h100-sxm-80gb", .m = 1, .n = -1, .k = 1};
  EXPECT_NE(why(gemm(g)).find("--n: -1 is out of range"), std::string::npos) << why(gemm(g));

  ServeRequest s{.hardware = "h100-sxm-80gb", .model = "llama-3.1-8b", .devices = 70000};
  EXPECT_NE(why(serve(s)).find("--devices: 70000 is out of range; allowed 1 .. 65536"),
            std::string::npos)
      << why(serve(s));

  WaferRequest w{.die_width = 10, .die_height = std::numeric_limits<double>::infinity()};
  EXPECT_NE(why(wafer(w)).find("--die-height: inf is out of range"), std::string::npos)
      << why(wafer(w));
}

TEST(Api, ChoicesTheParserRestrictsAreChecked) {
  WaferRequest w{.die_width = 10, .die_height = 10, .reticle = "maybe"};
  EXPECT_EQ(why(wafer(w)), "<command line>: --reticle: expected on or off, got \"maybe\"");

  FabRequest f;
  f.hardware = "h100-sxm-80gb";
  EXPECT_EQ(why(fab(f)), "<command line>: --units: give --units N or --budget USD");
  f.units = 1e6;
  f.budget = 1e12;
  EXPECT_EQ(why(fab(f)), "<command line>: --units: excludes --budget: give one of them");

  ExploreRequest e{.space = "unused.yaml", .strategy = "annealing"};
  EXPECT_EQ(why(explore(e)),
            "<command line>: --strategy: unknown strategy \"annealing\"; allowed: grid, random, "
            "lhs (nsga2 and MPI jobs: the xpusim explore command)");

  RunRequest r = small_run();
  r.precision = "fp7";
  EXPECT_NE(why(run(r)).find("--precision: unknown precision \"fp7\""), std::string::npos);
}

TEST(Api, InfeasibleIsAnAnswerWithItsAlternatives) {
  RunRequest r = small_run();
  r.model = "llama-2-70b";
  r.batch = 64;
  const auto out = run_scenario(r);
  ASSERT_TRUE(out) << why(out);
  EXPECT_EQ(out->json["feasible"], false);
  EXPECT_EQ(out->json["infeasible_reason"], "memory");
  ASSERT_TRUE(out->smallest_feasible_plan.has_value());
  EXPECT_EQ(out->json["smallest_feasible_tp"], out->smallest_feasible_plan->tp);
  EXPECT_TRUE(out->json["ttft_ms"].is_null());
}

// serve --mlperf describes the run its figures come from (the search's reported run at its
// rate), not the workload the flags drew (it said "1000 requests ... offline" over a Server run).
TEST(Api, MlperfServeDescribesTheReportedRun) {
  ServeRequest s{.hardware = "h100-sxm-80gb", .model = "llama-3.1-8b"};
  s.dataset = "mlperf-llama3.1-8b";
  s.mlperf = "server";
  s.max_samples = 400;
  s.min_duration_s = 5;
  const auto out = serve_scenario(s);
  ASSERT_TRUE(out) << why(out);
  const auto& w = out->json["workload"];
  EXPECT_EQ(w["arrivals"], "poisson");
  EXPECT_NEAR(w["rate"].get<double>(), out->json["mlperf"]["max_qps"].get<double>(), 1e-3);
  EXPECT_NE(w["description"].get<std::string>().find(
                "MLPerf server: the reported run of " +
                std::to_string(out->json["requests"].get<long long>()) + " samples"),
            std::string::npos)
      << w["description"];
}

// A wafer whose yield rounds every die away has no good die: infeasible (wafer), no cost per good
// die (it once said feasible with the cost missing).
TEST(Api, AWaferWithoutAGoodDieIsInfeasible) {
  WaferRequest w{.die_width = 25.8, .die_height = 31.55};
  w.defect_density = 100;
  w.yield_model = "bose_einstein";
  w.layers = 1000;
  const auto out = wafer_scenario(w);
  ASSERT_TRUE(out) << why(out);
  EXPECT_EQ(out->json["feasible"], false);
  EXPECT_EQ(out->json["infeasible_reason"], "wafer");
  EXPECT_EQ(out->json["good_dies"], 0);
  EXPECT_TRUE(out->json["cost_per_good_die_usd"].is_null());
  w.defect_density = 0.1;
  EXPECT_EQ(wafer_scenario(w)->json["feasible"], true);
}

// A chip the cost model cannot build (one die beyond the reticle) has no modelled price: the
// economics say why instead of pricing it; a given device price still prices the run.
TEST(Api, AnUnbuildableChipHasNoModelledPrice) {
  RunRequest r = small_run();
  r.hardware = "b200-sxm-180gb";
  r.overrides = {"physical.compute_die.count=1"};  // one 1457 mm² die
  const auto out = run_scenario(r);
  ASSERT_TRUE(out) << why(out);
  EXPECT_EQ(out->json["feasible"], true);
  EXPECT_TRUE(out->json["cost_per_million_output_tokens_usd"].is_null());
  EXPECT_TRUE(out->json["economics"]["device_price_usd"].is_null());
  EXPECT_NE(out->json["economics"]["unavailable_reason"].get<std::string>().find(
                "no modelled price: the chip cannot be built (reticle: "),
            std::string::npos)
      << out->json["economics"]["unavailable_reason"];
  r.device_price_usd = 30000;
  EXPECT_TRUE(run_scenario(r)->json["cost_per_million_output_tokens_usd"].is_number());
}

// One output token has no time per output token: null, as is its band; TTFT is the latency.
TEST(Api, OneOutputTokenHasNoTpot) {
  RunRequest r = small_run();
  r.output_len = 1;
  const auto out = run_scenario(r);
  ASSERT_TRUE(out) << why(out);
  EXPECT_TRUE(out->json["tpot_ms"].is_null());
  EXPECT_TRUE(out->json["uncertainty"]["tpot_ms"].is_null());
  EXPECT_EQ(out->json["ttft_ms"], out->json["e2e_latency_ms"]);
  r.output_len = 2;
  EXPECT_TRUE(run_scenario(r)->json["tpot_ms"].is_number());
}

// A serving run in which every request is rejected answers nothing: infeasible, no_output, with
// the rejections by reason (it once said feasible with no figures).
TEST(Api, AServingRunWithoutACompletedRequestIsInfeasible) {
  ServeRequest s{.hardware = "h100-sxm-80gb", .model = "llama-3.1-8b"};
  s.input_len = 131000;  // + 1000 output: beyond Llama-3.1's 131,072-token context
  s.output_len = 1000;
  s.requests = 4;
  const auto out = serve_scenario(s);
  ASSERT_TRUE(out) << why(out);
  EXPECT_EQ(out->json["feasible"], false);
  EXPECT_EQ(out->json["infeasible_reason"], "no_output");
  EXPECT_NE(out->json["infeasible_detail"].get<std::string>().find("4 of 4 rejected (4 longer"),
            std::string::npos)
      << out->json["infeasible_detail"];
  EXPECT_EQ(out->json["rejections"]["longer_than_max_model_len"], 4);
}

TEST(Api, SpecsWithOverrides) {
  const auto hw = hardware({.spec = "h100-sxm-80gb", .overrides = {"memory.dram.bandwidth=6TB/s"}});
  ASSERT_TRUE(hw) << why(hw);
  EXPECT_EQ((*hw)["dram_bandwidth_gbs"], 6000);
  const auto bad = hardware({.spec = "h100-sxm-80gb", .overrides = {"memory.dram.bandwidth=fast"}});
  EXPECT_NE(why(bad).find("memory.dram.bandwidth"), std::string::npos) << why(bad);
  const auto m = model({.spec = "llama-3.1-8b"});
  ASSERT_TRUE(m) << why(m);
  EXPECT_EQ((*m)["id"], "llama-3.1-8b");
  EXPECT_FALSE(model({.spec = "no-such-model"}));
}

}  // namespace
}  // namespace xpusim::api
