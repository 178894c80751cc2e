// SPDX-License-Identifier: Apache-2.0
// Hostile numbers on the command line (issue 10): every numeric flag of every command is checked
// against its bound (base/bounds.h) on the text as given, before any arithmetic; products and
// model-dependent limits are checked after. Each case exits 1 with the flag, the value as given,
// the allowed range and its reason -- never a negative or impossible figure, never an abort.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli_run.h"

namespace xpusim {
namespace {

using testing::CliRun;
using testing::run;

struct BadCase {
  std::string args;
  std::string message;  // expected in stderr
};

void expect_all_rejected(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    CliRun r = run(c.args, true);
    EXPECT_EQ(r.code, 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find("error: <command line>: " + c.message), std::string::npos)
        << c.args << "\nstderr: " << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << c.args;
  }
}

const std::string kRun =
    "run --hardware a100-sxm-80gb --model llama-3.1-8b --input-len 128 --output-len 128 ";
const std::string kGemm = "gemm --hardware a100-sxm-80gb ";
const std::string kBatchWhy =
    "allowed 1 .. 1048576 (requests per static batch; 2^20 keeps batch x tokens exact)";
const std::string kDimWhy =
    "allowed 1 .. 2147483647 (a GEMM dimension; BLAS libraries take int32 dimensions)";

TEST(BoundsCli, OverflowingCountsAreRejectedWithTheValueAsGiven) {
  expect_all_rejected({
      // Used to print negative GFLOP and DRAM traffic (or abort on an internal check).
      {kRun + "--batch 9223372036854775807",
       "--batch: 9223372036854775807 is out of range; " + kBatchWhy},
      // Used to be clamped silently to 2^63-1 by CLI11's strtoll.
      {kRun + "--batch 99999999999999999999",
       "--batch: 99999999999999999999 is out of range; " + kBatchWhy},
      {kRun + "--batch -99999999999999999999",
       "--batch: -99999999999999999999 is out of range; " + kBatchWhy},
      {kRun + "--batch 1.5", "--batch: expected an integer in 1 .. 1048576, got \"1.5\""},
      {kRun + "--batch 1e3", "--batch: expected an integer in 1 .. 1048576, got \"1e3\""},
      {kRun + "--batch 0x10", "--batch: expected an integer in 1 .. 1048576, got \"0x10\""},
      // 8,755 TFLOP/s on a 312 TFLOP/s chip, and negative waves.
      {kGemm + "--m 9223372036854775807 --n 8 --k 8",
       "--m: 9223372036854775807 is out of range; " + kDimWhy},
      {kGemm + "--m 8 --n 9223372036854775807 --k 8",
       "--n: 9223372036854775807 is out of range; " + kDimWhy},
      {kGemm + "--m 8 --n 8 --k 9223372036854775807",
       "--k: 9223372036854775807 is out of range; " + kDimWhy},
      // A negative latency.
      {kGemm + "--m 1 --n 1 --k 1 --batch 9223372036854775807",
       "--batch: 9223372036854775807 is out of range; allowed 1 .. 2147483647 (a GEMM batch "
       "count; BLAS libraries take an int32 count)"},
      // Each dimension within its bound, their FLOP count not.
      {kGemm + "--m 2147483647 --n 2147483647 --k 2147483647",
       "--m x --n x --k x --batch: 2 x 2147483647 x 2147483647 x 2147483647 x 1 FLOP is out of "
       "range; allowed 1 .. 9223372036854775807 (2 x m x n x k x batch FLOP must fit a 64-bit "
       "count)"},
  });
}

TEST(BoundsCli, SilentlyAcceptedValuesAreRejected) {
  const std::string cmp = "compare --model llama-3.1-8b --batch 1 --input-len 128 --output-len 16 ";
  const std::string serve =
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --input-len 128 --output-len 16 "
      "--requests 10 ";
  const std::string dev =
      "is out of range; allowed 1 .. 1000000 (devices; a million is beyond any "
      "cluster built)";
  expect_all_rejected({
      // --devices 0 and -8 used to mean "tp x pp".
      {kRun + "--batch 8 --devices 0", "--devices: 0 " + dev},
      {kRun + "--batch 8 --devices -8", "--devices: -8 " + dev},
      {cmp + "--devices 0", "--devices: 0 " + dev},
      {cmp + "--tp 0", "--tp: 0 is out of range; allowed 1 .. 4096"},
      {serve + "--devices 0",
       "--devices: 0 is out of range; allowed 1 .. 65536 (devices of one simulated serving "
       "deployment)"},
      {serve + "--devices -8", "--devices: -8 is out of range; allowed 1 .. 65536"},
      // Each simulated engine costs memory: a million devices took a gigabyte.
      {serve + "--devices 1000000", "--devices: 1000000 is out of range; allowed 1 .. 65536"},
      {serve + "--disaggregate 999999:999999",
       "--disaggregate: 999999 is out of range; allowed 0 .. 65536"},
      {kRun + "--batch 8 --tp 0", "--tp: 0 is out of range; allowed 1 .. 4096"},
      // --weight-group-size took CLI11's reading: "0x20" was 32 and "" the default.
      {kRun + "--batch 8 --precision fp4 --weight-group-size 0x20",
       "--weight-group-size: expected an integer in 1 .. 65536, got \"0x20\""},
      {serve + "--precision fp4 --weight-group-size \"\"",
       "--weight-group-size: expected an integer in 1 .. 65536, got \"\""},
      {"gemm --hardware h100-sxm-80gb --m 64 --n 64 --k 64 --weight-precision int4 "
       "--weight-group-size 0",
       "--weight-group-size: 0 is out of range; allowed 1 .. 65536"},
      {cmp + "--precision int4 --weight-group-size 70000",
       "--weight-group-size: 70000 is out of range; allowed 1 .. 65536"},
      {kRun + "--batch 8 --microbatches 16",
       "--microbatches: 16 microbatches is more than the batch of 8 requests; allowed 1 .. 8"},
      {"run --hardware a100-sxm-80gb --model llama-3.1-8b --batch 1 --input-len 131000 "
       "--output-len 128",
       "--input-len: --input-len 131000 + --output-len 128 = 131128 tokens is beyond the maximum "
       "context of llama-3.1-8b, 131072 tokens; allowed a sum of at most 131072"},
      {"compare --model gpt-j-6b --batch 1 --input-len 2048 --output-len 1",
       "--input-len: --input-len 2048 + --output-len 1 = 2049 tokens is beyond the maximum "
       "context of gpt-j-6b, 2048 tokens"},
      {kRun + "--batch 8 --gross-margin nan",
       "--gross-margin: expected a number in 0 .. 1 (exclusive), got \"nan\""},
      {kRun + "--batch 8 --electricity-price inf",
       "--electricity-price: expected a number in 0 .. 100 USD/kWh, got \"inf\""},
      {serve + "--rate 1e300", "--rate: 1e300 is out of range; allowed 0.001 .. 1e7 requests/s"},
      // A million requests at 1e-7/s spanned 3e5 years: the int64 nanosecond clock wrapped and
      // an internal check aborted.
      {serve + "--rate 1e-7", "--rate: 1e-7 is out of range; allowed 0.001 .. 1e7 requests/s"},
      {serve + "--seed -1", "--seed: -1 is out of range; allowed 0 .. 9223372036854775807"},
      {serve + "--requests 99999999999999999999",
       "--requests: 99999999999999999999 is out of range; allowed 1 .. 1000000"},
      // 1e8 requests held 5 GB.
      {serve + "--requests 100000000",
       "--requests: 100000000 is out of range; allowed 1 .. 1000000"},
      // Passed as given to the engine schema: no clamp to 2^63-1 on the way.
      {serve + "--max-batch 99999999999999999999",
       "--max-batch: value \"99999999999999999999\" is out of range; allowed: >= 1 and <= "
       "1e+08"},
  });
  // Integers are read as decimal (CLI11's strtoll reads 010 as octal 8) and reals as checked.
  CliRun octal = run(kRun + "--batch 010 --format json");
  ASSERT_EQ(octal.code, 0);
  EXPECT_NE(octal.out.find("\"batch\": 10,"), std::string::npos) << octal.out;
  CliRun margin = run(kRun + "--batch 1 --gross-margin 2.5e-1 --format json");
  ASSERT_EQ(margin.code, 0);
  EXPECT_NE(margin.out.find("\"gross_margin\": 0.25"), std::string::npos) << margin.out;
  // A sum within the model's context still runs; serving keeps its per-request rejection.
  EXPECT_EQ(run(kRun + "--batch 1 --microbatches 1").code, 0);
  EXPECT_EQ(run("run --hardware a100-sxm-80gb --model llama-3.1-8b --batch 1 --input-len 130944 "
                "--output-len 128")
                .code,
            0);
}

TEST(BoundsCli, AbsurdOverridesAndEconomicsInputs) {
  expect_all_rejected({
      {"--set \"memory.dram.bandwidth=1e-30 TB/s\" " + kRun + "--batch 1",
       "memory.dram.bandwidth: value \"1e-30 TB/s\" is out of range; allowed: 0 or >= 0.001 GB/s "
       "and <= 100000 GB/s (1 MB/s is slower than any memory or link built)"},
      {"fab --hardware h100-sxm-80gb --units 1e300",
       "--units: 1e300 is out of range; allowed 1 .. 1e12 per year (accelerators per year; 1e12 "
       "is 100 per person on Earth)"},
      {"fab --hardware h100-sxm-80gb --units 0", "--units: 0 is out of range; allowed 1 .. 1e12"},
      {"fab --hardware h100-sxm-80gb --budget 1e300",
       "--budget: 1e300 is out of range; allowed 1 .. 1e15 USD"},
      {"fab --hardware h100-sxm-80gb --units 1000 --assume logic_fab_capex=1e300",
       "--assume logic_fab_capex: 1e300 is out of range; allowed 0 .. 1e15"},
      // Used to run for ever (the grid search was O(diameter / die) rows x 25,600 offsets).
      {"wafer --die-width 10 --die-height 10 --wafer-diameter 1e9",
       "--wafer-diameter: 1e9 is out of range; allowed 25 .. 450 mm (1-inch to 450 mm: the wafer "
       "sizes ever made)"},
      {"wafer --die-width 0.001 --die-height 10",
       "--die-width: 0.001 is out of range; allowed 0.1 .. 450 mm"},
      {"cost --hardware h100-sxm-80gb --volume 1e300",
       "--volume: 1e300 is out of range; allowed 1 .. 1e12 packages"},
      {"cost --hardware h100-sxm-80gb --tokens-per-second -5",
       "--tokens-per-second: -5 is out of range; allowed 0 (exclusive) .. 1e12 tokens/s"},
      {"area --hardware h100-sxm-80gb --units-on-die 99999999999",
       "--units-on-die: 99999999999 is out of range; allowed 1 .. 1000000"},
  });
  // The smallest die on the largest wafer finishes (the search is bounded for every die size).
  CliRun tiny = run("wafer --die-width 0.1 --die-height 0.1 --wafer-diameter 450 --scribe 0");
  EXPECT_EQ(tiny.code, 0);
  EXPECT_NE(tiny.out.find("full_dies"), std::string::npos) << tiny.out;
}

// A matrix-engine override to 0 MACs used to change nothing: bf16 ran as fp16 at the same rate.
// Now bf16 runs as tf32 (half the A100's rate) and `run` says so.
TEST(BoundsCli, ZeroMacsOverrideTakesEffect) {
  const std::string gemm = kGemm + "--m 4096 --n 4096 --k 4096 --format json";
  CliRun base = run(gemm);
  CliRun off = run("--set compute.matrix.macs_per_cycle.bf16=0 " + gemm);
  ASSERT_EQ(base.code, 0);
  ASSERT_EQ(off.code, 0);
  EXPECT_NE(base.out.find("\"execution_precision\": \"bf16\""), std::string::npos) << base.out;
  EXPECT_NE(off.out.find("\"execution_precision\": \"tf32\""), std::string::npos) << off.out;
  EXPECT_NE(off.out.find("\"peak_tflops\": 155.935"), std::string::npos) << off.out;
  CliRun r = run("--set compute.matrix.macs_per_cycle.bf16=0 " + kRun + "--batch 1");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("note: bf16 GEMMs run as tf32 on a100-sxm-80gb (no bf16 matrix engine)"),
            std::string::npos)
      << r.out;
  CliRun frac = run("--set compute.matrix.macs_per_cycle.bf16=0.5 " + gemm, true);
  EXPECT_EQ(frac.code, 1);
  EXPECT_NE(frac.out.find("allowed: 0 or >= 1 and <= 1e+07"), std::string::npos) << frac.out;
}

// A 2^63 vocabulary in a Hugging Face config.json used to be echoed as a negative number.
TEST(BoundsCli, HugeModelIntegerIsEchoedAsWritten) {
  const std::string path = ::testing::TempDir() + "/xpusim_bounds_vocab.json";
  {
    std::ofstream f(path);
    f << "{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 64,\n"
         " \"num_attention_heads\": 4, \"intermediate_size\": 128,\n"
         " \"vocab_size\": 9223372036854775808}\n";
  }
  CliRun r = run("show model " + path, true);
  std::remove(path.c_str());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("vocab_size: 9223372036854775808 is out of range; allowed 0 .. 100000000"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("-9223372036854775808"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xpusim
