// SPDX-License-Identifier: Apache-2.0
// `xpusim serve` run as a process (XPUSIM_BINARY): the JSON keys scripts read (a contract, issue:
// serving simulator) with their types and percentile order, the MLPerf object, byte-identical
// output for a seed, the flattened CSV row, the --timeline CSV (one row per step), the arrival
// modes and disaggregation, every bad input with exit code 1 and its message, and an infeasible
// deployment reported with exit code 0 and null figures.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.h"

namespace {

using json = nlohmann::json;
using xpusim::testing::CliRun;

// Like xpusim::testing::run, but bounded by coreutils `timeout`: a hang on bad input must fail the
// test (exit code 124) instead of stalling the suite. The bound is generous for sanitizer builds.
CliRun xpusim(const std::string& args, bool stderr_only = false) {
  const std::string cmd = std::string("timeout -k 10 300 \"") + XPUSIM_BINARY + "\" " + args +
                          (stderr_only ? " 2>&1 >/dev/null" : " 2>/dev/null");
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

json serve_json(const std::string& args) {
  CliRun r = xpusim(args + " --format json");
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  if (r.code != 0) return json::object();
  return json::parse(r.out);
}

// A file under the test temp directory, unique per test and process (ctest runs tests in
// parallel processes).
std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "xpusim_serve_" + info->name() + "_" + std::to_string(getpid()) +
         "_" + name;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One CSV line split into cells (RFC 4180 quotes, as report/table.cc writes them).
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// The value at a dotted CSV column name ("kv_cache.capacity_tokens") in the JSON.
const json& at_dotted(const json& j, std::string key) {
  for (char& c : key)
    if (c == '.') c = '/';
  return j.at(json::json_pointer("/" + key));
}

const std::string kBase =
    "serve --hardware h100-sxm-80gb --model llama-3.1-8b --tp 1 --precision bf16 ";
const std::string kFixed = kBase + "--input-len 512 --output-len 64 --requests 100 ";
// Random lengths and random arrivals: every seeded source of the run.
const std::string kSharegpt = kBase + "--dataset sharegpt --requests 200 --rate 20 ";
const std::string kTimelineHeader =
    "start_s,engine,pool,duration_ms,prefill_tokens,prefill_chunks,decode_rows,running,waiting,"
    "kv_used_blocks,kv_capacity_blocks,clock_ghz,power_w";
const char* const kLatencyKeys[] = {"ttft_ms", "tpot_ms", "itl_ms", "e2e_latency_ms"};

void expect_ordered_latency(const json& j, const char* key) {
  SCOPED_TRACE(key);
  ASSERT_TRUE(j.contains(key));
  const json& l = j[key];
  ASSERT_TRUE(l.is_object());
  for (const char* q : {"mean", "p50", "p90", "p99"}) {
    ASSERT_TRUE(l.contains(q)) << q;
    ASSERT_TRUE(l[q].is_number()) << q << " = " << l[q];
  }
  const double mean = l["mean"], p50 = l["p50"], p90 = l["p90"], p99 = l["p99"];
  EXPECT_GE(mean, 0.0);
  EXPECT_GE(p50, 0.0);
  EXPECT_GE(p90, p50);
  EXPECT_GE(p99, p90);
}

TEST(ServeCli, JsonCarriesTheContractKeysWithTheirTypes) {
  const json j = serve_json(kSharegpt + "--slo-ttft-ms 500 --slo-tpot-ms 50");
  ASSERT_FALSE(j.empty());
  EXPECT_TRUE(j["feasible"].get<bool>());
  EXPECT_TRUE(j["infeasible_reason"].is_null());
  EXPECT_TRUE(j["infeasible_detail"].is_null());
  ASSERT_TRUE(j["requests"].is_number_integer());
  ASSERT_TRUE(j["completed"].is_number_integer());
  ASSERT_TRUE(j["rejected"].is_number_integer());
  EXPECT_EQ(j["requests"].get<int64_t>(), 200);
  EXPECT_EQ(j["completed"].get<int64_t>() + j["rejected"].get<int64_t>(),
            j["requests"].get<int64_t>());
  for (const char* key :
       {"duration_s", "output_tokens_per_s", "total_tokens_per_s", "requests_per_s",
        "energy_per_output_token_j", "usd_per_million_output_tokens"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    ASSERT_TRUE(j[key].is_number()) << key << " = " << j[key];
    EXPECT_GT(j[key].get<double>(), 0.0) << key;
  }
  EXPECT_GE(j["total_tokens_per_s"].get<double>(), j["output_tokens_per_s"].get<double>());
  ASSERT_TRUE(j["goodput_requests_per_s"].is_number());
  EXPECT_GE(j["goodput_requests_per_s"].get<double>(), 0.0);
  EXPECT_LE(j["goodput_requests_per_s"].get<double>(), j["requests_per_s"].get<double>());
  for (const char* key : kLatencyKeys) expect_ordered_latency(j, key);

  const json& kv = j["kv_cache"];
  ASSERT_TRUE(kv.is_object());
  ASSERT_TRUE(kv["capacity_tokens"].is_number_integer());
  EXPECT_GT(kv["capacity_tokens"].get<int64_t>(), 0);
  ASSERT_TRUE(kv["peak_utilization"].is_number());
  EXPECT_GT(kv["peak_utilization"].get<double>(), 0.0);
  EXPECT_LE(kv["peak_utilization"].get<double>(), 1.0);
  ASSERT_TRUE(kv["preemptions"].is_number_integer());
  EXPECT_GE(kv["preemptions"].get<int64_t>(), 0);

  const json& batch = j["batch"];
  ASSERT_TRUE(batch.is_object());
  for (const char* key : {"mean_decode_batch", "mean_tokens_per_step"}) {
    ASSERT_TRUE(batch[key].is_number()) << key;
    EXPECT_GT(batch[key].get<double>(), 0.0) << key;
  }
  ASSERT_TRUE(j["steps"].is_number_integer());
  EXPECT_GT(j["steps"].get<int64_t>(), 0);
  EXPECT_EQ(j["slo"]["ttft_ms"].get<double>(), 500.0);
  EXPECT_EQ(j["slo"]["tpot_ms"].get<double>(), 50.0);
  EXPECT_FALSE(j.contains("mlperf"));  // only with --mlperf
}

TEST(ServeCli, MlperfOfflineReportsTheSaturatedFigure) {
  const json j = serve_json(kBase + "--dataset mlperf-llama3.1-8b --requests 100 --mlperf offline");
  ASSERT_TRUE(j.contains("mlperf")) << j.dump(2);
  const json& m = j["mlperf"];
  EXPECT_EQ(m["scenario"], "offline");
  EXPECT_EQ(m["benchmark"], "llama3.1-8b");
  ASSERT_TRUE(m["tokens_per_s"].is_number());
  EXPECT_GT(m["tokens_per_s"].get<double>(), 0.0);
  ASSERT_TRUE(m["samples_per_s"].is_number());
  EXPECT_GT(m["samples_per_s"].get<double>(), 0.0);
  ASSERT_TRUE(m["valid"].is_boolean());
  EXPECT_TRUE(m["notes"].is_array());
  EXPECT_FALSE(m.contains("max_qps"));  // Server / Interactive only
  EXPECT_EQ(j["requests"].get<int64_t>(), 100);
}

// The MLPerf object of a Server / Interactive search: the reported run meets the limits at
// max_qps, which is the highest passing probe and lies below every failing probe (bisection).
void expect_server_object(const json& j, const std::set<std::string>& bindings) {
  ASSERT_TRUE(j.contains("mlperf")) << j.dump(2);
  const json& m = j["mlperf"];
  for (const char* key : {"max_qps", "ttft_p99_ms", "tpot_p99_ms"}) {
    ASSERT_TRUE(m.contains(key)) << key;
    ASSERT_TRUE(m[key].is_number()) << key;
  }
  ASSERT_TRUE(m["binding"].is_string());
  EXPECT_TRUE(bindings.count(m["binding"].get<std::string>())) << m["binding"];
  ASSERT_TRUE(m["valid"].is_boolean());
  const double max_qps = m["max_qps"];
  EXPECT_GT(max_qps, 0.0);
  const json& limits = m["limits"];
  if (limits["ttft_p99_ms"].is_number()) {
    EXPECT_LE(m["ttft_p99_ms"].get<double>(), limits["ttft_p99_ms"].get<double>());
  }
  if (limits["tpot_p99_ms"].is_number()) {
    EXPECT_LE(m["tpot_p99_ms"].get<double>(), limits["tpot_p99_ms"].get<double>());
  }
  ASSERT_TRUE(m["probes"].is_array());
  ASSERT_FALSE(m["probes"].empty());
  double best_pass = 0, lowest_fail = 1e300;
  for (const json& p : m["probes"]) {
    if (p["pass"].get<bool>())
      best_pass = std::max(best_pass, p["rate"].get<double>());
    else
      lowest_fail = std::min(lowest_fail, p["rate"].get<double>());
  }
  EXPECT_EQ(max_qps, best_pass);
  EXPECT_LT(max_qps, lowest_fail);
}

// A small --requests keeps these fast (~0.1 s each in Release): it sizes the Offline run whose
// rate bounds the search, so the search here may stop at that bound after one probe (the figure
// is then below the true saturation; the full search is the gpt-j test below).
TEST(ServeCli, MlperfServerAndInteractiveSmall) {
  for (const char* scenario : {"server", "interactive"}) {
    SCOPED_TRACE(scenario);
    const json j =
        serve_json(kBase + "--dataset mlperf-llama3.1-8b --requests 300 --mlperf " + scenario);
    expect_server_object(j, {"ttft", "tpot"});
    EXPECT_EQ(j["mlperf"]["scenario"], scenario);
    const bool server = std::string(scenario) == "server";
    EXPECT_EQ(j["mlperf"]["limits"]["ttft_p99_ms"].get<double>(), server ? 2000.0 : 500.0);
    EXPECT_EQ(j["mlperf"]["limits"]["tpot_p99_ms"].get<double>(), server ? 100.0 : 30.0);
    EXPECT_TRUE(j["mlperf"]["limits"]["e2e_p99_ms"].is_null());
  }
}

// The full Server search (the dataset's own sample count; ~0.25 s in Release): gpt-j is limited
// on the whole sample's latency, so its binding limit is e2e.
TEST(ServeCli, MlperfServerFullSearchGptj) {
  const json j = serve_json(
      "serve --hardware h100-sxm-80gb --model gpt-j-6b --tp 1 --precision bf16 "
      "--dataset mlperf-gpt-j --mlperf server");
  expect_server_object(j, {"e2e"});
  const json& m = j["mlperf"];
  EXPECT_EQ(m["benchmark"], "gpt-j");
  EXPECT_EQ(m["limits"]["e2e_p99_ms"].get<double>(), 20000.0);
  EXPECT_TRUE(m["limits"]["ttft_p99_ms"].is_null());
  EXPECT_GT(m["probes"].size(), 2u);  // a bisection, not a single probe
  EXPECT_TRUE(m["valid"].get<bool>());
}

TEST(ServeCli, SameSeedGivesByteIdenticalJsonAnotherSeedDiffers) {
  CliRun a = xpusim(kSharegpt + "--format json");
  CliRun b = xpusim(kSharegpt + "--format json");
  CliRun c = xpusim(kSharegpt + "--seed 7 --format json");
  ASSERT_EQ(a.code, 0) << a.out;
  ASSERT_EQ(b.code, 0) << b.out;
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  const json ja = json::parse(a.out), jc = json::parse(c.out);
  EXPECT_EQ(jc["workload"]["seed"].get<uint64_t>(), 7u);
  EXPECT_NE(ja["ttft_ms"], jc["ttft_ms"]);  // not only the echoed seed
}

TEST(ServeCli, CsvIsOneHeaderAndOneRowOfTheFlattenedJson) {
  CliRun csv = xpusim(kFixed + "--format csv");
  ASSERT_EQ(csv.code, 0) << csv.out;
  std::vector<std::string> lines;
  std::istringstream in(csv.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u) << csv.out;
  const auto header = csv_cells(lines[0]);
  const auto row = csv_cells(lines[1]);
  ASSERT_EQ(header.size(), row.size());
  auto column = [&](const std::string& key) -> std::string {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == key) return row[i];
    ADD_FAILURE() << "no column " << key << " in " << lines[0];
    return "";
  };
  const json j = serve_json(kFixed);
  for (const char* key :
       {"ttft_ms.p99", "tpot_ms.p50", "e2e_latency_ms.mean", "kv_cache.capacity_tokens",
        "kv_cache.peak_utilization", "batch.mean_decode_batch", "steps", "output_tokens_per_s"}) {
    SCOPED_TRACE(key);
    const std::string cell = column(key);
    ASSERT_FALSE(cell.empty());
    const json& value = at_dotted(j, key);
    // 4 significant figures (report/result_fields.h); integers exactly
    EXPECT_NEAR(std::stod(cell), value.get<double>(), 5e-4 * std::fabs(value.get<double>()));
  }
  EXPECT_EQ(column("requests"), "100");
  EXPECT_EQ(column("feasible"), "true");
}

TEST(ServeCli, TimelineHasOneRowPerStep) {
  const std::string path = temp_path("timeline.csv");
  const json j = serve_json(kFixed + "--rate 20 --timeline \"" + path + "\"");
  ASSERT_FALSE(j.empty());
  const auto lines = read_lines(path);
  ASSERT_FALSE(lines.empty()) << path;
  EXPECT_EQ(lines[0], kTimelineHeader);
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - 1, j["steps"].get<int64_t>());
  double last_start = -1;
  for (size_t i = 1; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    const auto cells = csv_cells(lines[i]);
    ASSERT_EQ(cells.size(), 13u);
    EXPECT_EQ(cells[1], "0");     // one engine
    EXPECT_EQ(cells[2], "both");  // not disaggregated
    const double start = std::stod(cells[0]);
    EXPECT_GE(start, last_start);  // one engine: steps in time order
    last_start = start;
    EXPECT_GT(std::stod(cells[3]), 0.0);
    EXPECT_LE(std::stoll(cells[9]), std::stoll(cells[10]));  // used <= capacity blocks
    // H100 SXM's boost clock (1.83 GHz) or a power-limited step below it, never above.
    EXPECT_GT(std::stod(cells[11]), 0.0);
    EXPECT_LE(std::stod(cells[11]), 1.83);
    // One device's power over the step: above nothing, and an 8B model's light steps far below
    // the power model's all-engines-at-peak bound of the part (well over 700 W).
    ASSERT_FALSE(cells[12].empty());
    EXPECT_GT(std::stod(cells[12]), 0.0);
    EXPECT_LT(std::stod(cells[12]), 1500.0);
  }
  std::remove(path.c_str());
}

TEST(ServeCli, ArrivalModes) {
  const json offline = serve_json(kFixed);
  EXPECT_EQ(offline["workload"]["arrivals"].get<std::string>().rfind("offline", 0), 0u)
      << offline["workload"];
  const json poisson = serve_json(kFixed + "--rate 20");
  EXPECT_EQ(poisson["workload"]["arrivals"], "poisson");
  EXPECT_EQ(poisson["workload"]["rate"].get<double>(), 20.0);
  // 100 requests at 20/s arrive over ~5 s: the run lasts at least most of that.
  EXPECT_GT(poisson["duration_s"].get<double>(), 3.0);
  const json closed = serve_json(kFixed + "--concurrency 4");
  EXPECT_EQ(closed["workload"]["arrivals"], "closed loop");
  EXPECT_EQ(closed["workload"]["concurrency"].get<int64_t>(), 4);
  EXPECT_LE(closed["batch"]["mean_decode_batch"].get<double>(), 4.0);
  EXPECT_EQ(closed["completed"].get<int64_t>(), 100);

  const std::string trace = write_file(
      "trace.csv", "arrival_s,input_len,output_len\n0.0,128,16\n0.25,256,32\n1.5,64,8\n");
  const json replay = serve_json(kBase + "--trace \"" + trace + "\"");
  EXPECT_EQ(replay["workload"]["arrivals"], "trace timestamps");
  EXPECT_EQ(replay["requests"].get<int64_t>(), 3);
  EXPECT_EQ(replay["completed"].get<int64_t>(), 3);
  // The last request arrives at 1.5 s.
  EXPECT_GT(replay["duration_s"].get<double>(), 1.5);
  std::remove(trace.c_str());
}

TEST(ServeCli, DisaggregatedOneToOne) {
  const std::string path = temp_path("timeline.csv");
  const json j = serve_json(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --tp 1 --precision bf16 --devices 2 "
      "--disaggregate 1:1 --input-len 512 --output-len 64 --requests 100 --timeline \"" +
      path + "\"");
  ASSERT_TRUE(j.contains("disaggregation")) << j.dump(2);
  const json& d = j["disaggregation"];
  EXPECT_EQ(d["prefill_devices"].get<int>(), 1);
  EXPECT_EQ(d["decode_devices"].get<int>(), 1);
  EXPECT_EQ(d["prefill_replicas"].get<int>(), 1);
  EXPECT_EQ(d["decode_replicas"].get<int>(), 1);
  EXPECT_EQ(j["devices"].get<int>(), 2);
  EXPECT_EQ(j["completed"].get<int64_t>(), 100);
  for (const char* key : kLatencyKeys) expect_ordered_latency(j, key);
  // Both pools step; every step is one timeline row.
  const auto lines = read_lines(path);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - 1, j["steps"].get<int64_t>());
  std::set<std::string> pools;
  for (size_t i = 1; i < lines.size(); ++i) pools.insert(csv_cells(lines[i])[2]);
  EXPECT_EQ(pools, (std::set<std::string>{"prefill", "decode"}));
  std::remove(path.c_str());
  // Without --disaggregate there is no such object.
  EXPECT_FALSE(serve_json(kFixed).contains("disaggregation"));
}

