// SPDX-License-Identifier: Apache-2.0
// hardware/v1: every preset loads and reproduces the shared reference table
// (../shared/reference/specs.csv), derived figures match hand calculations, --set overrides are
// applied and validated, JSON files load with positions.
#include "xpusim/config/hardware_schema.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "xpusim/config/presets.h"
#include "reference_csv.h"

namespace xpusim {
namespace {

// The ids the validation data refers to (../shared/validation/measured_public.csv, specs.csv).
const std::vector<std::string> kRequiredIds = {
    "a100-sxm-80gb", "a100-pcie-80gb", "h100-sxm-80gb",  "h100-pcie-80gb", "h100-nvl-94gb",
    "h200-sxm-141gb", "h200-nvl-141gb", "gh200-96gb",    "gh200-144gb",    "l40s",
    "b200-sxm-180gb", "gb200",          "mi210",         "mi250x-gcd",     "mi300x",
    "mi325x",         "mi355x",         "tpu-v5e",       "tpu-v5p",        "gaudi2",
    "gaudi3",         "b300",           "gb300"};

HardwareSpec load_ok(const std::string& id, const std::vector<std::string>& overrides = {}) {
  auto hw = load_hardware(id, overrides);
  EXPECT_TRUE(hw) << id << ":\n" << (hw ? "" : to_string(hw.error()));
  return hw ? *hw : HardwareSpec{};
}


TEST(HardwarePresets, EveryRequiredIdHasOnePresetWhoseIdMatchesItsFile) {
  auto ids = list_presets("hardware");
  for (const auto& id : kRequiredIds)
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << "missing preset " << id;
  for (const auto& id : ids) EXPECT_EQ(load_ok(id).id, id);
}

// Vendors' "80 GB" of HBM is 80 GiB: stacks are built from DRAM dies counted in Gbit (2^30 bit),
// so A100 80GB = 5 x 16 GiB, and nvidia-smi reports 81920 MiB. The presets give the capacity the
// device exposes, so a table figure of X "GB" allows, in bytes:
//   - X GiB less at most kDriverReserve (H100 80GB exposes 81559 of 81920 MiB, H200 143771 MiB for
//     "141 GB", B200 183359 MiB for "180 GB": 0.4-0.6% below X GiB; nvidia-smi, recalled), or
//   - X GiB less the 1/16 that inline ECC reserves on GDDR (L40S: 48 GiB -> 46068 MiB), within the
//     same reserve.
// Anything else fails, so a typo of one unit (79 or 81 for 80) or plain 80e9 bytes (74.5 GiB) is
// caught.
constexpr double kDriverReserve = 0.01;
constexpr double kInlineEccKept = 15.0 / 16.0;

bool vendor_capacity_ok(const DramSpec& dram, double table_gb) {
  const double gib = dram.capacity.value() / units::kGi;
  const auto within = [&](double full) { return gib <= full * (1 + 1e-12) &&
                                                gib >= full * (1 - kDriverReserve); };
  const bool gddr = dram.type.rfind("gddr", 0) == 0;  // HBM ECC is out of band (sideband bits)
  return within(table_gb) || (gddr && within(table_gb * kInlineEccKept));
}

TEST(HardwarePresets, VendorCapacityRuleCatchesTypos) {
  const auto ok = [](double bytes, const char* type, double table_gb) {
    return vendor_capacity_ok(DramSpec{type, 5, Bytes(bytes), BytesPerSecond(1e12)}, table_gb);
  };
  EXPECT_TRUE(ok(81559 * units::kMi, "hbm3", 80));    // H100 as exposed
  EXPECT_TRUE(ok(80 * units::kGi, "hbm2e", 80));      // A100
  EXPECT_TRUE(ok(46068 * units::kMi, "gddr6", 48));   // L40S with inline ECC
  EXPECT_FALSE(ok(80e9, "hbm3", 80));                 // decimal GB: 74.5 GiB
  EXPECT_FALSE(ok(81 * units::kGi, "hbm3", 80));      // one-unit typos
  EXPECT_FALSE(ok(79 * units::kGi, "hbm3", 80));
  EXPECT_FALSE(ok(46068 * units::kMi, "hbm3", 48));   // the ECC reserve is GDDR-only
}

// Every preset id that specs.csv lists: derived dense bf16/fp8 peaks within 3% of the table, DRAM
// bandwidth equal to it, and DRAM capacity the table's vendor figure read in GiB (see above).
TEST(HardwarePresets, ReproduceSharedSpecsTable) {
  auto rows =
      testing::read_reference_csv(std::string(XPUSIM_SHARED_DIR) + "/reference/specs.csv");
  ASSERT_GT(rows.size(), 1u) << "cannot read specs.csv under " << XPUSIM_SHARED_DIR;
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* c : {"hardware", "bf16_dense_tflops", "fp8_dense_tflops", "hbm_gb", "hbm_tb_s"})
    ASSERT_TRUE(col.contains(c)) << c;
  auto presets = list_presets("hardware");
  int compared = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string id = row[col["hardware"]];
    if (std::find(presets.begin(), presets.end(), id) == presets.end()) continue;
    HardwareSpec hw = load_ok(id);
    auto near = [&](const char* column, Precision p) {
      const std::string text = row[col[column]];
      if (text.empty()) return;
      const double want = std::stod(text);
      const double got = units::to_tflops(peak_rate(hw, p));
      EXPECT_NEAR(got / want, 1.0, 0.03) << id << " " << column << ": derived " << got;
    };
    near("bf16_dense_tflops", Precision::kBf16);
    near("fp8_dense_tflops", Precision::kFp8);
    const double table_gb = std::stod(row[col["hbm_gb"]]);
    EXPECT_TRUE(vendor_capacity_ok(hw.memory.dram, table_gb))
        << id << ": " << units::to_gib(hw.memory.dram.capacity) << " GiB for the table's "
        << table_gb << " GB (allowed: " << table_gb << " GiB, or " << table_gb * kInlineEccKept
        << " GiB for GDDR with inline ECC, less up to " << kDriverReserve * 100 << "%)";
    EXPECT_NEAR(units::to_tb_per_s(hw.memory.dram.bandwidth), std::stod(row[col["hbm_tb_s"]]), 1e-9)
        << id;
    ++compared;
  }
  EXPECT_GE(compared, 20);  // all required ids but tpu-v5p (not in specs.csv)
}

