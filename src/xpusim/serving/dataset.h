// SPDX-License-Identifier: Apache-2.0
// Request-length datasets of public serving benchmarks (stage: serving/). A dataset file
// (data/datasets/<id>.yaml, schema dataset/v1) describes the prompt- and answer-length
// distributions of a benchmark's requests with their sources and how sure each statistic is;
// where a statistic is unknown the file states what was assumed, and the assumptions travel with
// the dataset so that `serve` and `validate` can report them. MLPerf datasets also carry the
// benchmark's latency limits (p99 TTFT/TPOT per scenario) and run rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/config/schema.h"
#include "xpusim/serving/request.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// How sure a statistic is: read in a source, computed from sourced figures, or assumed.
enum class Confidence { kVerified, kDerived, kAssumed };
std::string_view to_string(Confidence c);

// A distribution of token counts, truncated to [min, max] (both inclusive, >= 1). A draw X is
// rounded to the nearest integer (floor(X + 0.5)) and redrawn while it lies outside [min, max].
struct LengthDistribution {
  enum class Kind {
    kFixed,      // always `mean` (rounded)
    kNormal,     // N(mean, stdev), truncated
    kLognormal,  // log-normal with this mean and stdev (of the length itself, not of its log)
    kQuantiles,  // piecewise-linear inverse CDF through the given (probability, length) points
  };
  Kind kind = Kind::kFixed;
  // Parameters of the untruncated distribution; effective_mean() is the mean as sampled.
  double mean = 0;    // tokens (kFixed, kNormal, kLognormal)
  double stdev = 0;   // tokens (kNormal, kLognormal)
  // kQuantiles: strictly increasing probabilities from 0 to 1 and non-decreasing lengths.
  // For kQuantiles, `mean` is optional: the mean the source states (0 = none), shown next to
  // effective_mean(); sampling uses the quantiles only.
  std::vector<std::pair<double, double>> quantiles;
  int64_t min = 1;
  int64_t max = 1;
  Confidence confidence = Confidence::kAssumed;       // of the shape: kind, stdev, quantiles
  Confidence mean_confidence = Confidence::kAssumed;  // of `mean`
  std::string note;  // one sentence: the source of the figures, or what was assumed and why

  // The mean of the truncated distribution as sampled (exact for kFixed/kQuantiles, numerical
  // otherwise); what reports show next to the stated mean. Computed as the sum over the integer
  // lengths k in [min, max] of k x P(draw rounds to k), normalised by the probability kept.
  [[nodiscard]] double effective_mean() const;
  // The probability that one draw, rounded, lies in [min, max] (the share truncation keeps).
  [[nodiscard]] double acceptance() const;
};

std::string_view to_string(LengthDistribution::Kind k);  // "fixed", "normal", ...
// "log-normal with mean 201 and stdev 201 tokens, truncated to [1, 1023]" (for messages).
std::string describe(const LengthDistribution& d);

// Latency limits and run rules of one MLPerf Inference LLM benchmark (serving.md §2).
struct MlperfRules {
  std::string benchmark;                   // "llama2-70b", "mixtral-8x7b", "gpt-j", ...
  std::string first_version;               // "v4.0": the round the limits below first applied
  std::optional<Seconds> server_ttft_p99;  // Server scenario p99 TTFT limit
  std::optional<Seconds> server_tpot_p99;  // Server scenario p99 TPOT limit
  std::optional<Seconds> server_e2e_p99;   // Server target_latency on the whole request (gpt-j)
  std::optional<Seconds> interactive_ttft_p99;
  std::optional<Seconds> interactive_tpot_p99;
  std::string interactive_first_version;   // round the Interactive limits first applied; "" = none
  Seconds min_duration;                    // *.min_duration (600 s)
  int64_t min_query_count = 0;             // Offline min_query_count (= the dataset size for LLMs)
  int64_t server_min_query_count = 100;    // Server min_query_count
  // Reported throughput counts tokens inferred as samples/s x this factor instead of generated
  // tokens (gpt-j: token_latency_scaling_factor 69); nullopt = tokens actually generated.
  std::optional<double> inferred_tokens_per_sample;
  Confidence confidence = Confidence::kVerified;  // of the limits and rules above
  std::string note;                               // where the limits and rules come from
};

// A prompt prefix shared by groups of requests (a system prompt): every prompt starts with the
// `len` first tokens of one of `groups` prefixes, drawn uniformly per request. len 0 = none.
struct SharedPrefix {
  int64_t len = 0;     // tokens, <= input.min so that every prompt contains the whole prefix
  int64_t groups = 1;  // distinct prefixes
};

