// SPDX-License-Identifier: Apache-2.0
// xpusim command-line entry point: parses the command line, runs one sub-command, and maps its
// outcome to an exit code: 0 success, 1 bad input, 2 internal error or output that could not be
// written (a full disk, a closed stdout). Sub-commands follow the
// pipeline: describe inputs (list/show/describe), predict performance (run/gemm/compare/validate),
// estimate silicon and money (area/wafer/cost/fab).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "xpusim/perf/calibration_file.h"

namespace xpusim::cli {
void print_diagnostics(const Diagnostics& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "error: %s\n", d.to_string().c_str());
}
}  // namespace xpusim::cli

namespace {

// Flushes stdout and stderr and turns a write that failed (a full disk, a closed descriptor) into
// exit 2 with "cannot write the output". SIGPIPE keeps its default action, so `xpusim ... | head`
// ends quietly as every Unix filter does; where the parent ignores SIGPIPE, EPIPE is reported
// like any other write error.
int check_output(int code) {
  int out_errno = 0;
  bool out_failed = false;
  errno = 0;
  if (std::fflush(stdout) != 0) {
    out_failed = true;
    out_errno = errno;
  }
  if (std::ferror(stdout) != 0) {
    out_failed = true;
    if (out_errno == 0) {  // an earlier write failed: the retry gives the reason
      std::clearerr(stdout);
      errno = 0;
      if (std::fflush(stdout) != 0) out_errno = errno;
    }
  }
  if (out_failed) {
    std::fprintf(stderr, "error: cannot write the output: %s\n",
                 out_errno != 0 ? std::strerror(out_errno) : "write error");
    code = 2;
  }
  if (std::fflush(stderr) != 0 || std::ferror(stderr) != 0) code = 2;  // nowhere left to say so
  return code;
}

// The command line as typed, for the header of reports: "xpusim" and the arguments, each quoted
// for a POSIX shell where it holds anything but plain word characters.
std::string command_line(int argc, char** argv) {
  std::string out = "xpusim";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                                         "OPQRSTUVWXYZ0123456789_./=:,@%+-") ==
                                         std::string::npos;
    if (plain) {
      out += " " + a;
      continue;
    }
    out += " '";
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "'";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xpusim::cli;
  CLI::App app{"xpusim: performance, area and cost of AI accelerators for LLM inference"};
  app.set_version_flag("--version", std::string("xpusim ") + XPUSIM_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  global.command_line = command_line(argc, argv);
  app.add_option("--format", global.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--csv-records", global.csv_records,
                 "with --format csv: the list of records to print one row each of, by its JSON "
                 "path (run: ops; area: dies or dies.components; ...), each row with its parents' "
                 "keys; \".\" = the answer's own keys as one row (docs/output.md)");
  app.add_option("--set", global.overrides,
                 "override a field of the input specs: hardware.PATH=VALUE (or PATH=VALUE) for the "
                 "hardware, model.PATH=VALUE for the model (run, serve, compare), e.g. --set "
                 "memory.dram.bandwidth=4TB/s --set model.layers=40")
      ->allow_extra_args(false);
  std::string calibration;
  app.add_option("--calibration", calibration,
                 "calibration/v1 file to use instead of data/calibration/default.yaml (read over "
                 "it: a partial file changes only what it names; `xpusim describe calibration`)");
  // Read once the command line is parsed, before any command runs.
  app.parse_complete_callback([&app, &calibration, &global] {
    if (!calibration.empty()) value_or_throw(xpusim::use_calibration_file(calibration));
    // --set edits a hardware or model file; a command that applies none (wafer, pareto, the
    // schemas, the preset lists as shipped) would drop it unread.
    std::string command;
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();)
      command += (command.empty() ? "" : " ") + (sub = sub->get_subcommands().front())->get_name();
    constexpr std::string_view kNoFile[] = {"wafer", "pareto", "describe", "list hardware",
                                            "list engines", "show engine"};
    const bool reads_none = std::any_of(std::begin(kNoFile), std::end(kNoFile), [&](auto c) {
      return command == c || command.starts_with(std::string(c) + " ");
    });
    if (!global.overrides.empty() && reads_none)
      throw InputError({xpusim::Diagnostic{
          .file = "<command line>",
          .path = "--set",
          .message = fmt::format("`{}` does not use --set: --set {} would change nothing",
                                 command, global.overrides.front())}});
  });

  app.add_subcommand("list", "list the presets of a kind")->require_subcommand(1);
  app.add_subcommand("show", "show a resolved spec with its derived figures")->require_subcommand(1);
  app.add_subcommand("describe", "print a schema: every field, its unit and meaning")
      ->require_subcommand(1);
  const std::vector<AddCommand> commands = {
      // (stage registrations are added here as they land)
      add_validate_commands,
      add_perf_commands,
      add_micro_commands,
      add_serve_commands,
      add_economics_commands,
      add_hardware_commands,
      add_model_commands,
      add_dataset_commands,
      add_engine_commands,
      add_dse_commands,
      add_result_commands,
  };
  for (AddCommand add : commands) add(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      // CLI11 reports a mistyped subcommand as a missing one; name the word instead.
      const std::vector<std::string> args(argv + 1, argv + argc);
      if (auto msg = unknown_subcommand_message(app, args)) {
        std::fprintf(stderr, "error: %s\n", msg->c_str());
        return check_output(1);
      }
      // CLI11's own parse errors (a required flag missing, an unknown flag, a bad count) in the
      // form of every other error: "error: <where>: <what>".
      std::fprintf(stderr, "error: <command line>: %s\nRun with --help for more information.\n",
                   e.what());
      return check_output(1);
    }
    return check_output(app.exit(e) == 0 ? 0 : 1);  // --help, --version
  } catch (const InputError& e) {
    print_diagnostics(e.diags);
    return check_output(1);
  } catch (const Interrupted& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", e.message.c_str());
    return check_output(130);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return check_output(2);
  }
  return check_output(0);
}
