// SPDX-License-Identifier: Apache-2.0
#include "xpusim/report/html_page.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "xpusim/report/web_assets.h"

namespace xpusim::html {
namespace {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON for a <script> element: every <, > and & (only ever inside strings) as a \u escape, so
// that no value can end the element or open a comment; invalid UTF-8 replaced, not thrown on.
std::string script_json(const Json& j) {
  const std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

// The look shared by every chart (Vega-Lite config).
Json theme() {
  const char* font =
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
  return Json{
      {"font", font},
      {"background", "#ffffff"},
      {"padding", 4},
      {"view", {{"stroke", nullptr}}},
      {"axis",
       {{"labelColor", "#4a5568"},
        {"titleColor", "#2d3748"},
        {"gridColor", "#edf0f4"},
        {"domainColor", "#a0aec0"},
        {"tickColor", "#a0aec0"},
        {"labelFontSize", 11},
        {"titleFontSize", 12},
        {"titleFontWeight", 600},
        {"titlePadding", 8}}},
      {"legend",
       {{"labelFontSize", 11},
        {"titleFontSize", 11},
        {"titleFontWeight", 600},
        {"labelColor", "#4a5568"},
        {"titleColor", "#2d3748"},
        {"symbolSize", 80},
        {"labelLimit", 220}}},
      {"header", {{"labelFontSize", 12}, {"labelFontWeight", 600}, {"labelColor", "#2d3748"},
                  {"titleFontSize", 12}}},
      {"title", {{"fontSize", 13}, {"fontWeight", 600}, {"anchor", "start"}, {"color", "#2d3748"}}},
      {"range", {{"category", {{"scheme", "tableau10"}}}}},
      {"point", {{"size", 50}}},
      {"line", {{"strokeWidth", 2}}},
      {"bar", {{"discreteBandSize", {{"band", 0.8}}}}}};
}

constexpr const char* kStyle = R"css(
:root { --ink:#1a202c; --muted:#5a6676; --line:#e3e7ed; --bg:#f5f7fa; --card:#fff; --accent:#2b6cb0; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
header.top { background:#1f2a3a; color:#fff; }
header.top .in { max-width:1240px; margin:0 auto; padding:20px 28px 18px; }
header.top .brand { font-size:12px; letter-spacing:.08em; text-transform:uppercase; color:#9fb3c8; }
header.top h1 { margin:4px 0 2px; font-size:22px; font-weight:650; }
header.top .sub { color:#cbd5e0; font-size:14px; }
dl.meta { display:grid; grid-template-columns: max-content 1fr; gap:3px 14px; margin:14px 0 0;
  font-size:12.5px; color:#cbd5e0; }
dl.meta dt { color:#9fb3c8; }
dl.meta dd { margin:0; }
dl.meta code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color:#e2e8f0;
  word-break: break-all; }
.alert { margin:18px 0 0; padding:12px 14px; border-radius:8px; background:#fff5f5; color:#9b2c2c;
  border:1px solid #fed7d7; font-weight:600; }
.tiles { display:grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap:12px; margin:20px 0 4px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.tile .label { color:var(--muted); font-size:12px; }
.tile .value { font-size:19px; white-space:nowrap; font-weight:650; margin-top:2px; font-variant-numeric: tabular-nums; }
.tile .detail { color:var(--muted); font-size:12px; }
section { margin-top:26px; }
section h2 { font-size:17px; margin:0 0 4px; }
section p.intro { color:var(--muted); margin:0 0 12px; max-width: 900px; }
.grid { display:grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap:16px; }
figure.card { margin:0; background:var(--card); border:1px solid var(--line); border-radius:10px;
  padding:14px 16px 12px; min-width:0; }
figure.card.wide { grid-column: 1 / -1; }
figure.card figcaption { font-weight:600; font-size:14px; margin-bottom:6px; }
figure.card .note { color:var(--muted); font-size:12px; margin:6px 0 0; }
.chart { overflow-x:auto; }
.tablecard { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px;
  margin-top:16px; overflow-x:auto; }
.tablecard h3 { font-size:14px; margin:0 0 8px; }
table { border-collapse:collapse; width:100%; font-size:12.5px; }
th { text-align:left; color:var(--muted); font-weight:600; border-bottom:1px solid var(--line); padding:6px 8px; }
td { border-bottom:1px solid #f0f2f5; padding:5px 8px; vertical-align:top; }
td.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
ul.notes { color:var(--muted); font-size:12.5px; padding-left:18px; }
footer { color:var(--muted); font-size:12px; margin-top:30px; border-top:1px solid var(--line); padding-top:10px; }
#errors { white-space:pre-wrap; color:#9b2c2c; background:#fff5f5; border:1px solid #fed7d7;
  border-radius:8px; padding:10px; margin:16px 0 0; }
#errors:empty { display:none; }
.vega-embed { width:100%; }
.vega-embed .vega-actions a { font-size:12px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
)css";

// Runs before the chart libraries: every error, rejected promise, console.error and Vega warning
// goes into <pre id="errors"> (buffered until the element exists).
constexpr const char* kErrorCapture = R"js(
(function () {
  var pending = [];
  function record(msg) {
    var el = document.getElementById('errors');
    if (!el) { pending.push(msg); return; }
    el.textContent += (el.textContent ? '\n' : '') + msg;
  }
  window.xpusimError = record;
  window.addEventListener('DOMContentLoaded', function () { var p = pending; pending = []; p.forEach(record); });
  window.addEventListener('error', function (e) { record('error: ' + (e.message || e) + (e.filename ? ' (' + e.filename + ':' + e.lineno + ')' : '')); });
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)); });
  var consoleError = console.error.bind(console);
  console.error = function () { record('console.error: ' + Array.prototype.join.call(arguments, ' ')); consoleError.apply(null, arguments); };
})();
)js";

// Draws every chart; a chart that fails is recorded, the others still draw.
constexpr const char* kEmbed = R"js(
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var theme = JSON.parse(document.getElementById('chart-theme').textContent);
  var logger = {
    level: function () { return logger; },
    error: function () { xpusimError('vega error: ' + Array.prototype.join.call(arguments, ' ')); return logger; },
    warn: function () { xpusimError('vega warning: ' + Array.prototype.join.call(arguments, ' ')); return logger; },
    info: function () { return logger; },
    debug: function () { return logger; }
  };
  var rendered = 0;
  var jobs = specs.map(function (spec, i) {
    spec.config = theme;
    return vegaEmbed('#chart-' + i, spec, {
      renderer: 'svg',
      logger: logger,
      actions: { export: true, source: false, compiled: false, editor: false }
    }).then(function () { rendered += 1; })
      .catch(function (e) { xpusimError('chart ' + i + ': ' + (e && e.message || e)); });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute('data-charts-rendered', String(rendered));
  });
})();
)js";

}  // namespace

// Powers of ten within [lo, hi] (with 2 and 5 x them when fewer than three): log-axis ticks
// without a grid line at every digit.
Json log_ticks(double lo, double hi) {
  Json v = Json::array();
  for (int mult : {1, 2, 5}) {
    if (mult > 1 && v.size() >= 3) break;
    for (int e = static_cast<int>(std::floor(std::log10(lo))); e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
      const double t = mult * std::pow(10.0, e);
      if (t >= lo && t <= hi) v.push_back(t);
    }
  }
  return v;
}

Json marker_layer(const std::string& channel, double value, const std::string& label,
                  const std::string& color, Json label_mark, bool solid) {
  Json rule = {{"type", "rule"}, {"color", color}, {"strokeWidth", 1.5}};
  if (!solid) rule["strokeDash"] = {5, 3};
  label_mark["type"] = "text";
  label_mark["color"] = color;
  label_mark["fontSize"] = 10;
  const Json at = {{"field", "v"}, {"type", "quantitative"}};
  return {{"data", {{"values", Json::array({{{"v", value}, {"label", label}}})}}},
          {"layer", {{{"mark", rule}, {"encoding", {{channel, at}}}},
                     {{"mark", label_mark}, {"encoding", {{channel, at}, {"text", {{"field", "label"}}}}}}}}};
}

double number(const Json& v) {
  return v.is_number() ? v.get<double>() : std::nan("");
}

std::string pretty(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 1e15) return fmt::format("{:.{}g}", v, digits);
  if (a >= 1000) {
    std::string s = fmt::format("{:.0f}", std::fabs(v));
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return (v < 0 ? "-" : "") + s;
  }
  if (a == 0) return "0";
  // `digits` significant digits, without the exponent form below 1000.
  const int decimals = std::max(0, digits - 1 - static_cast<int>(std::floor(std::log10(a))));
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string text(const Json& j, std::string_view key) {
  const std::string k(key);
  if (!j.contains(k)) return "-";
  const Json& v = j[k];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number()) return pretty(v.get<double>(), 4);
  return "-";
}

