// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/metrics.h"

namespace xpusim {

const std::array<MetricInfo, kMetricCount>& metric_infos() {
  static const std::array<MetricInfo, kMetricCount> infos = {{
      {Metric::kOutputTokensPerS, "output_tokens_per_s",
       "output tokens per second of all devices (as `run`)"},
      {Metric::kOutputTokensPerSPerDevice, "output_tokens_per_s_per_device",
       "output tokens per second per device (as `run`)"},
      {Metric::kTtftMs, "ttft_ms",
       "time to the first token, ms (as `run`; serve: the mean, as serve's ttft_ms.mean)"},
      {Metric::kTpotMs, "tpot_ms",
       "time per output token after the first, ms (as `run`; serve: the mean)"},
      {Metric::kE2eLatencyMs, "e2e_latency_ms",
       "latency of the whole batch, ms (as `run`; serve: the mean request latency)"},
      {Metric::kTotalAreaMm2, "total_area_mm2", "logic silicon of the package, mm2 (as `area`)"},
      {Metric::kMaxDieAreaMm2, "max_die_area_mm2", "area of the largest die, mm2"},
      {Metric::kAveragePowerW, "average_power_w",
       "average power per device over the run, W, capped by the TDP (as `run`)"},
      {Metric::kEnergyPerOutputTokenJ, "energy_per_output_token_j",
       "chip energy per output token, J (as `run`)"},
      {Metric::kManufacturingCostUsd, "manufacturing_cost_usd",
       "manufacturing cost per good package, USD (as `cost`)"},
      {Metric::kCostPerMillionOutputTokensUsd, "cost_per_million_output_tokens_usd",
       "TCO per million output tokens, USD (as `run`)"},
      {Metric::kTokensPerSPerUsd, "tokens_per_s_per_usd",
       "output tokens/s per device per USD of manufacturing cost"},
      {Metric::kTokensPerSPerW, "tokens_per_s_per_w",
       "output tokens/s per device per W of average power"},
      {Metric::kTtftP99Ms, "ttft_p99_ms", "serve: 99th-percentile TTFT, ms (serve's ttft_ms.p99)"},
      {Metric::kTpotP99Ms, "tpot_p99_ms", "serve: 99th-percentile TPOT, ms (serve's tpot_ms.p99)"},
      {Metric::kRequestsPerS, "requests_per_s",
       "completed requests per second (serve; static: the batches' requests / their latency)"},
      {Metric::kGoodputRequestsPerS, "goodput_requests_per_s",
       "serve: requests per second completed within the scenario's SLOs (all without SLOs)"},
      {Metric::kMaxRateRequestsPerS, "max_rate_requests_per_s",
       "serve with scenario.mlperf: the sustainable rate, samples/s (server, interactive: the "
       "highest Poisson rate whose p99 TTFT and TPOT meet the limits, as serve's mlperf.max_qps; "
       "offline: the saturated sample rate)"},
      {Metric::kSloOutputTokensPerS, "slo_output_tokens_per_s",
       "serve with scenario.mlperf: output tokens/s of all devices at that rate (the MLPerf "
       "figure, serve's mlperf.tokens_per_s)"},
      {Metric::kSloCostPerMillionOutputTokensUsd, "slo_cost_per_million_output_tokens_usd",
       "serve with scenario.mlperf: TCO per million output tokens at that rate, USD (the run's "
       "cost per hour over the MLPerf figure's tokens per hour)"},
      {Metric::kTtftP99OfLimitPct, "ttft_p99_of_limit_pct",
       "serve with scenario.mlperf server|interactive: p99 TTFT as a % of its limit at the "
       "lowest failing rate of the search, as far as that probe ran (above 100: the TTFT "
       "limit bound the rate)"},
      {Metric::kTpotP99OfLimitPct, "tpot_p99_of_limit_pct",
       "serve with scenario.mlperf server|interactive: p99 TPOT as a % of its limit at the "
       "lowest failing rate of the search, as far as that probe ran (above 100: the TPOT "
       "limit bound the rate)"},
      {Metric::kWeightOnlyGemmPct, "weight_only_gemm_pct",
       "% of the weight GEMMs the design runs weight-only, dequantised to 16-bit math, "
       "because it has no matrix engine for the space's precision (perf/step_model.h "
       "weight_only_share; run's precision.weight_only_fallback): 0 native, 100 fallback; "
       "with scenario.expert_precision the share of a token's weight-GEMM parameters that "
       "falls back (the routed experts' or the rest's); the constraint weight_only_gemm_pct "
       "<= 0 keeps the designs that execute it natively"},
  }};
  return infos;
}

std::string_view metric_name(Metric m) { return metric_infos()[static_cast<size_t>(m)].name; }

std::vector<std::string> metric_names() {
  std::vector<std::string> out;
  for (const auto& i : metric_infos()) out.emplace_back(i.name);
  return out;
}

const std::vector<ResultField>& metric_fields() {
  static const std::vector<ResultField> fields = [] {
    std::vector<ResultField> out;
    for (const auto& i : metric_infos())
      out.push_back({.name = i.name, .meaning = i.description, .type = i.type});
    return out;
  }();
  return fields;
}

bool hardware_only(Metric m) {
  return m == Metric::kTotalAreaMm2 || m == Metric::kMaxDieAreaMm2 ||
         m == Metric::kManufacturingCostUsd ||
         m == Metric::kWeightOnlyGemmPct;  // the hardware and the space's precision
}

std::optional<Metric> metric_from_name(std::string_view name) {
  for (const auto& i : metric_infos())
    if (i.name == name) return i.metric;
  return std::nullopt;
}

}  // namespace xpusim
