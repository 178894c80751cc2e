// SPDX-License-Identifier: Apache-2.0
// Power-limited sustained clocks (perf/sustained_clock.h) through the GEMM model and the static
// scenario: lowering the TDP never speeds anything up, the clock never exceeds boost, memory-bound
// work keeps the boost clock, and more compute units at the same TDP are not credited beyond what
// the power sustains.
#include "xpusim/perf/sustained_clock.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/perf/test_specs.h"
#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/static_sim.h"

namespace xpusim {
namespace {

const PerfCalibration& cal() { return default_calibration(); }
// The GEMMs of `gemm` and validate's gemm rows: the vendor library's runtime profile
// (api/perf.h kGemmDefaultRuntime).
const PerfCalibration& gemm_cal() {
  static const PerfCalibration c = with_runtime(
      default_calibration(), *find_runtime(default_calibration().runtimes, "pytorch-eager"));
  return c;
}

HardwareSpec preset(const std::string& id) {
  auto hw = load_hardware(id);
  EXPECT_TRUE(hw.has_value()) << id;
  return *hw;
}

HardwareSpec with_tdp(HardwareSpec hw, double watts) {
  hw.physical.tdp = units::watts(watts);
  return hw;
}

const std::vector<std::string> kPresets = {"a100-sxm-80gb", "a100-pcie-80gb", "h100-sxm-80gb",
                                           "h200-sxm-141gb", "mi300x", "l40s",
                                           "b200-sxm-180gb", "gaudi3", "mi355x"};
const std::vector<GemmShape> kShapes = {{1, 8192, 8192, 1},    {64, 4096, 4096, 1},
                                        {1024, 4096, 4096, 1}, {8192, 8192, 8192, 1},
                                        {4096, 14336, 4096, 1}};

TEST(SustainedClock, LoweringTdpNeverSpeedsUpAGemm) {
  for (const std::string& id : kPresets) {
    const HardwareSpec hw = preset(id);
    for (const GemmShape& s : kShapes) {
      for (Precision p : {Precision::kBf16, Precision::kFp8}) {
        double previous = 0;  // time at the previous (higher) TDP
        for (double tdp : {2000.0, 1000.0, 700.0, 500.0, 400.0, 300.0, 200.0, 100.0}) {
          const GemmResult r = predict_gemm(with_tdp(hw, tdp), s, p, gemm_cal()).value();
          EXPECT_GE(r.time.value(), previous * (1 - 1e-12))
              << id << " " << s.m << "x" << s.n << "x" << s.k << " tdp " << tdp;
          EXPECT_LE(r.sustained_clock.value(), hw.compute.clock.value() * (1 + 1e-12)) << id;
          EXPECT_EQ(r.power_limited, r.sustained_clock < hw.compute.clock) << id;
          previous = r.time.value();
        }
      }
    }
  }
}

// Operand delivery by instruction tile (issue 9): a larger native instruction (m, n or k) spends
// no more energy per MAC, so under a binding TDP it never slows a GEMM down.
TEST(SustainedClock, LargerInstructionTileNeverSlowsAGemm) {
  for (const char* id : {"mi300x", "a100-pcie-80gb", "h100-pcie-80gb"}) {
    const HardwareSpec hw = preset(id);
    for (Precision p : {Precision::kBf16, Precision::kFp8}) {
      double previous = 1e30;
      bool limited = false;
      for (InstructionTile t : {InstructionTile{8, 8, 4}, InstructionTile{16, 8, 16},
                                InstructionTile{16, 16, 16}, InstructionTile{32, 32, 16},
                                InstructionTile{64, 256, 16}, InstructionTile{128, 256, 32}}) {
        HardwareSpec h = hw;
        h.compute.matrix.instruction_tile = t;
        const GemmResult r = predict_gemm(h, {8192, 8192, 8192, 1}, p, gemm_cal()).value();
        EXPECT_LE(r.time.value(), previous * (1 + 1e-12)) << id << " " << t.m << "x" << t.n << "x" << t.k;
        previous = r.time.value();
        limited = limited || r.power_limited;
      }
      EXPECT_TRUE(limited) << id;  // the TDP binds for the small tiles: the test sees the tile
    }
  }
}

TEST(SustainedClock, LargerRegisterBankNeverRaisesTheClock) {
  // The same GEMM activity read from larger register-file banks costs more per operand byte
  // (Horowitz's SRAM energy by size): the sustained clock never rises. The area is held at the
  // preset's (more, smaller banks are less dense: the area model's own, separate effect on
  // leakage). On MI300X (its 64 KiB banks) and A100 PCIe the TDP binds, so the bank shows.
  for (const char* id : {"mi300x", "a100-pcie-80gb"}) {
    const HardwareSpec hw = preset(id);
    const AreaReport area = estimate_area(hw).value();
    for (Precision p : {Precision::kBf16, Precision::kFp8}) {
      const GemmShape s{8192, 8192, 8192, 1};
      const GemmResult g = detail::predict_gemm_unchecked(hw, s, GemmOperands{p, p}, gemm_cal());
      PrecisionPlan plan;
      plan.weights = p;
      plan.activations = p;
      const ActivityRates rates =
          device_activity(hw, plan, DeviceWork{.gemm_flop = g.flop, .bytes = g.bytes}, g.time);
      double previous = 1e30, smallest_banks = 0;
      bool limited = false;
      for (int banks : {64, 32, 16, 8, 4}) {  // 512 or 256 KiB: banks of 4 .. 128 KiB, growing
        HardwareSpec h = hw;
        h.memory.register_file.banks = banks;
        const SustainedClock c = sustained_clock(h, area, rates).value();
        EXPECT_LE(c.clock.value(), previous * (1 + 1e-12)) << id << " banks " << banks;
        if (banks == 64) smallest_banks = c.clock.value();
        previous = c.clock.value();
        limited = limited || c.power_limited;
      }
      EXPECT_TRUE(limited) << id;
      EXPECT_LT(previous, smallest_banks) << id << " " << to_string(p);  // the bank is seen
    }
  }
}

TEST(SustainedClock, LoweringTdpNeverSpeedsUpAStaticRun) {
  const ModelSpec model = load_model("llama-3.1-8b").value();
  for (const char* id : {"a100-sxm-80gb", "h100-sxm-80gb"}) {
    const HardwareSpec hw = preset(id);
    for (int64_t batch : {1, 64}) {
      const StaticScenario sc = testing::tp_scenario(1, batch, 1024, 128);
      double ttft = 0, tpot = 0;
      for (double tdp : {1500.0, 700.0, 400.0, 250.0, 150.0}) {
        const StaticResult r = simulate_static(with_tdp(hw, tdp), model, sc, cal()).value();
        ASSERT_TRUE(r.feasibility.feasible()) << id;
        EXPECT_GE(r.ttft.value(), ttft * (1 - 1e-12)) << id << " tdp " << tdp;
        EXPECT_GE(r.tpot.value(), tpot * (1 - 1e-12)) << id << " tdp " << tdp;
        EXPECT_LE(r.prefill_clock.sustained_clock.value(), hw.compute.clock.value() * (1 + 1e-12));
        EXPECT_LE(r.decode_clock.sustained_clock.value(), hw.compute.clock.value() * (1 + 1e-12));
        ttft = r.ttft.value();
        tpot = r.tpot.value();
      }
    }
  }
}

TEST(SustainedClock, MemoryBoundDecodeKeepsBoostClock) {
  const ModelSpec model = load_model("llama-3.1-8b").value();
  for (const char* id : {"a100-sxm-80gb", "a100-pcie-80gb", "h100-sxm-80gb", "h200-sxm-141gb"}) {
    const HardwareSpec hw = preset(id);
    // Batch-1 decode and a GEMV stream weights: far below the TDP, never throttled.
    const StaticResult r =
        simulate_static(hw, model, testing::tp_scenario(1, 1, 1024, 128), cal()).value();
    EXPECT_FALSE(r.decode_clock.power_limited) << id;
    EXPECT_DOUBLE_EQ(r.decode_clock.sustained_clock.value(), hw.compute.clock.value()) << id;
    const GemmResult g = predict_gemm(hw, GemmShape{1, 8192, 8192, 1}, Precision::kBf16, gemm_cal()).value();
    EXPECT_FALSE(g.power_limited) << id;
  }
}

// The sustained clock of a large dense GEMM on `hw`, the GEMM timed at each clock tried (what
// predict_gemm solves).
SustainedClock large_gemm_clock(const HardwareSpec& hw, Precision p,
                                const GemmShape& big = GemmShape{8192, 8192, 8192, 1}) {
  const AreaReport area = estimate_area(hw).value();
  return sustained_clock_for(hw, &area,
                             gemm_activity_at_clock(hw, big, GemmOperands{p, p}, gemm_cal()));
}

TEST(SustainedClock, DenseTensorWorkRunsNearItsTdp) {
  // A100 SXM and H100/H200 SXM run dense bf16/fp8 GEMMs close to their TDP (0.75-1 of it) at
  // their preset clocks (H100/H200's 1.83 GHz is already NVIDIA's tensor-peak clock, below the
  // 1.98 GHz maximum boost); A100 PCIe, the same die at 300 W, clocks down (MAMF-0004/0023 reach
  // 0.93-0.96 of the SXM's TFLOP/s).
  for (const char* id : {"a100-sxm-80gb", "h100-sxm-80gb", "h200-sxm-141gb"}) {
    const HardwareSpec hw = preset(id);
    for (Precision p : {Precision::kBf16, Precision::kFp8}) {
      const SustainedClock c = large_gemm_clock(hw, p);
      EXPECT_GT(c.power_at_boost.value(), 0.75 * hw.physical.tdp.value()) << id << to_string(p);
      EXPECT_LE(c.power_at_boost.value(), hw.physical.tdp.value()) << id << to_string(p);
    }
  }
  const HardwareSpec pcie = preset("a100-pcie-80gb");
  const SustainedClock c = large_gemm_clock(pcie, Precision::kBf16);
  EXPECT_TRUE(c.power_limited);
  EXPECT_GT(c.clock / pcie.compute.clock, 0.9);
  EXPECT_LT(c.clock / pcie.compute.clock, 0.99);
  const GemmResult g = predict_gemm(pcie, GemmShape{8192, 8192, 8192, 1}, Precision::kBf16, gemm_cal()).value();
  EXPECT_TRUE(g.power_limited);
  EXPECT_DOUBLE_EQ(g.sustained_clock.value(), c.clock.value());
  // Without a TDP (GH200's module power is not a GPU TDP) nothing limits the clock.
  const HardwareSpec gh = preset("gh200-144gb");
  EXPECT_FALSE(predict_gemm(gh, GemmShape{8192, 8192, 8192, 1}, Precision::kFp8, cal())->power_limited);
}

TEST(SustainedClock, MoreUnitsAtTheSameTdpSaturate) {
  // Doubling the SMs of an H100 at 700 W: the large GEMM's power at boost doubles, so the clock
  // falls and the throughput gain stays below 2x, less with every doubling; the sustained power
  // stays within the TDP.
  const HardwareSpec hw = preset("h100-sxm-80gb");
  const GemmShape big{16384, 16384, 16384, 1};
  double previous_tflops = 0, previous_gain = 2.0;
  for (int factor : {1, 2, 4}) {
    HardwareSpec h = hw;
    h.compute.units = hw.compute.units * factor;
    if (hw.compute.units_on_die) h.compute.units_on_die = *hw.compute.units_on_die * factor;
    const GemmResult g = predict_gemm(h, big, Precision::kBf16, gemm_cal()).value();
    const double tflops = units::to_tflops(g.achieved);
    if (previous_tflops > 0) {
      const double gain = tflops / previous_tflops;
      EXPECT_LT(gain, 1.85) << factor;          // twice the units, well under twice the work
      EXPECT_LT(gain, previous_gain) << factor;  // and less with every doubling
      previous_gain = gain;
    }
    previous_tflops = tflops;
    // The power of the GEMM at the sustained clock is within the TDP (or the clock is at the
    // solver's floor).
    const SustainedClock c = large_gemm_clock(h, Precision::kBf16, big);
    EXPECT_LE(c.power.value(), h.physical.tdp.value() * (1 + 1e-9)) << factor;
    EXPECT_DOUBLE_EQ(c.clock.value(), g.sustained_clock.value()) << factor;
  }
}

// The clock is solved with the work timed at each clock tried: for a compute-bound GEMM that is
// close to scaling its rates at boost with the clock (what estimate_power_at_clock assumes), but
// not the same (its DRAM and gap time do not follow the clock).
TEST(SustainedClock, SelfConsistentClockIsCloseToTheRatesAtBoostForComputeBoundWork) {
  const HardwareSpec pcie = preset("a100-pcie-80gb");
  const GemmShape big{8192, 8192, 8192, 1};
  const GemmResult boost = detail::predict_gemm_unchecked(
      pcie, big, GemmOperands{Precision::kBf16, Precision::kBf16}, gemm_cal());
  PrecisionPlan prec;
  const SustainedClock scaled = sustained_clock_for(
      pcie, device_activity(pcie, prec, DeviceWork{.gemm_flop = boost.flop, .bytes = boost.bytes},
                            boost.time));
  const SustainedClock solved = large_gemm_clock(pcie, Precision::kBf16);
  ASSERT_TRUE(scaled.power_limited && solved.power_limited);
  EXPECT_NEAR(solved.clock / scaled.clock, 1.0, 0.01);
  EXPECT_NEAR(solved.power.value(), pcie.physical.tdp.value(), 1e-6 * pcie.physical.tdp.value());
}

// A faster memory never makes an op slower: the audit's furiosa-rngd GEMV (before 2026-12-07 its
// DRAM power, charged at the boost rate whatever the clock, pushed the solver to the floor clock
// and the GEMV turned matrix-bound there, 2.2x slower at 2.5x the bandwidth). Solved with the GEMV
// timed at each clock, the clock falls only as far as the power needs.
TEST(SustainedClock, FasterMemoryNeverSlowsAGemv) {
  for (const char* id : {"furiosa-rngd", "mi300x", "a100-pcie-80gb"}) {
    const HardwareSpec hw = preset(id);
    for (const GemmShape& shape : {GemmShape{1, 8192, 8192, 1}, GemmShape{64, 8192, 8192, 1}}) {
      double previous = 1e30;
      bool limited = false;
      for (double factor : {1.0, 1.5, 2.0, 2.25, 2.5, 3.0, 4.0}) {
        HardwareSpec h = hw;
        h.memory.dram.bandwidth = hw.memory.dram.bandwidth * factor;
        const GemmResult g = predict_gemm(h, shape, Precision::kBf16, gemm_cal()).value();
        EXPECT_LE(g.time.value(), previous * (1 + 1e-6))
            << id << " m " << shape.m << " x" << factor;
        previous = g.time.value();
        limited = limited || g.power_limited;
      }
      if (std::string(id) == "furiosa-rngd") {
        EXPECT_TRUE(limited) << shape.m;  // the TDP binds
      }
    }
  }
}

TEST(SustainedClock, AtClockScalesComputeNotMemory) {
  const HardwareSpec hw = preset("h100-sxm-80gb");
  const HardwareSpec half = at_clock(hw, hw.compute.clock * 0.5);
  EXPECT_DOUBLE_EQ(peak_matrix_rate(half, Precision::kBf16).value(),
                   0.5 * peak_matrix_rate(hw, Precision::kBf16).value());
  EXPECT_DOUBLE_EQ(half.memory.l1.bandwidth.value(), 0.5 * hw.memory.l1.bandwidth.value());
  EXPECT_DOUBLE_EQ(half.memory.dram.bandwidth.value(), hw.memory.dram.bandwidth.value());
  EXPECT_DOUBLE_EQ(half.memory.l2.bandwidth.value(), hw.memory.l2.bandwidth.value());
}

TEST(SustainedClock, NoProcessNodeOrTdpKeepsBoost) {
  ActivityRates a;
  a.clocks_running = true;
  const HardwareSpec hw = testing::h100_like();  // no process node, no TDP
  a.matrix[index_of(Precision::kBf16)] = peak_matrix_rate(hw, Precision::kBf16);
  const SustainedClock c = sustained_clock_for(hw, a);
  EXPECT_FALSE(c.power_limited);
  EXPECT_DOUBLE_EQ(c.clock.value(), hw.compute.clock.value());
}

}  // namespace
}  // namespace xpusim
