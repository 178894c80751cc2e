// SPDX-License-Identifier: Apache-2.0
// `xpusim run`, `xpusim gemm` and `xpusim compare` run as a process (XPUSIM_BINARY): the JSON keys
// other tools read (a contract), consistency of the printed figures, and bad-input exit codes with
// their messages.
#include <gtest/gtest.h>

#include "cli_run.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using xpusim::testing::CliRun;
using xpusim::testing::run;

const std::string kRun =
    "run --hardware h100-sxm-80gb --model llama-3.1-70b --devices 8 --tp 8 --batch 32 "
    "--input-len 2048 --output-len 256 --precision bf16";

// The tables of a terminal answer: each a header line over a rule of dashes ("----  ---"), its
// rows the lines after the rule that keep the columns' gaps (a note or the next title ends it).
struct TerminalTable {
  std::vector<std::string> header;
  std::vector<std::string> rows;
  bool fields = false;  // a field table: field / value / unit, the names in the first column
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<TerminalTable> terminal_tables(const std::string& text) {
  const std::vector<std::string> lines = lines_of(text);
  std::vector<TerminalTable> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& rule = lines[i];
    if (rule.empty() || rule.find_first_not_of("- ") != std::string::npos || rule[0] != '-')
      continue;
    TerminalTable t;
    std::istringstream names(lines[i - 1]);
    for (std::string name; names >> name;) t.header.push_back(name);
    t.fields = t.header == std::vector<std::string>{"field", "value", "unit"};
    std::vector<size_t> gaps;  // where a column ends and two spaces separate it from the next
    for (size_t at = rule.find("  "); at != std::string::npos; at = rule.find("  ", at + 2))
      gaps.push_back(at);
    size_t k = i + 1;
    for (; k < lines.size(); ++k) {
      const std::string& row = lines[k];
      bool in_table = !row.empty() && row.size() <= rule.size();
      for (size_t gap : gaps)
        in_table = in_table && (row.size() <= gap || row.compare(gap, 2, "  ") == 0);
      if (!in_table) break;
      t.rows.push_back(row);
    }
    out.push_back(std::move(t));
    i = k;
  }
  return out;
}

// The flattened names of a JSON document: nested objects by dotted path, the keys of a list's
// records under the list's path (`ops.time_ms`), as the CSV's columns.
void flattened(const nlohmann::ordered_json& node, const std::string& prefix,
               std::set<std::string>& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    out.insert(key);
    if (it->is_object()) flattened(*it, key, out);
    if (it->is_array())
      for (const auto& e : *it)
        if (e.is_object()) flattened(e, key, out);
  }
}

// The value of the row `name` of the first field table in `tables`, "" when there is none.
std::string field_value(const std::vector<TerminalTable>& tables, const std::string& name) {
  for (const TerminalTable& t : tables) {
    if (!t.fields) continue;
    for (const std::string& row : t.rows) {
      std::istringstream in(row);
      std::string key, value;
      in >> key >> value;
      if (key == name) return value;
    }
    break;
  }
  return "";
}

// Every name a table of `args` shows (a column of a record table, a row of a field table) is a
// key of the same command's JSON: the terminal is drawn from the JSON and its field table.
void expect_table_names_are_json_keys(const std::string& args, size_t min_tables) {
  SCOPED_TRACE(args);
  CliRun table = run(args);
  CliRun json = run(args + " --format json");
  ASSERT_EQ(table.code, 0) << table.out;
  ASSERT_EQ(json.code, 0) << json.out;
  std::set<std::string> keys;
  flattened(nlohmann::ordered_json::parse(json.out), "", keys);
  const std::vector<TerminalTable> tables = terminal_tables(table.out);
  EXPECT_GE(tables.size(), min_tables) << table.out;
  size_t names = 0;
  for (const TerminalTable& t : tables) {
    if (t.fields) {
      for (const std::string& row : t.rows) {
        const std::string name = row.substr(0, row.find(' '));
        EXPECT_TRUE(keys.count(name)) << name << " is no key of the JSON:\n" << table.out;
        ++names;
      }
      continue;
    }
    for (const std::string& name : t.header) {
      EXPECT_TRUE(keys.count(name)) << name << " is no key of the JSON:\n" << table.out;
      ++names;
    }
  }
  EXPECT_GE(names, 4u) << table.out;
}


