// SPDX-License-Identifier: Apache-2.0
// GEMM model: physical bounds, regime (memory- vs compute-bound), monotonicity, and the A100
// fp16 GEMMs measured with PyTorch (../shared/validation/measured_public.csv MAN-0270..0307,
// LLMCompass real-hardware runs).
#include "xpusim/perf/gemm_model.h"

#include <gtest/gtest.h>

#include "unit/perf/test_specs.h"
#include "xpusim/base/check.h"

namespace xpusim {
namespace {

using testing::a100_like;
using testing::h100_like;

// The GEMM model's hardware-level efficiency is what cuBLAS reaches: the pytorch-eager profile
// (RuntimeProfile::matrix_efficiency 1). Serving stacks scale it (tested in static_sim_test).
const PerfCalibration& cal() {
  static const PerfCalibration c = [] {
    const RuntimeProfile* eager = find_runtime(default_calibration().runtimes, "pytorch-eager");
    XPUSIM_CHECK(eager != nullptr, "pytorch-eager profile missing");
    return with_runtime(default_calibration(), *eager);
  }();
  return c;
}

TEST(GemmModel, NeverFasterThanPeakOrBandwidth) {
  for (const HardwareSpec& hw : {a100_like(), h100_like()}) {
    for (GemmShape s : {GemmShape{1, 8192, 8192, 1}, GemmShape{32, 1280, 8192, 1},
                        GemmShape{4096, 4096, 4096, 1}, GemmShape{8192, 28672, 8192, 1},
                        GemmShape{7, 14336, 4096, 8}}) {
      GemmResult r = predict_gemm(hw, s, Precision::kBf16, cal()).value();
      Seconds compute_floor = s.flop() / peak_matrix_rate(hw, Precision::kBf16);
      Bytes compulsory(static_cast<double>((s.m * s.k + s.k * s.n + s.m * s.n) * s.batch) * 2.0);
      Seconds memory_floor = compulsory / hw.memory.dram.bandwidth;
      EXPECT_GE(r.time, compute_floor) << hw.id << " m=" << s.m;
      EXPECT_GE(r.time, memory_floor) << hw.id << " m=" << s.m;
      EXPECT_GE(r.bytes.dram, compulsory * 0.999);
      EXPECT_TRUE(r.time.is_finite());
    }
  }
}

TEST(GemmModel, DecodeShapesMemoryBoundPrefillShapesComputeBound) {
  const HardwareSpec hw = h100_like();
  // Llama-70B MLP up-projection at TP 8: batch-8 decode vs. a 8192-token prefill.
  GemmResult decode = predict_gemm(hw, GemmShape{8, 7168, 8192, 1}, Precision::kBf16, cal()).value();
  GemmResult prefill = predict_gemm(hw, GemmShape{8192, 7168, 8192, 1}, Precision::kBf16, cal()).value();
  EXPECT_EQ(decode.bound, Bound::kDram);
  EXPECT_EQ(prefill.bound, Bound::kMatrix);
  EXPECT_GT(prefill.utilization, 0.8);
}

// A unit with more MACs than its L1 can feed is bound by the feed, and says so (it said matrix
// at a fraction of the peak, which reads as "add MACs" where MACs buy nothing).
TEST(GemmModel, AnL1ThatCannotFeedTheMacsIsTheBound) {
  HardwareSpec hw = h100_like();
  const GemmShape s{8192, 8192, 8192, 1};
  const GemmResult base = predict_gemm(hw, s, Precision::kBf16, cal()).value();
  EXPECT_EQ(base.bound, Bound::kMatrix);
  hw.memory.l1.bandwidth = hw.memory.l1.bandwidth * 0.1;
  const GemmResult starved = predict_gemm(hw, s, Precision::kBf16, cal()).value();
  EXPECT_EQ(starved.bound, Bound::kL1);
  EXPECT_GT(starved.time, base.time);
  EXPECT_GT(starved.utilization, 0.5);  // of the L1's bandwidth, not of the MACs
  EXPECT_LE(starved.utilization, 1.0);
  EXPECT_EQ(to_string(Bound::kL1), "l1");
}

TEST(GemmModel, WeightOnlyQuantisationReadsNarrowWeightsComputesWide) {
  const HardwareSpec hw = a100_like();
  GemmShape s{1, 8192, 8192, 1};
  GemmResult w16 = predict_gemm(hw, s, GemmOperands{Precision::kBf16, Precision::kBf16}, cal()).value();
  GemmResult w4 = predict_gemm(hw, s, GemmOperands{Precision::kBf16, Precision::kInt4}, cal()).value();
  EXPECT_EQ(w4.execution_precision, Precision::kBf16);
  EXPECT_LT(w4.bytes.dram.value(), 0.3 * w16.bytes.dram.value());
  EXPECT_LT(w4.time, w16.time);
  // fp8 on an engine without fp8 runs as 16-bit math.
  GemmResult f8 = predict_gemm(hw, GemmShape{4096, 4096, 4096, 1}, Precision::kFp8, cal()).value();
  EXPECT_EQ(f8.execution_precision, Precision::kBf16);
}

// 4-bit weights are read with their block scales: a decode GEMV on NVFP4 weights (16 per
// scale) moves 4.5 bits per weight, on MXFP4 (32 per scale) 4.25; int4 with a bf16 scale and zero
// point per 32 weights (gpt-fast --groupsize 32) 5 bits against 4.25 at the default 128.
TEST(GemmModel, BlockScaledWeightsAreReadWithTheirScales) {
  const HardwareSpec hw = a100_like();
  const GemmShape s{1, 8192, 8192, 1};
  const double weights = 8192.0 * 8192.0;
  auto dram = [&](Precision b, int group) {
    return predict_gemm(hw, s, GemmOperands{Precision::kBf16, b, group}, cal())->bytes.dram.value();
  };
  const double g128 = dram(Precision::kInt4, 0), g32 = dram(Precision::kInt4, 32);
  EXPECT_NEAR(g32 - g128, weights * (4.0 / 32 - 4.0 / 128), 1e-6 * g32);
  EXPECT_NEAR(dram(Precision::kInt4, 128), g128, 1e-9 * g128);
  EXPECT_NEAR(dram(Precision::kFp4, 0) - dram(Precision::kFp4, 32), weights * (1.0 / 16 - 1.0 / 32),
              1e-6 * g32);
  EXPECT_GT(
      predict_gemm(hw, s, GemmOperands{Precision::kBf16, Precision::kInt4, 32}, cal())->time,
      predict_gemm(hw, s, GemmOperands{Precision::kBf16, Precision::kInt4, 128}, cal())->time);
  // Formats without block scales ignore a group.
  EXPECT_DOUBLE_EQ(dram(Precision::kInt8, 32), dram(Precision::kInt8, 0));
}

TEST(GemmModel, Fp8UpToTwiceAsFastAsBf16WhenComputeBoundOnH100) {
  // Twice the MAC rate, times the narrow-format efficiency constant.
  const HardwareSpec hw = h100_like();
  GemmShape s{8192, 8192, 8192, 1};
  double ratio = predict_gemm(hw, s, Precision::kBf16, cal())->time /
                 predict_gemm(hw, s, Precision::kFp8, cal())->time;
  EXPECT_GT(ratio, 1.9 * cal().narrow_matrix_efficiency);
  EXPECT_LE(ratio, 2.0 + 1e-9);
}

TEST(GemmModel, MoreBandwidthOrUnitsNeverSlower) {
  for (GemmShape s : {GemmShape{16, 8192, 8192, 1}, GemmShape{2048, 2048, 2048, 1},
                      GemmShape{300, 5000, 3000, 1}}) {
    HardwareSpec base = a100_like();
    Seconds t0 = predict_gemm(base, s, Precision::kFp16, cal())->time;
    HardwareSpec bw = base;
    bw.memory.dram.bandwidth = bw.memory.dram.bandwidth * 1.5;
    EXPECT_LE(predict_gemm(bw, s, Precision::kFp16, cal())->time, t0);
    HardwareSpec more = base;
    more.compute.units = 132;
    EXPECT_LE(predict_gemm(more, s, Precision::kFp16, cal())->time, t0);
    HardwareSpec clk = base;
    clk.compute.clock = clk.compute.clock * 1.2;
    EXPECT_LE(predict_gemm(clk, s, Precision::kFp16, cal())->time, t0);
  }
}

TEST(GemmModel, ChosenTileFitsOnChipMemory) {
  const HardwareSpec hw = a100_like();
  GemmResult r = predict_gemm(hw, GemmShape{8192, 8192, 8192, 1}, Precision::kFp16, cal()).value();
  double operands = 2.0 * (r.tile.m * r.tile.k + r.tile.k * r.tile.n) * 2.0;
  EXPECT_LE(operands, hw.memory.l1.capacity.value());
  EXPECT_LE(4.0 * r.tile.m * r.tile.n, 0.5 * hw.memory.register_file.capacity.value());
  // 64 x 128 output tiles of 128 x 256 -> 2048 tiles... whatever the tile, waves = ceil(tiles/108).
  EXPECT_EQ(r.waves, (r.tiles + 107) / 108);
}

TEST(GemmModel, Deterministic) {
  const HardwareSpec hw = h100_like();
  GemmShape s{333, 4444, 5555, 3};
  GemmResult a = predict_gemm(hw, s, Precision::kFp8, cal()).value();
  GemmResult b = predict_gemm(hw, s, Precision::kFp8, cal()).value();
  EXPECT_EQ(a.time.value(), b.time.value());
  EXPECT_EQ(a.tile.m, b.tile.m);
}

// Measured isolated PyTorch calls on A100 80GB fp16 (ms). The isolated-call prediction includes the
// host call overhead constant. Tolerance 15% per row (model + calibration error budget).
struct MeasuredGemm {
  const char* id;
  int64_t m, n, k;
  double ms;
};
constexpr MeasuredGemm kA100Gemms[] = {
    {"MAN-0271", 128, 12288, 12288, 0.2003},  {"MAN-0273", 256, 12288, 12288, 0.3185},
    {"MAN-0277", 1024, 12288, 12288, 1.1990}, {"MAN-0283", 8192, 12288, 12288, 8.6216},
    {"MAN-0289", 8192, 64, 64, 0.0296},       {"MAN-0295", 8192, 512, 512, 0.0471},
    {"MAN-0299", 8192, 2048, 2048, 0.2818},   {"MAN-0303", 8192, 8192, 8192, 3.9614},
    {"MAN-0307", 8192, 32768, 32768, 61.1346},
};

TEST(GemmModel, A100MeasuredIsolatedCallsWithinTolerance) {
  // LLMCompass times host-side PyTorch eager calls: the pytorch-eager runtime profile.
  const HardwareSpec hw = a100_like();
  const PerfCalibration& c = cal();
  for (const auto& g : kA100Gemms) {
    GemmResult r = predict_gemm(hw, GemmShape{g.m, g.n, g.k, 1}, Precision::kFp16, c).value();
    EXPECT_NEAR(units::to_ms(r.isolated_call_time) / g.ms, 1.0, 0.15) << g.id;
  }
}

TEST(GemmModel, BestAchievableBelowPeakLikeMamf) {
  // MAMF-0021: best A100 bf16 GEMM 267.9 of 312 TFLOP/s; the model's best large shape must sit
  // between 80% and 100% of peak.
  const HardwareSpec hw = a100_like();
  GemmResult r = predict_gemm(hw, GemmShape{6912, 16384, 2048, 1}, Precision::kBf16, cal()).value();
  double frac = r.achieved / peak_matrix_rate(hw, Precision::kBf16);
  EXPECT_GT(frac, 0.8);
  EXPECT_LT(frac, 1.0);
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

TEST(GemmShapeBounds, DimensionsAndTheirFlopProductAreChecked) {
  EXPECT_TRUE(check_gemm_shape(GemmShape{4096, 4096, 4096, 1}));
  EXPECT_TRUE(check_gemm_shape(GemmShape{2147483647, 1, 1, 2147483647}));  // 2^63 - 2^33 FLOP
  auto zero = check_gemm_shape(GemmShape{0, 8, 8, 1});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error()[0].path, "m");
  EXPECT_EQ(zero.error()[0].message,
            "0 is out of range; allowed 1 .. 2147483647 (a GEMM dimension; BLAS libraries take "
            "int32 dimensions)");
  auto huge = check_gemm_shape(GemmShape{9223372036854775807, 1, 1, 9223372036854775807});
  ASSERT_FALSE(huge);
  ASSERT_EQ(huge.error().size(), 2u);  // every bad dimension at once
  EXPECT_EQ(huge.error()[1].path, "batch");
  auto product = check_gemm_shape(GemmShape{2147483647, 2147483647, 2147483647, 1});
  ASSERT_FALSE(product);
  EXPECT_EQ(product.error()[0].path, "flop");
  EXPECT_EQ(product.error()[0].message,
            "2 x 2147483647 x 2147483647 x 2147483647 x 1 FLOP is out of range; allowed 1 .. "
            "9223372036854775807 (2 x m x n x k x batch FLOP must fit a 64-bit count)");
}

// The largest shapes within the bounds keep every count exact: positive tiles and waves, and no
// more than the peak rate (overflowing tile counts once gave 28x the A100's peak).
TEST(GemmShapeBounds, LargestShapesGiveSaneFigures) {
  const HardwareSpec hw = a100_like();
  for (GemmShape s : {GemmShape{1, 1, 1, 2147483647}, GemmShape{2147483647, 1, 2147483647, 1},
                      GemmShape{1048576, 1048576, 1048576, 1},
                      GemmShape{2147483647, 2147483647, 1, 1}}) {
    ASSERT_TRUE(check_gemm_shape(s)) << s.m << " " << s.n << " " << s.k << " " << s.batch;
    auto result = predict_gemm(hw, s, Precision::kBf16, cal());
    ASSERT_TRUE(result) << s.m << " " << s.n;
    const GemmResult& r = *result;
    EXPECT_GT(r.tiles, 0) << s.m << " " << s.n;
    EXPECT_GT(r.waves, 0) << s.m << " " << s.n;
    EXPECT_GT(r.time.value(), 0) << s.m << " " << s.n;
    EXPECT_LE(r.achieved.value(), peak_matrix_rate(hw, Precision::kBf16).value()) << s.m;
    EXPECT_GE(r.bytes.dram.value(), 0) << s.m;
  }
}

}  // namespace
}  // namespace xpusim
