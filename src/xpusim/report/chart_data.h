// SPDX-License-Identifier: Apache-2.0
// Chart data the commands' JSON does not carry (stage: report/), computed from the library's
// result structs for the HTML reports (html_report.h): the chip's roofline for `run`, latency
// CDFs and a step timeline for `serve`, the modelled device price per preset for `compare`, and a
// bounded sample of every evaluated design for `pareto`. Each returns a JSON object that
// html_report() takes as its `extra` argument.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/space.h"
#include "xpusim/serving/serving_metrics.h"
#include "xpusim/serving/serving_system.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {

using ReportJson = nlohmann::ordered_json;

// run: the roofline of one device for the precision the matrix engines execute `requested` in
// (step_model.h executed_precision_plan): {precision, matrix_tflops, vector_tflops,
// dram_tb_per_s, l2_tb_per_s (null without an L2)} -- the datasheet-derived peaks
// (hardware_spec.h peak_matrix_rate, peak_vector_rate; memory.dram.bandwidth, memory.l2.bandwidth).
ReportJson run_chart_data(const HardwareSpec& hw, const PrecisionPlan& requested);

// A latency distribution as its CDF: {count, points: [{ms, q}]} with the q-quantile for
// q = 0, 1/n, ..., 1 (n = `points`), each within LatencyHistogram::kRelativeError of the exact
// order statistic. An empty histogram gives no points.
ReportJson latency_cdf_json(const LatencyHistogram& h, int points = 200);

// The engine iterations of a serving run (ServingSystem's RunOptions::on_step), binned by start
// time into at most kBins bins in O(1) memory: the bin width starts at 1 ms and doubles (pairs of
// bins merge) whenever a step starts beyond the last bin. Per bin, over every engine's steps:
// the time-weighted mean batch (requests scheduled in a step: decode rows + prefill chunks),
// KV-cache use (used / capacity blocks), clock (StepRecord::clock: boost, or the power
// limiter's) and device power (StepRecord::power, over the steps that have one), the mean tokens
// per step (prefill tokens + decode rows) and the mean queue (waiting requests).
class StepTimeline {
 public:
  static constexpr int kBins = 240;
  void add(const StepRecord& r);
  // {bin_s, steps, points: [{t_s, batch, tokens_per_step, kv_use, clock_ghz, power_w, waiting,
  // steps}]}: one point per bin that saw a step, at the bin's start; power_w null in a bin whose
  // steps have no power (no power model).
  [[nodiscard]] ReportJson to_json() const;

 private:
  struct Bin {
    int64_t steps = 0;
    double busy_s = 0, batch_s = 0, kv_s = 0;  // Σ duration, Σ batch x duration, Σ use x duration
    double clock_s = 0;                        // Σ clock (GHz) x duration
    double power_s = 0, powered_s = 0;         // Σ power (W) x duration, Σ duration, of steps
                                               // with a power
    double tokens = 0, waiting = 0;            // Σ over steps
  };
  void merge_pairs();
  std::array<Bin, kBins> bins_{};
  double width_s_ = 1e-3;
  int64_t steps_ = 0;
};

// serve: {ttft, tpot, e2e: latency_cdf_json of the run's histograms, timeline: StepTimeline}.
ReportJson serve_chart_data(const ServingCounters& counters, const StepTimeline& timeline);

// compare: the modelled price of one device of every preset that `compare --format json` ranked
// (feasible rows): {gross_margin, prices: {hardware: {device_price_usd, cost_per_unit_usd} or
// {unavailable: reason}}}. The price is the one `run` uses without --device-price: the cost/
// model's manufacturing + NRE per unit / (1 - kDefaultGrossMargin) (token_economics.h).
ReportJson compare_chart_data(const ReportJson& compare_result,
                              const std::vector<std::string>& overrides);

// pareto: every design a front was built from, reduced to at most `cap` feasible designs (every
// k-th in arrival order once more arrive; the front's designs are in the command's JSON already).
// to_json(): {total_feasible, kept, every, designs: [{design_id, within_constraints, parameters:
// {path: display}, metrics: {objective: value}}]}.
class DesignSample {
 public:
  DesignSample(const SpaceSpec& space, std::vector<SpaceObjective> objectives,
               std::vector<SpaceConstraint> constraints, size_t cap = 4000);
  void add(const DesignResult& r);
  [[nodiscard]] ReportJson to_json() const;

 private:
  const SpaceSpec& space_;
  std::vector<SpaceObjective> objectives_;
  std::vector<SpaceConstraint> constraints_;
  size_t cap_;
  uint64_t every_ = 1, feasible_ = 0;
  std::vector<ReportJson> kept_;
};

}  // namespace xpusim