TEST(PerfCli, RunJsonCarriesTheContractKeys) {
  CliRun r = run(kRun + " --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"ttft_ms", "tpot_ms", "e2e_latency_ms", "output_tokens_per_s",
                          "feasible", "infeasible_reason", "infeasible_detail",
                          "largest_feasible_batch", "smallest_feasible_tp", "smallest_feasible_pp",
                          "memory", "ops"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j["infeasible_reason"].is_null());
  for (const char* key : {"weights_bytes", "kv_cache_bytes", "activation_bytes", "capacity_bytes",
                          "max_batch"})
    EXPECT_TRUE(j["memory"].contains(key)) << key;
  ASSERT_FALSE(j["ops"].empty());
  for (const char* key : {"name", "count", "time_ms", "flop", "dram_bytes", "l2_bytes",
                          "link_bytes", "bound", "utilization"})
    EXPECT_TRUE(j["ops"][0].contains(key)) << key;
  EXPECT_TRUE(j["feasible"].get<bool>());
  // e2e = ttft + (output_len - 1) x tpot; throughput = batch x output_len / e2e (one replica).
  double ttft = j["ttft_ms"], tpot = j["tpot_ms"], e2e = j["e2e_latency_ms"];
  EXPECT_NEAR(e2e, ttft + 255.0 * tpot, 1e-3 * e2e);
  EXPECT_NEAR(j["output_tokens_per_s"].get<double>(), 32.0 * 256.0 / (e2e / 1e3),
              1e-3 * j["output_tokens_per_s"].get<double>());
  // Llama-3.1-70B in bf16 over 8 devices: ~17.6 GB of weights each (70.6e9 x 2 B / 8).
  EXPECT_NEAR(j["memory"]["weights_bytes"].get<double>() / 1e9, 17.6, 0.2);
}

TEST(PerfCli, RunRuntimeProfile) {
  CliRun def = run(kRun + " --format json");
  ASSERT_EQ(def.code, 0) << def.out;
  auto jd = nlohmann::json::parse(def.out);
  EXPECT_EQ(jd["runtime"], "tensorrt-llm");
  // gpt-fast replays CUDA graphs with a fitted per-step cost below TensorRT-LLM's
  // (data/calibration/default.yaml): a different TPOT, same weights in memory.
  CliRun gf = run(kRun + " --runtime gpt-fast --format json");
  ASSERT_EQ(gf.code, 0) << gf.out;
  auto jg = nlohmann::json::parse(gf.out);
  EXPECT_EQ(jg["runtime"], "gpt-fast");
  EXPECT_NE(jg["tpot_ms"].get<double>(), jd["tpot_ms"].get<double>());
  EXPECT_EQ(jg["memory"]["weights_bytes"], jd["memory"]["weights_bytes"]);
  CliRun bad = run(kRun + " --runtime vlm", true);
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("--runtime"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("unknown runtime \"vlm\"; allowed: tensorrt-llm, tensorrt-llm-0.5, "
                         "gpt-fast, nemo, vllm, "),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.out.find("pytorch-eager (did you mean \"vllm\"?)"), std::string::npos)
      << bad.out;
}