struct BadCase {
  std::string args;     // after "serve --hardware h100-sxm-80gb --model llama-3.1-8b "
  std::string message;  // part of stderr
};

void expect_bad(const std::string& args, const std::string& message) {
  SCOPED_TRACE(args);
  CliRun r = xpusim(args, true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << "stderr: " << r.out;
}

TEST(ServeCli, BadCommandLinesExitOneWithThePreciseMessage) {
  const std::string w = "--input-len 128 --output-len 16 --requests 50 ";
  const std::vector<BadCase> cases = {
      {"--dataset sharegtp",
       "unknown dataset \"sharegtp\"; did you mean \"sharegpt\"? Known: arxiv-summarization"},
      {"--dataset nosuchthing", "unknown dataset \"nosuchthing\""},
      {w + "--engine vlm",
       "unknown engine preset \"vlm\"; did you mean \"vllm\"? Known: sglang, trtllm, vllm, "
       "vllm-v0"},
      {w + "--devices 8 --disaggregate 3:4",
       "--disaggregate: 3 prefill + 4 decode devices do not add up to the 8 devices of the "
       "system"},
      {w + "--devices 2 --disaggregate 0:2", "--disaggregate: both pools need devices, got 0:2"},
      {w + "--devices 2 --disaggregate abc",
       "--disaggregate: expected PREFILL_DEVICES:DECODE_DEVICES such as \"4:4\", got \"abc\""},
      {w + "--devices 2 --disaggregate 1:1:1",
       "--disaggregate: expected PREFILL_DEVICES:DECODE_DEVICES such as \"4:4\", got \"1:1:1\""},
      {w + "--slo-ttft-ms 0", "--slo-ttft-ms: 0 is out of range; allowed 0 (exclusive) .. 1e9 ms"},
      {w + "--slo-tpot-ms 0", "--slo-tpot-ms: 0 is out of range; allowed 0 (exclusive) .. 1e9 ms"},
      {w + "--rate 0", "--rate: 0 is out of range; allowed 0.001 .. 1e7 requests/s"},
      {w + "--rate -1", "--rate: -1 is out of range; allowed 0.001 .. 1e7 requests/s"},
      {w + "--concurrency 0",
       "--concurrency: 0 is out of range; allowed 1 .. 10000000 (closed-loop clients)"},
      {w + "--rate 5 --concurrency 2",
       "--rate: --rate (Poisson arrivals) and --concurrency (closed loop) exclude each other"},
      {w + "--mlperf server", "--mlperf: needs --dataset of an MLPerf benchmark"},
      {"--dataset sharegpt --requests 50 --mlperf server",
       "--mlperf: needs --dataset of an MLPerf benchmark"},
      {"--dataset mlperf-llama3.1-8b --requests 50 --mlperf server --rate 5",
       "--mlperf: sets its own arrivals; drop --rate / --concurrency"},
      {w + "--mlperf sever",
       "--mlperf: unknown scenario \"sever\"; allowed: offline, server, interactive"},
      {w + "--chunked-prefill maybe", "--chunked-prefill: expected on or off, got \"maybe\""},
      // The engine schema checks these, reported under the flags.
      {w + "--max-batch 0", "--max-batch: value \"0\" is out of range; allowed: >= 1 and <= 1e+08"},
      {w + "--memory-fraction 1.5",
       "--memory-fraction: value \"1.5\" is out of range; allowed: > 0 and <= 1"},
      {w + "--tp 3",
       "--tp: tensor parallelism 3 must divide the 32 attention heads of llama-3.1-8b"},
      {w + "--tp 2 --devices 3", "--devices: 3 devices is not a multiple of tp x pp = 2"},
      {w + "--tp 2 --attention-dp",
       "--attention-dp: attention data parallelism needs a mixture-of-experts model; "
       "llama-3.1-8b is dense"},
      {"--input-len 128 --output-len 16 --requests 0",
       "--requests: 0 is out of range; allowed 1 .. 1000000 (requests per simulation)"},
      {w + "--precision bf61",
       "--precision: unknown precision \"bf61\"; allowed: fp32, tf32, bf16, fp16, fp8, int8, "
       "int4, fp4 (did you mean \"bf16\"?)"},
      {w + "--router bogus", "--router: unknown router 'bogus'; known: round_robin, least_loaded"},
      {"--requests 50",
       "--input-len: a workload is required: --input-len and --output-len, --dataset "
       "NAME|FILE, or --trace FILE"},
      {"--input-len 128", "--output-len: --input-len and --output-len must be given together"},
      {"--output-len 16", "--input-len: --input-len and --output-len must be given together"},
      {"--input-len -5 --output-len 16",
       "--input-len: -5 is out of range; allowed 1 .. 100000000 (tokens per sequence"},
      {w + "--dataset sharegpt",
       "--dataset: give one workload: --input-len/--output-len, --dataset or --trace"},
  };
  for (const BadCase& c : cases)
    expect_bad("serve --hardware h100-sxm-80gb --model llama-3.1-8b " + c.args, c.message);
}

TEST(ServeCli, BadTraceFilesExitOneWithFileLineColumnAndAllowedValues) {
  const std::string header = "arrival_s,input_len,output_len\n0.0,128,16\n";
  struct TraceCase {
    std::string name, row, message;
  };
  const std::vector<TraceCase> cases = {
      {"negative_time.csv", "-1.5,128,16\n",
       ":3:1: arrival_s: \"-1.5\" is negative; allowed: seconds from the start of the trace, a "
       "finite number >= 0"},
      {"text_time.csv", "xyz,128,16\n",
       ":3:1: arrival_s: \"xyz\" is not a number; allowed: seconds from the start of the trace"},
      {"nan_time.csv", "nan,128,16\n", ":3:1: arrival_s: \"nan\" is not a finite number"},
      {"text_length.csv", "0.5,abc,16\n",
       ":3:5: input_len: \"abc\" is not a number; allowed: a whole number of prompt tokens >= 1"},
      {"negative_length.csv", "0.5,-3,16\n", ":3:5: input_len: \"-3\" is negative"},
      {"fraction_length.csv", "0.5,12.5,16\n", ":3:5: input_len: \"12.5\" is not a whole number"},
      {"zero_output.csv", "0.5,128,0\n",
       ":3:9: output_len: \"0\" is below 1; allowed: a whole number of answer tokens >= 1"},
  };
  for (const TraceCase& c : cases) {
    const std::string path = write_file(c.name, header + c.row);
    expect_bad(kBase + "--trace \"" + path + "\"", path + c.message);
    std::remove(path.c_str());
  }
  const std::string empty = write_file("empty.csv", "");
  expect_bad(kBase + "--trace \"" + empty + "\"",
             empty +
                 ": file is empty; expected a header line such as "
                 "\"arrival_s,input_len,output_len\"");
  std::remove(empty.c_str());
  const std::string missing = temp_path("missing.csv");
  expect_bad(kBase + "--trace \"" + missing + "\"", missing + ": no such file");
}

const std::string kInfeasible =
    "serve --hardware l40s --model llama-3.1-405b --precision bf16 --input-len 128 "
    "--output-len 16 --requests 50";

// The precision actually executed, as `run` reports it: fp8 on the A100 (no fp8 matrix engine)
// runs weight-only in bf16, and serve says so in the JSON and the table.
TEST(ServeCli, ReportsTheWeightOnlyFallback) {
  const std::string a100 =
      "serve --hardware a100-sxm-80gb --model llama-3.1-8b --tp 1 --precision fp8 "
      "--input-len 256 --output-len 16 --requests 20 ";
  const json j = serve_json(a100);
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["precision"]["weights"], "fp8");
  EXPECT_EQ(j["precision"]["math_execution"], "bf16");
  EXPECT_TRUE(j["precision"]["weight_only_fallback"].get<bool>());
  CliRun table = xpusim(a100);
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_NE(table.out.find("note: fp8 GEMMs run as bf16 on a100-sxm-80gb (no fp8 matrix engine): "
                           "weight-only, fp8 weights dequantised to bf16, bf16 activations"),
            std::string::npos)
      << table.out;
  const json native = serve_json(kFixed);
  ASSERT_FALSE(native.empty());
  EXPECT_EQ(native["precision"]["math_execution"], "bf16");
  EXPECT_FALSE(native["precision"]["weight_only_fallback"].get<bool>());
  EXPECT_EQ(xpusim(kFixed).out.find("note: bf16 GEMMs"), std::string::npos);
}

