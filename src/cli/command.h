// SPDX-License-Identifier: Apache-2.0
// What every sub-command shares: the global options (--format, --set) and the way results and
// errors leave the program. Each sub-command lives in its own file and registers itself through
// one add_*_command function called from main.cc.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/schema.h"
#include "xpusim/report/html_report.h"

namespace xpusim::cli {

struct GlobalOptions {
  std::string format = "table";          // table | json | csv
  // --csv-records: the list of records (a dotted JSON path, e.g. "ops") --format csv prints one
  // row per element of; "." = the document itself; "" = the command's default.
  std::string csv_records;
  std::vector<std::string> overrides;    // --set dotted.path=value, applied to every input file
  std::string command_line;              // argv as typed (quoted where needed), for reports
};

// Writes `text` to stdout as it is (no newline added): a command's table, JSON or CSV.
inline void print(const std::string& text) { std::fputs(text.c_str(), stdout); }

// Thrown by a command for bad user input; main prints the diagnostics and exits with 1.
struct InputError : std::runtime_error {
  explicit InputError(Diagnostics d) : std::runtime_error("input error"), diags(std::move(d)) {}
  Diagnostics diags;
};

// Thrown by a command stopped by the user (Ctrl-C) after it saved what it had: main prints
// `message` on stderr and exits with 128 + SIGINT = 130, as the shell reports a killed process.
struct Interrupted : std::runtime_error {
  explicit Interrupted(std::string text)
      : std::runtime_error("interrupted"), message(std::move(text)) {}
  std::string message;
};

// Unwraps a Result or throws InputError with its diagnostics.
template <class T>
T value_or_throw(Result<T> r) {
  if (!r) throw InputError(std::move(r.error()));
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Registration functions, one per file in src/cli/. The verbs `list`, `show` and `describe` are
// created by main.cc; a noun's file attaches its own `list <noun>`, `show <noun>`, ... to them
// (find them with app.get_subcommand("list")).
using AddCommand = void (*)(CLI::App&, GlobalOptions&);

// list/show/describe model (cmd_model.cc).
void add_model_commands(CLI::App& app, GlobalOptions& global);

// list/show/describe hardware (cmd_hardware.cc).
void add_hardware_commands(CLI::App& app, GlobalOptions& global);

// validate and calibrate: measured CSV rows vs. predictions (cmd_validate.cc).
void add_validate_commands(CLI::App& app, GlobalOptions& global);

// run, gemm and compare: performance predictions (cmd_perf.cc).
void add_perf_commands(CLI::App& app, GlobalOptions& global);
// collective and membw: the interconnect and memory microbenchmarks (cmd_micro.cc).
void add_micro_commands(CLI::App& app, GlobalOptions& global);
// `area`, `wafer`, `cost`, `fab` (cmd_economics.cc).
void add_economics_commands(CLI::App& app, GlobalOptions& global);
// `--system CLASS` and `--system-param NAME=VALUE` (cost, run, serve: the server around each
// device, cost/system_tco.h) (cmd_economics.cc).
void add_system_options(CLI::App* cmd, std::optional<std::string>& system,
                        std::vector<std::string>& params);

// list/show/describe dataset: request-length datasets of serving benchmarks (cmd_dataset.cc).
void add_dataset_commands(CLI::App& app, GlobalOptions& global);

// list/show/describe engine: serving-engine profiles (cmd_engine.cc).
void add_engine_commands(CLI::App& app, GlobalOptions& global);

// serve: the serving simulator (cmd_serve.cc).
void add_serve_commands(CLI::App& app, GlobalOptions& global);

// explore, pareto and describe space: design-space exploration (cmd_dse.cc).
void add_dse_commands(CLI::App& app, GlobalOptions& global);
// sensitivity: elasticities of a design's figures (cmd_sensitivity.cc; added by add_dse_commands).
void add_sensitivity_command(CLI::App& app, GlobalOptions& global);

// The p10-p90 line printed under the tables of run, serve and gemm from their JSON's
// `uncertainty` object ("" when it holds no interval), with the families the band was measured
// on and, where the hardware is of none of them, a second line saying so (`uncertainty_basis`)
// (uncertainty_note.cc).
std::string uncertainty_note(const nlohmann::ordered_json& result,
                             const std::string& scenario_class);

// `describe result [TYPE]`: the declared result field tables (result_output.cc).
void add_result_commands(CLI::App& app, GlobalOptions& global);

// The three commands of a kind of described file (schema_output.cc): `list <list_name>`,
// `show <noun> <arg>` (a preset id or a file) and `describe <noun>` (its schema), attached to the
// verbs main.cc creates.
struct SpecCommands {
  std::string noun;           // "model"
  std::string list_name;      // "models"
  std::string list_help;
  std::string show_help;
  std::string show_arg;       // the positional's name in the help
  std::string show_arg_help;
  std::string describe_help;
  std::function<void()> list;
  std::function<void(const std::string&)> show;
  std::function<void()> describe;
};
void add_spec_commands(CLI::App& app, SpecCommands c);

// `describe <noun>`: the schema as a table, or a JSON array of fields (schema_output.cc).
void print_schema(const std::string& name, const std::vector<FieldInfo>& fields,
                  const GlobalOptions& g);

// `--html FILE` on a command that writes an HTML report (html_output.cc).
CLI::Option* add_html_option(CLI::App* cmd, std::string& path);
// Writes the report of `kind` to `path` when it is not empty: `result` is the command's
// --format json document, `extra` its chart data (report/chart_data.h). Errors -> InputError.
void write_html(const std::string& path, HtmlReportKind kind, const nlohmann::ordered_json& result,
                const nlohmann::ordered_json& extra, const GlobalOptions& global);

// --format csv of a command (result_output.cc): the tidy table of its JSON document, one row per
// record of `default_records` ("" = the document itself) unless --csv-records names another list.
// `type`, the document's declared result type (report/result_fields.h), keeps the columns the
// same whether or not the answer has figures (an infeasible run, a search without a front).
void print_tidy_csv(const nlohmann::ordered_json& doc, const GlobalOptions& g,
                    std::string_view default_records = "", std::string_view type = "");

// Prints diagnostics as "error: file:line:col: path: message", one per line.
void print_diagnostics(const Diagnostics& diags);

// After a failed parse: when a word of `args` (argv without argv[0]) stands where a subcommand is
// required but names none ("runn", "show hardwre"), the message for it, with a "did you mean"
// and the subcommands allowed there (subcommand_hint.cc).
std::optional<std::string> unknown_subcommand_message(const CLI::App& app,
                                                      const std::vector<std::string>& args);

}  // namespace xpusim::cli
