// SPDX-License-Identifier: Apache-2.0
#include "xpusim/validate/calibration_fit.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace xpusim {
namespace {

FitParameter ratio_param(std::string name, double PerfCalibration::*member, double lo = 0.02,
                   double hi = 1.0) {
  return FitParameter{std::move(name), [member](const PerfCalibration& c) { return c.*member; },
                      [member](PerfCalibration& c, double v) { c.*member = v; }, lo, hi};
}

// Overheads are kept between 0 and 1 ms: a larger "overhead" would be a missing model term.
FitParameter duration_param(std::string name, Seconds PerfCalibration::*member, double lo = 0.0,
                  double hi = 1e-3) {
  return FitParameter{std::move(name),
                      [member](const PerfCalibration& c) { return (c.*member).value(); },
                      [member](PerfCalibration& c, double v) { c.*member = Seconds(v); }, lo, hi};
}

}  // namespace

const std::vector<FitParameter>& fit_parameters() {
  static const std::vector<FitParameter> params = {
      ratio_param("matrix_efficiency", &PerfCalibration::matrix_efficiency, 0.3, 1.0),
      ratio_param("vector_efficiency", &PerfCalibration::vector_efficiency),
      ratio_param("softmax_overlap", &PerfCalibration::softmax_overlap, 0.0, 1.0),
      ratio_param("overlap_loss", &PerfCalibration::overlap_loss, 0.0, 1.0),
      ratio_param("dram_efficiency", &PerfCalibration::dram_efficiency, 0.3, 1.0),
      ratio_param("l2_efficiency", &PerfCalibration::l2_efficiency, 0.1, 1.0),
      ratio_param("link_efficiency", &PerfCalibration::link_efficiency, 0.3, 1.0),
      duration_param("collective_latency", &PerfCalibration::collective_latency),
      duration_param("default_link_latency", &PerfCalibration::default_link_latency),
      duration_param("kernel_overhead", &PerfCalibration::kernel_overhead),
      duration_param("host_call_overhead", &PerfCalibration::host_call_overhead),
      duration_param("step_overhead", &PerfCalibration::step_overhead, 0.0, 20e-3),
      duration_param("min_attention_time", &PerfCalibration::min_attention_time),
  };
  return params;
}

double fit_objective(const Validator& v, const PerfCalibration& cal, const FitOptions& options,
                     const Validator::RowFilter& keep, int* rows) {
  auto filter = [&](const MeasuredRow& r) {
    if (std::find(options.scenarios.begin(), options.scenarios.end(), r.scenario) ==
        options.scenarios.end())
      return false;
    return !keep || keep(r);
  };
  ValidationReport rep = v.run(cal, filter);
  double sum = 0.0;
  for (const auto& r : rep.rows) sum += std::abs(r.error_pct);
  sum += 100.0 * rep.skipped_by_model;
  const int n = static_cast<int>(rep.rows.size()) + rep.skipped_by_model;
  if (rows) *rows = n;
  return n > 0 ? sum / n : 0.0;
}

FitResult fit_calibration(const Validator& v, const PerfCalibration& start,
                          const FitOptions& options, const Validator::RowFilter& keep) {
  FitResult out;
  out.start = start;
  PerfCalibration cur = start;
  double best = fit_objective(v, cur, options, keep, &out.rows);
  out.objective_before = best;
  ++out.evaluations;
  double step = options.initial_step;
  for (int round = 0; round < options.max_rounds && step >= options.min_step; ++round) {
    bool improved = false;
    for (const FitParameter& p : fit_parameters()) {
      const double x = p.get(cur);
      // Multiplicative steps keep the search scale-free; a parameter at 0 moves additively by a
      // step of its range so that it can leave 0.
      std::vector<double> candidates;
      if (x > 0) {
        candidates = {x * (1.0 + step), x / (1.0 + step)};
      } else {
        candidates = {p.lo + step * (p.hi - p.lo) * 0.01};
      }
      for (double c : candidates) {
        c = std::clamp(c, p.lo, p.hi);
        if (c == x) continue;
        PerfCalibration trial = cur;
        p.set(trial, c);
        double obj = fit_objective(v, trial, options, keep);
        ++out.evaluations;
        if (obj < best - 1e-9) {
          best = obj;
          cur = trial;
          improved = true;
          break;
        }
      }
    }
    if (!improved) step *= 0.5;
  }
  out.fitted = cur;
  out.objective_after = best;
  return out;
}

std::string hardware_family(const std::string& id) {
  if (id.starts_with("a100")) return "ampere";
  if (id.starts_with("l40") || id == "l4") return "ada";
  if (id.starts_with("h100") || id.starts_with("h200") || id.starts_with("gh200")) return "hopper";
  return id;
}

std::vector<HoldoutResult> leave_one_family_out(const Validator& v, const PerfCalibration& start,
                                                const PerfCalibration& full_fit,
                                                const FitOptions& options) {
  std::set<std::string> families;
  for (const auto& r : v.measured().rows) {
    if (std::find(options.scenarios.begin(), options.scenarios.end(), r.scenario) !=
        options.scenarios.end())
      families.insert(hardware_family(r.hardware));
  }
  std::vector<HoldoutResult> out;
  for (const auto& fam : families) {
    auto in_family = [fam](const MeasuredRow& r) { return hardware_family(r.hardware) == fam; };
    auto others = [fam](const MeasuredRow& r) { return hardware_family(r.hardware) != fam; };
    HoldoutResult h;
    h.family = fam;
    int test_rows = 0;
    h.test_mape_start = fit_objective(v, start, options, in_family, &test_rows);
    h.test_rows = test_rows;
    if (test_rows == 0) continue;
    FitResult fit = fit_calibration(v, start, options, others);
    h.train_rows = fit.rows;
    h.train_mape = fit.objective_after;
    h.fitted = fit.fitted;
    h.test_mape_holdout = fit_objective(v, fit.fitted, options, in_family);
    h.test_mape_full = fit_objective(v, full_fit, options, in_family);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace xpusim
