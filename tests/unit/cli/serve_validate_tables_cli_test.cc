// SPDX-License-Identifier: Apache-2.0
// The terminal tables of `serve`, `validate`, `calibrate`, `explore`, `pareto` and `sensitivity` are drawn from their JSON and
// field tables (issue 11): every name a table shows -- a field table's `field` column, a record table's column
// headers -- is a key of the same command's --format json document (dotted for nested keys and
// list records), and a field table's unit is the one its name's suffix names.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/table.h"

namespace xpusim {
namespace {

using testing::run;
using Json = nlohmann::ordered_json;

// A table as Table::to_text writes it: a header line, a rule of dashes, rows.
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::string> rows;  // the lines
};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool is_rule(const std::string& line) {
  return !line.empty() && line.front() == '-' &&
         line.find_first_not_of("- ") == std::string::npos;
}

// Every table in a terminal answer: a line followed by a rule starts one; its rows run to the
// first blank line or line that is not indented like a row (prose after a table).
std::vector<TextTable> tables_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<TextTable> out;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (!is_rule(lines[i + 1]) || is_rule(lines[i])) continue;
    TextTable t{words(lines[i]), {}};
    // A row has a cell under the rule's first column: as many leading characters as the rule's
    // first run of dashes, then two spaces (or the line's end).
    const size_t first = lines[i + 1].find(' ');
    size_t j = i + 2;
    for (; j < lines.size() && !lines[j].empty() && !is_rule(lines[j]); ++j) {
      if (first != std::string::npos && lines[j].size() > first &&
          lines[j].compare(first, 2, "  ") != 0)
        break;  // prose: no column gap where the table has one
      t.rows.push_back(lines[j]);
    }
    out.push_back(std::move(t));
    i = j - 1;
  }
  return out;
}

