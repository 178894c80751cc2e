// SPDX-License-Identifier: Apache-2.0
// Rows of the kinds the public file lacks (static, GEMM, peak-GEMM and BabelStream rows on ROCm,
// Gaudi, TPU and newer NVIDIA stacks: tests/data/validation/hidden_kinds_static.csv) are
// interpreted under the software stack their notes name, and simulated, none rejected
// (docs/validation.md, "Rows on other vendors' stacks").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "unit/validate/measured_row_builder.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/units/quantity.h"
#include "xpusim/validate/row_case.h"
#include "xpusim/validate/validator.h"

namespace xpusim {
namespace {

const std::string kHiddenKinds =
    std::string(XPUSIM_TEST_DATA_DIR) + "/validation/hidden_kinds_static.csv";

ValidationReport run_hidden_kinds() {
  auto set = load_measured_file(kHiddenKinds);
  EXPECT_TRUE(set) << (set ? "" : to_string(set.error()));
  return Validator(std::move(*set)).run(default_calibration());
}

MeasuredRow hidden_gemm_row(const std::string& notes, bool peak = false) {
  MeasuredRow r = testing::measured_row("G", "mi250x-gcd", 1, peak ? "gemm_peak" : "gemm",
                                         MeasuredMetric::kGemmTflops, 100, notes);
  r.precision = "fp16";
  r.m = 1024;
  r.n = 1024;
  r.k = 1024;
  return r;
}

TEST(HiddenKinds, EveryRowIsSimulatedWithAFinitePrediction) {
  const ValidationReport rep = run_hidden_kinds();
  for (const auto& s : rep.skipped) ADD_FAILURE() << s.id << " skipped: " << s.reason;
  EXPECT_TRUE(rep.skipped.empty());
  EXPECT_EQ(static_cast<int>(rep.rows.size()), rep.total_rows);
  EXPECT_GE(rep.rows.size(), 20u);
  for (const auto& r : rep.rows) {
    EXPECT_TRUE(std::isfinite(r.predicted) && r.predicted > 0) << r.id;
    // Every row names its stack: no row falls back to the default runtime.
    for (const auto& a : r.assumptions)
      EXPECT_EQ(a.find("maps to no runtime profile"), std::string::npos) << r.id << ": " << a;
  }
}

TEST(HiddenKinds, StreamBandwidthStaysBelowTheDatasheetPeak) {
  // Physics: a stream kernel cannot beat the DRAM peak of the preset (refresh, read/write
  // turnarounds and the sustained fraction all take from it).
  const ValidationReport rep = run_hidden_kinds();
  for (const auto& r : rep.rows) {
    auto hw = load_hardware(r.hardware);
    ASSERT_TRUE(hw) << r.hardware;
    if (r.scenario == "membw") {
      EXPECT_LT(r.predicted, units::to_gb_per_s(hw->memory.dram.bandwidth)) << r.id;
    }
  }
}

TEST(HiddenKinds, OtherVendorStacksSelectTheirRuntimeProfile) {
  // The public file's stacks keep their profiles.
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.9.0 (gptSessionBenchmark)"),
            "tensorrt-llm");
  // Before 0.7 (no XQA kernel): the 0.9 runtime with the masked-MHA GQA decode.
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.5.0; H200 blog"), "tensorrt-llm-0.5");
  EXPECT_EQ(runtime_for_notes("framework: TRT-LLM v0.6.1"), "tensorrt-llm-0.5");
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.7.1"), "tensorrt-llm");
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM (gptSessionBenchmark)"), "tensorrt-llm");
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.10 gptManagerBenchmark"),
            "tensorrt-llm");
  EXPECT_EQ(runtime_for_notes("framework: NeMo Framework / TensorRT-LLM 0.17"), "nemo");
  // TensorRT-LLM executor benchmarks (trtllm-bench, v0.17 and v1.0 perf-overview tables).
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.17 trtllm-bench"), "tensorrt-llm-serve");
  EXPECT_EQ(runtime_for_notes("framework: TRT-LLM v1.0 (PyTorch backend)"), "tensorrt-llm-serve");
  EXPECT_EQ(runtime_for_notes("framework: trtllm-bench latency"), "tensorrt-llm-serve");
  EXPECT_EQ(runtime_for_notes("framework: TensorRT-LLM 0.12"), "tensorrt-llm");
  // vLLM on ROCm (HIP graphs) is vLLM.
  EXPECT_EQ(runtime_for_notes("framework: ROCm vLLM 0.6 benchmark_latency.py"), "vllm");
  EXPECT_EQ(runtime_for_notes("framework: optimum-habana run_generation.py, HPU graphs"),
            "gpt-fast");
  EXPECT_EQ(runtime_for_notes("framework: JetStream (JAX)"), "gpt-fast");
  EXPECT_EQ(runtime_for_notes("framework: MaxText offline decode"), "gpt-fast");
  // GEMM libraries: one library call per GEMM.
  EXPECT_EQ(runtime_for_notes("framework: rocBLAS 4.1 rocblas-bench"), "pytorch-eager");
  EXPECT_EQ(runtime_for_notes("framework: hipBLASLt (hipblaslt-bench)"), "pytorch-eager");
  EXPECT_EQ(runtime_for_notes("framework: cuBLASLt sample"), "pytorch-eager");
  EXPECT_EQ(runtime_for_notes("framework: BabelStream (HIP)"), std::nullopt);
  // Only the framework clause selects: a model or GEMM library named elsewhere does not.
  EXPECT_EQ(runtime_for_notes("framework: vLLM; kernels: hipBLASLt"), "vllm");
}

