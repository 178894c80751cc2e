// SPDX-License-Identifier: Apache-2.0
// The engine/v1 schema and the engine presets: every preset loads with the values its file
// states (and a source comment on every field), overrides are validated like file values, and
// every rule has a broken file under tests/data/bad/engine/ with its exact message.
#include "xpusim/serving/engine_profile.h"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "xpusim/base/text.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/runtime_profile.h"

namespace xpusim {
namespace {

std::string bad(const std::string& name) {
  return std::string(XPUSIM_TEST_DATA_DIR) + "/bad/engine/" + name;
}

std::string preset_file(const std::string& id) {
  return std::string(XPUSIM_DATA_DIR) + "/presets/engines/" + id + ".yaml";
}

// The values each preset file states (data/presets/engines/<id>.yaml, sources there).
struct PresetRow {
  const char* id;
  const char* runtime;
  int64_t max_batch;
  int64_t max_num_tokens;
  bool chunked_prefill;
  SchedulePolicy schedule;
  AdmissionPolicy admission;
  int64_t kv_block_size;
  double memory_fraction;
  MemoryFractionOf memory_fraction_of;
  double watermark;
  bool prefix_caching;
};

TEST(EnginePresets, EveryPresetLoadsWithItsStatedValues) {
  using S = SchedulePolicy;
  using A = AdmissionPolicy;
  using M = MemoryFractionOf;
  const PresetRow rows[] = {
      {"sglang", "sglang-0.4", 2048, 8192, true, S::kPrefillFirst, A::kMaxUtilization, 1, 0.88,
       M::kTotal, 0.0, true},
      {"trtllm", "tensorrt-llm-serve", 2048, 8192, false, S::kDecodeFirst, A::kGuaranteedNoEvict, 32,
       0.9, M::kFree, 0.0, true},
      {"vllm", "vllm", 1024, 8192, true, S::kDecodeFirst, A::kMaxUtilization, 16, 0.9, M::kTotal,
       0.0, true},
      {"vllm-v0", "vllm", 256, 2048, false, S::kPrefillFirst, A::kMaxUtilization, 16, 0.9,
       M::kTotal, 0.01, false},
  };
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.emplace_back(r.id);
  EXPECT_EQ(list_presets("engines"), ids);  // a new preset needs a row here
  for (const auto& r : rows) {
    SCOPED_TRACE(r.id);
    auto e = load_engine(r.id);
    ASSERT_TRUE(e) << to_string(e.error());
    EXPECT_EQ(e->id, r.id);
    EXPECT_FALSE(e->description.empty());
    EXPECT_EQ(e->runtime, r.runtime);
    EXPECT_EQ(e->max_batch, r.max_batch);
    EXPECT_EQ(e->max_num_tokens, r.max_num_tokens);
    EXPECT_EQ(e->chunked_prefill, r.chunked_prefill);
    EXPECT_EQ(e->schedule, r.schedule);
    EXPECT_EQ(e->admission, r.admission);
    EXPECT_EQ(e->kv_block_size, r.kv_block_size);
    EXPECT_DOUBLE_EQ(e->memory_fraction, r.memory_fraction);
    EXPECT_EQ(e->memory_fraction_of, r.memory_fraction_of);
    EXPECT_DOUBLE_EQ(e->watermark, r.watermark);
    EXPECT_EQ(e->prefix_caching, r.prefix_caching);
    EXPECT_EQ(e->scheduler_steps, 1);
    EXPECT_EQ(e->max_model_len, 0);
  }
}

// Conventions §4/§8: every figure names its source, so every field line of a preset carries a
// comment, and every field of the schema is written out (no silent schema default).
TEST(EnginePresets, EveryFieldIsWrittenWithASourceComment) {
  for (const auto& id : list_presets("engines")) {
    SCOPED_TRACE(id);
    std::ifstream in(preset_file(id));
    ASSERT_TRUE(in) << preset_file(id);
    std::vector<std::string> keys;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::string key = line.substr(0, line.find(':'));
      keys.push_back(key);
      if (key != "schema" && key != "description") {
        EXPECT_NE(line.find(" # "), std::string::npos) << "no source comment: " << line;
      }
    }
    for (const auto& f : engine_schema().fields())
      EXPECT_NE(std::find(keys.begin(), keys.end(), f.path), keys.end()) << f.path;
  }
}

TEST(EngineProfile, EnumNamesAreTheYamlChoices) {
  EXPECT_EQ(to_string(SchedulePolicy::kDecodeFirst), "decode_first");
  EXPECT_EQ(to_string(SchedulePolicy::kPrefillFirst), "prefill_first");
  EXPECT_EQ(to_string(AdmissionPolicy::kGuaranteedNoEvict), "guaranteed_no_evict");
  EXPECT_EQ(to_string(AdmissionPolicy::kMaxUtilization), "max_utilization");
  EXPECT_EQ(to_string(MemoryFractionOf::kFree), "free");
  EXPECT_EQ(to_string(MemoryFractionOf::kTotal), "total");
}

TEST(EngineProfile, OverridesApplyAndAreValidated) {
  auto e = load_engine("vllm", {"max_batch=512", "schedule=prefill_first", "chunked_prefill=false",
                                "memory_fraction_of=free", "admission=guaranteed_no_evict",
                                "watermark=0.01", "scheduler_steps=8", "max_model_len=4096"});
  ASSERT_TRUE(e) << to_string(e.error());
  EXPECT_EQ(e->id, "vllm");
  EXPECT_EQ(e->max_batch, 512);
  EXPECT_EQ(e->schedule, SchedulePolicy::kPrefillFirst);
  EXPECT_FALSE(e->chunked_prefill);
  EXPECT_EQ(e->memory_fraction_of, MemoryFractionOf::kFree);
  EXPECT_EQ(e->admission, AdmissionPolicy::kGuaranteedNoEvict);
  EXPECT_DOUBLE_EQ(e->watermark, 0.01);
  EXPECT_EQ(e->scheduler_steps, 8);
  EXPECT_EQ(e->max_model_len, 4096);
  EXPECT_EQ(e->max_num_tokens, 8192);  // untouched fields keep the file's values

  struct Case {
    const char* override;
    const char* message;
  };
  const Case cases[] = {
      {"max_batch=0",
       "<command line>: max_batch: value \"0\" is out of range; allowed: >= 1 and <= 1e+08"},
      {"max_batch=many", "<command line>: max_batch: expected an integer, got \"many\""},
      {"schedule=fifo",
       "<command line>: schedule: expected one of: decode_first, prefill_first, got \"fifo\""},
      {"scheduler_steps=65",
       "<command line>: scheduler_steps: value \"65\" is out of range; allowed: >= 1 and <= 64"},
      {"watermark=0.5",
       "<command line>: watermark: value \"0.5\" is out of range; allowed: >= 0 and < 0.5"},
      {"memory_fraction=1.1",
       "<command line>: memory_fraction: value \"1.1\" is out of range; allowed: > 0 and <= 1"},
      {"runtime=sglnag",
       "<command line>: runtime: unknown runtime profile \"sglnag\"; did you mean \"sglang\"? "
       "Known: "},  // prefix: the list follows
      {"max_batchs=3", "<command line>: max_batchs: unknown key; did you mean \"max_batch\"?"},
      {"max_batch", "<command line>: --set expects dotted.path=value, got \"max_batch\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.override);
    auto r = load_engine("vllm", {c.override});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error()[0].to_string().substr(0, std::string(c.message).size()), c.message);
  }
}

TEST(EngineProfile, UnknownIdSuggestsTheClosest) {
  auto r = load_engine("vlm");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].to_string(),
            "unknown engine preset \"vlm\"; did you mean \"vllm\"? Known: sglang, trtllm, vllm, "
            "vllm-v0");
  auto missing = load_engine("no/such/engine.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].to_string(), "no/such/engine.yaml: no such file");
}

