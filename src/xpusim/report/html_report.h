// SPDX-License-Identifier: Apache-2.0
// Self-contained HTML reports (stage: report/; `--html FILE` on run, serve, compare, validate,
// area, cost, fab and pareto): the command's result -- the very document it prints with
// --format json -- plus the chart data the JSON lacks (chart_data.h), drawn as Vega-Lite charts
// with the chart libraries inlined, so the file opens anywhere without a network. docs/reports.md
// says what each report shows.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "xpusim/base/diagnostic.h"

namespace xpusim {

enum class HtmlReportKind { kRun, kServe, kCompare, kValidate, kArea, kCost, kFab, kPareto };

struct HtmlReportContext {
  std::string command_line;  // as typed, shown in the header
  std::string version;       // xpusim's
};

// The page. `result` is the command's --format json document; `extra` the kind's chart data:
// run_chart_data (run), serve_chart_data (serve), compare_chart_data (compare), a DesignSample's
// to_json (pareto), null for the others. Errors: a build without the chart libraries
// (web_assets.h: configured with -DXPUSIM_HTML=OFF).
Result<std::string> html_report(HtmlReportKind kind, const nlohmann::ordered_json& result,
                                const nlohmann::ordered_json& extra,
                                const HtmlReportContext& context);

// html_report() written to `path` (replaced if it exists). Errors name the path and flag --html:
// no chart libraries, or a file that cannot be written (a missing folder, no permission, a full
// disk).
Result<void> write_html_report(const std::string& path, HtmlReportKind kind,
                               const nlohmann::ordered_json& result,
                               const nlohmann::ordered_json& extra,
                               const HtmlReportContext& context);

}  // namespace xpusim