struct DatasetSpec {
  std::string id;                // file stem ("sharegpt", "mlperf-llama2-70b")
  std::string description;
  std::string source;            // where the statistics come from
  int64_t size = 0;              // requests in the benchmark's dataset
  LengthDistribution input;
  LengthDistribution output;
  int beam_width = 1;            // sequences decoded per request (MLPerf gpt-j: beam search 4)
  // Filters the benchmark applies when it draws requests (vLLM ShareGPT sampling: prompt <= 1024,
  // prompt + output <= 2048); 0 = none. Samples that violate them are redrawn.
  int64_t max_input_len = 0;
  int64_t max_total_len = 0;
  SharedPrefix prefix;
  // Statistics that are assumed rather than read from a source, one sentence each ("input length
  // distribution: log-normal with mean 190 assumed; only the 1024 cap is verified").
  std::vector<std::string> assumptions;
  std::optional<MlperfRules> mlperf;  // present for MLPerf benchmark datasets
};

// The dataset/v1 schema (the fields above as dotted paths; `describe dataset` prints it).
const Schema<DatasetSpec>& dataset_schema();

// Loads "ID|FILE": an id is looked up under <data dir>/datasets/<id>.yaml; anything naming a file
// is read as YAML. Errors name the file, line, field, the value and what is allowed; an unknown
// id lists the known ones with a "did you mean".
Result<DatasetSpec> load_dataset(const std::string& id_or_file,
                                 const std::vector<std::string>& overrides = {});

// Applies `overrides` ("dotted.path=value") to `doc`, validates it against dataset/v1 and fills
// what the file leaves implicit (assumptions, mean_confidence, the mlperf section's absence).
Result<DatasetSpec> parse_dataset_document(Document doc,
                                           const std::vector<std::string>& overrides = {});

// Ids of the datasets under <data dir>/datasets/, sorted.
std::vector<std::string> list_datasets();

// Means of the input and output lengths as sample_requests draws them: each distribution
// truncated and rounded, then the dataset's filters applied to the pair (exact sums over the
// integer lengths, no sampling). `acceptance` is the share of truncated pairs that pass the
// filters (1 without filters).
struct LengthMeans {
  double input = 0;
  double output = 0;
  double acceptance = 1;
};
LengthMeans effective_means(const DatasetSpec& dataset);

// Draws per length (and per filtered pair) before sample_requests clamps instead of redrawing.
inline constexpr int kMaxDraws = 1000;

// Draws `n` requests (input and output lengths independently, each from its distribution, with the
// dataset's filters applied by redrawing) from a generator seeded with `seed`. Deterministic:
// the same (dataset, n, seed) gives the same requests on every platform and compiler (no
// std:: distributions, whose algorithms are implementation-defined). Arrival is left unset.
// std::mt19937_64 (its sequence is fixed by the standard) feeds uniforms built from its top 53
// bits; normals come from Box-Muller (cosine branch only), quantiles from the inverse CDF. A
// length is redrawn at most kMaxDraws times and then clamped to [min, max]; a pair violating a
// filter is redrawn at most kMaxDraws times and then clamped into the filter. load_dataset()
// rejects distributions that keep less than 1% of their draws, so clamping practically never
// happens. The only platform dependence left is libm's exp/log/cos in their last bit. When the
// dataset has a shared prefix, each request's prefix id is drawn after its lengths.
// Errors: n < 0, a dataset check_sampleable() rejects.
Result<std::vector<RequestSpec>> sample_requests(const DatasetSpec& dataset, int64_t n,
                                                 uint64_t seed);

// What sampling needs of a dataset (load_dataset() guarantees it for a file; a spec built in code
// may lack it): each length distribution with 1 <= min <= max, a finite mean and a stdev > 0 when
// normal or lognormal (a mean > 0 when lognormal), quantiles from 0 to 1 increasing; filters not
// below the minimum lengths; prefix.len >= 0 and prefix.groups >= 1. Errors name the field.
Result<void> check_sampleable(const DatasetSpec& dataset);

// Requests of fixed lengths with an optional normal spread (stdev 0 = every request the same),
// truncated to [1, 2 x mean] per length; deterministic for `seed` as sample_requests.
// Errors: n < 0, lengths outside [1, 2^40], stdevs negative or not finite.
Result<std::vector<RequestSpec>> fixed_length_requests(int64_t n, int64_t input_len,
                                                       int64_t output_len, double input_stdev,
                                                       double output_stdev, uint64_t seed);

}  // namespace xpusim
