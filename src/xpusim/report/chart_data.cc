// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/chart_data.h"

#include <algorithm>
#include <cmath>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/dse/metrics.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/report/table.h"

namespace xpusim {

ReportJson run_chart_data(const HardwareSpec& hw, const PrecisionPlan& requested) {
  const Precision math = executed_math(hw, requested).math;
  ReportJson j;
  j["precision"] = std::string(to_string(math));
  j["matrix_tflops"] = round6(units::to_tflops(peak_matrix_rate(hw, math)));
  j["vector_tflops"] = round6(units::to_tflops(peak_vector_rate(hw)));
  j["dram_tb_per_s"] = round6(units::to_tb_per_s(hw.memory.dram.bandwidth));
  j["l2_tb_per_s"] = hw.memory.l2.present && hw.memory.l2.bandwidth.value() > 0
                         ? ReportJson(round6(units::to_tb_per_s(hw.memory.l2.bandwidth)))
                         : ReportJson(nullptr);
  return j;
}

ReportJson latency_cdf_json(const LatencyHistogram& h, int points) {
  ReportJson out;
  out["count"] = h.count();
  ReportJson pts = ReportJson::array();
  if (h.count() > 0 && points > 0)
    for (int i = 0; i <= points; ++i) {
      const double q = static_cast<double>(i) / points;
      pts.push_back({{"ms", round6(units::to_ms(h.quantile(q)))}, {"q", round6(q)}});
    }
  out["points"] = pts;
  return out;
}

// ---- StepTimeline ------------------------------------------------------------------------------
void StepTimeline::merge_pairs() {
  for (int i = 0; i < kBins / 2; ++i) {
    const Bin& a = bins_[static_cast<size_t>(2 * i)];
    const Bin& b = bins_[static_cast<size_t>(2 * i + 1)];
    bins_[static_cast<size_t>(i)] = Bin{.steps = a.steps + b.steps,
                                        .busy_s = a.busy_s + b.busy_s,
                                        .batch_s = a.batch_s + b.batch_s,
                                        .kv_s = a.kv_s + b.kv_s,
                                        .clock_s = a.clock_s + b.clock_s,
                                        .power_s = a.power_s + b.power_s,
                                        .powered_s = a.powered_s + b.powered_s,
                                        .tokens = a.tokens + b.tokens,
                                        .waiting = a.waiting + b.waiting};
  }
  for (size_t i = kBins / 2; i < kBins; ++i) bins_[i] = Bin{};
  width_s_ *= 2;
}

void StepTimeline::add(const StepRecord& r) {
  const double t = std::max(0.0, r.start.value());
  if (!std::isfinite(t)) return;  // the simulator's clock is finite; keep the bins bounded anyway
  while (t >= width_s_ * kBins) merge_pairs();
  Bin& b = bins_[static_cast<size_t>(std::min<double>(kBins - 1, std::floor(t / width_s_)))];
  const double d = r.duration.value();
  const double batch = static_cast<double>(r.decode_rows + r.prefill_chunks);
  const double kv = r.kv_capacity_blocks > 0 ? static_cast<double>(r.kv_used_blocks) /
                                                   static_cast<double>(r.kv_capacity_blocks)
                                             : 0.0;
  ++b.steps;
  ++steps_;
  b.busy_s += d;
  b.batch_s += batch * d;
  b.kv_s += kv * d;
  b.clock_s += units::to_ghz(r.clock) * d;
  if (r.power) {
    b.power_s += r.power->value() * d;
    b.powered_s += d;
  }
  b.tokens += static_cast<double>(r.prefill_tokens + r.decode_rows);
  b.waiting += static_cast<double>(r.waiting);
}

ReportJson StepTimeline::to_json() const {
  ReportJson pts = ReportJson::array();
  for (size_t i = 0; i < kBins; ++i) {
    const Bin& b = bins_[i];
    if (b.steps == 0) continue;
    const auto n = static_cast<double>(b.steps);
    // A bin of zero-length steps only (none in practice) weighs its steps equally.
    const double batch = b.busy_s > 0 ? b.batch_s / b.busy_s : 0.0;
    const double kv = b.busy_s > 0 ? b.kv_s / b.busy_s : 0.0;
    const double clock = b.busy_s > 0 ? b.clock_s / b.busy_s : 0.0;
    pts.push_back({{"t_s", round6(static_cast<double>(i) * width_s_)},
                   {"batch", round6(batch)},
                   {"tokens_per_step", round6(b.tokens / n)},
                   {"kv_use", round6(kv)},
                   {"clock_ghz", round6(clock)},
                   {"power_w", b.powered_s > 0 ? ReportJson(round6(b.power_s / b.powered_s))
                                               : ReportJson(nullptr)},
                   {"waiting", round6(b.waiting / n)},
                   {"steps", b.steps}});
  }
  return {{"bin_s", round6(width_s_)}, {"steps", steps_}, {"points", pts}};
}

ReportJson serve_chart_data(const ServingCounters& counters, const StepTimeline& timeline) {
  return {{"ttft", latency_cdf_json(counters.ttft)},
          {"tpot", latency_cdf_json(counters.tpot)},
          {"e2e", latency_cdf_json(counters.e2e)},
          {"timeline", timeline.to_json()}};
}

// ---- compare -----------------------------------------------------------------------------------
ReportJson compare_chart_data(const ReportJson& compare_result,
                              const std::vector<std::string>& overrides) {
  ReportJson prices = ReportJson::object();
  const ReportJson& ranking = compare_result.contains("ranking") ? compare_result["ranking"]
                                                                 : ReportJson::array();
  for (const auto& row : ranking) {
    if (!row.value("feasible", false) || !row.contains("hardware")) continue;
    const std::string id = row["hardware"].get<std::string>();
    auto unavailable = [&](const Diagnostics& d) {
      prices[id] = {{"unavailable", d.empty() ? std::string("no cost model") : d.front().message}};
    };
    auto hw = load_hardware(id, overrides);
    if (!hw) { unavailable(hw.error()); continue; }
    auto area = estimate_area(*hw);
    if (!area) { unavailable(area.error()); continue; }
    auto cost = estimate_cost(*hw, *area);
    if (!cost) { unavailable(cost.error()); continue; }
    if (!cost->feasibility.feasible()) {
      prices[id] = {{"unavailable", cost->feasibility.to_string()}};
      continue;
    }
    prices[id] = {{"cost_per_unit_usd", round6(cost->total_per_unit.value())},
                  {"device_price_usd",
                   round6(cost->total_per_unit.value() / (1.0 - kDefaultGrossMargin))}};
  }
  return {{"gross_margin", kDefaultGrossMargin}, {"prices", prices}};
}

// ---- DesignSample ------------------------------------------------------------------------------
DesignSample::DesignSample(const SpaceSpec& space, std::vector<SpaceObjective> objectives,
                           std::vector<SpaceConstraint> constraints, size_t cap)
    : space_(space),
      objectives_(std::move(objectives)),
      constraints_(std::move(constraints)),
      cap_(std::max<size_t>(cap, 2)) {}

void DesignSample::add(const DesignResult& r) {
  if (!r.feasibility.feasible()) return;
  const uint64_t ordinal = feasible_++;
  if (ordinal % every_ != 0) return;
  ReportJson d;
  d["ordinal"] = ordinal;
  d["design_id"] = r.design_id;
  d["within_constraints"] = front_candidate(r, objectives_, constraints_);
  ReportJson params = ReportJson::object();
  if (r.index < space_.grid_size()) {
    const auto c = space_.choice(r.index);
    for (size_t i = 0; i < c.size() && i < space_.parameters.size(); ++i)
      params[space_.parameters[i].path] = space_.parameters[i].values[c[i]].display;
  }
  d["parameters"] = params;
  ReportJson metrics = ReportJson::object();
  for (const auto& o : objectives_) {
    const double v = metric_value(r, o.metric, o.model);
    metrics[space_.metric_ref_name(o.metric, o.model)] = std::isfinite(v) ? ReportJson(round6(v)) : ReportJson(nullptr);
  }
  d["metrics"] = metrics;
  kept_.push_back(std::move(d));
  if (kept_.size() > cap_) {  // keep every (2 x every)-th: the sample stays spread over the run
    every_ *= 2;
    std::erase_if(kept_, [&](const ReportJson& k) { return k["ordinal"].get<uint64_t>() % every_ != 0; });
  }
}

ReportJson DesignSample::to_json() const {
  ReportJson designs = ReportJson::array();
  for (const auto& k : kept_) designs.push_back(k);
  return {{"total_feasible", feasible_}, {"kept", kept_.size()}, {"every", every_},
          {"designs", designs}};
}

}  // namespace xpusim
