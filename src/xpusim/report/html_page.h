// SPDX-License-Identifier: Apache-2.0
// One HTML report page (stage: report/, used by html_report.cc): a header with the command line,
// the inputs and the version, key figures, sections of Vega-Lite charts and tables, rendered to
// one self-contained file with the chart libraries inlined (web_assets.h). The page records its
// own errors (window.onerror, rejected promises, a chart that fails to embed, console errors and
// Vega warnings) in <pre id="errors">, and sets data-charts-rendered on <body> when every chart
// is drawn: what the headless-browser test reads (tests/report/check_report.py).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace xpusim::html {

using Json = nlohmann::ordered_json;

struct Chart {
  std::string title;
  std::string note;  // one line under the chart: what it shows, where the numbers come from
  Json spec;         // Vega-Lite, data inline; the page adds the shared theme (config)
  bool wide = false; // the full width of the page instead of half
};

struct HtmlTable {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string note;
};

struct Tile {
  std::string label;
  std::string value;
  std::string detail;  // smaller, under the value
};

struct Section {
  std::string title;
  std::string intro;
  std::vector<Chart> charts;
  std::vector<HtmlTable> tables;
};

struct Page {
  std::string title;
  std::string subtitle;
  std::vector<std::pair<std::string, std::string>> inputs;  // label, value
  std::string alert;   // shown in red under the header (an infeasible answer)
  std::vector<Tile> tiles;
  std::vector<Section> sections;
  std::vector<std::string> notes;  // assumptions, at the end
};

struct PageContext {
  std::string command_line;
  std::string version;
};

// The page as one HTML document. Text is escaped; chart data is embedded as JSON with <, > and &
// escaped so that no string in it can close the <script> element.
std::string render(const Page& page, const PageContext& context);

// Text for people: thousands separators above 1000 ("12,345"), `digits` significant digits
// below ("0.0123", "3.35"); "-" for NaN.
std::string pretty(double v, int digits = 3);
// `v` of a JSON number, NaN for null or a non-number.
double number(const Json& v);
// Tick values for a log axis over [lo, hi] (lo > 0): the powers of ten, with 2 and 5 x them
// when fewer than three fall inside.
Json log_ticks(double lo, double hi);
// A reference line at `value` on `channel` ("x": vertical, "y": horizontal) with its label, as
// one self-contained layer (its own data) of a Vega-Lite layer list; `label_mark` places the
// label (align, dx, dy, x or y). Dashed unless `solid`.
Json marker_layer(const std::string& channel, double value, const std::string& label,
                  const std::string& color, Json label_mark, bool solid = false);
// j[key] as text: strings as they are, numbers pretty(), null "-".
std::string text(const Json& j, std::string_view key);

}  // namespace xpusim::html