TEST(HiddenKinds, GemmRowsRunUnderTheLibraryRuntimeAndBenchmarkTiming) {
  auto hw = load_hardware("mi250x-gcd");
  ASSERT_TRUE(hw);
  // No framework named: a GEMM benchmark is a library call, not a TensorRT-LLM engine.
  auto c = interpret_row(hidden_gemm_row("GEMM test, framework not stated"), *hw);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->runtime, "pytorch-eager");
  EXPECT_FALSE(c->gemm.back_to_back);
  c = interpret_row(hidden_gemm_row("framework: rocBLAS rocblas-bench -f gemm_ex, -i 100"), *hw);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->runtime, "pytorch-eager");
  EXPECT_TRUE(c->gemm.back_to_back);
  EXPECT_FALSE(gemm_timed_back_to_back("framework: PyTorch matmul (cuBLAS/rocBLAS)"));
}

TEST(HiddenKinds, BackToBackGemmIsTheKernelTimeOfTheSameShape) {
  // One GEMM model, one answer: a rocblas-bench row (mean of back-to-back calls) predicts what
  // the peak-GEMM row of the same shape does, and more than one host-timed isolated call.
  MeasuredSet set;
  set.rows.push_back(hidden_gemm_row("framework: rocBLAS rocblas-bench"));
  set.rows.back().id = "B2B";
  set.rows.push_back(hidden_gemm_row("framework: PyTorch torch.matmul (mamf-finder.py)", true));
  set.rows.back().id = "PEAK";
  set.rows.push_back(hidden_gemm_row("framework: PyTorch matmul, one synchronised call"));
  set.rows.back().id = "ISO";
  for (int i = 0; i < 3; ++i) set.rows[i].line = i + 2;
  const ValidationReport rep = Validator(std::move(set)).run(default_calibration());
  ASSERT_EQ(rep.rows.size(), 3u);
  std::map<std::string, double> p;
  for (const auto& r : rep.rows) p[r.id] = r.predicted;
  EXPECT_DOUBLE_EQ(p["B2B"], p["PEAK"]);
  EXPECT_GT(p["B2B"], p["ISO"]);
}

