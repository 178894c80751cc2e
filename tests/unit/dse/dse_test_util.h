// SPDX-License-Identifier: Apache-2.0
// Shared by the dse/ tests: a small space (Llama-3.1-8B on H100 variants, 12 designs) and a
// temporary directory removed at the end of a test.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "xpusim/config/document.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/dse/space.h"

namespace xpusim::testing {

inline const char* kSmallSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: static
  batch: 16
  input_len: 512
  output_len: 64
  precision: bf16
parameters:
  - {path: hardware.compute.units, values: [114, 132]}
  - {path: hardware.memory.dram.bandwidth, range: {min: "2 TB/s", max: "4 TB/s", steps: 3}}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
constraints:
  - {metric: average_power_w, max: 1000}
)";

// A serve space: Llama-3.1-8B on H100 variants, a closed loop of 16 clients over 64 fixed-length
// requests, the engine's sequence cap varied (8 designs).
inline const char* kServeSpace = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: serve
  engine: vllm
  input_len: 256
  output_len: 32
  requests: 64
  concurrency: 16
  slo_ttft_ms: 500
  slo_tpot_ms: 30
  precision: bf16
parameters:
  - {path: hardware.memory.dram.bandwidth, values: ["2 TB/s", "3.35 TB/s"]}
  - {path: plan.tp, values: [1, 2]}
  - {path: engine.max_batch, values: [4, 64]}
objectives:
  - {metric: goodput_requests_per_s, goal: max}
  - {metric: manufacturing_cost_usd, goal: min}
)";

// Llama-3.1-8B on H100 variants with the MLPerf llama3.1-8b benchmark (Server limits 2000 ms
// TTFT, 100 ms TPOT); each Server run 20 s long (rate x 20 samples) and at most 400 samples, to
// keep the test short (4 designs). `requests`: the Offline run (Server: the run that bounds the
// rate search). Server spaces take 300: with 150 the bounding run (short, mostly ramp) sat below
// what the Server probes sustain, every probe passed and no limit was seen to bind. An Offline
// space of 150 is reported whole (too few samples to saturate the system).
inline std::string mlperf_rate_space(const std::string& mlperf = "server", const std::string& extra = "",
                                     int requests = 300) {
  return R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario:
  kind: serve
  engine: vllm
  dataset: mlperf-llama3.1-8b
  mlperf: )" + mlperf + R"(
  requests: )" + std::to_string(requests) + R"(
  max_samples: 400
  min_duration_s: 20
  precision: bf16
)" + extra + R"(parameters:
  - {path: hardware.memory.dram.bandwidth, values: ["2 TB/s", "3.35 TB/s"]}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: max_rate_requests_per_s, goal: max}
  - {metric: slo_cost_per_million_output_tokens_usd, goal: min}
)";
}

// A space with tied fields: HBM stacks with their capacity and bandwidth (2 x 2 designs).
inline const char* kTied = R"(schema: space/v1
hardware: h100-sxm-80gb
model: llama-3.1-8b
scenario: {kind: static, batch: 8, input_len: 256, output_len: 32, precision: bf16}
parameters:
  - path: hardware.memory.dram.stacks
    values: [4, 5]
    tied:
      - {path: hardware.memory.dram.capacity, values: ["64 GiB", "80 GiB"]}
      - {path: hardware.memory.dram.bandwidth, range: {min: "2.68 TB/s", max: "3.35 TB/s", steps: 2}}
  - {path: plan.tp, values: [1, 2]}
objectives:
  - {metric: output_tokens_per_s_per_device, goal: max}
)";

inline Result<SpaceSpec> space_from(const std::string& text,
                                    std::optional<uint64_t> max_designs = kDefaultMaxDesigns) {
  auto doc = Document::from_yaml(text, "space.yaml", true);
  if (!doc) return tl::unexpected(doc.error());
  return parse_space(*doc, max_designs);
}

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

// Every row of a results database as text (design id, feasibility, every metric), in
// design_index order; empty when the file cannot be read.
inline std::vector<std::string> db_rows(const std::string& path) {
  std::vector<std::string> out;
  auto db = ResultDb::open_for_reading(path);
  if (!db) return out;
  (*db)->for_each([&](const DesignResult& r) {
    std::string row = r.design_id + " " + r.feasibility.to_string();
    for (double m : r.metrics) row += " " + std::to_string(m);
    out.push_back(row);
  });
  return out;
}

}  // namespace xpusim::testing