TEST(PerfCli, RunTablePrintsSummaryAndBreakdown) {
  CliRun r = run(kRun);
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("ttft_ms"), std::string::npos);
  EXPECT_NE(r.out.find("\nprefill ops (per device)\nops.layer "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ndecode ops (per device, one step at context "), std::string::npos);
  EXPECT_NE(r.out.find("mlp_up"), std::string::npos);
}

TEST(PerfCli, RunRejectsBadValues) {
  const std::string base = "run --hardware h100-sxm-80gb --model llama-3.1-70b --input-len 128 "
                           "--output-len 16 ";
  CliRun tp = run(base + "--tp 3 --batch 1", true);
  EXPECT_EQ(tp.code, 1);
  EXPECT_NE(tp.out.find("--tp: tensor parallelism 3 must divide the 64 attention heads"),
            std::string::npos) << tp.out;
  CliRun dev = run(base + "--tp 8 --devices 12 --batch 1", true);
  EXPECT_EQ(dev.code, 1);
  EXPECT_NE(dev.out.find("--devices: 12 devices is not a multiple of tp x pp = 8"),
            std::string::npos) << dev.out;
  CliRun batch = run(base + "--tp 8 --batch 0", true);
  EXPECT_EQ(batch.code, 1);
  EXPECT_NE(batch.out.find("--batch: 0 is out of range; allowed 1 .. 1048576 (requests per static "
                          "batch"),
            std::string::npos)
      << batch.out;
  CliRun prec = run(base + "--tp 8 --batch 1 --precision bf61", true);
  EXPECT_EQ(prec.code, 1);
  EXPECT_NE(prec.out.find("unknown precision \"bf61\""), std::string::npos) << prec.out;
  EXPECT_NE(prec.out.find("did you mean \"bf16\"?"), std::string::npos) << prec.out;
}

// --expert-precision: gpt-oss-120b as released (MXFP4 experts, bf16 rest) fits one 80 GB H100,
// which the bf16 checkpoint does not; the JSON names each class's format and fallback (null
// where the plan is uniform); a dense model refuses the flag.
TEST(PerfCli, ExpertPrecisionFormatsTheRoutedExpertsAlone) {
  const std::string base =
      "run --hardware h100-sxm-80gb --model gpt-oss-120b --batch 8 "
      "--input-len 1024 --output-len 128 --format json";
  CliRun bf16 = run(base);
  ASSERT_EQ(bf16.code, 0) << bf16.out;
  auto jb = nlohmann::json::parse(bf16.out);
  EXPECT_FALSE(jb["feasible"].get<bool>());
  for (const char* key : {"expert_weights", "expert_activations", "expert_math_execution",
                          "expert_weight_only_fallback"})
    EXPECT_TRUE(jb["precision"][key].is_null()) << key;
  CliRun mixed = run(base + " --expert-precision fp4");
  ASSERT_EQ(mixed.code, 0) << mixed.out;
  auto jm = nlohmann::json::parse(mixed.out);
  EXPECT_TRUE(jm["feasible"].get<bool>());
  EXPECT_EQ(jm["precision"]["weights"], "bf16");
  EXPECT_EQ(jm["precision"]["expert_weights"], "fp4");
  EXPECT_EQ(jm["precision"]["expert_activations"], "fp4");
  EXPECT_EQ(jm["precision"]["expert_math_execution"], "bf16");  // Hopper: W4A16
  EXPECT_TRUE(jm["precision"]["expert_weight_only_fallback"].get<bool>());
  EXPECT_FALSE(jm["precision"]["weight_only_fallback"].get<bool>());
  // 116.8B parameters, ~115B of them in routed experts at 4.5 bits (NVFP4's 16 values per scale
  // by default): ~69 GB, not ~234 GB.
  EXPECT_NEAR(jm["memory"]["weights_bytes"].get<double>() / 1e9, 68.8, 1.0);
  EXPECT_DOUBLE_EQ(jm["precision"]["weight_bits"].get<double>(), 16.0);
  EXPECT_DOUBLE_EQ(jm["precision"]["expert_weight_bits"].get<double>(), 4.5);
  EXPECT_TRUE(jm["precision"]["weight_group_size"].is_null());
  EXPECT_TRUE(jb["precision"]["expert_weight_bits"].is_null());
  CliRun text =
      run("run --hardware h100-sxm-80gb --model gpt-oss-120b --batch 8 --input-len 1024 "
          "--output-len 128 --expert-precision fp4");
  ASSERT_EQ(text.code, 0) << text.out;
  EXPECT_NE(
      text.out.find("bf16 KV, routed experts fp4 weights (4.5 bits stored) / fp4 activations"),
      std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("note: routed experts: fp4 GEMMs run as bf16 on h100-sxm-80gb"),
            std::string::npos)
      << text.out;
  CliRun dense =
      run("run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 1 --input-len 128 "
          "--output-len 16 --expert-precision fp4",
          true);
  EXPECT_EQ(dense.code, 1);
  EXPECT_NE(dense.out.find("--expert-precision: fp4 is given for llama-3.1-8b, which has no routed "
                           "experts"),
            std::string::npos)
      << dense.out;
  CliRun bad = run(base + " --expert-precision fp5", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("--expert-precision: unknown precision \"fp5\""), std::string::npos)
      << bad.out;
}

// --weight-group-size: gpt-oss as released stores its experts in MXFP4 (32 values per E8M0 scale);
// the weights then take the checkpoint sizes of the gpt-oss model card (60.8 GiB and 12.8 GiB,
// recalled). The group is refused outside 1..65536 and without fp4/int4 weights.
TEST(PerfCli, WeightGroupSetsTheStoredBitsOfBlockScaledWeights) {
  auto weights_gib = [](const std::string& model) {
    CliRun r = run("run --hardware h100-sxm-80gb --model " + model +
                   " --batch 1 --input-len 128 --output-len 16 --expert-precision fp4 "
                   "--weight-group-size 32 --format json");
    EXPECT_EQ(r.code, 0) << r.out;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["precision"]["weight_group_size"], 32);
    EXPECT_DOUBLE_EQ(j["precision"]["expert_weight_bits"].get<double>(), 4.25);
    return j["memory"]["weights_bytes"].get<double>() / (1024.0 * 1024 * 1024);
  };
  EXPECT_NEAR(weights_gib("gpt-oss-120b"), 60.8, 0.3);
  EXPECT_NEAR(weights_gib("gpt-oss-20b"), 12.8, 0.1);
  CliRun text =
      run("run --hardware h100-sxm-80gb --model llama-2-7b --batch 1 --input-len 5 --output-len 16 "
          "--precision int4 --weight-group-size 32");
  ASSERT_EQ(text.code, 0) << text.out;
  EXPECT_NE(text.out.find("int4 weights (5 bits stored)"), std::string::npos) << text.out;
  const std::string dense =
      "run --hardware h100-sxm-80gb --model llama-2-7b --batch 1 --input-len 5 --output-len 16";
  CliRun bf16 = run(dense + " --weight-group-size 32", true);
  EXPECT_EQ(bf16.code, 1);
  EXPECT_NE(
      bf16.out.find("--weight-group-size: 32 is given with bf16 weights, which carry no block "
                    "scales; allowed only with fp4 or int4 weights"),
      std::string::npos)
      << bf16.out;
  CliRun big = run(dense + " --precision int4 --weight-group-size 100000", true);
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.out.find("--weight-group-size: 100000 is out of range; allowed 1 .. 65536"),
            std::string::npos)
      << big.out;
  CliRun neg = run(dense + " --precision int4 --weight-group-size -4", true);
  EXPECT_EQ(neg.code, 1);
  EXPECT_NE(neg.out.find("--weight-group-size"), std::string::npos) << neg.out;
}