// Hand calculations from the architecture (whitepaper figures quoted in the presets).
TEST(HardwareDerived, PeaksRidgePointsAndSramMatchHandCalculations) {
  struct Row {
    const char* id;
    Precision p;
    double tflops;  // units x engines x MACs x 2 x clock
  };
  const Row rows[] = {
      {"a100-sxm-80gb", Precision::kBf16, 108 * 4 * 256 * 2 * 1.41e9 / 1e12},   // 311.9
      {"h100-sxm-80gb", Precision::kBf16, 132 * 4 * 512 * 2 * 1.83e9 / 1e12},   // 989.3
      {"h100-sxm-80gb", Precision::kFp8, 132 * 4 * 1024 * 2 * 1.83e9 / 1e12},   // 1978.6
      {"mi300x", Precision::kBf16, 304 * 4 * 256 * 2 * 2.1e9 / 1e12},           // 1307.4
      {"tpu-v5e", Precision::kBf16, 1 * 4 * 128 * 128 * 2 * 1.5e9 / 1e12},      // 196.6
      {"gaudi2", Precision::kBf16, 2 * 256 * 256 * 2 * 1.65e9 / 1e12},          // 432.5
      {"gb200", Precision::kFp4, 148 * 4 * 4096 * 2 * 2.062e9 / 1e12},          // 10001.7
      // Blackwell Ultra: B200/GB200's SMs and clocks, 1.5x the FP4 MACs (sources in the presets).
      {"b300", Precision::kBf16, 148 * 4 * 1024 * 2 * 1.855e9 / 1e12},          // 2249.4 (2250)
      {"b300", Precision::kFp4, 148 * 4 * 6144 * 2 * 1.855e9 / 1e12},           // 13496.3
      {"gb300", Precision::kFp4, 148 * 4 * 6144 * 2 * 2.062e9 / 1e12},          // 15002.6 (15000)
      // Issue 9 presets: units x engines x MACs x 2 x clock (sources in each preset).
      {"tpu-v4", Precision::kBf16, 2 * 4 * 128 * 128 * 2 * 1.05e9 / 1e12},      // 275.3 (275)
      {"tpu-v4", Precision::kInt8, 2 * 4 * 128 * 128 * 2 * 1.05e9 / 1e12},      // 275.3 (275)
      {"tpu-v6e", Precision::kBf16, 1 * 4 * 256 * 256 * 2 * 1.75e9 / 1e12},     // 917.5 (918)
      {"tpu-v6e", Precision::kInt8, 1 * 4 * 131072 * 2 * 1.75e9 / 1e12},        // 1835.0 (1836)
      {"trainium2", Precision::kBf16, 8 * 1 * 128 * 128 * 2 * 2.5e9 / 1e12},    // 655.4 (667)
      {"trainium2", Precision::kFp8, 8 * 1 * 32768 * 2 * 2.5e9 / 1e12},         // 1310.7 (1299)
      {"furiosa-rngd", Precision::kBf16, 8 * 16384 * 2 * 0.977e9 / 1e12},       // 256.1 (256)
      {"furiosa-rngd", Precision::kFp8, 8 * 32768 * 2 * 0.977e9 / 1e12},        // 512.2 (512)
      {"rebellions-atom", Precision::kFp16, 8 * 1024 * 2 * 1.953e9 / 1e12},     // 32.0 (32)
      {"rebellions-atom", Precision::kInt8, 8 * 4096 * 2 * 1.953e9 / 1e12},     // 128.0 (128)
      {"groq-lpu", Precision::kInt8, 1 * 4 * 320 * 320 * 2 * 0.9e9 / 1e12},     // 737.3 (750)
      {"groq-lpu", Precision::kFp16, 1 * 4 * 25600 * 2 * 0.9e9 / 1e12},         // 184.3 (188)
      {"cerebras-wse-3", Precision::kFp16, 900000.0 * 1 * 8 * 2 * 1.1e9 / 1e12}, // 15840
  };
  for (const auto& r : rows)
    EXPECT_NEAR(units::to_tflops(peak_rate(load_ok(r.id), r.p)), r.tflops, 1e-6) << r.id;

  HardwareSpec h100 = load_ok("h100-sxm-80gb");
  // Ridge point = 989.3 TFLOP/s / 3.35 TB/s = 295.3 FLOP/B.
  ASSERT_TRUE(dram_ridge_point(h100, Precision::kBf16));
  EXPECT_NEAR(dram_ridge_point(h100, Precision::kBf16)->value(), 132 * 4 * 512 * 2 * 1.83e9 / 3.35e12,
              1e-9);
  EXPECT_NEAR(dram_bytes_per_flop(h100, Precision::kBf16)->value(),
              1.0 / dram_ridge_point(h100, Precision::kBf16)->value(), 1e-15);
  EXPECT_NEAR(l2_ridge_point(h100, Precision::kBf16)->value(), 132 * 4 * 512 * 2 * 1.83e9 / 5.5e12,
              1e-9);
  EXPECT_FALSE(dram_ridge_point(h100, Precision::kFp4));  // no FP4 on Hopper
  EXPECT_NEAR(special_function_rate(h100).value(), 132 * 16 * 1.83e9, 1.0);

  // A100: 108 x (256 KiB registers + 192 KiB L1) + 40 MiB L2.
  EXPECT_DOUBLE_EQ(total_on_chip_sram(load_ok("a100-sxm-80gb")).value(),
                   108.0 * (256 + 192) * 1024 + 40.0 * 1024 * 1024);
  // MI300X adds the 256 MiB Infinity Cache.
  EXPECT_DOUBLE_EQ(total_on_chip_sram(load_ok("mi300x")).value(),
                   304.0 * (512 + 64) * 1024 + (32.0 + 256.0) * 1024 * 1024);
  EXPECT_FALSE(l2_ridge_point(load_ok("tpu-v5e"), Precision::kBf16));  // no L2 described
}