std::string render(const Page& page, const PageContext& context) {
  std::string libs;
  std::string lib_names;
  for (const WebBundle& b : web_bundles()) {
    libs += "<script>/* " + std::string(b.package) + " " + std::string(b.version) + " */\n";
    libs += b.source;
    libs += "\n</script>\n";
    lib_names += (lib_names.empty() ? "" : ", ") + std::string(b.package) + " " + std::string(b.version);
  }
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"generator\" content=\"xpusim " + escape(context.version) + "\">\n";
  h += "<title>" + escape(page.title) + " · xpusim</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n";
  h += "<script>" + std::string(kErrorCapture) + "</script>\n";
  h += libs;
  h += "</head>\n<body>\n<header class=\"top\"><div class=\"in\">\n";
  h += "<div class=\"brand\">xpusim report</div>\n";
  h += "<h1>" + escape(page.title) + "</h1>\n";
  if (!page.subtitle.empty()) h += "<div class=\"sub\">" + escape(page.subtitle) + "</div>\n";
  h += "<dl class=\"meta\">\n<dt>command</dt><dd><code>" + escape(context.command_line) +
       "</code></dd>\n";
  for (const auto& [label, value] : page.inputs)
    h += "<dt>" + escape(label) + "</dt><dd>" + escape(value) + "</dd>\n";
  h += "<dt>version</dt><dd>xpusim " + escape(context.version) + "</dd>\n</dl>\n</div></header>\n";
  h += "<main>\n<pre id=\"errors\"></pre>\n";
  if (!page.alert.empty()) h += "<div class=\"alert\">" + escape(page.alert) + "</div>\n";
  if (!page.tiles.empty()) {
    h += "<div class=\"tiles\">\n";
    for (const Tile& t : page.tiles) {
      h += "<div class=\"tile\"><div class=\"label\">" + escape(t.label) +
           "</div><div class=\"value\">" + escape(t.value) + "</div>";
      if (!t.detail.empty()) h += "<div class=\"detail\">" + escape(t.detail) + "</div>";
      h += "</div>\n";
    }
    h += "</div>\n";
  }
  Json specs = Json::array();
  for (const Section& s : page.sections) {
    h += "<section>\n<h2>" + escape(s.title) + "</h2>\n";
    if (!s.intro.empty()) h += "<p class=\"intro\">" + escape(s.intro) + "</p>\n";
    if (!s.charts.empty()) {
      h += "<div class=\"grid\">\n";
      for (const Chart& c : s.charts) {
        const size_t id = specs.size();
        specs.push_back(c.spec);
        h += fmt::format("<figure class=\"card{}\"><figcaption>{}</figcaption>"
                         "<div class=\"chart\" id=\"chart-{}\" data-chart=\"{}\"></div>",
                         c.wide ? " wide" : "", escape(c.title), id, escape(c.title));
        if (!c.note.empty()) h += "<p class=\"note\">" + escape(c.note) + "</p>";
        h += "</figure>\n";
      }
      h += "</div>\n";
    }
    for (const HtmlTable& t : s.tables) {
      h += "<div class=\"tablecard\">";
      if (!t.title.empty()) h += "<h3>" + escape(t.title) + "</h3>";
      h += "<table><thead><tr>";
      for (const auto& c : t.header) h += "<th>" + escape(c) + "</th>";
      h += "</tr></thead><tbody>\n";
      for (const auto& r : t.rows) {
        h += "<tr>";
        for (const auto& c : r) {
          std::string digits = c;  // "20,000" is a number too
          std::erase(digits, ',');
          char* end = nullptr;
          std::strtod(digits.c_str(), &end);
          const bool num = !digits.empty() && end && *end == '\0';
          h += (num ? "<td class=\"num\">" : "<td>") + escape(c) + "</td>";
        }
        h += "</tr>\n";
      }
      h += "</tbody></table>";
      if (!t.note.empty()) h += "<p class=\"note\">" + escape(t.note) + "</p>";
      h += "</div>\n";
    }
    h += "</section>\n";
  }
  if (!page.notes.empty()) {
    h += "<section>\n<h2>Assumptions and notes</h2>\n<ul class=\"notes\">\n";
    for (const auto& n : page.notes) h += "<li>" + escape(n) + "</li>\n";
    h += "</ul>\n</section>\n";
  }
  h += "<footer>Generated by xpusim " + escape(context.version) + ". Charts: " +
       escape(lib_names) +
       ", inlined in this file; it loads nothing from the network. Hover a mark for its values; "
       "the … menu of a chart saves it as SVG or PNG.</footer>\n</main>\n";
  h += "<script type=\"application/json\" id=\"chart-specs\">" + script_json(specs) + "</script>\n";
  h += "<script type=\"application/json\" id=\"chart-theme\">" + script_json(theme()) +
       "</script>\n";
  h += "<script>" + std::string(kEmbed) + "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace xpusim::html
