// SPDX-License-Identifier: Apache-2.0
// xpusim command-line entry point: parses the command line, runs one sub-command, and maps its
// outcome to an exit code: 0 success, 1 bad input, 2 internal error. Sub-commands follow the
// pipeline: describe inputs (list/show/describe), predict performance (run/gemm/compare/validate),
// estimate silicon and money (area/wafer/cost/fab).
#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace xpusim::cli {
void print_diagnostics(const Diagnostics& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "error: %s\n", d.to_string().c_str());
}
}  // namespace xpusim::cli

int main(int argc, char** argv) {
  using namespace xpusim::cli;
  CLI::App app{"xpusim: performance, area and cost of AI accelerators for LLM inference"};
  app.set_version_flag("--version", std::string("xpusim ") + XPUSIM_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--format", global.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--set", global.overrides,
                 "override a field of the input specs, e.g. --set memory.dram.bandwidth=4TB/s")
      ->allow_extra_args(false);

  app.add_subcommand("list", "list the presets of a kind")->require_subcommand(1);
  app.add_subcommand("show", "show a resolved spec with its derived figures")->require_subcommand(1);
  app.add_subcommand("describe", "print a schema: every field, its unit and meaning")
      ->require_subcommand(1);
  const std::vector<AddCommand> commands = {
      // (stage registrations are added here as they land)
      add_validate_commands,
      add_perf_commands,
      add_serve_commands,
      add_economics_commands,
      add_hardware_commands,
      add_model_commands,
      add_dataset_commands,
      add_engine_commands,
  };
  for (AddCommand add : commands) add(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const InputError& e) {
    print_diagnostics(e.diags);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
