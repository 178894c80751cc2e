// SPDX-License-Identifier: Apache-2.0
// MLPerf Inference LoadGen scenarios on the serving simulator (stage: serving/; rules in
// ../shared/reference/serving.md §2). Offline: every sample at once; the figure is the generated
// tokens/s of the saturated run (LoadGen's Offline query is 1.1 x target_qps x 600 s of samples,
// so the drain at the end is negligible). Server and Interactive: Poisson arrivals; the figure is
// the highest rate whose p99 TTFT and p99 TPOT (TPOT per sample = (latency - TTFT)/(tokens - 1))
// meet the benchmark's limits, found by bisection, then confirmed with a run as long as LoadGen's
// minimum duration.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/base/bounds.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/serving_system.h"

namespace xpusim {

enum class MlperfScenario { kOffline, kServer, kInteractive };

// The bound of a Server run's length given in place of the dataset's (serve --min-duration-s,
// scenario.min_duration_s).
inline constexpr RealBound kMlperfRunDurationS{0, 1e6, "s",
                                               "a run's length; LoadGen's minimum is 600 s", true,
                                               false};
std::string_view to_string(MlperfScenario s);

// The p99 limits of a Server or Interactive run (nullopt: not limited).
struct MlperfLimits {
  std::optional<Seconds> ttft_p99;
  std::optional<Seconds> tpot_p99;
  std::optional<Seconds> e2e_p99;   // gpt-j Server: target_latency on the whole sample
};

// The limits `dataset` states for `scenario`; an error when the dataset has no MLPerf rules or no
// limits for that scenario.
Result<MlperfLimits> mlperf_limits(const DatasetSpec& dataset, MlperfScenario scenario);

struct MlperfResult;

struct MlperfOptions {
  uint64_t seed = 0;                 // request lengths and arrivals
  // Samples of the Offline run (0 = the dataset's min_query_count). Server runs, the bisection
  // steps included, last LoadGen's minimum duration: max(server_min_query_count, rate x
  // min_duration) samples -- shorter runs hide an overload in the running batch, whose latencies
  // have not grown yet when the arrivals stop. Every run is capped at max_samples.
  int64_t samples = 0;
  int64_t max_samples = 200000;
  // The length of every Server run in place of the dataset's min_duration (LoadGen's 600 s):
  // max(server_min_query_count, rate x min_duration) samples (serve --min-duration-s; a design
  // search's scenario.min_duration_s). A shorter run is cheaper but detects an overload only where
  // its queue outgrows the TTFT limit within the run; the result is then not valid (notes say so).
  std::optional<Seconds> min_duration;
  int bisection_steps = 9;           // rate precision: upper bound / 2^steps
  // A probe of the search stops once it is certain to fail (RunOptions::stop_when_p99_exceeds):
  // the rate found and its run are the same either way; false runs every probe to its end (its
  // recorded p99s and throughput then describe the whole run).
  bool stop_failing_probes = true;
  // Overrides of the dataset's limits (--slo-ttft-ms / --slo-tpot-ms); nullopt keeps them.
  std::optional<Seconds> ttft_limit;
  std::optional<Seconds> tpot_limit;
  // Options of the reported run (goodput SLOs, a per-step observer); the search runs record no
  // steps. The beam width comes from the dataset.
  RunOptions run;
  // Server / Interactive: the result of run_mlperf(kOffline) on the same system and dataset with
  // the same seed, samples and max_samples, when the caller has it (the validator simulates a
  // deployment's Offline scenario before its Server one). The search's upper bound is that run's
  // saturated sample rate: given, the search does not repeat the Offline run (one of its ~13
  // runs); the result is the same. Ignored unless it is an Offline result.
  const MlperfResult* offline = nullptr;
  // Server / Interactive: called after each probed rate of the search with the probes done and
  // the most the search can still take in all (for a progress line; shrinks when the bracket
  // closes early).
  std::function<void(int done, int total)> on_probe;
};

// One probed rate of the Server search (for reports: the throughput-latency curve).
struct RateProbe {
  CountRate rate;
  Seconds ttft_p99, tpot_p99;
  TokensPerSecond output_tokens_per_s;
  bool pass = false;
  // A failing probe stops once one p99 is certain to exceed its limit (RunOptions::
  // stop_when_p99_exceeds): that metric ("ttft", "tpot", "e2e"); the probe's figures are then
  // those of the part simulated. Unset for a probe run to its end.
  std::optional<std::string> stopped_early;
};

struct MlperfResult {
  MlperfScenario scenario = MlperfScenario::kOffline;
  ServingResult run;                 // the reported run (Offline, or Server at max_qps)
  // The MLPerf figures: generated tokens/s and samples/s (Offline: of the saturated phase;
  // Server / Interactive: LoadGen's completed rates, loadgen_completed_rates).
  TokensPerSecond tokens_per_s;
  CountRate samples_per_s;
  // Server / Interactive:
  CountRate max_qps;                 // highest passing Poisson rate (0: none passes)
  Seconds ttft_p99, tpot_p99;        // of the reported run
  // "ttft", "tpot" or "e2e": the limit exceeded just above max_qps (with no limit below
  // saturation, the one nearest to its limit at the first failing rate)
  std::string binding;
  bool valid = false;                // the reported run meets every limit, min duration and count
  MlperfLimits limits;
  std::vector<RateProbe> probes;     // every rate simulated, in order
  std::vector<std::string> notes;    // what the run assumed (sample counts, durations)
};

// LoadGen's completed rates of a Server or Interactive run (INF loadgen/results.cc, recalled:
// "Completed samples per second" = (sample_count - 1) / final_query_all_samples_done_time, the
// completed tokens likewise with every token): the samples but the last and every generated
// token over the time from the first issue to the completion of the final -- last issued --
// query, not of the slowest one; the run's own duration when that request was rejected. The
// MLPerf Server and Interactive token figure (result_completed_tokens_per_second, serving.md
// §2b). serving.md's H200 x 8 llama2 log (completed 100.35 against scheduled 101.25 samples/s,
// 0.991) fits it: a clock waiting for the slowest of the last requests, whose outputs run to
// 1,024 tokens at ~0.15 s each, could not stop within 1% of a 40-minute run.
struct CompletedRates {
  CountRate samples_per_s;
  TokensPerSecond tokens_per_s;  // generated tokens of every completed sample
  Seconds time;                  // first issue to the final query's completion
};
CompletedRates loadgen_completed_rates(const ServingResult& run);

// LoadGen's Offline query size (serving.md §2b; INF loadgen/test_settings_internal.cc:148-157):
// max(min_query_count, ceil(1.1 x target_qps x min_duration)) samples. run_mlperf's Offline run
// (and the Offline bound of the Server search) uses it with target_qps = the saturated sample rate
// of a first run of min_query_count samples, when that run is shorter than min_duration.
int64_t loadgen_offline_query(int64_t min_query_count, CountRate target_qps, Seconds min_duration);

// Runs `scenario` of the MLPerf benchmark described by `dataset` on `system`.
Result<MlperfResult> run_mlperf(ServingSystem& system, const DatasetSpec& dataset,
                                MlperfScenario scenario, const MlperfOptions& options = {});

}  // namespace xpusim