// Issue 9: presets beyond GPUs. Each loads (which runs the 3% datasheet cross-check on every
// published dense peak), and every published dense peak is within 3% of the derived one.
TEST(HardwarePresets, PresetsBeyondGpusLoadAndReproduceTheirDatasheets) {
  int peaks = 0;
  for (const char* id : {"tpu-v6e", "trainium2", "furiosa-rngd", "rebellions-atom", "groq-lpu",
                         "cerebras-wse-3", "tpu-v4"}) {
    HardwareSpec hw = load_ok(id);
    EXPECT_EQ(hw.id, id);
    for (Precision p : kAllPrecisions) {
      const auto& ds = hw.compute.datasheet_peak[index_of(p)];
      if (!ds) continue;
      EXPECT_NEAR(peak_rate(hw, p) / *ds, 1.0, kDatasheetPeakTolerance) << id << " " << to_string(p);
      ++peaks;
    }
  }
  EXPECT_GE(peaks, 12);  // Cerebras publishes no dense peak (see its preset)
}

// SRAM-only designs keep weights in the last on-chip level: Groq's 220 MiB of MEM (L2) at
// 80 TB/s, and the 48 KiB of each of Cerebras' 900,000 enabled cores (44.2 GB, 21 PB/s).
TEST(HardwareDerived, SramOnlyDesignsAreBackedByTheirLastOnChipLevel) {
  const BackingStore groq = backing_store(load_ok("groq-lpu"));
  EXPECT_EQ(groq.level, "l2");
  EXPECT_DOUBLE_EQ(groq.capacity.value(), 220.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(groq.bandwidth.value(), 80e12);
  const BackingStore wse = backing_store(load_ok("cerebras-wse-3"));
  EXPECT_EQ(wse.level, "l1");
  EXPECT_DOUBLE_EQ(wse.capacity.value(), 900000.0 * 48 * 1024);
  EXPECT_NEAR(wse.bandwidth.value(), 900000.0 * 23.33e9, 1.0);
  const BackingStore h100 = backing_store(load_ok("h100-sxm-80gb"));
  EXPECT_EQ(h100.level, "dram");
  EXPECT_FALSE(h100.on_chip());
  EXPECT_DOUBLE_EQ(h100.bandwidth.value(), 3.35e12);
  // An LLC, when given, is the last level: it backs an sram_only design before the L2.
  const BackingStore llc = backing_store(load_ok(
      "groq-lpu", {"memory.llc.capacity=1 GiB", "memory.llc.bandwidth=10 TB/s"}));
  EXPECT_EQ(llc.level, "llc");
  EXPECT_DOUBLE_EQ(llc.capacity.value(), 1024.0 * 1024 * 1024);
}

// Physical plausibility of every preset.
TEST(HardwarePresets, Invariants) {
  for (const auto& id : list_presets("hardware")) {
    HardwareSpec hw = load_ok(id);
    // bf16 runs on the matrix engines, natively or as the format they execute it in (fp16 on
    // Groq and ATOM, whose engines have no bf16).
    const double bf16 = peak_rate(hw, execution_precision(hw, Precision::kBf16)).value();
    EXPECT_GT(bf16, 0) << id << ": every preset runs bf16 models on its matrix engines";
    // Narrower formats never run slower than wider ones on the same engines.
    const double fp8 = peak_rate(hw, Precision::kFp8).value();
    if (fp8 > 0) {
      EXPECT_GE(fp8, bf16) << id;
    }
    const double fp4 = peak_rate(hw, Precision::kFp4).value();
    if (fp4 > 0) {
      EXPECT_GE(fp4, fp8) << id;
    }
    EXPECT_LT(peak_vector_rate(hw).value(), bf16) << id;
    // Each level closer to the engines is faster than the one behind it.
    if (hw.memory.l2.present) {
      EXPECT_GT(hw.memory.l2.bandwidth, hw.memory.dram.bandwidth) << id;
      if (hw.memory.llc.present) {
        EXPECT_GT(hw.memory.l2.bandwidth, hw.memory.llc.bandwidth) << id;
      }
    }
    if (hw.memory.llc.present) {
      EXPECT_GT(hw.memory.llc.bandwidth, hw.memory.dram.bandwidth) << id;
    }
    // The backing store (where weights live) is the device memory, larger than all SRAM, or, for
    // sram_only designs, the on-chip SRAM itself.
    const BackingStore store = backing_store(hw);
    if (hw.memory.dram.type == "sram_only") {
      EXPECT_TRUE(store.on_chip()) << id;
      EXPECT_LE(store.capacity, total_on_chip_sram(hw)) << id;
    } else {
      EXPECT_EQ(store.level, "dram") << id;
      EXPECT_LT(total_on_chip_sram(hw), hw.memory.dram.capacity) << id;
    }
    EXPECT_GT(store.capacity.value(), 0) << id;
    EXPECT_GT(store.bandwidth.value(), 0) << id;
    // A die larger than the 26 mm x 33 mm lithography reticle cannot be printed, unless it is
    // stitched across fields (wafer-scale), and then it fits a 300 mm wafer.
    for (const DieSpec* d : {&hw.physical.compute_die, &hw.physical.io_die})
      if (d->area) {
        EXPECT_LE(d->area->value(), d->wafer_scale ? 3.14159 * 150.0 * 150.0 : 26.0 * 33.0) << id;
      }
    // Every preset names a process node class (area and cost models need it).
    EXPECT_FALSE(hw.physical.compute_die.node.empty() && hw.vendor != "Google") << id;
    EXPECT_TRUE(hw.interconnect.scale_up.present) << id;
    EXPECT_GE(hw.interconnect.scale_up.domain_size, 1) << id;
  }
}

// The format a request runs in: itself, else the next wider supported one, else the widest
// supported float format; never an unsupported one (which would give a zero peak).
TEST(HardwareDerived, ExecutionPrecisionFallsBackToASupportedFormat) {
  struct Row {
    const char* id;
    Precision requested, executed;
  };
  const Row rows[] = {
      {"a100-sxm-80gb", Precision::kFp8, Precision::kBf16},   // no FP8 tensor cores on Ampere
      {"a100-sxm-80gb", Precision::kFp32, Precision::kTf32},  // FP32 GEMM on TF32 tensor cores
      {"h100-sxm-80gb", Precision::kFp4, Precision::kFp8},
      {"tpu-v5e", Precision::kFp16, Precision::kBf16},
      {"tpu-v5e", Precision::kFp32, Precision::kBf16},        // MXU has bf16 passes only
      {"gaudi2", Precision::kFp32, Precision::kFp16},
      {"gaudi2", Precision::kInt8, Precision::kFp8},
      {"b200-sxm-180gb", Precision::kFp4, Precision::kFp4},
      {"b300", Precision::kFp4, Precision::kFp4},
      {"gb300", Precision::kFp4, Precision::kFp4},
  };
  for (const auto& r : rows) {
    HardwareSpec hw = load_ok(r.id);
    EXPECT_EQ(to_string(execution_precision(hw, r.requested)), to_string(r.executed))
        << r.id << " " << to_string(r.requested);
  }
  for (const auto& id : list_presets("hardware")) {
    HardwareSpec hw = load_ok(id);
    for (Precision p : kAllPrecisions)
      EXPECT_GT(peak_rate(hw, execution_precision(hw, p)).value(), 0) << id << " " << to_string(p);
  }
}

// A format removed by an override takes effect: bf16 and fp16 never stand in for each other
// while a wider format exists (a bf16 model on engines without bf16 runs as tf32, not silently as
// fp16 at the same rate); with no wider format the widest one emulates it (TPU fp16 -> bf16).
TEST(HardwareDerived, ZeroMacsForAFormatTakesEffect) {
  struct Row {
    const char* id;
    const char* override_;
    Precision requested, executed;
  };
  const Row rows[] = {
      {"a100-sxm-80gb", "compute.matrix.macs_per_cycle.bf16=0", Precision::kBf16, Precision::kTf32},
      {"a100-sxm-80gb", "compute.matrix.macs_per_cycle.fp16=0", Precision::kFp16, Precision::kTf32},
      {"mi300x", "compute.matrix.macs_per_cycle.bf16=0", Precision::kBf16, Precision::kTf32},
      {"a100-sxm-80gb", "compute.matrix.macs_per_cycle.bf16=0", Precision::kFp8, Precision::kFp16},
      {"gaudi2", "compute.matrix.macs_per_cycle.bf16=0", Precision::kBf16, Precision::kFp16},
  };
  for (const auto& r : rows) {
    HardwareSpec hw = load_ok(r.id, {r.override_});
    EXPECT_EQ(to_string(execution_precision(hw, r.requested)), to_string(r.executed))
        << r.id << " " << r.override_;
    EXPECT_GT(peak_rate(hw, execution_precision(hw, r.requested)).value(), 0);
  }
  // The A100 runs tf32 at half the bf16 rate: removing bf16 halves the peak a bf16 GEMM sees.
  HardwareSpec a100 = load_ok("a100-sxm-80gb");
  HardwareSpec no_bf16 = load_ok("a100-sxm-80gb", {"compute.matrix.macs_per_cycle.bf16=0"});
  EXPECT_NEAR(peak_rate(no_bf16, execution_precision(no_bf16, Precision::kBf16)) /
                  peak_rate(a100, execution_precision(a100, Precision::kBf16)),
              0.5, 1e-9);
}

// Numbers beyond physical or representable bounds are rejected with the field path and the
// value as given (the bounds live in the schema table, reasons beside them).
TEST(HardwareOverrides, AbsurdValuesAreOutOfRange) {
  struct Case {
    const char* set;
    const char* message;
  };
  const Case cases[] = {
      {"memory.dram.bandwidth=1e-30 TB/s",
       "<command line>: memory.dram.bandwidth: value \"1e-30 TB/s\" is out of range; allowed: 0 "
       "or >= 0.001 GB/s and <= 100000 GB/s (1 MB/s is slower than any memory or link built)\n"},
      {"memory.dram.bandwidth=1e300 TB/s",
       "<command line>: memory.dram.bandwidth: value \"1e300 TB/s\" is out of range; allowed: 0 "
       "or >= 0.001 GB/s and <= 100000 GB/s (1 MB/s is slower than any memory or link built)\n"},
      {"interconnect.scale_up.bandwidth=1e-30 GB/s",
       "<command line>: interconnect.scale_up.bandwidth: value \"1e-30 GB/s\" is out of range; "
       "allowed: >= 0.001 GB/s and <= 100000 GB/s (1 MB/s is slower than any memory or link "
       "built)\n"},
      {"compute.matrix.macs_per_cycle.bf16=1e-30",
       "<command line>: compute.matrix.macs_per_cycle.bf16: value \"1e-30\" is out of range; "
       "allowed: 0 or >= 1 and <= 1e+07 (an engine does at least one MAC per cycle)\n"},
      {"physical.tdp=1e300 W",
       "<command line>: physical.tdp: value \"1e300 W\" is out of range; allowed: >= 1 W and <= "
       "100000 W (1 W to a 100 kW wafer-scale system)\n"},
      // An integer beyond what a double holds exactly is out of range, not "not an integer".
      {"compute.units=99999999999999999999",
       "<command line>: compute.units: value \"99999999999999999999\" is out of range; allowed: "
       ">= 1 and <= 1e+06\n"},
      {"compute.units=1.5", "<command line>: compute.units: expected an integer, got \"1.5\"\n"},
      {"compute.vector.lanes_per_unit=0.5",
       "<command line>: compute.vector.lanes_per_unit: value \"0.5\" is out of range; allowed: 0 "
       "or >= 1 and <= 1e+06 (0 = not given; a vector unit has at least one lane)\n"},
  };
  for (const Case& c : cases) {
    auto hw = load_hardware("h100-sxm-80gb", {c.set});
    ASSERT_FALSE(hw) << c.set;
    EXPECT_EQ(to_string(hw.error()), c.message) << c.set;
  }
  // Vector lanes: not given (0) = FMA lanes, fp32 FLOP / 2 (H100: 128 per SM); where given, the
  // described count (Groq's 5,120 VXM ALUs, which are not FMA pairs).
  EXPECT_DOUBLE_EQ(vector_lane_ops_per_cycle(load_ok("h100-sxm-80gb").compute.vector), 128.0);
  EXPECT_DOUBLE_EQ(vector_lane_ops_per_cycle(load_ok("groq-lpu").compute.vector), 5120.0);
  EXPECT_DOUBLE_EQ(
      vector_lane_ops_per_cycle(
          load_ok("h100-sxm-80gb", {"compute.vector.lanes_per_unit=64"}).compute.vector),
      64.0);
  // 0 still means "none" where the schema says so.
  EXPECT_EQ(load_ok("h100-sxm-80gb", {"compute.matrix.macs_per_cycle.fp8=0"})
                .compute.matrix.macs_per_cycle[index_of(Precision::kFp8)],
            0.0);
}

TEST(HardwareOverrides, AreAppliedAndValidated) {
  HardwareSpec hw = load_ok("h100-sxm-80gb", {"memory.dram.bandwidth=4 TB/s"});
  EXPECT_DOUBLE_EQ(hw.memory.dram.bandwidth.value(), 4e12);

  // A design change that alters the derived peak is no longer checked against the datasheet...
  hw = load_ok("h100-sxm-80gb", {"compute.units=144"});
  EXPECT_NEAR(units::to_tflops(peak_rate(hw, Precision::kBf16)), 144 * 4 * 512 * 2 * 1.83e9 / 1e12,
              1e-6);
  // ...unless the override gives a datasheet peak, which must then agree.
  auto bad_peak = load_hardware("h100-sxm-80gb", {"compute.datasheet_peak.bf16=2 PFLOP/s"});
  ASSERT_FALSE(bad_peak);
  EXPECT_NE(to_string(bad_peak.error())
                .find("compute.datasheet_peak.bf16: derived bf16 peak 989.4 TFLOP/s"),
            std::string::npos)
      << to_string(bad_peak.error());

  auto thz = load_hardware("h100-sxm-80gb", {"compute.clock=1 THz"});
  ASSERT_FALSE(thz);
  EXPECT_EQ(to_string(thz.error()),
            "<command line>: compute.clock: value \"1 THz\" is out of range; allowed: >= 0.001 GHz "
            "and <= 10 GHz (1 MHz to 10 GHz: no logic process clocks higher)\n");

  auto typo = load_hardware("h100-sxm-80gb", {"compute.clok=1.5 GHz"});
  ASSERT_FALSE(typo);
  EXPECT_EQ(to_string(typo.error()),
            "<command line>: compute.clok: unknown key; did you mean \"compute.clock\"?\n");

  auto half_level = load_hardware("tpu-v5e", {"memory.l2.capacity=64 MiB"});
  ASSERT_FALSE(half_level);
  EXPECT_NE(to_string(half_level.error()).find("memory.l2.capacity: the level has a capacity but no "
                                               "memory.l2.bandwidth"),
            std::string::npos);
  EXPECT_TRUE(load_hardware("tpu-v5e", {"memory.l2.capacity=64 MiB", "memory.l2.bandwidth=10 TB/s"}));

  // Ring / torus shapes: parsed, and checked against the topology and the domain size.
  EXPECT_EQ(load_ok("tpu-v6e").interconnect.scale_up.dims, (std::vector<int>{16, 16}));
  EXPECT_EQ(load_ok("tpu-v5p").interconnect.scale_up.dims, (std::vector<int>{16, 20, 28}));
  const std::pair<const char*, const char*> bad_shapes[] = {
      {"interconnect.scale_up.shape=16x", "expected dimensions such as \"16x16\" (integers >= 1 "
                                          "joined by 'x'), got \"16x\""},
      {"interconnect.scale_up.shape=16x0", "got \"16x0\""},
      {"interconnect.scale_up.shape=8x8x4", "\"8x8x4\" has 3 dimensions; topology torus_2d needs 2"},
      {"interconnect.scale_up.shape=8x16", "\"8x16\" holds 128 devices but "
                                           "interconnect.scale_up.domain_size is 256"}};
  for (const auto& [set, message] : bad_shapes) {
    auto bad = load_hardware("tpu-v6e", {set});
    ASSERT_FALSE(bad) << set;
    EXPECT_NE(to_string(bad.error()).find(message), std::string::npos) << to_string(bad.error());
  }
  auto switched_shape = load_hardware("h100-sxm-80gb", {"interconnect.scale_up.shape=2x4"});
  ASSERT_FALSE(switched_shape);
  EXPECT_NE(to_string(switched_shape.error())
                .find("a shape is given but interconnect.scale_up.topology is \"switched\""),
            std::string::npos);
  EXPECT_EQ(load_ok("mi300x").physical.die_to_die.topology, "ring");
  EXPECT_EQ(load_ok("h100-sxm-80gb").physical.die_to_die.topology, "fully_connected");
  EXPECT_FALSE(load_ok("h100-sxm-80gb").physical.die_to_die.bandwidth);
  EXPECT_NEAR(load_ok("h100-sxm-80gb", {"physical.die_to_die.energy=0.5 pJ/bit"})
                  .physical.die_to_die.energy->value(),
              4e-12, 1e-18);  // 0.5 pJ per bit = 4 pJ per byte
  EXPECT_FALSE(load_hardware("mi300x", {"physical.die_to_die.topology=mesh"}));

  auto malformed = load_hardware("h100-sxm-80gb", {"memory.dram.bandwidth"});
  ASSERT_FALSE(malformed);
  EXPECT_NE(to_string(malformed.error()).find("--set expects dotted.path=value"), std::string::npos);
}

// The native matrix instruction tile (issue 9): read from the presets that describe it, all three
// of m, n, k or none, each within its range, with errors naming the field.
TEST(HardwareOverrides, InstructionTileIsAllOrNothingAndInRange) {
  const HardwareSpec h100 = load_ok("h100-sxm-80gb", {});
  EXPECT_EQ(h100.compute.matrix.instruction_tile.m, 64);
  EXPECT_EQ(h100.compute.matrix.instruction_tile.n, 256);
  EXPECT_EQ(h100.compute.matrix.instruction_tile.k, 16);
  const HardwareSpec mi300x = load_ok("mi300x", {});
  EXPECT_EQ(mi300x.compute.matrix.instruction_tile.m, 32);
  EXPECT_EQ(mi300x.compute.matrix.instruction_tile.k, 8);
  EXPECT_FALSE(load_ok("gaudi3", {}).compute.matrix.instruction_tile.given());  // array: derived

  auto partial = load_hardware("gaudi3", {"compute.matrix.instruction_tile.m=64"});
  ASSERT_FALSE(partial);
  EXPECT_NE(to_string(partial.error())
                .find("compute.matrix.instruction_tile.n: give all of compute.matrix."
                      "instruction_tile m, n and k, or none"),
            std::string::npos)
      << to_string(partial.error());
  auto negative = load_hardware("h100-sxm-80gb", {"compute.matrix.instruction_tile.k=-4"});
  ASSERT_FALSE(negative);
  EXPECT_NE(to_string(negative.error()).find("compute.matrix.instruction_tile.k: value \"-4\" is "
                                             "out of range"),
            std::string::npos)
      << to_string(negative.error());
  const HardwareSpec wide =
      load_ok("h100-sxm-80gb", {"compute.matrix.instruction_tile.n=128"});
  EXPECT_EQ(wide.compute.matrix.instruction_tile.n, 128);
}

TEST(HardwareSchema, DeclaresEveryFieldOfTheSpec) {
  std::set<std::string> paths;
  for (const auto& f : hardware_schema().fields()) {
    EXPECT_FALSE(f.description.empty()) << f.path;
    EXPECT_TRUE(paths.insert(f.path).second) << "duplicate " << f.path;
  }
  std::vector<std::string> want = {
      "schema", "id", "name", "vendor", "compute.units", "compute.unit_name", "compute.clock",
      "compute.matrix.engines_per_unit", "compute.matrix.array_rows", "compute.matrix.array_cols",
      "compute.matrix.min_m", "compute.matrix.tensor_memory",
      "compute.matrix.instruction_tile.m", "compute.matrix.instruction_tile.n",
      "compute.matrix.instruction_tile.k",
      "compute.vector.fp32_flop_per_cycle_per_unit",
      "compute.vector.special_per_cycle_per_unit", "memory.dram.type", "memory.dram.stacks",
      "memory.dram.capacity", "memory.dram.bandwidth", "interconnect.host_bandwidth",
      "physical.process", "physical.tdp", "physical.package", "physical.transistors_billion"};
  want.push_back("compute.units_on_die");  // die inventory for the area model
  want.push_back("memory.dram.sites");
  for (const auto& p : precision_names()) {
    want.push_back("compute.matrix.macs_per_cycle." + p);
    want.push_back("compute.datasheet_peak." + p);
  }
  want.push_back("compute.network");                // area model: crossbar or mesh
  want.push_back("compute.execution");              // dynamic or statically scheduled
  want.push_back("compute.vector.lanes_per_unit");  // vector ALUs (0: fp32 FLOP / 2)
  want.push_back("compute.mesh_hop_cycles");  // router latency of a mesh (fill of a region)
  want.push_back("physical.compute_die.wafer_scale");  // stitched wafer-scale die
  for (const char* level : {"register_file", "l1", "l2", "llc"})
    for (const char* sub : {"capacity", "bandwidth", "array"})
      want.push_back(std::string("memory.") + level + "." + sub);
  want.push_back("memory.l2.attach");  // which units the L2 serves (per compute die or all)
  want.push_back("memory.register_file.banks");  // area model: register-file SRAM arrays
  want.push_back("memory.l2.data_fabric");  // area model: the L2 reaches memory through a fabric
  want.push_back("interconnect.scale_up.links_on_die");  // area model: link ports on the die
  want.push_back("interconnect.scale_up.port_family");  // area model: family of those ports
  for (const char* tier : {"scale_up", "scale_out"})
    for (const char* sub :
         {"name", "bandwidth", "links", "latency", "topology", "shape", "domain_size",
          "in_network_reduction"})
      want.push_back(std::string("interconnect.") + tier + "." + sub);
  for (const char* die : {"compute_die", "io_die"})
    for (const char* sub : {"name", "count", "area", "node"})
      want.push_back(std::string("physical.") + die + "." + sub);
  for (const char* sub : {"bandwidth", "topology", "energy", "compute_link"})  // multi-die fabric
    want.push_back(std::string("physical.die_to_die.") + sub);
  for (const auto& w : want) EXPECT_TRUE(paths.contains(w)) << "not declared: " << w;
  EXPECT_EQ(paths.size(), want.size());
  const std::string text = describe_schema(hardware_schema().name(), hardware_schema().fields());
  EXPECT_NE(text.find("compute.clock"), std::string::npos);
  EXPECT_NE(text.find("allowed >= 0.001 GHz and <= 10 GHz"), std::string::npos);
  EXPECT_NE(text.find("allowed > 0 GiB and <= 8192 GiB"), std::string::npos);
}

class HardwareJson : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() /
               ("xpusim_hw_json_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static constexpr const char* kToy = R"({
  "schema": "hardware/v1", "id": "toy-json", "name": "Toy", "vendor": "Nobody",
  "compute": {
    "units": 100, "unit_name": "SM", "clock": "1.5 GHz",
    "matrix": { "engines_per_unit": 4, "macs_per_cycle": { "bf16": 256 } },
    "vector": { "fp32_flop_per_cycle_per_unit": 128, "special_per_cycle_per_unit": 16 }
  },
  "memory": { "dram": { "type": "hbm3", "capacity": "80 GB", "bandwidth": "3.35 TB/s" } }
}
)";
};

TEST_F(HardwareJson, LoadsLikeYaml) {
  auto hw = load_hardware(write("toy.json", kToy));
  ASSERT_TRUE(hw) << to_string(hw.error());
  EXPECT_EQ(hw->id, "toy-json");
  EXPECT_NEAR(units::to_tflops(peak_rate(*hw, Precision::kBf16)), 307.2, 1e-9);
  EXPECT_DOUBLE_EQ(hw->memory.dram.capacity.value(), 80e9);
}

TEST_F(HardwareJson, ErrorsCarryLineAndColumn) {
  std::string bad_value = kToy;
  bad_value.replace(bad_value.find("\"1.5 GHz\""), 9, "\"1.5 GB\"");
  const std::string path = write("bad_value.json", bad_value);
  auto hw = load_hardware(path);
  ASSERT_FALSE(hw);
  EXPECT_EQ(to_string(hw.error()),
            path + ":4:38: compute.clock: expected a frequency such as \"1.98 GHz\", got \"1.5 GB\" "
                   "(that is a capacity)\n");

  const std::string broken = write("broken.json", "{\n  \"schema\": \"hardware/v1\",\n  \"id\": }\n");
  auto syntax = load_hardware(broken);
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error()[0].line, 3);
  EXPECT_EQ(syntax.error()[0].column, 9);
  EXPECT_NE(syntax.error()[0].message.find("malformed JSON: syntax error"), std::string::npos);

  std::string dup = kToy;
  dup.replace(dup.find("\"name\": \"Toy\""), 13, "\"name\": \"Toy\", \"name\": \"Again\"");
  auto duplicate = load_hardware(write("dup.json", dup));
  ASSERT_FALSE(duplicate);
  EXPECT_NE(to_string(duplicate.error()).find(":2:61: name: duplicate key \"name\""),
            std::string::npos)
      << to_string(duplicate.error());

  auto not_object = load_hardware(write("array.json", "[1, 2]\n"));
  ASSERT_FALSE(not_object);
  EXPECT_NE(not_object.error()[0].message.find("expected a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace xpusim
