// SPDX-License-Identifier: Apache-2.0
// What a serving run measures (stage: serving/): per-request latencies (TTFT, TPOT, inter-token,
// end-to-end) as bounded histograms, token and request counts, KV-cache use, preemptions and batch
// statistics, accumulated by the simulator as the run goes and summarised at the end. Definitions
// follow the benchmarks: TPOT per request = (latency - TTFT) / (output tokens - 1) (MLPerf LoadGen
// logging.cc, vLLM benchmark_serving); throughput = tokens / duration from the first arrival to the
// last completion (serving.md §1c, §2b).
#pragma once

#include <cstdint>
#include <optional>

#include "xpusim/serving/latency_histogram.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

struct LatencySummary {
  Seconds mean, p50, p90, p99, max;
  uint64_t count = 0;
};
LatencySummary summarize(const LatencyHistogram& h);

// Accumulated while the simulation runs; O(1) memory in the number of requests.
struct ServingCounters {
  LatencyHistogram ttft, tpot, itl, e2e;
  int64_t arrived = 0;
  int64_t completed = 0;
  int64_t rejected = 0;          // never servable: longer than the engine accepts or the KV fits
  int64_t rejected_too_long = 0;         // prompt + output beyond max_model_len / the context
  int64_t rejected_prompt_budget = 0;    // prompt over the token budget without chunked prefill
  int64_t rejected_kv_capacity = 0;      // context larger than a KV cache
  int64_t input_tokens = 0;      // of completed requests
  int64_t output_tokens = 0;     // of completed requests
  int64_t generated_tokens = 0;  // every token produced, finished or not
  int64_t good_requests = 0;     // completed within the SLO (goodput)
  int64_t preemptions = 0;
  int64_t steps = 0;             // engine iterations, all replicas
  int64_t step_decode_rows = 0;  // Σ decode rows over steps
  int64_t step_tokens = 0;       // Σ query tokens over steps
  int64_t decode_steps = 0;      // steps with at least one decode row
  double peak_kv_utilization = 0;
  double kv_utilization_time = 0;  // Σ utilisation x step duration (s), for the time average
  double busy_time = 0;            // Σ step durations over engines (s)
  // Saturated phase: generated tokens and time when the last queued request was admitted
  // (offline runs: the steady state before the drain; MLPerf Offline runs are long enough for
  // the drain to vanish, serving.md §5.4).
  std::optional<Seconds> backlog_end;
  int64_t tokens_at_backlog_end = 0;
  // The last-arriving request's completion, from the first arrival (LoadGen's
  // final_query_all_samples_done_time of a Server run); unset when it was rejected.
  std::optional<Seconds> final_request_done;
};

}  // namespace xpusim