// An infeasible question (CONVENTIONS §6) is answered, exit 0: the reason class and its detail,
// the alternatives, and null for every figure that is not a prediction.
const std::string kTooBig =
    "run --hardware a100-sxm-80gb --model llama-3.1-70b --batch 1 --input-len 128 --output-len 16";

TEST(PerfCli, RunReportsInfeasibleWithReason) {
  CliRun r = run(kTooBig + " --format json");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "memory");
  EXPECT_NE(j["infeasible_detail"].get<std::string>().find("weights need"), std::string::npos);
  EXPECT_EQ(j["memory"]["max_batch"].get<int>(), 0);
  for (const char* key : {"ttft_ms", "tpot_ms", "e2e_latency_ms", "output_tokens_per_s",
                          "output_tokens_per_s_per_device", "energy_per_output_token_j",
                          "cost_per_million_output_tokens_usd", "largest_feasible_batch"})
    EXPECT_TRUE(j[key].is_null()) << key << " = " << j[key];
  // The weights alone exceed the device: no usable memory above its capacity.
  EXPECT_TRUE(j["memory"]["usable_bytes"].is_null()) << j["memory"];
  EXPECT_TRUE(j["ops"].empty());
  // The alternative: the smallest tp that fits this batch. It is feasible; half of it is not.
  const int tp = j["smallest_feasible_tp"].get<int>();
  EXPECT_EQ(j["smallest_feasible_pp"].get<int>(), 1);
  ASSERT_GT(tp, 1);
  auto with_tp = [&](int t) {
    CliRun c = run(kTooBig + " --tp " + std::to_string(t) + " --devices " + std::to_string(t) +
                   " --format json");
    EXPECT_EQ(c.code, 0) << c.out;
    return nlohmann::json::parse(c.out)["feasible"].get<bool>();
  };
  EXPECT_TRUE(with_tp(tp));
  EXPECT_FALSE(with_tp(tp / 2));
}

TEST(PerfCli, InfeasibleTableHasTheReasonAndNoFigures) {
  CliRun r = run(kTooBig);
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\nINFEASIBLE: memory: weights need "), std::string::npos) << r.out;
  // What would fit: no batch on this plan, tp 2 x pp 1 for this batch (the JSON's keys).
  EXPECT_NE(r.out.find("note: not even one request fits with tp 1 x pp 1 (largest_feasible_batch "
                       "is null)"),
            std::string::npos)
      << r.out;
  const std::vector<TerminalTable> tables = terminal_tables(r.out);
  EXPECT_EQ(field_value(tables, "smallest_feasible_tp"), "2") << r.out;
  EXPECT_EQ(field_value(tables, "smallest_feasible_pp"), "1") << r.out;
  const auto j = nlohmann::json::parse(run(kTooBig + " --format json").out);
  EXPECT_EQ(field_value(tables, "memory.weights_bytes"),
            std::to_string(j["memory"]["weights_bytes"].get<int64_t>()))
      << r.out;
  for (const char* figure : {"ttft_ms", "tpot_ms", "output_tokens_per_s", "memory.usable_bytes",
                             "energy_per_output_token_j", "prefill ops", "largest_feasible_batch  "})
    EXPECT_EQ(r.out.find(figure), std::string::npos) << figure << " in\n" << r.out;
  CliRun csv = run(kTooBig + " --format csv");
  ASSERT_EQ(csv.code, 0);
  // The reason class and the alternative (the smallest plan: tp 2, pp 1), then ttft, tpot, e2e
  // and tokens/s as empty cells.
  EXPECT_NE(csv.out.find(",false,memory,weights need "), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",,2,1,,,,,,"), std::string::npos) << csv.out;
}

