// SPDX-License-Identifier: Apache-2.0
// `xpusim validate FILE.csv`: predicts every measured row the simulators support and prints the
// signed errors, MAPE per scenario / metric / hardware, and every row it could not simulate with
// the reason. `xpusim calibrate FILE.csv`: fits the global PerfCalibration constants to the same
// rows and checks them leave-one-hardware-family-out.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/validate.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/calibration_file.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"
#include "xpusim/validate/calibration_fit.h"
#include "xpusim/validate/validator.h"

namespace xpusim::cli {
namespace {

// The JSON documents are api/validate.h's.
nlohmann::json stats_json(const ErrorStats& s) { return api::error_stats_json(s); }
nlohmann::json report_json(const ValidationReport& rep) { return api::validation_json(rep); }

// The terminal report of a validation, drawn from its JSON and validate's field table
// (report/result_fields.h): a table per list of records (the predicted rows, the error statistics
// by scenario, metric and hardware, the coverage of the error bands, the skipped rows by reason
// and one by one; record_table, the names are the JSON keys), the field table of the summary's
// own figures (overall error, counts), and a closing prose line. A list without records (no row
// skipped) has no table. The rows' long text (detail, assumptions) is left out: JSON and CSV have
// it.
std::string validation_text(const nlohmann::ordered_json& j) {
  const ResultType& type = *find_result_type("validate");
  const std::vector<std::string> present = record_lists(j);
  const auto has = [&](std::string_view list) {
    return std::find(present.begin(), present.end(), list) != present.end();
  };
  struct Section {
    std::string_view heading;  // prose above the table ("" for none)
    std::string_view records;
    std::vector<std::string_view> columns;
  };
  const auto stats = [](std::string_view heading, std::string_view records,
                        std::vector<std::string_view> names) {
    return Section{heading, records, std::move(names)};
  };
  const Section sections[] = {
      {"", "rows",
       {"rows.id", "rows.scenario", "rows.metric", "rows.hardware", "rows.model",
        "rows.predicted", "rows.measured", "rows.unit", "rows.error_pct"}},
      stats("MAPE by scenario", "summary.by_scenario",
            {"summary.by_scenario.key", "summary.by_scenario.rows", "summary.by_scenario.mape_pct",
             "summary.by_scenario.mean_error_pct", "summary.by_scenario.max_abs_error_pct"}),
      stats("MAPE by metric", "summary.by_metric",
            {"summary.by_metric.key", "summary.by_metric.rows", "summary.by_metric.mape_pct",
             "summary.by_metric.mean_error_pct", "summary.by_metric.max_abs_error_pct"}),
      stats("MAPE by hardware", "summary.by_hardware",
            {"summary.by_hardware.key", "summary.by_hardware.rows", "summary.by_hardware.mape_pct",
             "summary.by_hardware.mean_error_pct", "summary.by_hardware.max_abs_error_pct"}),
      stats("MAPE by runtime profile", "summary.by_runtime",
            {"summary.by_runtime.key", "summary.by_runtime.rows", "summary.by_runtime.mape_pct",
             "summary.by_runtime.mean_error_pct", "summary.by_runtime.max_abs_error_pct"}),
      {"Coverage of the p10-p90 intervals (calibration error bands, leave-one-family-out)",
       "summary.coverage",
       {"summary.coverage.class", "summary.coverage.rows", "summary.coverage.inside",
        "summary.coverage.coverage_pct", "summary.coverage.p10_log_ratio",
        "summary.coverage.p90_log_ratio", "summary.coverage.outside_family_rows",
        "summary.coverage.outside_family_coverage_pct"}},
      {"Skipped rows by reason", "summary.skip_reasons",
       {"summary.skip_reasons.rows", "summary.skip_reasons.reason"}},
      {"Skipped rows", "skipped", {"skipped.id", "skipped.line", "skipped.reason"}},
  };
  std::string out;
  for (const Section& s : sections) {
    if (!has(s.records)) continue;
    if (!out.empty()) out += "\n";
    if (!s.heading.empty()) out += std::string(s.heading) + "\n";
    out += value_or_throw(record_table(type, j, s.records, s.columns)).to_text();
  }
  // The summary's own fields; the skip counts by reason are the table above.
  std::vector<std::string> by_reason;
  for (const std::string& k : flattened_field_names(j))
    if (k.starts_with("summary.skipped_by_reason.")) by_reason.push_back(k);
  const std::vector<std::string_view> leave_out(by_reason.begin(), by_reason.end());
  out += std::string(out.empty() ? "" : "\n") + "Summary\n" +
         field_table(type, j, leave_out).to_text();
  const auto& sum = j.at("summary");
  const auto count = [&](const char* key) { return std::to_string(sum.at(key).get<long long>()); };
  const auto& mape = sum.at("overall").at("mape_pct");
  out += "\n" + count("total_rows") + " rows in " + sum.at("file").get<std::string>() + ": " +
         count("simulated") + " simulated, " + count("skipped") + " skipped; " +
         (sum.at("simulated").get<long long>() == 0 || !mape.is_number()
              ? std::string("no MAPE (nothing simulated)")
              : "MAPE " + format_number(mape.get<double>(), NumberKind::kMeasure) + "%") +
         "\n";
  return out;
}

Validator load_validator(const std::string& file, const GlobalOptions& global) {
  return Validator(value_or_throw(api::load_measured_rows(file, global.overrides)));
}

// ---- calibrate -----------------------------------------------------------------------------

std::string param_value_text(const FitParameter& p, const PerfCalibration& c) {
  const double v = p.get(c);
  return p.is_time ? fixed(v * 1e6, 3) + " us" : fixed(v, 4);
}

// The paths in the calibration file of a fitted parameter ("tensorrt-llm+nemo.gqa_kv_reread" ->
// runtimes.tensorrt-llm.gqa_kv_reread and runtimes.nemo.gqa_kv_reread).
std::vector<std::string> file_paths(const std::string& parameter) {
  const size_t dot = parameter.rfind('.');
  if (dot == std::string::npos) return {parameter};
  std::vector<std::string> out;
  const std::string field = parameter.substr(dot + 1), runtimes = parameter.substr(0, dot);
  for (size_t b = 0, e = 0; e != std::string::npos; b = e + 1) {
    e = runtimes.find('+', b);
    out.push_back("runtimes." + runtimes.substr(b, e == std::string::npos ? e : e - b) + "." +
                  field);
  }
  return out;
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// The fitted calibration with the provenance of what this run fitted and, with the holdout, the
// leave-one-family-out error bands: what `calibrate --out FILE` writes.
PerfCalibration calibration_to_write(const FitResult& fit, const FitOptions& options,
                                     const std::vector<HoldoutResult>& holdouts,
                                     const Validator& v, const std::string& command) {
  PerfCalibration out = fit.fitted;
  const std::string date = today_utc();
  for (const auto& p : fit_parameters()) {
    if (!options.parameters.empty() &&
        std::find(options.parameters.begin(), options.parameters.end(), p.name) ==
            options.parameters.end())
      continue;
    for (const auto& path : file_paths(p.name))
      out.provenance[path] = {date, "fitted: " + command + " (" + std::to_string(fit.rows) +
                                        " rows, objective " + fixed(fit.objective_after, 2) +
                                        "%)"};
  }
  if (!holdouts.empty()) {
    for (const auto& [cls, band] : holdout_bands(v, holdouts)) {
      out.uncertainty[cls] = band;
      out.provenance["uncertainty." + cls] = {
          date, "10th/90th percentiles of log(measured/predicted time) of the " +
                    std::to_string(band.rows) + " " + cls +
                    " rows, each predicted under the constants fitted without its hardware "
                    "family: " + command};
    }
  }
  return out;
}

nlohmann::json split_json(const std::vector<HoldoutResult>& splits, const char* first) {
  nlohmann::json ho = nlohmann::json::array();
  for (const auto& h : splits)
    ho.push_back({{first, h.family},
                  {"train_rows", h.train_rows},
                  {"test_rows", h.test_rows},
                  {"train_mape_pct", h.train_mape},
                  {"test_mape_start_pct", h.test_mape_start},
                  {"test_mape_holdout_fit_pct", h.test_mape_holdout},
                  {"test_mape_full_fit_pct", h.test_mape_full}});
  return ho;
}

struct CalibrateOutputs {
  bool reverse = false;   // also the reverse split (fit on one family, test on the rest)
  std::string out_file;   // --out: the calibration/v1 file to write
};

void run_calibrate(const std::string& file, int max_rounds, bool holdout, bool quiet,
                   const std::string& weighting, const std::vector<std::string>& scenarios,
                   const std::vector<std::string>& parameters, const CalibrateOutputs& outputs,
                   const GlobalOptions& global) {
  Validator v = load_validator(file, global);
  FitOptions options;
  if (!scenarios.empty()) options.scenarios = scenarios;
  options.parameters = parameters;
  options.max_rounds = max_rounds;
  // On a terminal a progress line of the rounds (none with --quiet); XPUSIM_PROGRESS=1 prints
  // each round's objective and constants instead, wherever stderr goes.
  const bool detail = std::getenv("XPUSIM_PROGRESS") != nullptr;
  ProgressLine bar("calibrate", static_cast<uint64_t>(max_rounds), "rounds", false,
                   quiet || detail);
  if (bar.enabled())
    options.on_round = [&bar](int, double, double, const PerfCalibration&) { bar.add(1); };
  if (detail)
    options.on_round = [&options](int round, double objective, double step,
                                  const PerfCalibration& c) {
      std::string values;
      for (const auto& p : fit_parameters())
        if (options.parameters.empty() ||
            std::find(options.parameters.begin(), options.parameters.end(), p.name) !=
                options.parameters.end())
          values += " " + p.name + "=" + std::to_string(p.is_time ? p.get(c) * 1e6 : p.get(c)) +
                    (p.is_time ? "us" : "");
      std::fprintf(stderr, "calibrate: round %d, objective %.3f%%, step %.4g;%s\n", round,
                   objective, step, values.c_str());
    };
  options.weighting =
      weighting == "per-scenario" ? FitWeighting::kPerScenario : FitWeighting::kPerRow;
  const PerfCalibration& start = default_calibration();
  FitResult fit = fit_calibration(v, start, options);
  bar.finish();
  options.on_round = nullptr;  // the hold-out fits run silently
  std::vector<HoldoutResult> holdouts, reverse;
  if (holdout) holdouts = leave_one_family_out(v, start, fit.fitted, options);
  if (outputs.reverse) reverse = fit_one_family(v, start, fit.fitted, options);
  if (fit.rows == 0)  // nothing was fitted: no file that says it was
    throw InputError({Diagnostic{.file = file,
                                 .message = "nothing to fit: no row of the fitted scenarios (" +
                                            join(options.scenarios) + ") could be simulated"}});
  if (!outputs.out_file.empty()) {
    const PerfCalibration written =
        calibration_to_write(fit, options, holdouts, v, global.command_line);
    std::ofstream f(outputs.out_file);
    f << calibration_yaml(written);
    if (!f.good())
      throw InputError({Diagnostic{.file = outputs.out_file,
                                   .path = "--out",
                                   .message = "cannot write the calibration file"}});
  }

  auto scenario_stats = [&](const PerfCalibration& c) {
    auto keep = [&](const MeasuredRow& r) {
      for (const auto& s : options.scenarios)
        if (s == r.scenario) return true;
      return false;
    };
    return v.run(c, keep).by_scenario;
  };
  std::vector<ErrorStats> before = scenario_stats(start), after = scenario_stats(fit.fitted);

  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : fit_parameters())
    params.push_back({{"name", p.name}, {"start", p.get(start)}, {"fitted", p.get(fit.fitted)},
                      {"min", p.lo}, {"max", p.hi}});
  const nlohmann::json ho = split_json(holdouts, "held_out");
  nlohmann::json sc = nlohmann::json::array();
  for (size_t i = 0; i < after.size(); ++i) {
    nlohmann::json e = stats_json(after[i]);
    for (const auto& b : before)
      if (b.key == after[i].key) e["mape_before_pct"] = b.mape;
    sc.push_back(e);
  }
  auto keep = [&](const MeasuredRow& r) {
    for (const auto& s : options.scenarios)
      if (s == r.scenario) return true;
    return false;
  };
  nlohmann::json out = {{"file", file},
                        {"weighting", weighting},
                        {"validation_after", report_json(v.run(fit.fitted, keep))},
                        {"rows", fit.rows},
                        {"evaluations", fit.evaluations},
                        {"mape_before_pct", fit.objective_before},
                        {"mape_after_pct", fit.objective_after},
                        {"parameters", params},
                        {"by_scenario", sc},
                        {"leave_one_family_out", ho},
                        {"fit_one_family", split_json(reverse, "fitted_on")}};
  if (global.format == "json" || global.format == "csv") {
    // CSV: a row per fitted constant, the fit's figures repeated (--csv-records names another)
    if (global.format == "csv")
      print_tidy_csv(nlohmann::ordered_json::parse(out.dump()), global, "parameters", "calibrate");
    else std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  // The terminal report: prose lines of the fit, the constants, then record tables of the JSON's
  // by_scenario and hold-out splits by their keys (report/ record_table), numbers by the one rule.
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(out.dump());
  const ResultType& type = *find_result_type("calibrate");
  std::string text;
  text += "Fitted " + std::to_string(fit_parameters().size()) + " constants (global, and per runtime profile: NAME.x) on " +
         std::to_string(fit.rows) + " rows of " + file + " (" +
         std::to_string(fit.evaluations) + " evaluations, coordinate descent)\n";
  text += "Objective (" + weighting + " MAPE) before: " + fixed(fit.objective_before, 2) +
         "%   after: " + fixed(fit.objective_after, 2) + "%\n\n";
  // The constants by the JSON's parameters keys; a value keeps its unit (a time constant in us),
  // which the JSON's unsuffixed start/fitted/min/max (seconds or a factor) cannot name.
  Table constants({"parameters.name", "parameters.start", "parameters.fitted", "parameters.min",
                    "parameters.max"});
  for (const auto& p : fit_parameters()) {
    PerfCalibration lo = start, hi = start;
    p.set(lo, p.lo);
    p.set(hi, p.hi);
    constants.add_row({p.name, param_value_text(p, start), param_value_text(p, fit.fitted),
                       param_value_text(p, lo), param_value_text(p, hi)});
  }
  text += constants.to_text();
  const std::vector<std::string_view> scenario_columns = {
      "by_scenario.key", "by_scenario.rows", "by_scenario.mape_before_pct", "by_scenario.mape_pct",
      "by_scenario.mean_error_pct"};
  text += "\nMAPE by scenario\n" +
          value_or_throw(record_table(type, doc, "by_scenario", scenario_columns)).to_text();
  const auto split = [&](const std::string& list, const std::string& first) {
    std::vector<std::string> names = {list + "." + first};
    for (const char* k : {"train_rows", "test_rows", "train_mape_pct", "test_mape_start_pct",
                          "test_mape_holdout_fit_pct", "test_mape_full_fit_pct"})
      names.push_back(list + "." + k);
    const std::vector<std::string_view> columns(names.begin(), names.end());
    return value_or_throw(record_table(type, doc, list, columns)).to_text();
  };
  if (holdout)
    text += "\nLeave one hardware family out (fit on the others, test on it)\n" +
            split("leave_one_family_out", "held_out");
  if (outputs.reverse)
    text += "\nFit on one hardware family, test on the others\n" +
            split("fit_one_family", "fitted_on");
  if (!outputs.out_file.empty()) text += "\nwrote " + outputs.out_file + "\n";
  std::printf("%s", text.c_str());
}

}  // namespace

void add_validate_commands(CLI::App& app, GlobalOptions& global) {
  auto* validate = app.add_subcommand(
      "validate", "predict measured rows (validation CSV) and report signed errors and MAPE");
  auto file = std::make_shared<std::string>();
  validate->add_option("file", *file, "measured_*.csv (schema: ../shared/validation/README.md)")
      ->required();
  auto only = std::make_shared<std::vector<std::string>>();
  validate
      ->add_option("--scenarios", *only,
                   "predict only the rows of these scenarios (default: every row)")
      ->delimiter(',')
      ->check(CLI::IsMember(simulated_scenarios()));
  auto html = std::make_shared<std::string>();
  add_html_option(validate, *html);
  auto quiet = std::make_shared<bool>(false);
  validate->add_flag("--quiet", *quiet,
                     "no progress line (written to stderr only when it is a terminal)");
  validate->callback([file, only, html, quiet, &global] {
    std::optional<ProgressLine> bar;  // the rows to predict are known when the run starts
    api::ValidateRequest request{.file = *file, .scenarios = *only, .overrides = global.overrides};
    request.on_progress = [&bar, quiet](size_t, size_t total) {
      if (!bar) bar.emplace("validate", total, "rows", false, *quiet);
      bar->add(1);
    };
    const api::ValidateOutcome out = value_or_throw(api::validate_scenario(request));
    if (bar) bar->finish();
    write_html(*html, HtmlReportKind::kValidate, out.json, nullptr, global);
    if (global.format == "json") std::printf("%s\n", out.json.dump(2).c_str());
    // a row per predicted row (--csv-records skipped: per skipped row), the summary repeated
    else if (global.format == "csv") print_tidy_csv(out.json, global, "rows", "validate");
    else std::printf("%s", validation_text(out.json).c_str());
  });

  auto* calibrate = app.add_subcommand(
      "calibrate", "fit the global PerfCalibration constants to measured rows (MAPE) and check "
                   "them leave-one-hardware-family-out");
  auto cal_file = std::make_shared<std::string>();
  auto rounds = std::make_shared<int>(FitOptions{}.max_rounds);
  auto no_holdout = std::make_shared<bool>(false);
  auto weighting = std::make_shared<std::string>("per-scenario");
  auto scenarios = std::make_shared<std::vector<std::string>>();
  calibrate->add_option("file", *cal_file, "measured_*.csv")->required();
  bound_int(calibrate->add_option("--max-rounds", *rounds, "coordinate-descent rounds"),
            bounds::kCalibrationRounds);
  calibrate->add_flag("--no-holdout", *no_holdout, "skip the leave-one-family-out check");
  auto cal_quiet = std::make_shared<bool>(false);
  calibrate->add_flag("--quiet", *cal_quiet,
                      "no progress line (written to stderr only when it is a terminal)");
  calibrate
      ->add_option("--weighting", *weighting,
                   "objective: MAPE over all rows, or the mean of the per-scenario MAPEs")
      ->check(CLI::IsMember({"per-row", "per-scenario"}));
  calibrate
      ->add_option("--scenarios", *scenarios,
                   "scenarios whose rows enter the objective (default: gemm gemm_peak static "
                   "allreduce p2p op)")
      ->delimiter(',')
      ->check(CLI::IsMember(simulated_scenarios()));
  auto parameters = std::make_shared<std::vector<std::string>>();
  std::vector<std::string> names;
  for (const auto& p : fit_parameters()) names.push_back(p.name);
  calibrate
      ->add_option("--parameters", *parameters,
                   "fit only these constants (default: all; names as in the report)")
      ->delimiter(',')
      ->check(CLI::IsMember(names));
  auto outputs = std::make_shared<CalibrateOutputs>();
  calibrate->add_flag("--fit-one-family", outputs->reverse,
                      "also the reverse split: fit on each hardware family alone, test on the rest");
  calibrate->add_option("--out", outputs->out_file,
                        "write the fitted calibration (calibration/v1, with the leave-one-family-"
                        "out error bands) to this file; use it with --calibration FILE");
  calibrate->callback(
      [cal_file, rounds, no_holdout, cal_quiet, weighting, scenarios, parameters, outputs, &global] {
        run_calibrate(*cal_file, *rounds, !*no_holdout, *cal_quiet, *weighting, *scenarios, *parameters,
                      *outputs, global);
      });
  if (auto* describe = app.get_subcommand("describe"))
    describe->add_subcommand("calibration",
                             "the calibration/v1 schema: every constant, its unit, range and meaning")
        ->callback([&global] {
          print_schema(kCalibrationSchemaName, calibration_schema_fields(), global);
        });
}

}  // namespace xpusim::cli