// Every name the tables of `args` show is a key of its JSON; returns the names seen.
std::vector<std::string> expect_names_are_keys(const std::string& args) {
  const auto table = run(args);
  EXPECT_EQ(table.code, 0) << args << "\n" << table.out;
  const auto json = run(args + " --format json");
  EXPECT_EQ(json.code, 0) << args << "\n" << json.out;
  if (table.code != 0 || json.code != 0) return {};
  const std::vector<std::string> keys = flattened_field_names(Json::parse(json.out));
  const auto is_key = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  std::vector<std::string> seen;
  const std::vector<TextTable> tables = tables_of(table.out);
  EXPECT_FALSE(tables.empty()) << args << "\n" << table.out;
  for (const TextTable& t : tables) {
    if (t.header == std::vector<std::string>{"field", "value", "unit"}) {
      for (const std::string& row : t.rows) {
        const std::vector<std::string> cells = words(row);
        if (cells.empty()) {
          ADD_FAILURE() << args << ": an empty row";
          continue;
        }
        const std::string& name = cells.front();
        EXPECT_TRUE(is_key(name)) << args << ": field-table row \"" << name
                                  << "\" is not a key of the JSON";
        seen.push_back(name);
        // The unit shown is the suffix's (the last cell when the name has one).
        if (const auto unit = unit_of_field(name)) {
          const std::string want(unit->unit);
          EXPECT_TRUE(row.size() >= want.size() &&
                      row.compare(row.size() - want.size(), want.size(), want) == 0)
              << args << ": " << row << " does not end in its unit " << want;
        }
      }
    } else {
      for (const std::string& name : t.header) {
        EXPECT_TRUE(is_key(name)) << args << ": column \"" << name
                                  << "\" is not a key of the JSON";
        seen.push_back(name);
      }
    }
  }
  return seen;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(ServeTables, EveryNameIsAKeyOfTheJson) {
  const auto names = expect_names_are_keys(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --requests 100 --rate 5 "
      "--input-len 512 --output-len 64");
  // The figures the old hand-made table showed are there by their keys.
  for (const char* k : {"output_tokens_per_s", "output_tokens_per_s_per_device", "ttft_ms.p99",
                        "tpot_ms.mean", "e2e_latency_ms.p50", "kv_cache.capacity_tokens",
                        "kv_cache.peak_utilization", "prefill.sustained_clock_ghz",
                        "average_power_w", "energy_per_output_token_j",
                        "usd_per_million_output_tokens", "goodput_requests_per_s"})
    EXPECT_TRUE(has(names, k)) << k;
}

// The p10-p90 line under run's table names the families the band was measured on, and says when
// the hardware is of none of them.
TEST(RunTables, TheErrorBandLineNamesItsFamilies) {
  const std::string w = " --model llama-3.1-8b --batch 4 --input-len 256 --output-len 32";
  const auto h100 = run("run --hardware h100-sxm-80gb" + w);
  ASSERT_EQ(h100.code, 0) << h100.out;
  EXPECT_NE(h100.out.find("static rows of ampere, ada, hopper"), std::string::npos) << h100.out;
  EXPECT_EQ(h100.out.find("is of none of these families"), std::string::npos);
  const auto mi300x = run("run --hardware mi300x" + w);
  ASSERT_EQ(mi300x.code, 0) << mi300x.out;
  EXPECT_NE(mi300x.out.find("mi300x is of none of these families"), std::string::npos)
      << mi300x.out;
}

// collective's first line says what the scale-up tier is, and whether its switches reduce (the
// in_network rows of the table come from there).
TEST(CollectiveTables, TheHeaderSaysWhenTheSwitchesReduce) {
  const auto h100 = run("collective --hardware h100-sxm-80gb --devices 8 --min-bytes 1e9 "
                        "--max-bytes 1e9");
  ASSERT_EQ(h100.code, 0) << h100.out;
  EXPECT_NE(h100.out.find("(switched scale-up whose switches reduce (NVLS))"), std::string::npos)
      << h100.out;
  EXPECT_NE(h100.out.find("in_network"), std::string::npos) << h100.out;
  const auto a100 = run("collective --hardware a100-sxm-80gb --devices 8 --min-bytes 1e9 "
                        "--max-bytes 1e9");
  ASSERT_EQ(a100.code, 0) << a100.out;
  EXPECT_NE(a100.out.find("(switched scale-up)"), std::string::npos) << a100.out;
  EXPECT_EQ(a100.out.find("in_network"), std::string::npos) << a100.out;
}

TEST(ServeTables, TheMlperfServerRateSearchIsARecordTableOfItsProbes) {
  const auto names = expect_names_are_keys(
      "serve --hardware h100-sxm-80gb --model llama-2-70b --tp 8 --devices 8 --precision fp8 "
      "--dataset mlperf-llama2-70b --mlperf server --requests 200 --quiet");
  for (const char* k : {"mlperf.tokens_per_s", "mlperf.max_qps", "mlperf.binding",
                        "mlperf.valid", "mlperf.probes.rate", "mlperf.probes.pass"})
    EXPECT_TRUE(has(names, k)) << k;
}

TEST(ServeTables, DisaggregatedPoolsAreShownByTheirKeys) {
  const auto names = expect_names_are_keys(
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --disaggregate 1:1 --requests 60 "
      "--rate 2 --input-len 512 --output-len 32 --slo-ttft-ms 200 --slo-tpot-ms 20");
  for (const char* k : {"disaggregation.prefill_devices", "slo.ttft_ms", "goodput_requests_per_s"})
    EXPECT_TRUE(has(names, k)) << k;
}

TEST(ValidateTables, EveryNameIsAKeyOfTheJson) {
  const auto names = expect_names_are_keys("validate " + std::string(XPUSIM_TEST_DATA_DIR) +
                                           "/validation/fixture.csv --quiet");
  for (const char* k : {"rows.id", "rows.error_pct", "summary.by_scenario.mape_pct",
                        "summary.by_hardware.key", "summary.coverage.coverage_pct",
                        "summary.skip_reasons.reason", "skipped.reason",
                        "summary.overall.mape_pct", "summary.total_rows"})
    EXPECT_TRUE(has(names, k)) << k;
}

// calibrate's constants, MAPE by scenario and hold-out splits are shown by the keys of its JSON.
TEST(CalibrateTables, EveryNameIsAKeyOfTheJson) {
  const auto names = expect_names_are_keys("calibrate " + std::string(XPUSIM_TEST_DATA_DIR) +
                                           "/validation/fixture.csv --max-rounds 1 "
                                           "--fit-one-family --quiet");
  for (const char* k : {"parameters.name", "parameters.fitted", "by_scenario.key",
                        "by_scenario.mape_before_pct", "by_scenario.mape_pct",
                        "leave_one_family_out.held_out",
                        "leave_one_family_out.test_mape_holdout_fit_pct",
                        "fit_one_family.fitted_on", "fit_one_family.train_mape_pct"})
    EXPECT_TRUE(has(names, k)) << k;
}

// The Pareto front of explore and pareto is a record table of the JSON's designs: the design id,
// the space's parameters and the objectives' metrics by their keys.
TEST(FrontTables, ExploreAndParetoShowTheDesignsByTheirKeys) {
  testing::TempDir dir{"xpusim_front_tables"};
  const std::string space = dir.write("space.yaml", testing::kSmallSpace);
  const auto names = expect_names_are_keys("explore " + space + " --threads 1");
  for (const char* k : {"designs.design_id", "designs.parameters.hardware.compute.units",
                        "designs.parameters.hardware.memory.dram.bandwidth",
                        "designs.parameters.plan.tp",
                        "designs.metrics.output_tokens_per_s_per_device",
                        "designs.metrics.manufacturing_cost_usd"})
    EXPECT_TRUE(has(names, k)) << k;
  // A parameter's key has no unit suffix: a prose line names its canonical unit.
  const auto table = run("explore " + space + " --threads 1");
  EXPECT_NE(table.out.find("parameters in: hardware.memory.dram.bandwidth B/s\n"),
            std::string::npos)
      << table.out;
  const std::string db = dir.file("front.sqlite");
  ASSERT_EQ(run("explore " + space + " --threads 1 --quiet --db " + db).code, 0);
  EXPECT_EQ(expect_names_are_keys("pareto --db " + db), names);
}

// sensitivity's base figures are a field table of `metrics.*` and its elasticities a record table
// of `fields`, in the JSON's rank, by their keys; the binding field stays prose.
TEST(SensitivityTables, EveryNameIsAKeyOfTheJson) {
  const std::string static_args =
      "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
      "--output-len 64";
  const auto names = expect_names_are_keys(static_args);
  for (const char* k : {"metrics.output_tokens_per_s_per_device", "metrics.tpot_ms",
                        "metrics.manufacturing_cost_usd", "fields.path", "fields.value",
                        "fields.unit", "fields.elasticity.output_tokens_per_s_per_device",
                        "fields.elasticity.average_power_w", "fields.note"})
    EXPECT_TRUE(has(names, k)) << k;
  // The rows are the JSON's fields in its order (ranked by the first metric).
  const auto table = run(static_args);
  const auto doc = Json::parse(run(static_args + " --format json").out);
  const std::vector<TextTable> tables = tables_of(table.out);
  ASSERT_EQ(tables.size(), 2u) << table.out;
  ASSERT_EQ(tables[1].rows.size(), doc["fields"].size());
  for (size_t i = 0; i < tables[1].rows.size(); ++i)
    EXPECT_EQ(words(tables[1].rows[i]).front(), doc["fields"][i]["path"].get<std::string>()) << i;
  EXPECT_NE(table.out.find("binding: " + doc["binding"]["output_tokens_per_s_per_device"]["field"]
                                             .get<std::string>()),
            std::string::npos)
      << table.out;
  const auto serve = expect_names_are_keys(
      "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --input-len 256 --output-len 32 "
      "--requests 50 --concurrency 16");
  for (const char* k : {"metrics.requests_per_s", "metrics.ttft_p99_ms",
                        "fields.elasticity.goodput_requests_per_s"})
    EXPECT_TRUE(has(serve, k)) << k;
}

// The parser above finds what it should in Table::to_text's layout: a table, its rows, and the
// prose after it left out.
TEST(TextTables, TheParserFindsTablesAndStopsAtProse) {
  Table fields({"field", "value", "unit"});
  fields.add_row({"ttft_ms", "1.000", "ms"});
  fields.add_row({"steps", "12", ""});
  Table records({"a.key", "a.rows"});
  records.add_row({"all", "3"});
  const auto t = tables_of("header prose\n" + fields.to_text() +
                           "no request completed: every request was rejected\n\nMAPE by x\n" +
                           records.to_text() + "34 rows in x.csv: 3 simulated, 31 skipped\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].header, (std::vector<std::string>{"field", "value", "unit"}));
  EXPECT_EQ(t[0].rows.size(), 2u);
  EXPECT_EQ(t[1].header, (std::vector<std::string>{"a.key", "a.rows"}));
  EXPECT_EQ(t[1].rows.size(), 1u);
}

}  // namespace
}  // namespace xpusim
