// SPDX-License-Identifier: Apache-2.0
// The declared result types (report/result_fields.h) are the commands' JSON, key for key: every
// key a command writes is declared, and every declared field is written (optional ones aside).
// A key added to an api/ builder without its row in report/result_types.cc fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "unit/dse/dse_test_util.h"
#include "xpusim/dse/metrics.h"
#include "xpusim/report/result_fields.h"
#include "xpusim/report/result_json.h"

namespace xpusim {
namespace {

using testing::run;

struct Case {
  const char* type;
  // Command lines whose JSON the type describes, together; {space} is a small design space and
  // {db} a results database in a temporary folder, {test_data} tests/data.
  std::vector<const char*> args;
};

const Case kCases[] = {
    {"run",
     {"run --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 512 "
      "--output-len 64",
      "run --hardware h100-sxm-80gb --model llama-3.1-70b --batch 4096 --input-len 4096 "
      "--output-len 4096"}},
    {"gemm", {"gemm --hardware h100-sxm-80gb --m 4096 --n 4096 --k 4096"}},
    {"collective",
     {"collective --hardware mi300x --devices 8 --max-bytes 1e8 --factor 16",
      "collective --hardware tpu-v5e --devices 512"}},
    {"membw", {"membw --hardware mi300x", "membw --hardware h100-sxm-80gb --kernel read"}},
    {"power",
     {"power --hardware h100-nvl-94gb", "power --hardware groq-lpu --kernel stream --kernel idle",
      "power --hardware mi300x --kernel gemm --precision fp8 --m 1024 --n 1024 --k 1024"}},
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
    {"validate",
     {"validate {test_data}/validation/fixture.csv",
      "validate {test_data}/validation/fixture.csv --scenarios gemm"}},
    {"calibrate",
     {"calibrate {test_data}/validation/fixture.csv --max-rounds 1 --fit-one-family --quiet",
      "calibrate {test_data}/validation/fixture.csv --max-rounds 1 --no-holdout --quiet"}},
    {"sensitivity",
     {"sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --batch 8 --input-len 256 "
      "--output-len 64",
      "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --input-len 256 --output-len 32 "
      "--requests 50 --concurrency 16 --slo-ttft-ms 500 --slo-tpot-ms 30 --seed 3",
      "sensitivity --hardware h100-sxm-80gb --model llama-3.1-8b --requests 20 --rate 4 "
      "--dataset mlperf-gpt-j --metric tpot_p99_ms",
      "sensitivity --hardware h100-sxm-80gb --model llama-3.1-70b --batch 1 --input-len 128 "
      "--output-len 128"}},
    {"explore", {"explore {space} --db {db}", "pareto --db {db} --objectives tokens_per_s_per_w:max",
                 "explore {space} --strategy random --max-evals 3 --seed 1"}},
};

std::string expand(std::string args, const testing::TempDir& dir) {
  const std::pair<std::string, std::string> vars[] = {
      {"{space}", dir.write("space.yaml", testing::kSmallSpace)},
      {"{db}", dir.file("results.sqlite")},
      {"{test_data}", XPUSIM_TEST_DATA_DIR}};
  for (const auto& [var, value] : vars)
    for (size_t at; (at = args.find(var)) != std::string::npos;) args.replace(at, var.size(), value);
  return args;
}

// The place in `type`'s table of the first field at or under `path`; npos when none.
size_t table_position(const ResultType& type, const std::string& path) {
  for (size_t i = 0; i < type.fields.size(); ++i) {
    const std::string_view name = type.fields[i].name;
    if (name == path || (name.size() > path.size() && name.starts_with(path) &&
                         name[path.size()] == '.'))
      return i;
  }
  return std::string::npos;
}

// Every object of `v` (at dotted `path`) has its keys in the order of their fields in `type`, the
// order ResultJson writes and `describe result` lists; a map's keys are data, in no order.
void expect_table_order(const ResultType& type, const nlohmann::ordered_json& v,
                        const std::string& path, const std::string& args) {
  if (v.is_array()) {
    for (const auto& e : v) expect_table_order(type, e, path, args);
    return;
  }
  if (!v.is_object()) return;
  if (const ResultField* f = find_field(type, path); f && !f->key_meaning.empty()) return;
  size_t last = std::string::npos;
  std::string last_key;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = path.empty() ? it.key() : path + "." + it.key();
    const size_t at = table_position(type, key);
    if (at == std::string::npos) continue;  // undeclared: the key-for-key test says so
    EXPECT_TRUE(last == std::string::npos || at > last)
        << args << " writes " << key << " after " << last_key << ", declared the other way round";
    last = at;
    last_key = key;
    expect_table_order(type, *it, key, args);
  }
}

using Json = nlohmann::ordered_json;

// Every scalar (or list of scalars) of a document with its flattened name (list elements under
// the list's path, as flattened_field_names).
void each_value(const Json& node, const std::string& prefix,
                const std::function<void(const std::string&, const Json&)>& visit) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const bool records = it->is_array() && std::any_of(it->begin(), it->end(),
                                                       [](const Json& e) { return e.is_object(); });
    if (it->is_object()) each_value(*it, key, visit);
    else if (records) for (const Json& e : *it) each_value(e, key, visit);
    else visit(key, *it);
  }
}

