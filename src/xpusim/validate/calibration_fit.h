// SPDX-License-Identifier: Apache-2.0
// Fitting the GLOBAL constants of PerfCalibration (perf/calibration.h) to measured rows: a
// deterministic coordinate descent on the MAPE of the validator's predictions, and a
// leave-one-hardware-family-out check that the constants carry over to hardware not fitted on.
// Used by `xpusim calibrate`, which writes the fitted numbers as a calibration file (--out).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "xpusim/perf/calibration.h"
#include "xpusim/validate/validator.h"

namespace xpusim {

// One fitted constant: its name in PerfCalibration, how to read/write it as a number in its
// canonical unit (seconds for times), and the physically meaningful range it is kept in.
struct FitParameter {
  std::string name;
  std::function<double(const PerfCalibration&)> get;
  std::function<void(PerfCalibration&, double)> set;
  double lo = 0.0;
  double hi = 1.0;
  bool is_time = false;  // a duration in seconds (printed in us), else a plain number
};

// The constants `xpusim calibrate` fits, each kept in a physically meaningful range.
// Memory-capacity constants (memory_usable_fraction, runtime_workspace) are not performance
// figures and are not fitted.
const std::vector<FitParameter>& fit_parameters();

// How rows are weighted in the objective. kPerRow: plain MAPE over all objective rows.
// kPerScenario (the default, and what the shipped constants in data/calibration/default.yaml come from): the
// mean over scenarios of each scenario's MAPE, which gives the few gemm_peak / p2p / all-reduce
// rows as much say as the 200-odd static rows.
enum class FitWeighting { kPerRow, kPerScenario };

struct FitOptions {
  // Scenarios whose rows enter the objective.
  std::vector<std::string> scenarios = {"gemm", "gemm_peak", "static", "allreduce", "p2p", "op"};
  FitWeighting weighting = FitWeighting::kPerScenario;
  int max_rounds = 40;          // rounds over all parameters
  double initial_step = 0.5;    // relative step (x(1+s) and x/(1+s))
  double min_step = 0.002;      // stop when the step is halved below this
  // Names of the parameters to fit (fit_parameters()); empty = all. The others keep their
  // starting values: serving-runtime constants are fitted on serving rows with the kernel
  // constants held at what the microbenchmark and static rows gave them.
  std::vector<std::string> parameters;
  // Called after every round with its number, the objective, the step and the constants so far
  // (progress reports; an interrupted fit keeps its last round).
  std::function<void(int, double, double, const PerfCalibration&)> on_round;
};

struct FitResult {
  PerfCalibration start;
  PerfCalibration fitted;
  double objective_before = 0.0;  // MAPE (%) over the objective rows, skipped rows count 100%
  double objective_after = 0.0;
  int rows = 0;                   // rows in the objective
  int evaluations = 0;
};

// The objective: MAPE (weighted per options.weighting) over the rows of `keep` whose scenario is
// in `options.scenarios`; a row that cannot be predicted under `cal` counts as a 100% error, so
// a fit cannot gain by making rows infeasible. `rows` receives the number of rows counted.
double fit_objective(const Validator& v, const PerfCalibration& cal, const FitOptions& options,
                     const Validator::RowFilter& keep, int* rows = nullptr);

// Minimises fit_objective from `start` by coordinate descent: each parameter in turn is
// multiplied and divided by (1 + step), clamped to its range; the better value is kept if it
// improves, and the move is then repeated with a doubled step while it keeps improving (a line
// search along that coordinate). When a round improves nothing the step is halved.
// Deterministic (fixed order, no randomness).
FitResult fit_calibration(const Validator& v, const PerfCalibration& start,
                          const FitOptions& options, const Validator::RowFilter& keep = {});

struct HoldoutResult {
  std::string family;             // held out
  int train_rows = 0;
  int test_rows = 0;
  double train_mape = 0.0;        // after fitting on the other families
  double test_mape_start = 0.0;   // held-out family under the starting constants
  double test_mape_holdout = 0.0; // held-out family under the constants fitted without it
  double test_mape_full = 0.0;    // held-out family under the constants fitted on everything
  PerfCalibration fitted;
};

// For every family with objective rows: fit on the others, evaluate on it.
std::vector<HoldoutResult> leave_one_family_out(const Validator& v, const PerfCalibration& start,
                                                const PerfCalibration& full_fit,
                                                const FitOptions& options);

// The reverse split: for every family, fit on it alone and evaluate on all the others
// (HoldoutResult::family is the family fitted on; the test figures are of the other rows).
std::vector<HoldoutResult> fit_one_family(const Validator& v, const PerfCalibration& start,
                                          const PerfCalibration& full_fit,
                                          const FitOptions& options);

// The 10th and 90th percentiles (linear interpolation) of `residuals`, widened to contain 0 so
// that an interval always contains its point prediction.
UncertaintyBand band_of(std::vector<double> residuals);

// Error bands by scenario class from leave-one-family-out: every predicted row of each held-out
// family (all scenarios, not only the objective's) under the constants fitted without it.
std::map<std::string, UncertaintyBand> holdout_bands(const Validator& v,
                                                     const std::vector<HoldoutResult>& holdouts);

}  // namespace xpusim
