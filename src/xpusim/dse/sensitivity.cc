// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/sensitivity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "xpusim/dse/hardware_fields.h"

namespace xpusim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double metric_of(const DesignResult& r, Metric m) { return r.metrics[static_cast<size_t>(m)]; }

std::string percent(double from, double to) {
  return fmt::format("{:+.1f}%", 100.0 * (to - from) / from);
}

// A side of the difference: the value, or why it cannot be used.
struct Side {
  double value = 0.0;
  std::optional<DesignResult> result;
  std::string why;  // non-empty: the side is dropped
};

Side evaluate_side(const DesignEvaluator& ev, const ParallelismPlan& plan, const FieldInfo& info,
                   double value) {
  Side s;
  s.value = value;
  if (!(value > 0) || !std::isfinite(value)) {
    s.why = fmt::format("{} is not > 0", value);
    return s;
  }
  DesignResult r = ev.evaluate_assignments({numeric_assignment(info, value)}, plan);
  if (!r.feasibility.feasible()) {
    std::string detail = r.feasibility.to_string();
    if (detail.size() > 120) detail = detail.substr(0, 117) + "...";
    s.why = detail;
    return s;
  }
  s.result = std::move(r);
  return s;
}

std::string value_text(const FieldInfo& info, double v) {
  if (info.kind == FieldKind::kInteger) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

}  // namespace

SensitivityReport sensitivity(const DesignEvaluator& ev, const ParallelismPlan& plan,
                              const std::vector<Metric>& metrics, double step) {
  SensitivityReport rep;
  rep.metrics = metrics;
  rep.step = step;
  rep.base = ev.evaluate_assignments({}, plan, std::nullopt, &rep.bounds);
  if (!rep.base.feasibility.feasible()) return rep;
  for (const NumericField& nf : numeric_hardware_fields(ev.base_document())) {
    FieldSensitivity fs;
    fs.path = nf.info.path;
    fs.field = nf.info;
    fs.value = nf.value;
    fs.elasticity.assign(metrics.size(), kNaN);
    if (nf.value == 0 || !std::isfinite(nf.value)) {
      // A field set to 0 ("absent", "unsupported") has no relative step.
      fs.skipped = true;
      fs.note = "0: no relative step (0 means absent or unsupported)";
      rep.fields.push_back(std::move(fs));
      continue;
    }
    double lo = nf.value * (1.0 - step);
    double hi = nf.value * (1.0 + step);
    std::vector<std::string> notes;
    if (nf.info.kind == FieldKind::kInteger) {
      lo = std::round(lo);
      hi = std::round(hi);
      if (lo >= nf.value) lo = nf.value - 1;
      if (hi <= nf.value) hi = nf.value + 1;
      if (hi - nf.value != nf.value - lo || hi - nf.value != std::round(nf.value * step))
        notes.push_back(fmt::format("integer step {} / {} ({} / {})", value_text(nf.info, lo),
                                    value_text(nf.info, hi), percent(nf.value, lo),
                                    percent(nf.value, hi)));
    }
    Side low = evaluate_side(ev, plan, nf.info, lo);
    Side high = evaluate_side(ev, plan, nf.info, hi);
    if (!low.result && !high.result) {
      // Both sides fail (a declared figure checked against the derived one, a field at its
      // bound on both sides ...): one reason is enough.
      notes.push_back(fmt::format("skipped: {} and {} both fail; {}: {}", percent(nf.value, lo),
                                  percent(nf.value, hi), percent(nf.value, lo), low.why));
    } else {
      if (!low.why.empty()) notes.push_back(fmt::format("{} ({}) dropped: {}", percent(nf.value, lo),
                                                        value_text(nf.info, lo), low.why));
      if (!high.why.empty()) notes.push_back(fmt::format("{} ({}) dropped: {}", percent(nf.value, hi),
                                                         value_text(nf.info, hi), high.why));
    }
    if (low.result) fs.low = lo;
    if (high.result) fs.high = hi;
    if (!low.result && !high.result) {
      fs.skipped = true;
    } else {
      const double x_lo = low.result ? lo : nf.value;
      const double x_hi = high.result ? hi : nf.value;
      if (!low.result || !high.result) notes.push_back("one-sided");
      for (size_t k = 0; k < metrics.size(); ++k) {
        const double f_lo = low.result ? metric_of(*low.result, metrics[k]) : metric_of(rep.base, metrics[k]);
        const double f_hi = high.result ? metric_of(*high.result, metrics[k]) : metric_of(rep.base, metrics[k]);
        if (f_lo > 0 && f_hi > 0 && std::isfinite(f_lo) && std::isfinite(f_hi))
          fs.elasticity[k] = (std::log(f_hi) - std::log(f_lo)) / (std::log(x_hi) - std::log(x_lo));
      }
    }
    for (size_t i = 0; i < notes.size(); ++i) fs.note += (i ? "; " : "") + notes[i];
    rep.fields.push_back(std::move(fs));
  }
  return rep;
}

std::vector<size_t> rank_fields(const SensitivityReport& rep, size_t k) {
  std::vector<size_t> order(rep.fields.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto magnitude = [&](size_t i) {
    const double e = rep.fields[i].elasticity.empty() ? kNaN : rep.fields[i].elasticity[k];
    return std::isfinite(e) ? std::fabs(e) : -1.0;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return magnitude(a) > magnitude(b); });
  return order;
}

std::optional<size_t> binding_field(const SensitivityReport& rep, size_t k) {
  const std::vector<size_t> order = rank_fields(rep, k);
  if (order.empty() || !std::isfinite(rep.fields[order[0]].elasticity[k])) return std::nullopt;
  return order[0];
}

}  // namespace xpusim
