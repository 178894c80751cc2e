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
#include "xpusim/perf/sustained_clock.h"

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
  // The same units, L2, LLC, compute-die link total and TDP, the L2 split over 1, 2, 4, 8, 16
  // compute dies, at the boost clock (the traffic model). Not asserted through the power limit:
  // its one-pass solver takes the activity at boost, so a GEMM slowed by traffic draws less power
  // and may be granted a slightly higher clock (docs/validation.md, "What it ignores").
  for (const GemmShape& s : kShapes) {
    for (Precision p : {Precision::kBf16, Precision::kFp8}) {
      double previous = 0;
      for (int dies : {1, 2, 4, 8, 16}) {
        HardwareSpec hw = mi300x();
        hw.physical.compute_die.count = dies;
        // The same silicon: the compute dies' links to the I/O dies keep their total (8 x 2.15
        // TB/s on MI300X), shared by however many dies there are.
        hw.physical.die_to_die.compute_link = units::tb_per_s(8 * 2.15 / dies);
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

TEST(MultiDieGemm, NarrowerComputeDieLinksNeverSpeedAnythingUp) {
  // physical.die_to_die.compute_link (each XCD's link to its IOD) from wider than the preset's
  // 2.15 TB/s down to binding: GEMM time never falls (at boost and through the power limit), the
  // streaming bandwidth never rises. Absent = not bounded: the preset's non-binding link gives
  // the same GEMM as no link at all.
  for (const GemmShape& s : kShapes) {
    double previous = 0;
    double previous_bw = 1e300;
    for (double tb : {8.0, 2.15, 1.0, 0.5, 0.2, 0.05}) {
      HardwareSpec hw = mi300x();
      hw.physical.die_to_die.compute_link = units::tb_per_s(tb);
      const double t = time_of(hw, s, Precision::kBf16);
      EXPECT_GE(t, previous * (1 - 1e-12)) << s.m << "x" << s.n << "x" << s.k << " " << tb;
      const double bw = memory_bandwidth(hw, gemm_cal()).achievable.value();
      EXPECT_LE(bw, previous_bw * (1 + 1e-12)) << tb;
      previous = t;
      previous_bw = bw;
    }
    HardwareSpec none = mi300x();
    none.physical.die_to_die.compute_link.reset();
    EXPECT_DOUBLE_EQ(time_of(none, s, Precision::kBf16), time_of(mi300x(), s, Precision::kBf16));
  }
}

TEST(MultiDieGemm, NewPackageFieldsLeaveOneDiePartsUnchanged) {
  // A one-die part crosses no die boundary (0 die-to-die bytes in its activity) and has no
  // fabric bound: its streaming bandwidth is the controllers'.
  for (const char* id : {"h100-sxm-80gb", "a100-sxm-80gb", "h200-sxm-141gb", "mi250x-gcd"}) {
    const HardwareSpec hw = load_hardware(id).value();
    EXPECT_DOUBLE_EQ(die_crossings_per_byte(hw).total(), 0.0) << id;
    const MemoryBandwidth m = memory_bandwidth(hw, gemm_cal());
    EXPECT_FALSE(m.fabric) << id;
    EXPECT_DOUBLE_EQ(m.achievable.value(), m.controllers.value()) << id;
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

TEST(MultiDieGemm, HybridBondedComputeLinksAreChargedAtTheBondsEnergy) {
  // MI300X (soic_cowos: XCDs hybrid-bonded on the IODs): 2 TB/s over the XCD-IOD bonds at the
  // UCIe 3D class figure 0.05 pJ/bit -> 2e12 x 8 x 0.05e-12 = 0.8 W; the same package on CoWoS
  // alone pays the die-to-die figure (0.3 pJ/bit: 4.8 W). A one-die activity draws none.
  HardwareSpec hw = mi300x();
  const AreaReport area = estimate_area(hw).value();
  ActivityRates a;
  a.compute_link = units::tb_per_s(2);
  EXPECT_NEAR(estimate_power(hw, area, a).value().links.value(), 0.8, 1e-9);
  hw.physical.package = "cowos_s";
  EXPECT_NEAR(estimate_power(hw, area, a).value().links.value(), 4.8, 1e-9);
}

TEST(MultiDieGemm, ActivityCountsEveryDieCrossingOfInterleavedBytes) {
  // 1 GB from DRAM and 3 GB from the LLC in 1 ms of an 8192^3-class GEMM's matrix work: 4 TB/s of
  // interleaved bytes. MI300X: 1 IOD-ring hop each (4 TB/s of die-to-die link bytes) and one XCD
  // bond (4 TB/s); B200 (no LLC, 2 dies): half its DRAM bytes cross NV-HBI, no bond; H100 none.
  DeviceWork w;
  w.gemm_flop = FlopCount(2.0 * 8192 * 8192 * 8192);
  w.bytes.dram = Bytes(1e9);
  w.bytes.llc = Bytes(3e9);
  const Seconds t = units::ms(1);
  const ActivityRates mi = device_activity(mi300x(), PrecisionPlan{}, w, t);
  EXPECT_NEAR(mi.die_to_die.value(), 4e12, 1);
  EXPECT_NEAR(mi.compute_link.value(), 4e12, 1);
  DeviceWork dram_only = w;
  dram_only.bytes.llc = Bytes(0);
  const ActivityRates b200 =
      device_activity(load_hardware("b200-sxm-180gb").value(), PrecisionPlan{}, dram_only, t);
  EXPECT_NEAR(b200.die_to_die.value(), 0.5e12, 1);
  EXPECT_EQ(b200.compute_link.value(), 0.0);
  const ActivityRates h100 =
      device_activity(load_hardware("h100-sxm-80gb").value(), PrecisionPlan{}, dram_only, t);
  EXPECT_EQ(h100.die_to_die.value(), 0.0);
  EXPECT_EQ(h100.compute_link.value(), 0.0);
  // Counting the crossings never raises the sustained clock: the same activity without them
  // clocks at least as high.
  ActivityRates uncounted = mi;
  uncounted.die_to_die = BytesPerSecond(0);
  uncounted.compute_link = BytesPerSecond(0);
  EXPECT_LE(sustained_clock_for(mi300x(), mi).clock.value(),
            sustained_clock_for(mi300x(), uncounted).clock.value());
  EXPECT_LT(sustained_clock_for(mi300x(), mi).clock.value(), mi300x().compute.clock.value());
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
