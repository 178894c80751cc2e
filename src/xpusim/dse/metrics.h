// SPDX-License-Identifier: Apache-2.0
// The figures a design search reports per design: one table (name, meaning, value type) that feeds
// the objectives and constraints of a space, the JSON and CSV keys (the `explore` result type's
// `designs.metrics`, report/result_types.cc) and the SQLite columns (names and types,
// dse/result_db.cc). Names are
// the JSON keys `xpusim run` and `xpusim cost` print where those exist; they are a contract.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/result_field.h"

namespace xpusim {

enum class Metric : size_t {
  kOutputTokensPerS,           // output_tokens_per_s (run)
  kOutputTokensPerSPerDevice,  // output_tokens_per_s_per_device (run)
  kTtftMs,                     // ttft_ms (run)
  kTpotMs,                     // tpot_ms (run)
  kE2eLatencyMs,               // e2e_latency_ms (run)
  kTotalAreaMm2,               // total_area_mm2 (area)
  kMaxDieAreaMm2,              // max_die_area_mm2
  kAveragePowerW,              // average_power_w (run): per device over the run, capped by TDP
  kEnergyPerOutputTokenJ,      // energy_per_output_token_j (run)
  kManufacturingCostUsd,       // manufacturing_cost_usd (cost): per good package
  kCostPerMillionOutputTokensUsd,  // cost_per_million_output_tokens_usd (run)
  kTokensPerSPerUsd,           // tokens_per_s_per_usd: per device / manufacturing cost
  kTokensPerSPerW,             // tokens_per_s_per_w: per device / average power
  // Appended for serve scenarios (a database's columns follow this order; new metrics go last).
  kTtftP99Ms,                  // ttft_p99_ms (serve ttft_ms.p99)
  kTpotP99Ms,                  // tpot_p99_ms (serve tpot_ms.p99)
  kRequestsPerS,               // requests_per_s (serve)
  kGoodputRequestsPerS,        // goodput_requests_per_s (serve)
  // Appended for serve scenarios with an MLPerf rate search (`scenario.mlperf`; NaN otherwise).
  kMaxRateRequestsPerS,        // max_rate_requests_per_s (serve --mlperf: mlperf.max_qps)
  kSloOutputTokensPerS,        // slo_output_tokens_per_s (serve --mlperf: mlperf.tokens_per_s)
  kSloCostPerMillionOutputTokensUsd,  // slo_cost_per_million_output_tokens_usd
  kTtftP99OfLimitPct,          // ttft_p99_of_limit_pct: at the first failing rate
  kTpotP99OfLimitPct,          // tpot_p99_of_limit_pct: at the first failing rate
  // Appended 2026-12-06: whether the design computes the space's precision natively.
  kWeightOnlyGemmPct,          // weight_only_gemm_pct (run's precision.weight_only_fallback)
  kCount
};

inline constexpr size_t kMetricCount = static_cast<size_t>(Metric::kCount);

struct MetricInfo {
  Metric metric;
  std::string_view name;         // JSON key, CSV column, SQLite column
  std::string_view description;
  FieldType type = FieldType::kNumber;  // every metric is a real number (null: no figure)
};

// Every metric in Metric order.
const std::array<MetricInfo, kMetricCount>& metric_infos();
std::string_view metric_name(Metric m);
std::vector<std::string> metric_names();
// The table as result fields (name, meaning, type), in Metric order.
const std::vector<ResultField>& metric_fields();
std::optional<Metric> metric_from_name(std::string_view name);

// True for the metrics the hardware alone decides (area, manufacturing cost): the same for every
// model of a space, never given per model.
bool hardware_only(Metric m);

// A design's figures; NaN where it has none (infeasible designs have none at all).
using MetricValues = std::array<double, kMetricCount>;
inline MetricValues no_metrics() {
  MetricValues v;
  v.fill(std::numeric_limits<double>::quiet_NaN());
  return v;
}

}  // namespace xpusim
