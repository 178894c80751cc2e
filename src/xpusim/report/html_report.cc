// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/html_report.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "xpusim/report/html_pages.h"
#include "xpusim/report/web_assets.h"

namespace xpusim {

namespace html {
std::string infeasible_alert(const Json& result) {
  if (!result.is_object() || !result.contains("feasible") || !result["feasible"].is_boolean() ||
      result["feasible"].get<bool>())
    return {};
  return "INFEASIBLE: " + text(result, "infeasible_reason") + ": " +
         text(result, "infeasible_detail");
}
}  // namespace html

Result<std::string> html_report(HtmlReportKind kind, const nlohmann::ordered_json& result,
                                const nlohmann::ordered_json& extra,
                                const HtmlReportContext& context) {
  if (web_bundles().empty())
    return fail(Diagnostic{.file = "<command line>", .path = "--html",
                           .message = std::string(web_assets_missing_reason())});
  html::Page page;
  switch (kind) {
    case HtmlReportKind::kRun: page = html::run_page(result, extra); break;
    case HtmlReportKind::kServe: page = html::serve_page(result, extra); break;
    case HtmlReportKind::kCompare: page = html::compare_page(result, extra); break;
    case HtmlReportKind::kValidate: page = html::validate_page(result); break;
    case HtmlReportKind::kArea: page = html::area_page(result); break;
    case HtmlReportKind::kCost: page = html::cost_page(result); break;
    case HtmlReportKind::kFab: page = html::fab_page(result); break;
    case HtmlReportKind::kPareto: page = html::pareto_page(result, extra); break;
  }
  if (page.alert.empty()) page.alert = html::infeasible_alert(result);
  return html::render(page, html::PageContext{context.command_line, context.version});
}

Result<void> write_html_report(const std::string& path, HtmlReportKind kind,
                               const nlohmann::ordered_json& result,
                               const nlohmann::ordered_json& extra,
                               const HtmlReportContext& context) {
  auto page = html_report(kind, result, extra, context);
  if (!page) return tl::unexpected(page.error());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  auto cannot = [&](const char* what) {
    return fail(Diagnostic{.file = path, .path = "--html",
                           .message = std::string(what) + ": " + std::strerror(errno)});
  };
  if (!out) return cannot("cannot open for writing");
  out << *page;
  out.close();
  if (!out) return cannot("cannot write the report");
  return {};
}

}  // namespace xpusim
