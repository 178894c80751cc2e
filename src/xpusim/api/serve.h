// SPDX-License-Identifier: Apache-2.0
// The serving simulator as a library call (stage 11; `xpusim serve`): a deployment (hardware,
// model, parallelism, engine profile) under a workload (fixed lengths, a dataset or a trace;
// offline, Poisson, closed-loop or trace arrivals), simulated by serving/. The request holds the
// flags' values (field names are the flags'); the answer carries the document `--format json`
// prints with the results the table form is drawn from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/mlperf.h"
#include "xpusim/serving/serving_system.h"

namespace xpusim::api {

struct ServeRequest {
  std::string hardware, model;
  std::vector<std::string> overrides;       // --set path=value, applied to the hardware
  std::optional<int> devices;               // default tp x pp (both pools when disaggregated)
  int tp = 1, pp = 1, ep = 1;
  bool attention_dp = false;                // attention data parallelism (parallelism_plan.h)
  std::string precision = "bf16", kv_precision;
  std::string expert_precision;             // "" = precision (api/perf.h StaticWorkload)
  int weight_group = 0;                     // 0 = the format's block (api/perf.h StaticWorkload)
  std::string runtime;                      // default: the engine profile's
  std::string engine = "trtllm";
  // Engine-profile fields: passed as given to the engine schema, which checks them.
  std::optional<std::string> max_batch, max_num_tokens, kv_block_size;
  std::optional<std::string> chunked_prefill;  // on|off
  std::optional<std::string> memory_fraction;
  // The workload: input_len and output_len, a dataset, or a trace.
  std::optional<int64_t> input_len, output_len;
  double input_stdev = 0, output_stdev = 0;
  std::string dataset, trace;
  std::optional<int64_t> requests;          // default 1000, or the MLPerf dataset's count
  int64_t seed = 0;
  std::optional<double> rate;               // Poisson arrivals, requests/s
  std::optional<int64_t> concurrency;       // closed loop
  std::string mlperf;                       // offline | server | interactive | ""
  std::optional<int64_t> max_samples;       // --mlperf: the most samples of any run (200000)
  std::optional<double> min_duration_s;     // --mlperf: Server run length (the dataset's 600 s)
  std::optional<double> slo_ttft_ms, slo_tpot_ms;
  std::string disaggregate;                 // PREFILL_DEVICES:DECODE_DEVICES | ""
  std::optional<int> decode_tp, decode_pp;
  std::string router = "round_robin";
  std::string timeline;                     // a CSV file of one row per engine iteration | ""
  std::optional<std::string> system;        // server class for the economics (cost/system_tco.h);
                                            // default by hardware
  std::vector<std::string> system_params;   // NAME=VALUE overrides of the class
  // Called after every engine iteration is scheduled (the HTML report's timeline); not a flag.
  std::function<void(const StepRecord&)> on_step;
  // --mlperf server / interactive: per probed rate of the search (probes done, at most in all).
  std::function<void(int done, int total)> on_probe;
};

// The workload a request describes.
struct ServeWorkload {
  std::vector<RequestSpec> requests;
  ArrivalSpec arrivals;
  std::string description;
  std::optional<DatasetSpec> dataset;
  std::vector<std::string> assumptions;
};

struct ServeOutcome {
  HardwareSpec hw;
  ModelSpec model;
  SystemConfig config;
  SystemInfo info;
  ServeWorkload workload;
  std::optional<ServingResult> result;      // none when the deployment is infeasible
  std::optional<MlperfResult> mlperf;
  std::optional<Result<TokenEconomics>> economics;  // when output tokens were produced
  Json json;                                // `serve --format json`
  [[nodiscard]] bool economics_ok() const {
    return economics && *economics && (*economics)->feasibility.feasible();
  }
};

Result<ServeOutcome> serve_scenario(const ServeRequest& request);
Result<Json> serve(const ServeRequest& request);

// "offline (all at t = 0)", "poisson", "closed loop", "trace timestamps".
std::string_view arrival_text(const ArrivalSpec& a);

}  // namespace xpusim::api