TEST(EngineProfile, AFileTakesItsStemAsId) {
  std::string yaml = R"(schema: engine/v1
runtime: tensorrt-llm-ifb
max_batch: 64
max_num_tokens: 4096
chunked_prefill: true
schedule: decode_first
admission: max_utilization
kv_block_size: 32
memory_fraction: 0.95
memory_fraction_of: free
)";
  auto doc = Document::from_yaml(yaml, "/tmp/my-engine.yaml");
  ASSERT_TRUE(doc);
  auto e = parse_engine_document(std::move(*doc));
  ASSERT_TRUE(e) << to_string(e.error());
  EXPECT_EQ(e->id, "my-engine");
  EXPECT_EQ(e->description, "");
  // Schema defaults of the optional fields.
  EXPECT_DOUBLE_EQ(e->watermark, 0.0);
  EXPECT_FALSE(e->prefix_caching);
  EXPECT_EQ(e->scheduler_steps, 1);
  EXPECT_EQ(e->max_model_len, 0);
}

struct BadCase {
  const char* file;
  std::string message;  // the first diagnostic, after "<dir>/<file>"
};

// One broken file per rule.
TEST(EngineProfile, BadInputCorpus) {
  const BadCase cases[] = {
      {"unknown_key.yaml", ":4:1: max_bacth: unknown key; did you mean \"max_batch\"?"},
      {"out_of_range.yaml",
       ":9:1: kv_block_size: value \"2048\" is out of range; allowed: >= 1 and <= 1024"},
      {"zero_memory_fraction.yaml",
       ":10:1: memory_fraction: value \"0\" is out of range; allowed: > 0 and <= 1"},
      {"watermark_half.yaml",
       ":12:1: watermark: value \"0.5\" is out of range; allowed: >= 0 and < 0.5"},
      {"wrong_choice.yaml",
       ":7:1: schedule: expected one of: decode_first, prefill_first, got \"decode_frist\"; did "
       "you mean \"decode_first\"?"},
      {"unknown_runtime.yaml",
       ":3:1: runtime: unknown runtime profile \"vlm\"; did you mean \"vllm\"? Known: " +
           join(runtime_names(default_calibration().runtimes))},
      {"not_a_number.yaml", ":10:1: memory_fraction: expected a number, got \"ninety\""},
      {"not_an_integer.yaml", ":5:1: max_num_tokens: expected an integer, got \"8192.5\""},
      {"not_a_bool.yaml", ":6:1: chunked_prefill: expected true or false, got \"yes\""},
      {"missing_schema.yaml",
       ": schema: missing required key; this file must start with \"schema: engine/v1\""},
      {"wrong_schema.yaml", ":1:1: schema: expected \"engine/v1\", got \"engine/v2\""},
      {"missing_required.yaml",
       ": admission: missing required key (one of: guaranteed_no_evict, max_utilization: "
       "guaranteed_no_evict (KV for prompt + every output token reserved up front) or "
       "max_utilization (prompt only; preempt and recompute when full))"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto e = load_engine(bad(c.file));
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error()[0].to_string(), bad(c.file) + c.message);
  }
}

TEST(EngineProfile, DescribeListsEveryField) {
  std::string d = describe_schema("engine/v1", engine_schema().fields());
  for (const char* p :
       {"schema", "description", "runtime", "max_batch", "max_num_tokens", "chunked_prefill",
        "schedule", "admission", "kv_block_size", "memory_fraction", "memory_fraction_of",
        "watermark", "prefix_caching", "scheduler_steps", "max_model_len"})
    EXPECT_NE(d.find(std::string("\n") + p + " "), std::string::npos) << p;
}

}  // namespace
}  // namespace xpusim
