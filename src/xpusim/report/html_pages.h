// SPDX-License-Identifier: Apache-2.0
// The page of each report kind (html_report.h), built from the command's JSON and its chart
// data: html_perf.cc (run, compare), html_serve.cc, html_validate.cc, html_economics.cc (area,
// cost, fab), html_pareto.cc. Internal to report/.
#pragma once

#include "xpusim/report/html_page.h"

namespace xpusim::html {

// Chart widths in CSS pixels that fit a half-width and a full-width card of the page.
inline constexpr int kHalfWidth = 470;
inline constexpr int kWideWidth = 1080;

Page run_page(const Json& result, const Json& extra);
Page compare_page(const Json& result, const Json& extra);
Page serve_page(const Json& result, const Json& extra);
Page validate_page(const Json& result);
Page area_page(const Json& result);
Page cost_page(const Json& result);
Page fab_page(const Json& result);
Page pareto_page(const Json& result, const Json& extra);

// The alert line of an infeasible result ("INFEASIBLE: memory: ..."); empty when feasible.
std::string infeasible_alert(const Json& result);

}  // namespace xpusim::html
