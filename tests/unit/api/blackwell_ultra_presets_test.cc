// SPDX-License-Identifier: Apache-2.0
// Blackwell Ultra presets (b300: HGX/DGX B300 SXM; gb300: per GPU of GB300 NVL72), the two
// ../shared/reference/specs.csv ids that had no preset: each loads, its published dense peaks
// follow from its fields (units x engines x MACs x 2 x clock), it holds the invariants that its
// sources state against B200/GB200 (same die family: same BF16/FP8 rate, 1.5x the dense FP4 rate,
// twice the exp rate, more HBM at the same bandwidth, a higher power limit on GB300), and every
// command (run, gemm, area, cost, fab, validate) gives finite positive answers on it.
#include <cmath>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "result_text.h"

#include "xpusim/api/perf.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/fab/buildout.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/validate/measured_row.h"
#include "xpusim/validate/validator.h"

namespace xpusim {
namespace {

HardwareSpec bu_load(const std::string& id) {
  auto h = load_hardware(id, {});
  EXPECT_TRUE(h) << id << ": " << (h ? "" : to_string(h.error()));
  return h ? *h : HardwareSpec{};
}

// units x engines x MACs/cycle x 2 x clock, from the spec's own fields (TFLOP/s).
double bu_hand_peak_tflops(const HardwareSpec& hw, Precision p) {
  const auto& c = hw.compute;
  return c.units * c.matrix.engines_per_unit * c.matrix.macs_per_cycle[index_of(p)] * 2.0 *
         c.clock.value() / 1e12;
}

TEST(BlackwellUltraPresets, LoadAndReproduceTheirPublishedPeaksWithinOnePercent) {
  struct Row {
    const char* id;
    Precision p;
    double published_tflops;  // [specs] dense peak (b300 fp4: see the preset's fp4 comment)
  };
  const Row rows[] = {
      {"b300", Precision::kBf16, 2250},  {"b300", Precision::kFp8, 4500},
      {"b300", Precision::kInt8, 4500},  {"b300", Precision::kFp4, 13500},  // 6 x bf16, recalled
      {"gb300", Precision::kBf16, 2500}, {"gb300", Precision::kFp8, 5000},
      {"gb300", Precision::kInt8, 5000}, {"gb300", Precision::kFp4, 15000},
  };
  for (const Row& r : rows) {
    const HardwareSpec hw = bu_load(r.id);
    EXPECT_EQ(hw.id, r.id);
    const double derived = units::to_tflops(peak_rate(hw, r.p));
    EXPECT_NEAR(derived, bu_hand_peak_tflops(hw, r.p), 1e-6) << r.id;
    EXPECT_NEAR(derived / r.published_tflops, 1.0, 0.01)
        << r.id << " " << to_string(r.p) << ": derived " << derived;
    // Every datasheet figure the preset carries is within 1% too (the loader allows 3%).
    if (const auto& ds = hw.compute.datasheet_peak[index_of(r.p)]) {
      EXPECT_NEAR(derived / units::to_tflops(*ds), 1.0, 0.01) << r.id << " " << to_string(r.p);
    }
  }
  // [specs] rows: 288 GB HBM3e at 8.0 TB/s, NVLink5 900 GB/s per direction, 1000 / 1400 W.
  for (const char* id : {"b300", "gb300"}) {
    const HardwareSpec hw = bu_load(id);
    EXPECT_EQ(hw.memory.dram.type, "hbm3e") << id;
    EXPECT_EQ(hw.memory.dram.stacks, 8) << id;
    EXPECT_NEAR(units::to_gib(hw.memory.dram.capacity), 288.0, 0.01 * 288.0) << id;
    EXPECT_LE(units::to_gib(hw.memory.dram.capacity), 288.0) << id;
    EXPECT_DOUBLE_EQ(units::to_tb_per_s(hw.memory.dram.bandwidth), 8.0) << id;
    EXPECT_DOUBLE_EQ(hw.interconnect.scale_up.bandwidth.value(), 900e9) << id;
    EXPECT_EQ(hw.physical.compute_die.count, 2) << id;
  }
  EXPECT_DOUBLE_EQ(bu_load("b300").physical.tdp.value(), 1000.0);
  EXPECT_DOUBLE_EQ(bu_load("gb300").physical.tdp.value(), 1400.0);
  EXPECT_EQ(bu_load("b300").interconnect.scale_up.domain_size, 8);   // HGX/DGX
  EXPECT_EQ(bu_load("gb300").interconnect.scale_up.domain_size, 72);  // NVL72
}

TEST(BlackwellUltraPresets, HoldTheirSourcesInvariantsAgainstBlackwell) {
  const std::pair<const char*, const char*> pairs[] = {{"b300", "b200-sxm-180gb"},
                                                       {"gb300", "gb200"}};
  for (const auto& [ultra_id, base_id] : pairs) {
    const HardwareSpec ultra = bu_load(ultra_id), base = bu_load(base_id);
    // Same BF16/FP8 tensor rate (within a few %), 1.5x the dense FP4 rate.
    for (Precision p : {Precision::kBf16, Precision::kFp8})
      EXPECT_NEAR(peak_rate(ultra, p).value() / peak_rate(base, p).value(), 1.0, 0.03)
          << ultra_id << " " << to_string(p);
    EXPECT_GT(peak_rate(ultra, Precision::kFp4).value(), peak_rate(base, Precision::kFp4).value());
    EXPECT_NEAR(peak_rate(ultra, Precision::kFp4).value() / peak_rate(base, Precision::kFp4).value(),
                1.5, 0.03) << ultra_id;
    // Doubled exp (SFU) throughput for attention.
    EXPECT_NEAR(special_function_rate(ultra).value() / special_function_rate(base).value(), 2.0,
                0.05) << ultra_id;
    // More HBM (12-high stacks) at the same bandwidth.
    EXPECT_GT(ultra.memory.dram.capacity.value(), 1.4 * base.memory.dram.capacity.value())
        << ultra_id;
    EXPECT_DOUBLE_EQ(ultra.memory.dram.bandwidth.value(), base.memory.dram.bandwidth.value());
    EXPECT_EQ(ultra.interconnect.scale_up.domain_size, base.interconnect.scale_up.domain_size);
    EXPECT_GE(ultra.physical.tdp.value(), base.physical.tdp.value()) << ultra_id;
  }
  // GB300's power limit is above B300's, so a GEMM sustains at least B300's clock on it, in
  // every format (the power model throttles the denser FP4 datapath first).
  const HardwareSpec b300 = bu_load("b300"), gb300 = bu_load("gb300");
  EXPECT_GT(gb300.physical.tdp.value(), b300.physical.tdp.value());
  for (const char* prec : {"bf16", "fp8", "fp4"}) {
    auto gemm_clock = [&](const char* id) {
      api::GemmRequest g;
      g.hardware = id;
      g.m = g.n = g.k = 8192;
      g.precision = prec;
      auto out = api::gemm_scenario(g);
      EXPECT_TRUE(out) << id << ": " << testing::error_text(out);
      return out ? out->result.sustained_clock.value() : 0.0;
    };
    const double b = gemm_clock("b300"), gb = gemm_clock("gb300");
    EXPECT_GT(b, 0.0) << prec;
    EXPECT_GE(gb, b) << prec;
    EXPECT_LE(b, b300.compute.clock.value() * (1 + 1e-12)) << prec;
  }
}

TEST(BlackwellUltraPresets, AreaCostAndFabAreFinitePositiveAndFeasible) {
  for (const char* id : {"b300", "gb300"}) {
    const HardwareSpec h = bu_load(id);
    auto area = estimate_area(h);
    ASSERT_TRUE(area) << id << ": " << to_string(area.error());
    EXPECT_TRUE(area->feasibility.feasible()) << id << ": " << area->feasibility.to_string();
    ASSERT_EQ(area->dies.size(), 1u) << id;
    EXPECT_EQ(area->dies[0].count, 2) << id;
    EXPECT_TRUE(area->dies[0].within_reticle) << id;
    // The B200 die family: the estimate the preset carries (~800 mm² per die) within 10%.
    EXPECT_NEAR(area->dies[0].area.value(), 800.0, 80.0) << id;
    auto cost = estimate_cost(h, *area);
    ASSERT_TRUE(cost) << id << ": " << to_string(cost.error());
    EXPECT_TRUE(cost->feasibility.feasible()) << id;
    EXPECT_TRUE(std::isfinite(cost->total_per_unit.value())) << id;
    EXPECT_GT(cost->manufacturing.value(), 0.0) << id;
    auto fab = plan_fabs(h, *cost, units::per_year(1e5));
    ASSERT_TRUE(fab) << id << ": " << to_string(fab.error());
    EXPECT_TRUE(fab->feasibility.feasible()) << id;
    EXPECT_GT(units::to_per_year(fab->logic_wafers), 0.0) << id;
    EXPECT_TRUE(std::isfinite(fab->total_capex.value())) << id;
  }
  // 288 GB of HBM costs more than B200's 180 GB: the package as a whole costs more.
  const HardwareSpec b200 = bu_load("b200-sxm-180gb"), b300 = bu_load("b300");
  auto c200 = estimate_cost(b200, *estimate_area(b200));
  auto c300 = estimate_cost(b300, *estimate_area(b300));
  ASSERT_TRUE(c200 && c300);
  EXPECT_GT(c300->manufacturing.value(), c200->manufacturing.value());
}

TEST(BlackwellUltraPresets, RunGivesFiniteAnswersAndFp4PrefillGainsOverB200) {
  struct Case {
    const char* model;
    const char* precision;
    int tp, ep;
  };
  const Case cases[] = {{"llama-3.1-70b", "fp8", 1, 1},
                        {"llama-3.1-70b", "fp4", 1, 1},
                        {"deepseek-r1", "fp4", 8, 8}};
  for (const char* id : {"b300", "gb300"}) {
    for (const Case& c : cases) {
      api::RunRequest r;
      r.hardware = id;
      r.model = c.model;
      r.precision = c.precision;
      r.tp = c.tp;
      r.ep = c.ep;
      r.batch = 16;
      r.input_len = 1024;
      r.output_len = 64;
      auto out = api::run_scenario(r);
      ASSERT_TRUE(out) << id << " " << c.model << ": " << testing::error_text(out);
      EXPECT_EQ(out->json["feasible"], true) << id << " " << c.model;
      for (const char* key : {"ttft_ms", "tpot_ms", "output_tokens_per_s"}) {
        const double v = out->json[key].get<double>();
        EXPECT_TRUE(std::isfinite(v) && v > 0) << id << " " << c.model << " " << key << " " << v;
      }
    }
  }
  // A compute-bound FP4 prefill is faster on B300 than on B200 (1.5x the FP4 tensor rate, even
  // at the lower clock its power sustains), an FP8 one is not meaningfully different.
  auto ttft = [](const char* id, const char* precision) {
    api::RunRequest r;
    r.hardware = id;
    r.model = "llama-3.1-70b";
    r.precision = precision;
    r.batch = 16;
    r.input_len = 1024;
    r.output_len = 2;
    auto out = api::run_scenario(r);
    EXPECT_TRUE(out) << testing::error_text(out);
    return out ? out->json["ttft_ms"].get<double>() : 0.0;
  };
  EXPECT_LT(ttft("b300", "fp4"), 0.9 * ttft("b200-sxm-180gb", "fp4"));
  EXPECT_NEAR(ttft("b300", "fp8") / ttft("b200-sxm-180gb", "fp8"), 1.0, 0.05);
}

// The kinds of rows the hidden validation set has on these parts (gemm_peak, gemm, membw, static,
// TRT-LLM v1.0 max_throughput, MLPerf v5.1 Offline on 8 x b300 and 72 x gb300): every one is
// simulated with a finite positive prediction. The values are placeholders (test rows, not
// measurements): no accuracy is asserted.
TEST(BlackwellUltraPresets, ValidateSimulatesEveryRowOfTheirKinds) {
  auto set = load_measured_file(std::string(XPUSIM_TEST_DATA_DIR) +
                                "/validation/blackwell_ultra.csv");
  ASSERT_TRUE(set) << to_string(set.error());
  const ValidationReport rep = Validator(std::move(*set)).run(default_calibration());
  for (const auto& s : rep.skipped) ADD_FAILURE() << s.id << " skipped: " << s.reason;
  EXPECT_EQ(rep.total_rows, 12);
  EXPECT_EQ(static_cast<int>(rep.rows.size()), rep.total_rows);
  std::set<std::string> hardware, scenarios;
  for (const auto& r : rep.rows) {
    EXPECT_TRUE(std::isfinite(r.predicted) && r.predicted > 0) << r.id << ": " << r.predicted;
    hardware.insert(r.hardware);
    scenarios.insert(r.scenario);
  }
  EXPECT_EQ(hardware, (std::set<std::string>{"b300", "gb300"}));
  EXPECT_EQ(scenarios, (std::set<std::string>{"gemm_peak", "gemm", "membw", "static",
                                              "max_throughput", "mlperf_offline"}));
}

}  // namespace
}  // namespace xpusim
