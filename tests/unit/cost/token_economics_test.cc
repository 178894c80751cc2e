// SPDX-License-Identifier: Apache-2.0
// Token economics (cost/token_economics.h) on presets: invariants (energy per token falls with the
// batch when decode dominates, power never above the TDP, cost grows with the electricity price),
// the energy bookkeeping identity, activity by precision, and bad-assumption errors.
#include "xpusim/cost/token_economics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/perf/test_specs.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/calibration.h"

namespace xpusim {
namespace {

HardwareSpec hardware(const std::string& id, const std::vector<std::string>& overrides = {}) {
  auto hw = load_hardware(id, overrides);
  EXPECT_TRUE(hw.has_value()) << id;
  return *hw;
}

ModelSpec model(const std::string& id) {
  auto m = load_model(id);
  EXPECT_TRUE(m.has_value()) << id;
  return *m;
}

using testing::tp_scenario;

struct Scenario {
  StaticScenario sc;
  StaticResult result;
  TokenEconomics econ;
};

Scenario run(const HardwareSpec& hw, const ModelSpec& m, const StaticScenario& sc,
        const TokenEconomicsAssumptions& a = {}) {
  Scenario r{sc, simulate_static(hw, m, sc, default_calibration()).value(), {}};
  auto e = token_economics(hw, sc, r.result, a);
  EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().front().message);
  if (e) r.econ = *e;
  return r;
}

TEST(TokenEconomics, EnergyPerTokenFallsWithBatchWhenDecodeBound) {
  // Short prompt, long generation: decode streams the weights once per step for the whole batch
  // and the busy baseline is shared by more tokens, so the energy per token falls as the batch
  // grows (weights amortised). Llama 3.1 8B on one H100, and 70B on 8 H100 (tp8).
  struct Row {
    const char* model;
    int tp;
    std::vector<int64_t> batches;
  };
  const Row rows[] = {{"llama-3.1-8b", 1, {1, 4, 16, 64}}, {"llama-3.1-70b", 8, {1, 8, 32, 128}}};
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  for (const Row& row : rows) {
    const ModelSpec m = model(row.model);
    double previous = 1e300;
    for (int64_t batch : row.batches) {
      Scenario r = run(hw, m, tp_scenario(row.tp, batch, 128, 512));
      ASSERT_TRUE(r.econ.feasibility.feasible()) << row.model << ": " << r.econ.feasibility.to_string();
      const double j = r.econ.energy_per_output_token.value();
      EXPECT_GT(j, 0);
      EXPECT_LT(j, previous) << row.model << " batch " << batch;
      EXPECT_GT(r.econ.system_energy_per_output_token.value(), j);
      previous = j;
    }
  }
}

TEST(TokenEconomics, LifetimeEnergyFollowsUtilisation) {
  // Half the lifetime idle: the chip draws its static power then, the fixed system share always.
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  TokenEconomicsAssumptions full, half;
  half.tco.utilization = 0.5;
  Scenario a = run(hw, model("llama-3.1-8b"), tp_scenario(1, 16, 512, 256), full);
  Scenario b = run(hw, model("llama-3.1-8b"), tp_scenario(1, 16, 512, 256), half);
  ASSERT_TRUE(a.econ.feasibility.feasible() && b.econ.feasibility.feasible());
  const TcoAssumptions& t = b.econ.tco_assumptions;  // with the server's terms
  EXPECT_EQ(t.utilization, 0.5);
  const double chip = 0.5 * b.econ.average_power.value() +
                      0.5 * b.econ.prefill.model.static_power.value();
  EXPECT_NEAR(b.econ.tco.energy.value(),
              (chip * t.system_power_factor + t.system_fixed_power.value()) * t.lifetime.value() *
                  t.pue, 1e-3);
  EXPECT_LT(b.econ.tco.energy, a.econ.tco.energy);
  // Fewer tokens over the same capital: each costs more.
  EXPECT_GT(b.econ.cost_per_million_output_tokens, a.econ.cost_per_million_output_tokens);
}

TEST(TokenEconomics, IdleBetweenKernelsIsTheBusyBaseline) {
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  Scenario r = run(hw, model("llama-3.1-70b"), tp_scenario(8, 32, 2048, 256));
  ASSERT_TRUE(r.econ.feasibility.feasible());
  auto area = estimate_area(hw);
  ASSERT_TRUE(area);
  auto idle = busy_idle_power(hw, *area);
  ASSERT_TRUE(idle);
  EXPECT_DOUBLE_EQ(r.econ.idle_power.value(), idle->total.value());
  EXPECT_GT(r.econ.idle_power, r.econ.prefill.model.static_power);
  EXPECT_LT(r.econ.idle_power, r.econ.decode.power);
}

TEST(TokenEconomics, PowerNeverExceedsTdpOnAnyPreset) {
  const ModelSpec m = model("llama-3.1-8b");
  int checked = 0;
  for (const std::string& id : list_presets("hardware")) {
    auto hw = load_hardware(id);
    ASSERT_TRUE(hw.has_value()) << id;
    if (hw->physical.tdp.value() <= 0) continue;
    for (int64_t batch : {1, 64}) {
      StaticScenario sc = tp_scenario(1, batch, 2048, 128);
      StaticResult res = simulate_static(*hw, m, sc, default_calibration()).value();
      if (!res.feasibility.feasible()) continue;
      auto e = token_economics(*hw, sc, res);
      ASSERT_TRUE(e.has_value()) << id;
      EXPECT_LE(e->prefill.power, hw->physical.tdp) << id;
      EXPECT_LE(e->decode.power, hw->physical.tdp) << id;
      EXPECT_LE(e->average_power, hw->physical.tdp) << id;
      EXPECT_GT(e->average_power, e->idle_power) << id;
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

TEST(TokenEconomics, ModelAboveTdpIsCappedAndSaysSo) {
  // A 100 W board cannot run H100's prefill at the modelled power: capped to the TDP.
  const HardwareSpec hw = hardware("h100-sxm-80gb", {"physical.tdp=100 W"});
  Scenario r = run(hw, model("llama-3.1-8b"), tp_scenario(1, 32, 2048, 128));
  ASSERT_TRUE(r.econ.feasibility.feasible());
  EXPECT_TRUE(r.econ.capped);
  EXPECT_TRUE(r.econ.prefill.capped);
  EXPECT_GT(r.econ.prefill.model.total.value(), 100.0);
  EXPECT_DOUBLE_EQ(r.econ.prefill.power.value(), 100.0);
  EXPECT_LE(r.econ.average_power.value(), 100.0 + 1e-9);
}

TEST(TokenEconomics, EnergyBookkeeping) {
  // energy/token x tokens = average power x latency x devices; system power = devices x average
  // x overhead x PUE.
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  Scenario r = run(hw, model("llama-3.1-70b"), tp_scenario(8, 32, 2048, 256));
  ASSERT_TRUE(r.econ.feasibility.feasible());
  const double tokens = 32.0 * 256.0;
  EXPECT_NEAR(r.econ.energy_per_output_token.value() * tokens,
              (r.econ.average_power * r.result.e2e_latency).value() * 8.0, 1e-6);
  const TcoAssumptions& t = r.econ.tco_assumptions;
  EXPECT_NEAR(r.econ.system_power.value(),
              (r.econ.average_power.value() * t.system_power_factor +
               t.system_fixed_power.value()) * 8.0 * t.pue, 1e-6);
  // System energy per token x tokens = system power x latency.
  EXPECT_NEAR(r.econ.system_energy_per_output_token.value() * tokens,
              r.econ.system_power.value() * r.result.e2e_latency.value(), 1e-6);
  // The server is H100's class (8-way NVSwitch baseboard: hgx-8-air), its terms those of
  // `cost --system hgx-8-air` (system_tco.h).
  EXPECT_EQ(r.econ.system.name, "hgx-8-air");
  const SystemPowerTerms terms = system_power_terms(builtin_system("hgx-8-air").value());
  EXPECT_DOUBLE_EQ(t.system_power_factor, terms.factor);
  EXPECT_DOUBLE_EQ(t.system_fixed_power.value(), terms.fixed.value());
  EXPECT_DOUBLE_EQ(t.pue, r.econ.system.pue);
  // Prefill is compute-heavy, decode at batch 32 memory-bound: prefill draws more.
  EXPECT_GT(r.econ.prefill.power, r.econ.decode.power);
}

TEST(TokenEconomics, CostPerTokenByHandWithAGivenPrice) {
  // $/M tokens = (price + lifetime energy cost) / (tokens per second per device x lifetime) x 1e6.
  const HardwareSpec hw = hardware("a100-sxm-80gb");
  TokenEconomicsAssumptions a;
  a.device_price = units::usd(10000);
  Scenario r = run(hw, model("llama-3.1-70b"), tp_scenario(4, 32, 2048, 256), a);
  ASSERT_TRUE(r.econ.feasibility.feasible());
  EXPECT_FALSE(r.econ.device_price_modelled);
  const TcoAssumptions& t = r.econ.tco_assumptions;  // a.tco with the server's terms
  const double energy_usd = (r.econ.average_power.value() * t.system_power_factor +
                             t.system_fixed_power.value()) *
                            t.lifetime.value() * t.pue * t.electricity.value();
  const double tokens = r.result.output_tokens_per_s.value() / 4.0 * t.lifetime.value();
  const double capital = 10000 + t.host_capital.value() + t.facility_capital.value();
  EXPECT_GT(t.host_capital.value(), 0);
  EXPECT_NEAR(r.econ.cost_per_million_output_tokens.value(), (capital + energy_usd) / tokens * 1e6,
              1e-9);
}

TEST(TokenEconomics, CostIsPositiveAndGrowsWithElectricityPrice) {
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  const ModelSpec m = model("llama-3.1-8b");
  double previous = 0;
  for (double kwh : {0.0, 0.05, 0.10, 0.30}) {
    TokenEconomicsAssumptions a;
    a.tco.electricity = UsdPerJoule(kwh / 3.6e6);
    Scenario r = run(hw, m, tp_scenario(1, 16, 512, 256), a);
    ASSERT_TRUE(r.econ.feasibility.feasible());
    EXPECT_GT(r.econ.cost_per_million_output_tokens.value(), previous) << kwh;
    previous = r.econ.cost_per_million_output_tokens.value();
  }
}

TEST(TokenEconomics, DefaultPriceIsModelledCostOverOneMinusMargin) {
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  Scenario r = run(hw, model("llama-3.1-8b"), tp_scenario(1, 8, 256, 64));
  ASSERT_TRUE(r.econ.feasibility.feasible());
  EXPECT_TRUE(r.econ.device_price_modelled);
  EXPECT_GT(r.econ.modelled_cost_per_unit.value(), 0);
  EXPECT_NEAR(r.econ.device_price.value(),
              r.econ.modelled_cost_per_unit.value() / (1 - kDefaultGrossMargin), 1e-6);
}

TEST(TokenEconomics, InfeasibleScenarioIsAResultNotAnError) {
  // Llama 3.1 405B in bf16 (~810 GB) does not fit on one 80 GB H100.
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  StaticScenario sc = tp_scenario(1, 1, 128, 16);
  StaticResult res = simulate_static(hw, model("llama-3.1-405b"), sc, default_calibration()).value();
  ASSERT_FALSE(res.feasibility.feasible());
  auto e = token_economics(hw, sc, res);
  ASSERT_TRUE(e.has_value());
  EXPECT_FALSE(e->feasibility.feasible());
  EXPECT_EQ(e->feasibility.reason, InfeasibleReason::kMemory);
  EXPECT_EQ(e->feasibility.detail, res.feasibility.detail);
  // A serving run without output tokens has no energy or cost per token: infeasible, no error.
  auto none = serving_token_economics(hw, sc.precision, {}, Seconds(0), 0);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->feasibility.reason, InfeasibleReason::kNoOutput);
}

TEST(TokenEconomics, BadAssumptionsAreErrors) {
  const HardwareSpec hw = hardware("h100-sxm-80gb");
  StaticScenario sc = tp_scenario(1, 1, 128, 16);
  StaticResult res = simulate_static(hw, model("llama-3.1-8b"), sc, default_calibration()).value();
  TokenEconomicsAssumptions a;
  a.gross_margin = 1.0;
  a.device_price = units::usd(-5);
  auto e = token_economics(hw, sc, res, a);
  ASSERT_FALSE(e.has_value());
  ASSERT_EQ(e.error().size(), 2u);
  EXPECT_EQ(e.error()[0].message, "device price must be >= 0 USD, got -5");
  EXPECT_EQ(e.error()[1].message, "gross margin must be in [0, 1), got 1");
  TokenEconomicsAssumptions b;
  b.tco.pue = 0.9;
  auto f = token_economics(hw, sc, res, b);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error()[0].message, "PUE must be >= 1, got 0.9");
}

TEST(PhaseActivity, FlopByExecutionPrecisionAndBytesPerLevel) {
  // One GEMM of 1e12 FLOP, one norm of 1e9 FLOP, 2e9 DRAM bytes, 3e9 L2 bytes, 1e8 link bytes
  // over 2 s on A100: fp8 math runs as a supported wider format (A100 has no fp8 engines).
  const HardwareSpec hw = hardware("a100-sxm-80gb");
  PhaseBreakdown ph;
  OpBreakdown gemm;
  gemm.kind = OpKind::kGemm;
  gemm.flop = FlopCount(1e12);
  OpBreakdown norm;
  norm.kind = OpKind::kNorm;
  norm.flop = FlopCount(1e9);
  ph.ops = {gemm, norm};
  ph.total = units::seconds(2);
  ph.bytes = TrafficBytes{units::bytes(2e9), units::bytes(3e9), units::bytes(1e8)};
  const PrecisionPlan fp8 = precision_plan_for(Precision::kFp8, std::nullopt);
  ActivityRates a = phase_activity(hw, fp8, ph);
  const Precision exec = execution_precision(hw, fp8.math());
  EXPECT_NE(exec, Precision::kFp8);
  EXPECT_DOUBLE_EQ(a.matrix[index_of(Precision::kFp8)].value(), 0.0);
  EXPECT_DOUBLE_EQ(a.matrix[index_of(exec)].value(), 0.5e12);
  EXPECT_DOUBLE_EQ(a.vector.value(), 0.5e9);
  EXPECT_DOUBLE_EQ(a.dram.value(), 1e9);
  EXPECT_DOUBLE_EQ(a.l2.value(), 1.5e9);
  EXPECT_DOUBLE_EQ(a.scale_up.value(), 0.5e8);
  EXPECT_DOUBLE_EQ(a.die_to_die.value(), 0.0);  // one die, no I/O die
}

}  // namespace
}  // namespace xpusim