// Attention data parallelism: the flag reaches the plan and the JSON reports it beside ep (run
// and serve); tp 1 or ep != tp are errors naming the flag.
TEST(ServeCli, AttentionDpIsReportedBesideEpAndCheckedOnTheFlag) {
  const std::string moe = "--hardware h100-sxm-80gb --model mixtral-8x7b --precision fp8 ";
  const json adp = serve_json("serve " + moe +
                              "--devices 2 --tp 2 --ep 2 --attention-dp --input-len 128 "
                              "--output-len 16 --requests 20");
  ASSERT_FALSE(adp.empty());
  ASSERT_TRUE(adp["attention_dp"].is_boolean());
  EXPECT_TRUE(adp["attention_dp"].get<bool>());
  EXPECT_EQ(adp["ep"].get<int>(), 2);
  const json tp = serve_json("serve " + moe +
                             "--devices 2 --tp 2 --ep 2 --input-len 128 --output-len 16 "
                             "--requests 20");
  ASSERT_FALSE(tp.empty());
  EXPECT_FALSE(tp["attention_dp"].get<bool>());
  // Mixtral's 8 KV heads over tp 2: a token costs a device the same KV bytes either way (4 heads
  // of every token, or all 8 of half the tokens), and attention DP holds more weights per device
  // (attention and vocabulary whole), so its KV pool is no larger.
  EXPECT_EQ(adp["kv_cache"]["bytes_per_token_per_device"],
            tp["kv_cache"]["bytes_per_token_per_device"]);
  EXPECT_LE(adp["kv_cache"]["capacity_tokens"].get<int64_t>(),
            tp["kv_cache"]["capacity_tokens"].get<int64_t>());
  CliRun run = xpusim(
      "run " + moe +
      "--tp 2 --ep 2 --attention-dp --batch 4 --input-len 128 --output-len 16 --format json");
  ASSERT_EQ(run.code, 0) << run.out;
  EXPECT_TRUE(json::parse(run.out)["attention_dp"].get<bool>());
  expect_bad("serve " + moe + "--input-len 128 --output-len 16 --tp 1 --attention-dp",
             "--attention-dp: attention data parallelism needs tp >= 2");
  expect_bad("run " + moe + "--batch 4 --input-len 128 --output-len 16 --tp 2 --attention-dp",
             "--attention-dp: attention data parallelism shards the routed experts over all tp "
             "ranks: needs ep == tp (2), got ep 1");
}