TEST(HiddenKinds, BenchmarkLatencyRowsWithoutLengthsTakeTheScriptDefaults) {
  auto hw = load_hardware("mi300x");
  ASSERT_TRUE(hw);
  MeasuredRow r = testing::measured_row(
      "L", "mi300x", 1, "static", MeasuredMetric::kE2eLatencyMs, 100,
      "framework: vLLM (ROCm) benchmarks/benchmark_latency.py; lengths not stated");
  r.model = "llama-3.1-8b";
  r.precision = "bf16";
  r.batch = 8;
  auto c = interpret_row(r, *hw);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->run.input_len, 32);
  EXPECT_EQ(c->run.output_len, 128);
  EXPECT_EQ(c->runtime, "vllm");
  // Any other static row without lengths is still rejected.
  r.notes = "framework: vLLM";
  c = interpret_row(r, *hw);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), "missing field: input_len");
}

TEST(HiddenKinds, BabelStreamNstreamWritesOneArrayInFour) {
  EXPECT_EQ(membw_kernel_from_notes("BabelStream (HIP) nstream kernel, FP64")->kernel, "nstream");
  EXPECT_DOUBLE_EQ(membw_kernel_from_notes("Nstream, FP64")->write_fraction, 0.25);
  // Its write share lies between triad's and the read-only kernels': so does its bandwidth.
  auto hw = load_hardware("mi250x-gcd");
  ASSERT_TRUE(hw);
  MeasuredSet set;
  for (const char* kernel : {"triad", "nstream", "read"}) {
    MeasuredRow r = testing::measured_row(
        kernel, "mi250x-gcd", 1, "membw", MeasuredMetric::kMemBwGbs, 1000,
        std::string("framework: BabelStream (HIP); ") + kernel + " kernel, FP64");
    r.line = static_cast<int>(set.rows.size()) + 2;
    set.rows.push_back(r);
  }
  const ValidationReport rep = Validator(std::move(set)).run(default_calibration());
  ASSERT_EQ(rep.rows.size(), 3u);
  std::map<std::string, double> p;
  for (const auto& r : rep.rows) p[r.id] = r.predicted;
  EXPECT_GE(p["nstream"], p["triad"]);
  EXPECT_LE(p["nstream"], p["read"]);
}

TEST(HiddenKinds, BlankKvCacheFormatFollowsTheStackDefault) {
  auto mi300x = load_hardware("mi300x");
  auto b200 = load_hardware("b200-sxm-180gb");
  ASSERT_TRUE(mi300x && b200);
  MeasuredRow r =
      testing::measured_row("K", "mi300x", 8, "static", MeasuredMetric::kE2eLatencyMs, 100,
                            "framework: vLLM 0.6 (ROCm) benchmark_latency.py");
  r.model = "llama-3.1-405b";
  r.precision = "fp8";
  r.batch = 1;
  r.input_len = 128;
  r.output_len = 128;
  // vLLM: --kv-cache-dtype auto = the model's 16-bit dtype, with fp8 weights and math.
  auto c = interpret_row(r, *mi300x);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->run.weights, Precision::kFp8);
  EXPECT_EQ(c->run.activations, Precision::kFp8);
  EXPECT_EQ(c->run.kv, Precision::kBf16);
  // A stated KV format is kept.
  r.kv_precision = "fp8";
  c = interpret_row(r, *mi300x);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->run.kv, Precision::kFp8);
  // TensorRT-LLM fp8 keeps the activation format (the v0.9 rule); fp4 engines an fp8 KV cache.
  r.kv_precision.clear();
  r.hardware = "b200-sxm-180gb";
  r.notes = "framework: TensorRT-LLM 0.17 trtllm-bench";
  c = interpret_row(r, *b200);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->run.kv, Precision::kFp8);
  r.precision = "fp4";
  c = interpret_row(r, *b200);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->run.activations, Precision::kFp4);
  EXPECT_EQ(c->run.kv, Precision::kFp8);
  const auto& a = c->assumptions;
  EXPECT_NE(std::find(a.begin(), a.end(),
                      "kv_precision blank -> fp8 (fp4 checkpoints keep an fp8 KV cache)"),
            a.end());
}