TEST(PerfCli, TheLargestFeasibleBatchIsFeasibleAndOneMoreIsNot) {
  const std::string base =
      "run --hardware h100-sxm-80gb --model llama-3.1-8b --input-len 4096 --output-len 4096 "
      "--format json --batch ";
  CliRun r = run(base + "4096");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "memory");
  ASSERT_TRUE(j["largest_feasible_batch"].is_number()) << j;
  const int64_t b = j["largest_feasible_batch"];
  EXPECT_EQ(b, j["memory"]["max_batch"].get<int64_t>());
  EXPECT_TRUE(nlohmann::json::parse(run(base + std::to_string(b)).out)["feasible"].get<bool>());
  EXPECT_FALSE(nlohmann::json::parse(run(base + std::to_string(b + 1)).out)["feasible"].get<bool>());
}

// The library returns an error for a shape beyond its bounds; the command exits 1 with the flag,
// it does not abort (exit 134) as `run --batch 9223372036854775807` did.
TEST(PerfCli, UnrepresentableShapesExitOneNotAbort) {
  CliRun r = run("run --hardware h100-sxm-80gb --model llama-2-7b --batch 9223372036854775807 "
                 "--input-len 128 --output-len 128",
                 true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--batch"), std::string::npos) << r.out;
  CliRun g = run("gemm --hardware a100-sxm-80gb --m 9223372036854775807 --n 9223372036854775807 "
                 "--k 9223372036854775807",
                 true);
  EXPECT_EQ(g.code, 1) << g.out;
  EXPECT_EQ(g.out.find("TFLOP"), std::string::npos) << g.out;
}

TEST(PerfCli, GemmJson) {
  CliRun r = run("gemm --hardware a100-sxm-80gb --m 8192 --n 8192 --k 8192 --precision fp16 "
                 "--format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"latency_ms", "tflops", "tile", "bound"}) EXPECT_TRUE(j.contains(key));
  EXPECT_EQ(j["bound"], "matrix");
  EXPECT_GT(j["tile"]["m"].get<int>(), 0);
  // 2 x 8192^3 FLOP / latency = tflops.
  EXPECT_NEAR(j["tflops"].get<double>(),
              2.0 * 8192.0 * 8192.0 * 8192.0 / (j["latency_ms"].get<double>() * 1e-3) / 1e12, 0.1);
  CliRun bad = run("gemm --hardware a100-sxm-80gb --m 0 --n 8 --k 8", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("--m: 0 is out of range; allowed 1 .. 2147483647 (a GEMM dimension"),
            std::string::npos)
      << bad.out;
}

// One GEMM model, one answer: `gemm` on the shape of a measured gemm_peak row (MAMF-0002: A100
// SXM, bf16, 1024 x 10240 x 5120, 271.2 TFLOP/s measured) gives what `validate` predicts for the
// row, and a serving stack's kernels are a named choice (--runtime), not folded in by default.
TEST(PerfCli, GemmEqualsValidateAndTheRuntimeIsNamed) {
  const std::string shape = "gemm --hardware a100-sxm-80gb --m 1024 --n 10240 --k 5120 "
                            "--precision bf16 --format json";
  CliRun g = run(shape);
  ASSERT_EQ(g.code, 0) << g.out;
  const auto j = nlohmann::json::parse(g.out);
  EXPECT_EQ(j["runtime"], "pytorch-eager");
  CliRun v = run("validate " XPUSIM_SHARED_DIR "/validation/measured_public.csv --scenarios "
                 "gemm_peak --format json");
  ASSERT_EQ(v.code, 0) << v.out;
  const auto rows = nlohmann::json::parse(v.out)["rows"];
  bool found = false;
  for (const auto& row : rows)
    if (row["id"] == "MAMF-0002") {
      found = true;
      EXPECT_NEAR(j["tflops"].get<double>(), row["predicted"].get<double>(), 1e-3);
    }
  EXPECT_TRUE(found);
  // TensorRT-LLM's GEMM kernels reach 0.71 of cuBLAS's efficiency (data/calibration/default.yaml): slower.
  CliRun t = run(shape + " --runtime tensorrt-llm");
  ASSERT_EQ(t.code, 0) << t.out;
  EXPECT_LT(nlohmann::json::parse(t.out)["tflops"].get<double>(), j["tflops"].get<double>());
  CliRun bad = run(shape + " --runtime cublass", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("unknown runtime \"cublass\""), std::string::npos) << bad.out;
}

// --set reaches the model as well as the hardware: model.PATH for the model, hardware.PATH (or a
// bare PATH, as before) for the hardware; a command without a model refuses model.* by name.
TEST(PerfCli, SetReachesTheModelAndTheHardware) {
  const std::string base = "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 "
                           "--input-len 512 --output-len 64 --format json";
  auto tpot = [&](const std::string& sets) {
    CliRun r = run(base + sets);
    EXPECT_EQ(r.code, 0) << r.out;
    return r.code == 0 ? nlohmann::json::parse(r.out)["tpot_ms"].get<double>() : 0.0;
  };
  const double full = tpot("");
  EXPECT_LT(tpot(" --set model.layers=16"), 0.7 * full);  // half the layers: about half the step
  EXPECT_DOUBLE_EQ(tpot(" --set hardware.memory.dram.bandwidth=4TB/s"),
                   tpot(" --set memory.dram.bandwidth=4TB/s"));
  CliRun bad = run(base + " --set model.layrs=16", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("did you mean \"layers\""), std::string::npos) << bad.out;
  CliRun area = run("area --hardware h100-sxm-80gb --set model.layers=3", true);
  EXPECT_EQ(area.code, 1);
  EXPECT_NE(area.out.find("--set: model.layers=3: this command loads no model"), std::string::npos)
      << area.out;
}

// Without --devices each preset runs on its smallest fitting tp, so the ranking is per device.
TEST(PerfCli, CompareRanksFeasibleFirstByThroughputPerDevice) {
  CliRun r = run("compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
                 "--precision bf16 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  const auto& rows = j["ranking"];
  ASSERT_GT(rows.size(), 3u);
  double prev = 1e300;
  bool seen_infeasible = false;
  for (const auto& row : rows) {
    if (!row["feasible"].get<bool>()) {
      seen_infeasible = true;
      // Marked, not ranked: the reason class and detail, no figure.
      EXPECT_TRUE(row["rank"].is_null());
      EXPECT_FALSE(row["infeasible_reason"].get<std::string>().empty());
      EXPECT_FALSE(row["infeasible_detail"].get<std::string>().empty());
      for (const char* key : {"ttft_ms", "tpot_ms", "output_tokens_per_s",
                              "output_tokens_per_s_per_device", "prefill_bound"})
        EXPECT_TRUE(row[key].is_null()) << row["hardware"] << " " << key;
      continue;
    }
    EXPECT_FALSE(seen_infeasible) << "feasible rows come first";
    EXPECT_TRUE(row["infeasible_reason"].is_null());
    double t = row["output_tokens_per_s_per_device"];
    EXPECT_LE(t, prev);
    prev = t;
  }
}

// --hardware ranks the hardware given (preset ids or files: a design of one's own) instead of
// every preset; --with-presets adds every preset. A file that keeps a preset's id is ranked beside
// that preset under its path; a file that does not load is an error naming it.
TEST(PerfCli, CompareRanksTheHardwareGivenAndOptionallyEveryPreset) {
  const std::string base = "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
                           "--format json ";
  const std::string file = std::string(XPUSIM_DATA_DIR) + "/presets/hardware/h100-sxm-80gb.yaml";
  CliRun all = run(base);
  ASSERT_EQ(all.code, 0) << all.out;
  const size_t presets = nlohmann::json::parse(all.out)["ranking"].size();

  CliRun two = run(base + "--hardware \"" + file + "\" --hardware b200-sxm-180gb");
  ASSERT_EQ(two.code, 0) << two.out;
  const auto rows = nlohmann::json::parse(two.out)["ranking"];
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::string> names;
  for (const auto& row : rows) names.insert(row["hardware"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"h100-sxm-80gb", "b200-sxm-180gb"}));

  CliRun with = run(base + "--hardware \"" + file + "\" --with-presets");
  ASSERT_EQ(with.code, 0) << with.out;
  const auto ranked = nlohmann::json::parse(with.out)["ranking"];
  EXPECT_EQ(ranked.size(), presets + 1);
  double copy = -1, preset = -2;
  for (const auto& row : ranked) {
    if (row["hardware"] == file) copy = row["output_tokens_per_s"].get<double>();
    if (row["hardware"] == "h100-sxm-80gb") preset = row["output_tokens_per_s"].get<double>();
  }
  EXPECT_EQ(copy, preset);  // the same spec, ranked twice under two names

  CliRun bad = run(base + "--hardware /nonexistent/xpu.yaml", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("/nonexistent/xpu.yaml"), std::string::npos) << bad.out;
}

// Each row says the precision its hardware executes (issue 9, "precision actually executed"):
// fp8 asked, A100 has no fp8 engine and runs weight-only dequantisation to 16-bit; H100 runs fp8.
TEST(PerfCli, CompareSaysWhichHardwareFallsBackFromTheAskedPrecision) {
  CliRun r = run("compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
                 "--precision fp8 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  int seen = 0;
  for (const auto& row : j["ranking"]) {
    const std::string hw = row["hardware"];
    if (hw == "a100-sxm-80gb") {
      EXPECT_EQ(row["weight_only_fallback"], true);
      EXPECT_NE(row["math_execution"], "fp8");
      ++seen;
    } else if (hw == "h100-sxm-80gb") {
      EXPECT_EQ(row["weight_only_fallback"], false);
      EXPECT_EQ(row["math_execution"], "fp8");
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

// A model that states its released format (gpt-oss: MXFP4 experts, 32 per scale) gets a note and
// `precision.as_released` false when the run reads other weights, and the flags that run it as
// released; those flags run it as released; a model stating nothing has null.
TEST(PerfCli, RunSaysHowToRunTheCheckpointAsReleased) {
  const std::string base =
      "run --hardware b200-sxm-180gb --model gpt-oss-20b --batch 4 --input-len 256 "
      "--output-len 16";
  CliRun bf16 = run(base);
  ASSERT_EQ(bf16.code, 0) << bf16.out;
  EXPECT_NE(bf16.out.find("note: gpt-oss-20b is released with fp4 routed experts (32 values per "
                          "scale): --precision bf16 --expert-precision fp4 "
                          "--weight-group-size 32 runs it as released"),
            std::string::npos)
      << bf16.out;
  auto j = nlohmann::json::parse(run(base + " --format json").out);
  EXPECT_EQ(j["precision"]["as_released"], false);
  EXPECT_EQ(j["precision"]["as_released_flags"],
            "--precision bf16 --expert-precision fp4 --weight-group-size 32");
  const std::string released = base +
                               " --precision bf16 --expert-precision fp4 "
                               "--weight-group-size 32";
  CliRun as = run(released);
  ASSERT_EQ(as.code, 0) << as.out;
  EXPECT_EQ(as.out.find("runs it as released"), std::string::npos) << as.out;
  EXPECT_EQ(nlohmann::json::parse(run(released + " --format json").out)["precision"]["as_released"],
            true);
  auto dense = nlohmann::json::parse(
      run("run --hardware b200-sxm-180gb --model llama-3.1-8b --batch 1 --input-len 16 "
          "--output-len 4 --format json")
          .out);
  EXPECT_TRUE(dense["precision"]["as_released"].is_null());
  EXPECT_TRUE(dense["precision"]["as_released_flags"].is_null());
}

// compare --weight-group-size: every preset reads the checkpoint's 5-bit int4 weights (gpt-fast
// --groupsize 32), not the default 4.25 bits; the JSON says which group ran.
TEST(PerfCli, CompareRunsTheCheckpointsWeightGroupOnEveryPreset) {
  const std::string base =
      "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 --precision int4 "
      "--format json";
  auto weights = [](const nlohmann::json& j) {
    for (const auto& row : j["ranking"])
      if (row["hardware"] == "h100-sxm-80gb") return row["memory"]["weights_bytes"].get<double>();
    ADD_FAILURE() << "no h100-sxm-80gb row";
    return 0.0;
  };
  CliRun g128 = run(base);
  CliRun g32 = run(base + " --weight-group-size 32");
  ASSERT_EQ(g128.code, 0) << g128.out;
  ASSERT_EQ(g32.code, 0) << g32.out;
  const auto j128 = nlohmann::json::parse(g128.out), j32 = nlohmann::json::parse(g32.out);
  EXPECT_TRUE(j128["weight_group_size"].is_null());
  EXPECT_EQ(j32["weight_group_size"], 32);
  // The layers' weights (all but the 16-bit embedding and LM head, ~7.0B of 8.0B) grow by
  // (5 - 4.25) / 8 bytes each: ~0.65 GB.
  EXPECT_NEAR((weights(j32) - weights(j128)) / 1e9, 0.65, 0.05);
}

// Every preset infeasible for this workload on 1 device: all rows marked, none ranked, exit 0.
TEST(PerfCli, CompareMarksInfeasibleHardwareInsteadOfRankingIt) {
  const std::string args = "compare --model llama-3.1-405b --batch 1 --input-len 128 "
                           "--output-len 16 --devices 1";
  CliRun r = run(args + " --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& row : j["ranking"]) {
    EXPECT_FALSE(row["feasible"].get<bool>()) << row["hardware"];
    EXPECT_EQ(row["infeasible_reason"], "memory") << row["hardware"];
    EXPECT_TRUE(row["output_tokens_per_s"].is_null());
  }
  CliRun table = run(args);
  ASSERT_EQ(table.code, 0);
  // Every row has its reason and detail (ranking.infeasible_reason, ranking.infeasible_detail) and
  // an empty ranking.rank: nothing ranked.
  const std::vector<TerminalTable> tables = terminal_tables(table.out);
  ASSERT_EQ(tables.size(), 1u) << table.out;
  const TerminalTable& t = tables.front();
  ASSERT_EQ(t.header.front(), "ranking.rank") << table.out;
  ASSERT_EQ(t.rows.size(), j["ranking"].size()) << table.out;
  for (const std::string& row : t.rows) {
    EXPECT_EQ(row.substr(0, t.header.front().size()), std::string(t.header.front().size(), ' '))
        << "nothing ranked: " << row;
    EXPECT_NE(row.find("  memory "), std::string::npos) << row;
    EXPECT_NE(row.find("  weights need "), std::string::npos) << row;
  }
}

// With --devices every system has the same accelerator count: ranked by system throughput.
TEST(PerfCli, CompareWithFixedDevicesRanksBySystemThroughput) {
  CliRun r = run("compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64 "
                 "--precision bf16 --devices 8 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  double prev = 1e300;
  int feasible = 0;
  for (const auto& row : j["ranking"]) {
    if (!row["feasible"].get<bool>()) continue;
    ++feasible;
    EXPECT_EQ(row["devices"].get<int>(), 8);
    double t = row["output_tokens_per_s"];
    EXPECT_LE(t, prev);
    prev = t;
  }
  EXPECT_GT(feasible, 3);
}

TEST(PerfCli, EveryNameInRunsTablesIsAKeyOfItsJson) {
  // Feasible: the figures, the prefill ops, the decode ops.
  expect_table_names_are_json_keys(
      "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 512 "
      "--output-len 64",
      3);
  // Tensor-parallel on 8 devices (collective ops) in a server class of its own.
  expect_table_names_are_json_keys(kRun + " --system nvl72-liquid", 3);
  // Infeasible by memory: what does not fit and what would.
  expect_table_names_are_json_keys(kTooBig, 1);
  expect_table_names_are_json_keys(
      "run --hardware h100-sxm-80gb --model llama-3.1-70b --batch 4096 --input-len 4096 "
      "--output-len 4096",
      1);
}

TEST(PerfCli, EveryNameInComparesTableIsAKeyOfItsJson) {
  expect_table_names_are_json_keys(
      "compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64", 1);
  // Every preset infeasible: the reason columns only.
  expect_table_names_are_json_keys(
      "compare --model llama-3.1-405b --batch 1 --input-len 128 --output-len 16 --devices 1", 1);
}

// The figures of run's table are the JSON's, by the one number rule: 4 significant figures.
TEST(PerfCli, RunTableShowsTheJsonFiguresByTheNumberRule) {
  const std::string args =
      "run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64";
  CliRun table = run(args);
  auto j = nlohmann::json::parse(run(args + " --format json").out);
  ASSERT_EQ(table.code, 0) << table.out;
  const std::vector<TerminalTable> tables = terminal_tables(table.out);
  ASSERT_GE(tables.size(), 3u) << table.out;
  ASSERT_TRUE(tables[0].fields) << table.out;
  auto value_of = [&](const std::string& name) { return field_value(tables, name); };
  for (const char* key : {"ttft_ms", "tpot_ms", "output_tokens_per_s"}) {
    const double v = j[key].get<double>();
    const std::string shown = value_of(key);
    ASSERT_FALSE(shown.empty()) << key << "\n" << table.out;
    EXPECT_NEAR(std::stod(shown), v, 5e-4 * v) << key;  // 4 significant figures
    const size_t digits = std::count_if(shown.begin(), shown.end(), ::isdigit);
    EXPECT_GE(digits, 4u) << key << " " << shown;
  }
  EXPECT_EQ(value_of("memory.max_batch"), std::to_string(j["memory"]["max_batch"].get<int>()));
  EXPECT_EQ(value_of("memory.weights_bytes"),
            std::to_string(j["memory"]["weights_bytes"].get<int64_t>()));
  // The ops tables: one per phase, a row per op of that phase.
  size_t prefill = 0, decode = 0;
  for (const auto& op : j["ops"]) (op["phase"] == "prefill" ? prefill : decode) += 1;
  EXPECT_EQ(tables[1].rows.size(), prefill) << table.out;
  EXPECT_EQ(tables[2].rows.size(), decode) << table.out;
  EXPECT_EQ(tables[1].header.front(), "ops.layer");
}

}  // namespace
