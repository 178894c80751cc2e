// SPDX-License-Identifier: Apache-2.0
// validate (api/validate.h): the rows read, predicted with the default calibration, and the report
// as JSON.
#include "xpusim/api/validate.h"

#include <algorithm>

#include <fmt/format.h>

#include "xpusim/api/impl/input_failure.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/validate/row_case.h"

namespace xpusim::api {
namespace {

using namespace detail;  // NOLINT: the private helpers of api/

// nlohmann::json keeps its keys sorted: the document is built in it and handed out in the
// insertion-ordered Json, which then holds them in that (sorted) order.
nlohmann::json stats_doc(const ErrorStats& s) {
  return {{"key", s.key},
          {"rows", s.rows},
          {"mape_pct", s.mape},
          {"mean_error_pct", s.mean_error_pct},
          {"max_abs_error_pct", s.max_abs_error_pct}};
}

nlohmann::json report_doc(const ValidationReport& rep) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : rep.rows) {
    rows.push_back({{"id", r.id},
                    {"line", r.line},
                    {"scenario", r.scenario},
                    {"metric", std::string(metric_info(r.metric).name)},
                    {"unit", std::string(metric_info(r.metric).unit)},
                    {"hardware", r.hardware},
                    {"model", r.model},
                    {"predicted", r.predicted},
                    {"measured", r.measured},
                    {"error_pct", r.error_pct},
                    {"assumptions", r.assumptions},
                    {"detail", r.detail}});
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : rep.skipped)
    skipped.push_back({{"id", s.id}, {"line", s.line}, {"reason", s.reason}});
  auto list = [](const std::vector<ErrorStats>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : v) a.push_back(stats_doc(s));
    return a;
  };
  nlohmann::json coverage = nlohmann::json::array();
  for (const auto& c : rep.coverage)
    coverage.push_back({{"class", c.scenario_class},
                        {"rows", c.rows},
                        {"inside", c.inside},
                        {"coverage_pct", c.coverage_pct},
                        {"p10_log_ratio", c.p10},
                        {"p90_log_ratio", c.p90}});
  nlohmann::json by_reason = nlohmann::json::object();
  // The same counts as records (reason, rows): a list of records whose keys are fixed, beside the
  // map whose keys are the reasons (kept: a contract).
  nlohmann::json skip_reasons = nlohmann::json::array();
  for (const auto& [reason, n] : rep.skipped_by_reason) {
    by_reason[reason] = n;
    skip_reasons.push_back({{"reason", reason}, {"rows", n}});
  }
  nlohmann::json summary = {{"file", rep.file},
                            {"total_rows", rep.total_rows},
                            {"simulated", rep.rows.size()},
                            {"skipped", rep.skipped.size()},
                            {"overall", stats_doc(rep.overall)},
                            {"by_scenario", list(rep.by_scenario)},
                            {"by_metric", list(rep.by_metric)},
                            {"by_hardware", list(rep.by_hardware)},
                            {"coverage", coverage},
                            {"skipped_by_reason", by_reason},
                            {"skip_reasons", skip_reasons},
                            {"ignored_columns", rep.ignored_columns}};
  return {{"rows", rows}, {"skipped", skipped}, {"summary", summary}};
}

ValidateOutcome validate_checked(const ValidateRequest& o) {
  const std::vector<std::string>& known = simulated_scenarios();
  for (const auto& s : o.scenarios) {
    if (std::find(known.begin(), known.end(), s) != known.end()) continue;
    std::string msg = fmt::format("unknown scenario \"{}\"; allowed: {}", s, join(known));
    if (auto m = closest_match(s, known)) msg += fmt::format(" (did you mean \"{}\"?)", *m);
    input_error("--scenarios", msg);
  }
  Validator v(value_or_fail(load_measured_rows(o.file, o.overrides)));
  Validator::RowFilter keep;
  if (!o.scenarios.empty())
    keep = [&o](const MeasuredRow& r) {
      return std::find(o.scenarios.begin(), o.scenarios.end(), r.scenario) != o.scenarios.end();
    };
  ValidateOutcome out;
  out.report = v.run(default_calibration(), keep, o.on_progress);
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

Json validation_json(const ValidationReport& report) { return Json(report_doc(report)); }
Json error_stats_json(const ErrorStats& stats) { return Json(stats_doc(stats)); }

Result<ValidateOutcome> validate_scenario(const ValidateRequest& request) {
  return guarded([&] { return validate_checked(request); });
}
Result<Json> validate(const ValidateRequest& request) {
  return validate_scenario(request).map([](ValidateOutcome&& o) { return std::move(o.json); });
}

}  // namespace xpusim::api