// TensorRT-LLM before 0.7 decoded GQA on the masked-MHA kernel, one KV read per query head
// (docs/validation.md, "TensorRT-LLM before XQA"): a GQA model's long decode is predicted slower
// under 0.5 than under 0.9 notes; an MHA model's is the same (nothing to re-read).
TEST(HiddenKinds, TensorRtLlmBeforeXqaReadsTheKvPerQueryHead) {
  auto h200 = load_hardware("h200-sxm-141gb");
  ASSERT_TRUE(h200);
  MeasuredSet set;
  int line = 2;
  for (const char* model : {"llama-2-70b", "llama-2-13b"}) {
    for (const char* version : {"0.5.0", "0.9.0"}) {
      MeasuredRow r = testing::measured_row(
          std::string(model) + "@" + version, "h200-sxm-141gb", 1, "static",
          MeasuredMetric::kOutputTokensPerS, 1000,
          std::string("framework: TensorRT-LLM ") + version + " gptSessionBenchmark");
      r.model = model;
      r.precision = "fp8";
      r.batch = 64;
      r.input_len = 128;
      r.output_len = 2048;
      r.line = line++;
      set.rows.push_back(r);
    }
  }
  const ValidationReport rep = Validator(std::move(set)).run(default_calibration());
  ASSERT_EQ(rep.rows.size(), 4u);
  std::map<std::string, double> p;
  for (const auto& r : rep.rows) p[r.id] = r.predicted;
  EXPECT_LT(p["llama-2-70b@0.5.0"], 0.9 * p["llama-2-70b@0.9.0"]);
  EXPECT_DOUBLE_EQ(p["llama-2-13b@0.5.0"], p["llama-2-13b@0.9.0"]);
}

// The stack's KV-cache default holds for serving rows as for static ones: Lambda's vLLM 0.5.4
// benchmark_serving rows of FP8 checkpoints on H100 (MAN-0440..0476) ran a bf16 KV cache, and
// an fp4 MLPerf row keeps an fp8 one.
TEST(HiddenKinds, BlankKvCacheFormatOfServingRowsFollowsTheStackDefault) {
  auto h100 = load_hardware("h100-sxm-80gb");
  auto b200 = load_hardware("b200-sxm-180gb");
  auto model = load_model("llama-3.1-70b");
  auto llama2 = load_model("llama-2-70b");
  ASSERT_TRUE(h100 && b200 && model && llama2);
  MeasuredRow r = testing::measured_row(
      "S", "h100-sxm-80gb", 1, "max_throughput", MeasuredMetric::kOutputTokensPerS, 400,
      "framework: vLLM 0.5.4; vLLM 0.5.4 benchmark_serving: 320 ShareGPT prompts");
  r.model = "llama-3.1-70b";
  r.precision = "fp8";
  r.tp = 1;
  auto c = interpret_row(r, *h100, &*model);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->run.activations, Precision::kFp8);
  EXPECT_EQ(c->run.kv, Precision::kBf16);
  r.kv_precision = "fp8";
  c = interpret_row(r, *h100, &*model);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->run.kv, Precision::kFp8);
  MeasuredRow m = testing::measured_row(
      "M", "b200-sxm-180gb", 8, "mlperf_offline", MeasuredMetric::kOutputTokensPerS, 10000,
      "framework: TensorRT-LLM; MLPerf Inference v5.0");
  m.model = "llama-2-70b";
  m.precision = "fp4";
  c = interpret_row(m, *b200, &*llama2);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->run.kv, Precision::kFp8);
  // The larger KV entries of the vLLM default leave fewer sequences in memory: a 70B fp8 model
  // on one 80 GB H100 is KV-bound, so its predicted throughput falls.
  MeasuredSet set;
  r.kv_precision.clear();
  r.line = 2;
  set.rows.push_back(r);
  r.id = "S8";
  r.kv_precision = "fp8";
  r.line = 3;
  set.rows.push_back(r);
  const ValidationReport rep = Validator(std::move(set)).run(default_calibration());
  ASSERT_EQ(rep.rows.size(), 2u);
  EXPECT_LT(rep.rows[0].predicted, 0.8 * rep.rows[1].predicted);
}

