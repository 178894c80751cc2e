// SPDX-License-Identifier: Apache-2.0
// The serving simulator (stage: serving/): a discrete-event simulation of a deployment -- model
// replicas, each an engine that batches requests iteration by iteration (continuous batching,
// chunked prefill, a paged KV cache with preemption and prefix caching), behind a router, or
// separate prefill and decode pools with KV transfers between them -- driven by a workload
// (requests and an arrival process). Each engine iteration is timed by the step model
// (perf/step_model.h) from the hardware description. Integer-nanosecond clock, events as a closed
// variant, a queue ordered by (time, priority, sequence); explicit seeds (CONVENTIONS §11).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/request.h"
#include "xpusim/serving/serving_metrics.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

// Prefill/decode disaggregation (DistServe, Splitwise): prompts run on a prefill pool, the KV cache
// moves over the interconnect, decoding continues on a decode pool. Each pool is devices / (tp x pp)
// replicas of the same plan.
struct Disaggregation {
  int prefill_devices = 0;
  int decode_devices = 0;
  // The decode pool's own tp/pp (DistServe: the two phases prefer different parallelism);
  // nullopt = the prefill pool's plan.
  std::optional<ParallelismPlan> decode_plan;
};

// The deployment: what runs where.
struct SystemConfig {
  int devices = 1;                  // total; replicas = devices / (tp x pp) (per pool when split)
  ParallelismPlan plan;             // of every replica (of the prefill pool when split)
  PrecisionPlan precision;
  EngineProfile engine;
  std::string router = "round_robin";  // Router registry name (router.h)
  std::optional<Disaggregation> disaggregation;
};

// How requests arrive.
struct ArrivalSpec {
  enum class Kind {
    kOffline,     // all at t = 0; engines draw from one queue as they have room (max throughput)
    kPoisson,     // exponential inter-arrival times at `rate` (vLLM benchmark_serving, LoadGen)
    kClosedLoop,  // `concurrency` clients, each sending its next request when the last completes
    kTrace,       // the requests' own arrival times
  };
  Kind kind = Kind::kOffline;
  CountRate rate;                   // requests/s (kPoisson)
  int64_t concurrency = 1;          // clients (kClosedLoop)
  uint64_t seed = 0;                // inter-arrival times (kPoisson)
};

// A per-step record for timelines (--timeline).
struct StepRecord {
  int engine = 0;                   // engine index (replica x pipeline lane)
  std::string_view pool;            // "both", "prefill" or "decode"
  Seconds start, duration;
  int64_t prefill_tokens = 0, prefill_chunks = 0, decode_rows = 0;
  int64_t running = 0, waiting = 0;  // requests in the engine after scheduling
  int64_t kv_used_blocks = 0, kv_capacity_blocks = 0;
  Hertz clock;                      // the clock the step ran at: boost, or the power limiter's
  std::optional<Watts> power;       // mean power of one device of the step's pool over the step
                                    // (PowerLimiter::step_power); none without a power model
};

struct RunOptions {
  int beam_width = 1;               // sequences decoded per request (beam search; MLPerf gpt-j 4)
  std::optional<Seconds> slo_ttft;  // goodput: requests with TTFT and TPOT within both limits
  std::optional<Seconds> slo_tpot;
  std::function<void(const StepRecord&)> on_step;  // called after every iteration is scheduled
  // Stop the run as soon as its p99 TTFT, TPOT or end-to-end latency is certain to exceed the
  // limit given (LatencyHistogram::reported_above / quantile_tail over all the run's requests):
  // what the MLPerf rate search needs of a probe that fails. The result is then partial
  // (ServingResult::stopped_early) and its p99s are those of what had been observed.
  struct P99Limits {
    std::optional<Seconds> ttft, tpot, e2e;
  };
  std::optional<P99Limits> stop_when_p99_exceeds;
  // Decode the engines' steady rows in bulk (Engine, "Steady decode rows"): the same run in
  // O(events) per iteration instead of O(running requests). Off: the row-by-row pass every
  // iteration (tests compare the two).
  bool bulk_decode = true;
};

struct ServingResult {
  ServingCounters counters;
  Seconds duration;                 // first arrival to last completion
  TokensPerSecond output_tokens_per_s;
  TokensPerSecond total_tokens_per_s;   // (input + output) of completed requests / duration
  CountRate requests_per_s;
  CountRate goodput_requests_per_s;     // completed within the SLO / duration (all if no SLO)
  // Generated tokens/s up to the moment the last queued request was admitted (the saturated
  // phase); nullopt when requests never queued.
  std::optional<TokensPerSecond> steady_output_tokens_per_s;
  LatencySummary ttft, tpot, itl, e2e;
  double mean_kv_utilization = 0;
  double mean_decode_batch = 0;     // decode rows per step with decode work
  double mean_tokens_per_step = 0;
  std::vector<FleetWork> activity;  // per pool, for the power model (cost/token_economics.h)
  // The clock the steps ran at under the TDP (serving/power_limiter.h): the kernel-time-weighted
  // mean clock of the steps with prefill work and of the decode-only steps, power_limited when
  // any of them ran below boost (boost and false for a class without steps).
  PhaseClock prefill_clock, decode_clock;
  // Set when RunOptions::stop_when_p99_exceeds ended the run: the metric ("ttft", "tpot" or
  // "e2e") whose p99 was certain to exceed its limit. Every figure is then of the part simulated.
  std::optional<std::string> stopped_early;
};

// Static facts of a compiled system.
struct SystemInfo {
  // Infeasible when the deployment cannot serve at all (kMemory: no memory left for the KV cache;
  // kNetwork: a collective or the KV transfer without an interconnect tier): a valid question
  // whose answer is "infeasible" (run() refuses).
  Feasibility feasibility;
  int replicas = 0;                 // model replicas (per pool when disaggregated: prefill first)
  int prefill_replicas = 0, decode_replicas = 0;  // disaggregated only
  int engines = 0;                  // replicas x pipeline lanes
  int64_t kv_capacity_tokens = 0;   // per replica (decode pool when disaggregated)
  int64_t kv_block_size = 0;
  Bytes kv_bytes_per_token;         // per device
  Bytes weights_per_device;
  int64_t max_model_len = 0;        // longest prompt + output accepted
};

// A deployment compiled once (device models, KV capacities) and run on any number of workloads
// (the MLPerf rate search runs one system many times).
class ServingSystem {
 public:
  // Errors (bad input): a plan the model cannot be sharded with, devices not a multiple of
  // tp x pp, a disaggregation split that does not add up, an unknown router or runtime profile.
  // A deployment that cannot serve (no room for a KV cache, no network tier for a collective) is
  // not an error: it comes back with info().feasibility infeasible, with the reason.
  static Result<std::unique_ptr<ServingSystem>> create(const HardwareSpec& hw,
                                                       const ModelSpec& model,
                                                       const SystemConfig& config,
                                                       const PerfCalibration& cal);
  ~ServingSystem();

  [[nodiscard]] const SystemInfo& info() const;
  [[nodiscard]] const SystemConfig& config() const;

  // Simulates `requests` arriving by `arrivals`. Deterministic for a given input (one thread).
  // Errors: an infeasible system, an empty workload, a closed loop without clients, a
  // non-positive rate, lengths below 1 or a request beyond kMaxStepTokens tokens, a beam width
  // below 1.
  Result<ServingResult> run(const std::vector<RequestSpec>& requests, const ArrivalSpec& arrivals,
                            const RunOptions& options = {});

  struct Impl;  // the compiled state (serving_system.cc)

 private:
  explicit ServingSystem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xpusim
