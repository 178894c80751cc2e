// SPDX-License-Identifier: Apache-2.0
// `--html FILE`: the flag and the call into report/ that every reporting command shares.
#include "cli/command.h"

namespace xpusim::cli {

CLI::Option* add_html_option(CLI::App* cmd, std::string& path) {
  return cmd->add_option("--html", path,
                         "also write a self-contained HTML report with charts to FILE "
                         "(docs/reports.md)");
}

void write_html(const std::string& path, HtmlReportKind kind, const nlohmann::ordered_json& result,
                const nlohmann::ordered_json& extra, const GlobalOptions& global) {
  if (path.empty()) return;
  value_or_throw(write_html_report(path, kind, result, extra,
                                   HtmlReportContext{global.command_line, XPUSIM_VERSION}));
}

}  // namespace xpusim::cli
