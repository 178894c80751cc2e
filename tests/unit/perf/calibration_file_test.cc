// SPDX-License-Identifier: Apache-2.0
// calibration/v1: the compiled-in copy is data/calibration/default.yaml, a written file reads
// back to the same values and predictions, partial and bad files, and the error intervals.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/calibration_file.h"
#include "xpusim/perf/gemm_model.h"

namespace xpusim {
namespace {

using testing::TempDir;

std::string all_text(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d) s += x.to_string() + "\n";
  return s;
}

TEST(CalibrationFile, CompiledInCopyIsTheDataFile) {
  std::ifstream f(data_dir() + "/calibration/default.yaml", std::ios::binary);
  ASSERT_TRUE(f.good());
  const std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(builtin_calibration_text(), file);
}

TEST(CalibrationFile, EveryValueHasAFitDateAndSource) {
  const PerfCalibration& c = default_calibration();
  for (const auto& f : calibration_schema_fields()) {
    if (!f.path.ends_with(".value")) continue;
    const std::string path = f.path.substr(0, f.path.size() - 6);
    if (path.starts_with("runtimes.NAME.")) {
      for (const auto& r : c.runtimes) {
        const std::string p = "runtimes." + r.name + path.substr(13);
        ASSERT_TRUE(c.provenance.contains(p)) << p;
        EXPECT_FALSE(c.provenance.at(p).fitted.empty()) << p;
        EXPECT_FALSE(c.provenance.at(p).source.empty()) << p;
      }
    } else {
      ASSERT_TRUE(c.provenance.contains(path)) << path;
      EXPECT_FALSE(c.provenance.at(path).source.empty()) << path;
    }
  }
}

TEST(CalibrationFile, WrittenFileReadsBackToTheSamePredictions) {
  TempDir dir("calfile_roundtrip");
  PerfCalibration changed = default_calibration();
  changed.matrix_efficiency = 0.8123456789012345;
  changed.runtimes[0].kernel_gap = Seconds(1.234567890123e-5);
  changed.uncertainty["gemm"] = {-0.123, 0.0456, 17, "ampere, new-chip"};
  const std::string path = dir.file("cal.yaml", calibration_yaml(changed));
  auto back = load_calibration_file(path);
  ASSERT_TRUE(back) << all_text(back.error());
  EXPECT_EQ(calibration_yaml(*back), calibration_yaml(changed));
  EXPECT_EQ(back->uncertainty.at("gemm").p10, -0.123);
  EXPECT_EQ(back->uncertainty.at("gemm").families, "ampere, new-chip");
  // A band whose families were not recorded is written without the key.
  changed.uncertainty["static"].families.clear();
  const std::string unrecorded = calibration_yaml(changed);
  const std::size_t at = unrecorded.find("  static: {p10: ");
  ASSERT_NE(at, std::string::npos) << unrecorded;
  const std::string line = unrecorded.substr(at, unrecorded.find('\n', at) - at);
  EXPECT_EQ(line.find("families"), std::string::npos) << line;
  // (Read back over the built-in file, as every calibration file is, it takes the built-in
  // band's families: a file changes only what it names.)

  auto hw = load_hardware("h100-sxm-80gb");
  ASSERT_TRUE(hw);
  const GemmShape shape{.m = 4096, .n = 4096, .k = 4096, .batch = 1};
  // A file is read with the default runtime profile applied (with_runtime), as here.
  auto a = predict_gemm(*hw, shape, Precision::kBf16, with_runtime(changed, changed.runtimes[0]));
  auto b = predict_gemm(*hw, shape, Precision::kBf16, *back);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->time.value(), b->time.value());
  auto d = predict_gemm(*hw, shape, Precision::kBf16, default_calibration());
  ASSERT_TRUE(d);
  EXPECT_NE(a->time.value(), d->time.value());  // the changed constant reached the model
}

// What a device model keeps (perf/calibration.h constants_only): every constant, as the file
// writes it, and none of the tables.
TEST(CalibrationFile, ConstantsOnlyKeepsEveryConstantAndNoTable) {
  PerfCalibration cal = with_runtime(default_calibration(), default_calibration().runtimes[1]);
  cal.matrix_efficiency = 0.8123456789012345;
  ASSERT_FALSE(cal.runtimes.empty() || cal.provenance.empty() || cal.uncertainty.empty());
  const PerfCalibration kept = constants_only(cal);
  EXPECT_TRUE(kept.runtimes.empty());
  EXPECT_TRUE(kept.provenance.empty());
  EXPECT_TRUE(kept.uncertainty.empty());
  PerfCalibration stripped = cal;
  stripped.runtimes.clear();
  stripped.provenance.clear();
  stripped.uncertainty.clear();
  EXPECT_EQ(calibration_yaml(kept), calibration_yaml(stripped));
  EXPECT_EQ(kept.kernel_overhead.value(), cal.kernel_overhead.value());
}

TEST(CalibrationFile, PartialFileChangesOnlyWhatItNames) {
  TempDir dir("calfile_partial");
  const std::string path = dir.file("p.yaml",
                                    "schema: calibration/v1\n"
                                    "dram_efficiency: {value: 0.8}\n"
                                    "runtimes:\n  nemo:\n    step_overhead: {value: 1 ms}\n");
  auto c = load_calibration_file(path);
  ASSERT_TRUE(c) << all_text(c.error());
  EXPECT_EQ(c->dram_efficiency, 0.8);
  EXPECT_EQ(c->matrix_efficiency, default_calibration().matrix_efficiency);
  const RuntimeProfile* nemo = find_runtime(c->runtimes, "nemo");
  ASSERT_NE(nemo, nullptr);
  EXPECT_DOUBLE_EQ(nemo->step_overhead.value(), 1e-3);
  EXPECT_EQ(nemo->kernel_gap.value(), find_runtime(default_calibration().runtimes, "nemo")->kernel_gap.value());
  EXPECT_EQ(runtime_names(c->runtimes), runtime_names(default_calibration().runtimes));
}