TEST(ServeCli, InfeasibleDeploymentIsAResultNotAnError) {
  CliRun table = xpusim(kInfeasible);
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_NE(table.out.find("INFEASIBLE: memory: no memory left for the KV cache"),
            std::string::npos)
      << table.out;

  const json j = serve_json(kInfeasible);
  ASSERT_FALSE(j.empty());
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["infeasible_reason"], "memory");
  ASSERT_TRUE(j["infeasible_detail"].is_string());
  EXPECT_NE(j["infeasible_detail"].get<std::string>().find("no memory left for the KV cache"),
            std::string::npos);
  EXPECT_EQ(j["requests"].get<int64_t>(), 50);  // the workload asked for, not a figure
  for (const char* key : {"completed", "rejected", "duration_s", "output_tokens_per_s",
                          "total_tokens_per_s", "requests_per_s", "goodput_requests_per_s", "steps",
                          "energy_per_output_token_j", "usd_per_million_output_tokens"})
    EXPECT_TRUE(j[key].is_null()) << key << " = " << j[key];
  for (const char* key : kLatencyKeys)
    for (const char* q : {"mean", "p50", "p90", "p99"})
      EXPECT_TRUE(j[key][q].is_null()) << key << "." << q;
  for (const char* key : {"capacity_tokens", "peak_utilization", "preemptions"})
    EXPECT_TRUE(j["kv_cache"][key].is_null()) << key;
  for (const char* key : {"mean_decode_batch", "mean_tokens_per_step"})
    EXPECT_TRUE(j["batch"][key].is_null()) << key;

  CliRun csv = xpusim(kInfeasible + " --format csv");
  EXPECT_EQ(csv.code, 0) << csv.out;
}

