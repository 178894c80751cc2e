// SPDX-License-Identifier: Apache-2.0
// Validation as a library call (stage 11; `xpusim validate`): every measured row of a validation
// CSV the simulators support, predicted, with signed errors, MAPE per scenario / metric /
// hardware and every skipped row with its reason (validate/validator.h).
#pragma once

#include <string>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/validate/validator.h"

namespace xpusim::api {

struct ValidateRequest {
  std::string file;                     // measured_*.csv (../shared/validation/README.md)
  std::vector<std::string> scenarios;   // predict only these scenarios' rows; empty = every row
  std::vector<std::string> overrides;   // must be empty: each row names its own presets
  Validator::RowProgress on_progress;   // called per predicted row (rows done, rows to predict)
};

struct ValidateOutcome {
  ValidationReport report;
  Json json;                            // `validate --format json`
};

Result<ValidateOutcome> validate_scenario(const ValidateRequest& request);
Result<Json> validate(const ValidateRequest& request);

// The measured rows of `file` for a Validator; an error when `overrides` are given (every row
// names its own hardware and model presets).
Result<MeasuredSet> load_measured_rows(const std::string& file,
                                       const std::vector<std::string>& overrides);

// The document of a validation report (keys sorted, as `validate --format json` prints them).
Json validation_json(const ValidationReport& report);
// One line of the MAPE tables: {key, rows, mape_pct, mean_error_pct, max_abs_error_pct}.
Json error_stats_json(const ErrorStats& stats);

}  // namespace xpusim::api
