// SPDX-License-Identifier: Apache-2.0
// HTML reports without a browser (the browser tests are tests/report/): what a page embeds, how
// text from the inputs is escaped, write errors, and the chart-data accumulators.
#include "xpusim/report/html_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "temp_dir.h"
#include "xpusim/report/chart_data.h"
#include "xpusim/report/web_assets.h"

namespace xpusim {
namespace {

using nlohmann::ordered_json;

// The area command's JSON shape with a hostile hardware id.
ordered_json area_result(const std::string& id) {
  return {{"hardware", id},
          {"total_area_mm2", 100.0},
          {"feasible", true},
          {"infeasible_reason", nullptr},
          {"infeasible_detail", nullptr},
          {"reticle_area_mm2", 858.0},
          {"units_on_die", 4},
          {"dram_phys_on_die", 1},
          {"dies", {{{"name", "compute"}, {"count", 1}, {"node", "n5"}, {"area_mm2", 100.0},
                     {"components", {{{"name", "matrix </script>"}, {"area_mm2", 100.0}}}}}}},
          {"static_power_w", 10.0},
          {"peak_power_w", 100.0},
          {"tdp_w", nullptr},
          {"peak_within_tdp", true}};
}

TEST(HtmlReport, InlinesTheChartLibrariesAndEscapesInputText) {
  const auto page = html_report(HtmlReportKind::kArea, area_result("x</script><script>alert(1)</script>"),
                                nullptr, {"xpusim area --hardware 'x<y>'", "0.1.0"});
  if (web_bundles().empty()) {  // XPUSIM_HTML=OFF: a clear error instead of a page
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().front().path, "--html");
    EXPECT_NE(page.error().front().message.find("XPUSIM_HTML"), std::string::npos);
    return;
  }
  ASSERT_TRUE(page) << to_string(page.error());
  for (const WebBundle& b : web_bundles())
    EXPECT_NE(page->find(std::string(b.source.substr(0, 200))), std::string::npos) << b.package;
  // Text and chart data from the inputs can never end a <script> element or open a tag.
  EXPECT_EQ(page->find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(page->find("matrix </script>"), std::string::npos);
  EXPECT_NE(page->find("x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page->find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_NE(page->find("xpusim area --hardware &#39;x&lt;y&gt;&#39;"), std::string::npos);
  // Nothing is loaded from elsewhere.
  EXPECT_EQ(page->find("<script src"), std::string::npos);
  EXPECT_EQ(page->find("<link"), std::string::npos);
  EXPECT_NE(page->find("<pre id=\"errors\"></pre>"), std::string::npos);
}

TEST(HtmlReport, UnwritablePathIsAnErrorNamingTheFileAndFlag) {
  if (web_bundles().empty()) GTEST_SKIP() << "built without the chart libraries";
  const auto r = write_html_report("/nonexistent-dir/report.html", HtmlReportKind::kArea,
                                   area_result("a"), nullptr, {"xpusim area", "0"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().front().file, "/nonexistent-dir/report.html");
  EXPECT_EQ(r.error().front().path, "--html");
  EXPECT_NE(r.error().front().message.find("cannot open for writing"), std::string::npos);
}

TEST(HtmlReport, WritesTheFile) {
  if (web_bundles().empty()) GTEST_SKIP() << "built without the chart libraries";
  testing::TempDir dir("html_report");
  const std::string path = (dir.path / "a.html").string();
  ASSERT_TRUE(write_html_report(path, HtmlReportKind::kArea, area_result("a"), nullptr, {"c", "v"}));
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), *html_report(HtmlReportKind::kArea, area_result("a"), nullptr, {"c", "v"}));
}

TEST(LatencyCdf, QuantilesRiseFromMinToMax) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(units::ms(i));
  const auto cdf = latency_cdf_json(h, 100);
  EXPECT_EQ(cdf["count"], 1000);
  const auto& pts = cdf["points"];
  ASSERT_EQ(pts.size(), 101u);
  EXPECT_DOUBLE_EQ(pts[0]["ms"].get<double>(), 1.0);      // quantile(0) is the exact minimum
  EXPECT_DOUBLE_EQ(pts[100]["ms"].get<double>(), 1000.0);  // and quantile(1) the maximum
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_GE(pts[i]["ms"].get<double>(), pts[i - 1]["ms"].get<double>());
  // The median of 1..1000 ms is 501 ms by LoadGen's index rule, within the histogram's error.
  EXPECT_NEAR(pts[50]["ms"].get<double>(), 501.0, 501.0 * LatencyHistogram::kRelativeError);
  EXPECT_TRUE(latency_cdf_json(LatencyHistogram{})["points"].empty());
}

TEST(StepTimeline, BinsStayBoundedAndKeepEveryStep) {
  StepTimeline t;
  // 10,000 steps of 10 ms over 100 s: the 1 ms bins double until 240 of them cover 100 s.
  for (int i = 0; i < 10000; ++i) {
    StepRecord r;
    r.start = units::seconds(i * 0.01);
    r.duration = units::ms(10);
    r.decode_rows = i % 2 == 0 ? 10 : 30;  // time-weighted mean 20
    r.prefill_tokens = 5;
    r.kv_used_blocks = 25;
    r.kv_capacity_blocks = 100;
    r.clock = units::ghz(i < 5000 ? 2.0 : 1.5);  // throttled from 50 s on
    if (i < 8000) r.power = units::watts(i % 2 == 0 ? 300.0 : 500.0);  // none from 80 s on
    t.add(r);
  }
  const auto j = t.to_json();
  EXPECT_EQ(j["steps"], 10000);
  EXPECT_LE(j["points"].size(), static_cast<size_t>(StepTimeline::kBins));
  EXPECT_GE(j["bin_s"].get<double>() * StepTimeline::kBins, 100.0);
  int64_t steps = 0;
  for (const auto& p : j["points"]) {
    steps += p["steps"].get<int64_t>();
    EXPECT_NEAR(p["batch"].get<double>(), 20.0, 1e-9 + 20.0 / p["steps"].get<double>());
    EXPECT_NEAR(p["kv_use"].get<double>(), 0.25, 1e-9);
    const double clock = p["clock_ghz"].get<double>();
    EXPECT_GE(clock, 1.5 - 1e-9);
    EXPECT_LE(clock, 2.0 + 1e-9);
    // Steps with a power average to 400 W (alternating 300 / 500 W steps of equal length, the
    // bin's odd step out aside); bins of steps without one have none.
    if (p["t_s"].get<double>() + j["bin_s"].get<double>() <= 80.0) {
      EXPECT_NEAR(p["power_w"].get<double>(), 400.0, 1e-9 + 200.0 / p["steps"].get<double>());
    } else if (p["t_s"].get<double>() > 80.0) {
      EXPECT_TRUE(p["power_w"].is_null());
    }
  }
  EXPECT_EQ(steps, 10000);
  EXPECT_NEAR(j["points"].front()["clock_ghz"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(j["points"].back()["clock_ghz"].get<double>(), 1.5, 1e-9);
}

}  // namespace
}  // namespace xpusim
