// SPDX-License-Identifier: Apache-2.0
// GEMMs on multi-die packages (perf/gemm_model.cc): an L2 split over the compute dies
// (memory.l2.attach: compute_die) tiles each die's share in its own slice, its misses go to the
// LLC across the die boundary, bounded by the LLC and the die-to-die links; the traffic costs
// die-to-die energy (physical.die_to_die.energy). Invariants: splitting the same silicon into more
// dies, narrowing the die-to-die links or raising their energy never speeds a GEMM up; single-die
// parts without an LLC are untouched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "xpusim/area/area_model.h"
#include "xpusim/area/power_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/perf/gemm_model.h"
#include "xpusim/perf/memory_system.h"

namespace xpusim {
namespace {

const PerfCalibration& gemm_cal() {
  static const PerfCalibration c = with_runtime(
      default_calibration(), *find_runtime(default_calibration().runtimes, "pytorch-eager"));
  return c;
}

const std::vector<GemmShape> kShapes = {{1, 8192, 8192, 1},     {64, 4096, 4096, 1},
                                        {1024, 4096, 4096, 1},  {4096, 4096, 4096, 1},
                                        {8192, 8192, 8192, 1},  {16384, 16384, 2048, 1},
                                        {4096, 14336, 4096, 1}, {128, 128, 128, 64}};

HardwareSpec mi300x() { return load_hardware("mi300x").value(); }

double time_of(const HardwareSpec& hw, const GemmShape& s, Precision p) {
  return predict_gemm(hw, s, p, gemm_cal()).value().time.value();
}

TEST(MultiDieGemm, SplittingTheL2OverMoreDiesNeverSpeedsAGemmUp) {
  // The same units, L2, LLC and TDP, the L2 split over 1, 2, 4, 8, 16 compute dies, at the boost
  // clock (the traffic model). Not asserted through the power limit: its one-pass solver takes
  // the activity at boost, so a GEMM slowed by traffic draws less power and may be granted a
  // slightly higher clock (docs/validation.md, "What it ignores").
  for (const GemmShape& s : kShapes) {
    for (Precision p : {Precision::kBf16, Precision::kFp8}) {
      double previous = 0;
      for (int dies : {1, 2, 4, 8, 16}) {
        HardwareSpec hw = mi300x();
        hw.physical.compute_die.count = dies;
        const GemmResult u = detail::predict_gemm_unchecked(hw, s, {p, p}, gemm_cal());
        EXPECT_GE(u.time.value(), previous * (1 - 1e-12)) << s.m << "x" << s.n << "x" << s.k
                                                           << " dies " << dies;
        previous = u.time.value();
      }
    }
  }
}

TEST(MultiDieGemm, NarrowerOrCostlierDieToDieLinksNeverSpeedAnythingUp) {
  for (const GemmShape& s : kShapes) {
    double previous = 0;
    double previous_bw = 1e300;
    for (double tb : {17.0, 8.6, 4.3, 2.0, 1.0, 0.5, 0.1}) {
      HardwareSpec hw = mi300x();
      hw.physical.die_to_die.bandwidth = units::tb_per_s(tb);
      const double t = time_of(hw, s, Precision::kBf16);
      EXPECT_GE(t, previous * (1 - 1e-12)) << s.m << "x" << s.n << "x" << s.k << " " << tb;
      const double bw = memory_bandwidth(hw, gemm_cal()).achievable.value();
      EXPECT_LE(bw, previous_bw * (1 + 1e-12)) << tb;
      previous = t;
      previous_bw = bw;
    }
    previous = 0;
    for (double pj_per_bit : {0.01, 0.05, 0.3, 1.0, 5.0, 20.0}) {
      HardwareSpec hw = mi300x();
      hw.physical.die_to_die.energy = JoulesPerByte(pj_per_bit * 8e-12);
      const double t = time_of(hw, s, Precision::kBf16);
      EXPECT_GE(t, previous * (1 - 1e-12)) << s.m << "x" << s.n << "x" << s.k << " " << pj_per_bit;
      previous = t;
    }
  }
}

TEST(MultiDieGemm, SlicedL2MissesCrossToTheLlcOfTheIoDies) {
  // MI300X 8192^3 bf16: A and B (128 MiB each) fit neither a 2 MiB operand half of an XCD's
  // 4 MiB L2 slice nor of the whole 32 MiB, so each XCD re-reads panels per wave of its 38 CUs:
  // more LLC traffic than when one 32 MiB L2 served all 304 CUs, and at least the DRAM reads.
  const GemmShape s{8192, 8192, 8192, 1};
  HardwareSpec sliced = mi300x();
  HardwareSpec shared = mi300x();
  shared.memory.l2.attach = CacheAttach::kPackage;
  const GemmResult a = detail::predict_gemm_unchecked(sliced, s, {}, gemm_cal());
  const GemmResult b = detail::predict_gemm_unchecked(shared, s, {}, gemm_cal());
  EXPECT_GT(a.bytes.llc.value(), b.bytes.llc.value());
  EXPECT_GE(a.bytes.llc.value(), a.bytes.dram.value());
  // Its time at the LLC's bandwidth: min(17.2 TB/s x l2_efficiency, the 4-IOD ring's fabric bound).
  const double fabric = memory_bandwidth(sliced, gemm_cal()).fabric->value();
  const double llc_bw = std::min(17.2e12 * gemm_cal().l2_efficiency, fabric);
  EXPECT_NEAR(a.llc_time.value(), a.bytes.llc.value() / llc_bw, 1e-15);

  // 128 x 1024 x 1024 bf16: A 256 KiB, B 2 MiB. A stays resident in an XCD's 2 MiB operand
  // budget while B streams, so each die reads the panels of its own tiles once: at least A + B
  // over the package, at most A + B per die; the 256 MiB LLC holds both: DRAM reads compulsory.
  const GemmShape small{128, 1024, 1024, 1};
  const GemmResult c = detail::predict_gemm_unchecked(sliced, small, {}, gemm_cal());
  const double ab = 2.0 * (128.0 * 1024 + 1024.0 * 1024);
  const double cw = 2.0 * 128 * 1024;
  EXPECT_GE(c.bytes.llc.value(), ab + cw - 1);
  EXPECT_LE(c.bytes.llc.value(), 8 * ab + cw + 1);
  EXPECT_DOUBLE_EQ(c.bytes.dram.value(), ab + cw);
}

TEST(MultiDieGemm, SingleDiePartsWithoutAnLlcAreUntouched) {
  for (const char* id : {"h100-sxm-80gb", "a100-sxm-80gb", "b200-sxm-180gb", "gaudi3"}) {
    const HardwareSpec hw = load_hardware(id).value();
    for (const GemmShape& s : kShapes) {
      const GemmResult r = predict_gemm(hw, s, Precision::kBf16, gemm_cal()).value();
      EXPECT_EQ(r.bytes.llc.value(), 0.0) << id;
      EXPECT_EQ(r.llc_time.value(), 0.0) << id;
    }
  }
}

TEST(MultiDieGemm, DieToDieBytesAreChargedAtThePackagesEnergyPerBit) {
  HardwareSpec hw = mi300x();
  const AreaReport area = estimate_area(hw).value();
  ActivityRates a;
  a.die_to_die = units::tb_per_s(2);
  // No package figure: the UCIe 2.5D default, 0.3 pJ/bit -> 2e12 B/s x 8 x 0.3e-12 = 4.8 W.
  EXPECT_NEAR(estimate_power(hw, area, a).value().links.value(), 4.8, 1e-9);
  hw.physical.die_to_die.energy = JoulesPerByte(1.0e-12 * 8);  // 1 pJ/bit
  EXPECT_NEAR(estimate_power(hw, area, a).value().links.value(), 16.0, 1e-9);
}

TEST(MultiDieGemm, L2AttachIsSchemaCheckedData) {
  EXPECT_EQ(mi300x().memory.l2.attach, CacheAttach::kComputeDie);
  EXPECT_EQ(l2_slices(mi300x()), 8);
  EXPECT_EQ(l2_slices(load_hardware("h100-sxm-80gb").value()), 1);
  // A bad value names the field and the choices.
  auto bad = load_hardware("mi300x", {"memory.l2.attach=xcd"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().front().path.find("memory.l2.attach"), std::string::npos);
}

}  // namespace
}  // namespace xpusim
