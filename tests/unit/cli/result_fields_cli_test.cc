// SPDX-License-Identifier: Apache-2.0
// The declared result types (report/result_fields.h) are the commands' JSON, key for key: every
// key a command writes is declared, and every declared field is written (optional ones aside).
// A key added to an api/ builder without its row in report/result_types.cc fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "xpusim/dse/metrics.h"
#include "xpusim/report/result_fields.h"

namespace xpusim {
namespace {

using testing::run;

struct Case {
  const char* type;
  std::vector<const char*> args;  // command lines whose JSON the type describes, together
};

const Case kCases[] = {
    {"run",
     {"run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 512 "
      "--output-len 64",
      "run --hardware h100-sxm-80gb --model llama-3.1-70b --batch 4096 --input-len 4096 "
      "--output-len 4096"}},
    {"gemm", {"gemm --hardware h100-sxm-80gb --m 4096 --n 4096 --k 4096"}},
    {"compare", {"compare --model llama-3.1-8b --batch 8 --input-len 512 --output-len 64"}},
    {"wafer",
     {"wafer --die-width 25.8 --die-height 31.55", "wafer --die-width 40 --die-height 40"}},
    {"area", {"area --hardware h100-sxm-80gb", "area --hardware b200-sxm-180gb"}},
    {"serve",
     {"serve --hardware h100-sxm-80gb --model llama-3.1-8b --requests 100 --rate 5 --input-len 512 "
      "--output-len 64",
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --disaggregate 1:1 --requests 60 --rate 2 "
      "--input-len 512 --output-len 32 --slo-ttft-ms 200 --slo-tpot-ms 20",
      "serve --hardware h100-sxm-80gb --model llama-3.1-8b --concurrency 8 --requests 40 "
      "--input-len 256 --output-len 32",
      "serve --hardware h100-sxm-80gb --model llama-2-70b --tp 8 --devices 8 --precision fp8 "
      "--dataset mlperf-llama2-70b --mlperf server --requests 200 --quiet"}},
    {"cost",
     {"cost --hardware h100-sxm-80gb", "cost --hardware mi300x --tokens-per-second 3000",
      "cost --hardware b200-sxm-180gb --system nvl72-liquid",
      "cost --hardware h100-sxm-80gb --units-on-die 400"}},
    {"fab",
     {"fab --hardware h100-sxm-80gb --units 1000000", "fab --hardware mi300x --budget 1e10",
      "fab --hardware h100-sxm-80gb --budget 1000"}},
};

TEST(ResultTypes, EveryDeclaredTypeIsItsCommandsJsonKeyForKey) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.type);
    const ResultType* type = find_result_type(c.type);
    ASSERT_NE(type, nullptr);
    std::set<std::string> written;
    for (const char* args : c.args) {
      const auto r = run(std::string(args) + " --format json");
      ASSERT_EQ(r.code, 0) << args;
      const auto doc = nlohmann::ordered_json::parse(r.out);
      for (const std::string& k : flattened_field_names(doc)) {
        written.insert(k);
        const bool declared = std::any_of(type->fields.begin(), type->fields.end(),
                                          [&](const ResultField& f) { return f.name == k; });
        EXPECT_TRUE(declared) << args << " writes " << k << ", not declared in "
                              << "report/result_types.cc";
      }
    }
    for (const ResultField& f : type->fields)
      EXPECT_TRUE(f.optional || written.count(std::string(f.name))) << f.name << " never written";
  }
}

// The dse metric table (objectives, JSON, CSV, SQLite columns) names its units by the same
// suffixes as every other result, so each column's unit and number rule come from one table.
TEST(ResultTypes, EveryDesignMetricHasAUnitSuffix) {
  for (const MetricInfo& m : metric_infos())
    EXPECT_TRUE(unit_of_key(m.name).has_value()) << m.name;
}

TEST(ResultTypes, DescribeResultPrintsTheFieldsAndRefusesAnUnknownType) {
  const auto r = run("describe result run");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("ttft_ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory.weights_bytes"), std::string::npos) << r.out;
  const auto list = run("describe result");
  ASSERT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("compare"), std::string::npos) << list.out;
  const auto bad = run("describe result rnu", true);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("did you mean \"run\"?"), std::string::npos) << bad.out;
}

TEST(ResultTypes, AnUnknownCsvRecordListIsAnError) {
  const auto r = run("--format csv --csv-records opz gemm --hardware h100-sxm-80gb --m 64 --n 64 "
                     "--k 64",
                     true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("--csv-records: \"opz\" is not a list of records"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace xpusim
