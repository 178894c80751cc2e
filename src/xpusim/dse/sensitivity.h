// SPDX-License-Identifier: Apache-2.0
// Local sensitivity of a design (`xpusim sensitivity`): the elasticity d ln(metric) / d ln(field)
// of each metric with respect to every numeric hardware field the base document sets (non-zero),
// by central differences in log space around the base: e = (ln f(x+) - ln f(x-)) /
// (ln x+ - ln x-). A step that leaves the field's range, makes the design invalid or infeasible
// falls back to the one-sided difference with the base (noted); integer fields round the step
// and move at least 1 (noted when the two sides differ). "What should we spend the next mm² or
// watt on?": compare a field's elasticity of throughput with its elasticity of area or power.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/metrics.h"

namespace xpusim {

struct FieldSensitivity {
  std::string path;                 // hardware/v1 path ("memory.dram.bandwidth")
  FieldInfo field;
  double value = 0.0;               // base, canonical units
  std::optional<double> low, high;  // the values used (canonical); empty when that side failed
  bool skipped = false;             // no elasticity at all (both sides failed, or the value is 0)
  std::string note;                 // why a side was dropped, an asymmetric step, why skipped
  std::vector<double> elasticity;   // per requested metric; NaN when not defined (a value <= 0)
};

struct SensitivityReport {
  DesignResult base;                // the base design's figures (infeasible: nothing else is set)
  DesignEvaluator::Bounds bounds;   // the run's prefill / decode bound
  std::vector<Metric> metrics;
  double step = 0.05;
  std::vector<FieldSensitivity> fields;  // the schema's order
};

inline constexpr double kDefaultSensitivityStep = 0.05;

// Sensitivity of the evaluator's base design (no parameters of the space are applied), run with
// `plan`. `metrics` must not be empty; step in (0, 0.5].
SensitivityReport sensitivity(const DesignEvaluator& evaluator, const ParallelismPlan& plan,
                              const std::vector<Metric>& metrics,
                              double step = kDefaultSensitivityStep);

// The fields ordered by |elasticity| of `metric_pos` (a position in report.metrics), largest
// first; skipped fields and undefined elasticities last, ties in the schema's order.
std::vector<size_t> rank_fields(const SensitivityReport& report, size_t metric_pos);

// The field that binds `metric_pos` at this design: the one whose relative change moves the
// metric most (the largest |elasticity|, the first of rank_fields), the resource the next mm² or
// watt is best spent on. nullopt when no field has an elasticity of the metric.
std::optional<size_t> binding_field(const SensitivityReport& report, size_t metric_pos);

}  // namespace xpusim
