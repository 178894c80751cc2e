// SPDX-License-Identifier: Apache-2.0
// The validation engine (stage 7): measured rows (measured_row.h) interpreted by row_case.h are
// simulated with the perf models (perf/: simulate_static, predict_gemm, predict_op,
// predict_collective) under a PerfCalibration, giving per-row predictions, signed errors and MAPE
// per scenario, metric and hardware. Rows that cannot be simulated are listed with the reason.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/validate/measured_row.h"
#include "xpusim/validate/row_case.h"

namespace xpusim {

// One simulated row. `predicted` and `measured` are in the metric's unit (metric_info().unit).
struct RowPrediction {
  std::string id;
  int line = 0;
  std::string scenario;
  MeasuredMetric metric = MeasuredMetric::kTtftMs;
  std::string hardware;
  std::string model;
  double predicted = 0.0;
  double measured = 0.0;
  double error_pct = 0.0;                // 100 x (predicted - measured) / measured
  std::vector<std::string> assumptions;  // row-interpretation defaults applied
  std::string detail;                    // what was simulated ("decode step tp=4 ...", binding)
  // The runtime profile (software stack) the prediction ran under (RowCase::runtime): the row's
  // framework for static, gemm and op rows, the engine's for serving rows; "" where none enters
  // the prediction (bandwidth, collective and copy rows).
  std::string runtime;
};

// The by_runtime key of the rows whose prediction uses no runtime profile (bandwidth, collective
// and copy rows).
inline constexpr std::string_view kNoRuntimeKey = "none";

// Error statistics of a group of rows.
struct ErrorStats {
  std::string key;          // "static", "static/ttft_ms", "a100-sxm-80gb", "all"
  int rows = 0;
  double mape = 0.0;        // mean |error_pct|
  double mean_error_pct = 0.0;  // mean signed error (bias: > 0 = predictions too high)
  double max_abs_error_pct = 0.0;
};

// How often measured values fall inside the p10-p90 intervals of one scenario class
// (PerfCalibration::uncertainty): the share should be near 80% out of sample.
struct CoverageStats {
  std::string scenario_class;  // "static", "serving", "gemm"
  int rows = 0;
  int inside = 0;
  double coverage_pct = 0.0;   // 100 x inside / rows
  double p10 = 0.0;            // the band (log(measured/predicted time))
  double p90 = 0.0;
  // Of these, the rows on hardware of a family the band was not measured on
  // (UncertaintyBand::families; perf/calibration_file.h hardware_family): how the band holds beyond its evidence.
  int outside_family_rows = 0;
  int outside_family_inside = 0;
};

// r = log(measured / predicted) with rates inverted (log(predicted / measured)), so that r > 0
// always means "slower than predicted": the residual the error bands are percentiles of.
double log_time_residual(const RowPrediction& r);
// Whether the metric is a duration (its unit is ms); otherwise it is a rate.
bool time_like(MeasuredMetric m);

// Coverage of `rows` under the bands of `cal`, per class with a band.
std::vector<CoverageStats> interval_coverage(const std::vector<RowPrediction>& rows,
                                             const PerfCalibration& cal);

struct ValidationReport {
  std::string file;
  int total_rows = 0;                      // rows in the file (incl. malformed)
  std::vector<RowPrediction> rows;
  std::vector<SkippedRow> skipped;         // malformed and not simulable, in file order
  int skipped_by_model = 0;                // of those: prepared rows the model could not predict
                                           // (infeasible), which depends on the calibration
  std::vector<ErrorStats> by_scenario;
  std::vector<ErrorStats> by_metric;       // "scenario/metric"
  std::vector<ErrorStats> by_hardware;
  std::vector<ErrorStats> by_runtime;      // RowPrediction::runtime; kNoRuntimeKey for rows of none
  ErrorStats overall;
  std::vector<CoverageStats> coverage;     // of the calibration's p10-p90 intervals, by class
  std::map<std::string, int> skipped_by_reason;
  std::vector<std::string> ignored_columns;
};

// Statistics of `rows` (error_pct of each) under `key`.
ErrorStats error_stats(const std::string& key, const std::vector<const RowPrediction*>& rows);

// Loads the presets every row names (once per id), interprets each row and keeps what the perf
// models need, so that `run` can be repeated cheaply under different calibrations (calibrate).
class Validator {
 public:
  // Never fails: rows that cannot be prepared (unknown preset, unsupported scenario, missing
  // field, a plan the model cannot be sharded with) become skipped rows with the reason.
  explicit Validator(MeasuredSet set);
  ~Validator();
  Validator(Validator&&) noexcept;
  Validator& operator=(Validator&&) noexcept;

  // Selects rows for a run (calibrate fits on subsets); an empty filter keeps every row.
  using RowFilter = std::function<bool(const MeasuredRow&)>;

  // Predicts every prepared row. Rows the model finds infeasible (e.g. the weights and KV cache
  // do not fit in memory) are skipped with the model's reason. Rows `keep` rejects are neither
  // predicted nor listed as skipped.
  // `progress`, when given, is called once per predicted row with the rows done and the rows to
  // predict (from the worker threads, one call at a time), for a progress line.
  using RowProgress = std::function<void(size_t done, size_t total)>;
  [[nodiscard]] ValidationReport run(const PerfCalibration& cal, const RowFilter& keep = {},
                                     const RowProgress& progress = {}) const;

  // Prepared rows (for calibrate's leave-one-hardware-out split).
  [[nodiscard]] size_t prepared_rows() const;
  // Whether the row with `id` was prepared (can be predicted, feasibility aside).
  [[nodiscard]] bool is_prepared(const std::string& id) const;
  [[nodiscard]] const MeasuredSet& measured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xpusim
