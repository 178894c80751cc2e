// SPDX-License-Identifier: Apache-2.0
// validate (api/validate.h): the rows read, predicted with the default calibration, and the report
// as JSON.
#include "xpusim/api/validate.h"

#include <algorithm>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/report/result_json.h"
#include "xpusim/validate/row_case.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// The document is built through ResultJson (report/result_json.h), whose table declares each
// record's fields in sorted order: the order `validate --format json` has always printed.
Json stats_doc(const ErrorStats& s, std::string_view record) {
  return ResultJson("validate", record)
      .set("key", s.key)
      .set("rows", s.rows)
      .set("mape_pct", s.mape)
      .set("mean_error_pct", s.mean_error_pct)
      .set("max_abs_error_pct", s.max_abs_error_pct)
      .json();
}

Json stats_list(const std::vector<ErrorStats>& v, std::string_view record) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(stats_doc(s, record));
  return a;
}

Json row_doc(const RowPrediction& r) {
  return ResultJson("validate", "rows")
      .set("id", r.id)
      .set("line", r.line)
      .set("scenario", r.scenario)
      .set("metric", std::string(metric_info(r.metric).name))
      .set("unit", std::string(metric_info(r.metric).unit))
      .set("hardware", r.hardware)
      .set("model", r.model)
      .set("predicted", r.predicted)
      .set("measured", r.measured)
      .set("error_pct", r.error_pct)
      .set("assumptions", r.assumptions)
      .set("detail", r.detail)
      .set("runtime", r.runtime.empty() ? Json(nullptr) : Json(r.runtime))
      .json();
}

Json report_doc(const ValidationReport& rep) {
  Json rows = Json::array();
  for (const auto& r : rep.rows) rows.push_back(row_doc(r));
  Json skipped = Json::array();
  for (const auto& s : rep.skipped)
    skipped.push_back(ResultJson("validate", "skipped")
                          .set("id", s.id)
                          .set("line", s.line)
                          .set("reason", s.reason)
                          .json());
  Json coverage = Json::array();
  for (const auto& c : rep.coverage)
    coverage.push_back(ResultJson("validate", "summary.coverage")
                           .set("class", c.scenario_class)
                           .set("rows", c.rows)
                           .set("inside", c.inside)
                           .set("coverage_pct", c.coverage_pct)
                           .set("p10_log_ratio", c.p10)
                           .set("p90_log_ratio", c.p90)
                           .set("outside_family_rows", c.outside_family_rows)
                           .set("outside_family_inside", c.outside_family_inside)
                           .set("outside_family_coverage_pct",
                                c.outside_family_rows > 0
                                    ? Json(100.0 * c.outside_family_inside / c.outside_family_rows)
                                    : Json(nullptr))
                           .json());
  // The same counts as records (reason, rows): a list of records whose keys are fixed, beside the
  // map whose keys are the reasons (kept: a contract). The map's keys sorted, as ever.
  Json by_reason = Json::object();
  Json skip_reasons = Json::array();
  for (const auto& [reason, n] : rep.skipped_by_reason) {
    by_reason[reason] = n;
    skip_reasons.push_back(
        ResultJson("validate", "summary.skip_reasons").set("reason", reason).set("rows", n).json());
  }
  const Json summary = ResultJson("validate", "summary")
                           .set("file", rep.file)
                           .set("total_rows", rep.total_rows)
                           .set("simulated", rep.rows.size())
                           .set("skipped", rep.skipped.size())
                           .set("overall", stats_doc(rep.overall, "summary.overall"))
                           .set("by_scenario", stats_list(rep.by_scenario, "summary.by_scenario"))
                           .set("by_metric", stats_list(rep.by_metric, "summary.by_metric"))
                           .set("by_hardware", stats_list(rep.by_hardware, "summary.by_hardware"))
                           .set("by_runtime", stats_list(rep.by_runtime, "summary.by_runtime"))
                           .set("coverage", coverage)
                           .set("skipped_by_reason", by_reason)
                           .set("skip_reasons", skip_reasons)
                           .set("ignored_columns", rep.ignored_columns)
                           .json();
  return ResultJson("validate")
      .set("rows", rows)
      .set("skipped", skipped)
      .set("summary", summary)
      .json();
}

ValidateOutcome validate_checked(const ValidateRequest& o) {
  const std::vector<std::string>& known = simulated_scenarios();
  for (const auto& s : o.scenarios) {
    if (std::find(known.begin(), known.end(), s) != known.end()) continue;
    input_error("--scenarios", unknown_choice("scenario", s, known));
  }
  Validator v(value_or_fail(load_measured_rows(o.file, o.overrides)));
  Validator::RowFilter keep;
  if (!o.scenarios.empty())
    keep = [&o](const MeasuredRow& r) {
      return std::find(o.scenarios.begin(), o.scenarios.end(), r.scenario) != o.scenarios.end();
    };
  ValidateOutcome out;
  out.report = v.run(default_calibration(), keep, o.on_progress);
  // Nothing simulated has no error to report: a MAPE of 0 would read as a perfect model.
  if (out.report.rows.empty()) {
    std::string why;
    for (const auto& [reason, n] : out.report.skipped_by_reason)
      why += fmt::format("{}{} ({} row{})", why.empty() ? "" : ", ", reason, n, n == 1 ? "" : "s");
    fail_with(Diagnostics{Diagnostic{
        .file = o.file,
        .message = out.report.skipped.empty()
                       ? fmt::format("nothing to validate: no row is of --scenarios {}",
                                     join(o.scenarios))
                       : fmt::format("nothing to validate: all {} rows were skipped: {}",
                                     out.report.skipped.size(), why)}});
  }
  out.json = validation_json(out.report);
  return out;
}

}  // namespace

Result<MeasuredSet> load_measured_rows(const std::string& file,
                                       const std::vector<std::string>& overrides) {
  if (!overrides.empty())
    return fail(Diagnostic{.file = "<command line>",
                           .message = "--set is not used by this command: every measured "
                                      "row names its own hardware and model presets"});
  return load_measured_file(file);
}

Json validation_json(const ValidationReport& report) { return report_doc(report); }
Json error_stats_json(const ErrorStats& stats) { return stats_doc(stats, "summary.overall"); }

Result<ValidateOutcome> validate_scenario(const ValidateRequest& request) {
  return guarded([&] { return validate_checked(request); });
}
Result<Json> validate(const ValidateRequest& request) {
  return validate_scenario(request).map([](ValidateOutcome&& o) { return std::move(o.json); });
}

}  // namespace xpusim::api