// The value of a declared field fits its type (ResultJson::fits: a number for a unit suffix, an
// integer for kInteger, ...), and a whole number of a count or integer field is a JSON integer.
void expect_values_fit(const ResultType& type, const Json& doc, const std::string& args) {
  each_value(doc, "", [&](const std::string& key, const Json& v) {
    const ResultField* declared = find_field(type, key);
    if (!declared) return;  // reported by the key-for-key check
    // A map of objects (sensitivity's binding) holds objects, which ResultJson::fits checked
    // whole when the command wrote them; their scalars are not the map's values.
    if (!declared->key_meaning.empty() && declared->type == FieldType::kObject) {
      const bool in_object = key.size() > declared->name.size() &&
                             key.find('.', declared->name.size() + 1) != std::string::npos;
      EXPECT_TRUE(in_object || v.is_null())  // a value of the map itself: an object or null
          << args << ": " << key << " = " << v.dump() << " is no object of the map "
          << declared->name;
      return;
    }
    ResultField f = *declared;
    f.key_meaning = {};  // a map's value: of the map's type
    f.name = key;
    EXPECT_TRUE(ResultJson::fits(f, v)) << args << ": " << key << " = " << v.dump() << " is not "
                                        << field_type_name(f);
    const bool whole = field_type_name(f) == "integer";
    if (whole && v.is_number_float() && v.get<double>() == std::trunc(v.get<double>()) &&
        std::fabs(v.get<double>()) < 0x1p63)
      ADD_FAILURE() << args << ": " << key << " = " << v.dump() << " is whole: an integer in JSON";
  });
}

// A map field (keys that are data: skip reasons, parameter paths) covers every key under it; the
// keys of every object come in the table's order.
TEST(ResultTypes, EveryDeclaredTypeIsItsCommandsJsonKeyForKey) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.type);
    const testing::TempDir dir("xpusim_result_fields");
    const ResultType* type = find_result_type(c.type);
    ASSERT_NE(type, nullptr);
    std::set<std::string> written;  // the declared fields written
    for (const char* line : c.args) {
      const std::string args = expand(line, dir);
      const auto r = run(args + " --format json");
      ASSERT_EQ(r.code, 0) << args << "\n" << r.out;
      const auto doc = nlohmann::ordered_json::parse(r.out);
      expect_values_fit(*type, doc, args);
      for (const std::string& k : flattened_field_names(doc)) {
        const ResultField* f = find_field(*type, k);
        EXPECT_NE(f, nullptr) << args << " writes " << k << ", not declared in "
                              << "report/result_types.cc";
        if (f) written.insert(std::string(f->name));
      }
      expect_table_order(*type, doc, "", args);
    }
    for (const ResultField& f : type->fields)
      EXPECT_TRUE(f.optional || written.count(std::string(f.name))) << f.name << " never written";
  }
}

// The search's metrics are declared from the dse metric table (the SQLite columns), one by one.
TEST(ResultTypes, TheSearchDeclaresEveryMetricOfTheMetricTable) {
  const ResultType* type = find_result_type("explore");
  ASSERT_NE(type, nullptr);
  for (const ResultField& m : metric_fields()) {
    const ResultField* f = find_field(*type, "designs.metrics." + std::string(m.name));
    ASSERT_NE(f, nullptr) << m.name;
    EXPECT_EQ(f->meaning, m.meaning);
    EXPECT_EQ(f->type, m.type);
  }
  const ResultField* p = find_field(*type, "designs.parameters.hardware.compute.units");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->key_meaning.empty());
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
  // The type column, in every format: `memory.weights_bytes` is an integer count in bytes.
  EXPECT_NE(r.out.substr(0, r.out.find('\n')).find("  type "), std::string::npos) << r.out;
  const auto csv = run("--format csv describe result run");
  ASSERT_EQ(csv.code, 0);
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "field,type,unit,quantity,meaning");
  EXPECT_NE(csv.out.find("memory.weights_bytes,integer,B,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("ttft_ms,number,ms,"), std::string::npos) << csv.out;
  const auto json = run("--format json describe result run");
  ASSERT_EQ(json.code, 0);
  EXPECT_NE(json.out.find("\"field\": \"ttft_ms\",\n    \"type\": \"number\",\n    \"unit\": \"ms\""),
            std::string::npos)
      << json.out;
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