// Attention data parallelism (docs/validation.md, "Attention data parallelism"): notes that state
// it run with it; a throughput row on a stack that runs it (TensorRT-LLM >= 1.0, SGLang) also
// tries it; older stacks (the public file's TensorRT-LLM 0.x and MLPerf v4.x rows) do not.
TEST(HiddenKinds, AttentionDpIsStatedOrTriedOnStacksThatRunIt) {
  auto b200 = load_hardware("b200-sxm-180gb");
  auto model = load_model("deepseek-r1");
  ASSERT_TRUE(b200 && model);
  MeasuredRow r = testing::measured_row(
      "A", "b200-sxm-180gb", 8, "max_throughput", MeasuredMetric::kOutputTokensPerS, 1000,
      "framework: TensorRT-LLM 1.0 (trtllm-bench throughput, PyTorch backend)");
  r.model = "deepseek-r1";
  r.precision = "fp4";
  r.tp = 8;
  r.input_len = 1000;
  r.output_len = 1000;
  auto c = interpret_row(r, *b200, &*model);
  ASSERT_TRUE(c) << c.error();
  EXPECT_TRUE(c->serving.try_attention_dp);
  EXPECT_FALSE(c->run.attention_dp);
  for (const char* stated : {"enable_attention_dp: true", "SGLang --enable-dp-attention",
                             "attention DP, EP8", "ADP + EP"}) {
    r.notes = std::string("framework: TensorRT-LLM 0.17; ") + stated;
    c = interpret_row(r, *b200, &*model);
    ASSERT_TRUE(c) << c.error();
    EXPECT_TRUE(c->run.attention_dp) << stated;
  }
  // "adp" inside a word is not the abbreviation; TensorRT-LLM 0.x does not try it.
  r.notes = "framework: TensorRT-LLM 0.17; loadpath adapter";
  c = interpret_row(r, *b200, &*model);
  ASSERT_TRUE(c) << c.error();
  EXPECT_FALSE(c->run.attention_dp);
  EXPECT_FALSE(c->serving.try_attention_dp);
  // A dense model has nothing to try (and no assumption saying it would).
  auto dense = load_model("llama-3.1-70b");
  ASSERT_TRUE(dense);
  MeasuredRow d = r;
  d.model = "llama-3.1-70b";
  d.notes = "framework: SGLang 0.3";
  c = interpret_row(d, *b200, &*dense);
  ASSERT_TRUE(c) << c.error();
  EXPECT_FALSE(c->serving.try_attention_dp);
  for (const auto& a : c->assumptions) EXPECT_FALSE(a.starts_with("stack runs attention DP")) << a;
  // A latency-bound scenario at a stated tp does not try it.
  r.notes = "framework: TensorRT-LLM 1.0";
  r.scenario = "concurrency";
  r.metric = MeasuredMetric::kMeanTpotMs;
  r.batch = 8;
  c = interpret_row(r, *b200, &*model);
  ASSERT_TRUE(c) << c.error();
  EXPECT_FALSE(c->serving.try_attention_dp);
}

// A row that states attention DP on a dense model is skipped with the plan's message.
TEST(HiddenKinds, AttentionDpOnADenseModelIsSkippedWithTheReason) {
  MeasuredSet set;
  MeasuredRow r = testing::measured_row("D", "h200-sxm-141gb", 8, "max_throughput",
                                        MeasuredMetric::kOutputTokensPerS, 1000,
                                        "framework: TensorRT-LLM 1.0; enable_attention_dp");
  r.model = "llama-3.1-70b";
  r.precision = "fp8";
  r.tp = 8;
  r.input_len = 128;
  r.output_len = 128;
  r.line = 2;
  set.rows.push_back(r);
  const ValidationReport rep = Validator(std::move(set)).run(default_calibration());
  ASSERT_EQ(rep.skipped.size(), 1u);
  EXPECT_NE(rep.skipped[0].reason.find("attention data parallelism needs a mixture-of-experts"),
            std::string::npos)
      << rep.skipped[0].reason;
}

}  // namespace
}  // namespace xpusim