// --mlperf runs receive the command's run options: the reported run writes the timeline and
// counts goodput against --slo-* (the search runs record no steps).
TEST(ServeCli, TimelineUnderMlperfHasOneRowPerStep) {
  const std::string path = temp_path("timeline.csv");
  const json j = serve_json(kBase +
                            "--dataset mlperf-llama3.1-8b --requests 100 --mlperf "
                            "offline --timeline \"" +
                            path + "\"");
  const auto lines = read_lines(path);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(static_cast<int64_t>(lines.size()) - 1, j["steps"].get<int64_t>());
  std::remove(path.c_str());
  const json g = serve_json(kBase +
                            "--dataset mlperf-llama3.1-8b --requests 300 --mlperf server "
                            "--slo-ttft-ms 50 --timeline \"" + path + "\"");
  EXPECT_LT(g["goodput_requests_per_s"].get<double>(), g["requests_per_s"].get<double>());
  EXPECT_EQ(static_cast<int64_t>(read_lines(path).size()) - 1, g["steps"].get<int64_t>());
  std::remove(path.c_str());
}

// With --mlperf on a deployment that cannot serve, the `mlperf` object is there with null figures.
TEST(ServeCli, InfeasibleMlperfServerKeepsTheMlperfObject) {
  const json j = serve_json(
      "serve --hardware l40s --model llama-3.1-405b --precision bf16 --dataset "
      "mlperf-llama3.1-405b --mlperf server");
  EXPECT_FALSE(j["feasible"].get<bool>());
  ASSERT_TRUE(j.contains("mlperf"));
  EXPECT_TRUE(j["mlperf"]["max_qps"].is_null());
}

}  // namespace