TEST(CalibrationFile, ZeroWhereItDividesIsAnErrorNamingFileLineAndField) {
  TempDir dir("calfile_zero");
  const std::string path =
      dir.file("z.yaml", "schema: calibration/v1\nmatrix_efficiency: {value: 0}\n");
  auto c = load_calibration_file(path);
  ASSERT_FALSE(c);
  const std::string text = all_text(c.error());
  EXPECT_NE(text.find("z.yaml:2"), std::string::npos) << text;
  EXPECT_NE(text.find("matrix_efficiency.value"), std::string::npos) << text;
  EXPECT_NE(text.find("> 0"), std::string::npos) << text;
}

TEST(CalibrationFile, UnknownKeysAndIncompleteNewRuntimesAreErrors) {
  TempDir dir("calfile_bad");
  auto typo = load_calibration_file(
      dir.file("t.yaml", "schema: calibration/v1\nmatrix_efficency: {value: 0.9}\n"));
  ASSERT_FALSE(typo);
  EXPECT_NE(all_text(typo.error()).find("t.yaml:2"), std::string::npos) << all_text(typo.error());
  EXPECT_NE(all_text(typo.error()).find("matrix_efficency: unknown key"), std::string::npos)
      << all_text(typo.error());
  auto incomplete = load_calibration_file(dir.file(
      "n.yaml", "schema: calibration/v1\nruntimes:\n  my-stack:\n    kernel_gap: {value: 2 us}\n"));
  ASSERT_FALSE(incomplete);
  EXPECT_NE(all_text(incomplete.error()).find("runtimes.my-stack.step_overhead.value"),
            std::string::npos)
      << all_text(incomplete.error());
  auto wrong = load_calibration_file(dir.file("w.yaml", "schema: hardware/v1\n"));
  ASSERT_FALSE(wrong);
}

TEST(CalibrationFile, OutputOverlapIsABooleanWithItsDefault) {
  // runtimes.NAME.output_overlap (perf/runtime_profile.h): true or false, default false (serial);
  // anything else is an error naming file, line, field and the allowed values.
  TempDir dir("calfile_overlap");
  auto bad = load_calibration_file(dir.file(
      "o.yaml",
      "schema: calibration/v1\nruntimes:\n  vllm:\n    output_overlap: {value: sometimes}\n"));
  ASSERT_FALSE(bad);
  const std::string text = all_text(bad.error());
  EXPECT_NE(text.find("o.yaml:4"), std::string::npos) << text;
  EXPECT_NE(text.find("runtimes.vllm.output_overlap.value"), std::string::npos) << text;
  EXPECT_NE(text.find("sometimes"), std::string::npos) << text;
  EXPECT_NE(text.find("true"), std::string::npos) << text;
  // A partial file switches it for one profile only.
  auto off = load_calibration_file(dir.file(
      "off.yaml", "schema: calibration/v1\nruntimes:\n  vllm:\n    output_overlap: {value: false}\n"));
  ASSERT_TRUE(off) << all_text(off.error());
  EXPECT_FALSE(find_runtime(off->runtimes, "vllm")->output_overlap);
  EXPECT_TRUE(find_runtime(default_calibration().runtimes, "vllm")->output_overlap);
  // A new profile that does not name it is serial.
  RuntimeProfile fresh;
  EXPECT_FALSE(fresh.output_overlap);
}

TEST(CalibrationFile, IntervalContainsThePointPrediction) {
  for (const UncertaintyBand& band : {UncertaintyBand{-0.2, 0.3, 10}, UncertaintyBand{0.1, 0.4, 5},
                                      UncertaintyBand{-0.4, -0.1, 5}, UncertaintyBand{}}) {
    for (bool time : {true, false}) {
      const Interval i = uncertainty_interval(band, 42.0, time);
      EXPECT_LE(i.p10, 42.0);
      EXPECT_GE(i.p90, 42.0);
    }
  }
  // Time: measured = predicted x exp(r); a rate is the inverse.
  const Interval t = uncertainty_interval({-0.1, 0.2, 1}, 10.0, true);
  EXPECT_DOUBLE_EQ(t.p10, 10.0 * std::exp(-0.1));
  EXPECT_DOUBLE_EQ(t.p90, 10.0 * std::exp(0.2));
  const Interval r = uncertainty_interval({-0.1, 0.2, 1}, 10.0, false);
  EXPECT_DOUBLE_EQ(r.p10, 10.0 / std::exp(0.2));
  EXPECT_DOUBLE_EQ(r.p90, 10.0 / std::exp(-0.1));
}

TEST(CalibrationFile, ShippedBandsCoverEveryClass) {
  for (const auto& cls : scenario_classes()) {
    ASSERT_TRUE(default_calibration().uncertainty.contains(cls)) << cls;
    const UncertaintyBand& b = default_calibration().uncertainty.at(cls);
    EXPECT_GT(b.rows, 0) << cls;
    EXPECT_LT(b.p10, b.p90) << cls;
  }
}

TEST(CalibrationFile, DescribeListsEveryFieldWithItsMeaning) {
  const auto fields = calibration_schema_fields();
  bool kernel_gap = false;
  for (const auto& f : fields) {
    EXPECT_FALSE(f.description.empty()) << f.path;
    kernel_gap = kernel_gap || f.path == "runtimes.NAME.kernel_gap.value";
  }
  EXPECT_TRUE(kernel_gap);
}

}  // namespace
}  // namespace xpusim
