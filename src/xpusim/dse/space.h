// SPDX-License-Identifier: Apache-2.0
// The design space of a search (schema space/v1): a base hardware design, a model, a scenario
// (static, as `xpusim run`, or serve, as `xpusim serve`), the parameters that vary (hardware
// fields by their dotted paths, the plan, the batch, the serving engine's fields) with their
// values, the objectives and the constraints. Parsed from a YAML Document with
// file:line:column diagnostics; every value is checked against the field it sets before any
// design is evaluated. First stage of dse/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/config/schema.h"
#include "xpusim/dse/metrics.h"

namespace xpusim {

inline constexpr const char* kSpaceSchemaName = "space/v1";

// Default bound on the designs a grid may hold (the CLI's --max-designs).
inline constexpr uint64_t kDefaultMaxDesigns = 1'000'000;

// What a parameter sets.
enum class ParameterTarget { kHardware, kPlanTp, kPlanPp, kScenarioBatch, kEngine, kModel };

// What each design runs: a static batch (`xpusim run`) or a serving simulation (`xpusim serve`).
enum class ScenarioKind { kStatic, kServe };

struct ParameterValue {
  std::string text;     // canonical text, applied as `--set` would ("2e+12 B/s", "132")
  std::string display;  // for people ("2 TB/s")
  std::optional<double> number;  // canonical units; nullopt for text and choice fields
};

struct SpaceParameter {
  std::string path;        // as written: "hardware.memory.dram.bandwidth", "plan.tp"
  ParameterTarget target = ParameterTarget::kHardware;
  std::string field_path;  // hardware/v1, engine/v1 or model/v1 path ("memory.dram.bandwidth",
                           // "max_batch", "layers"); "" otherwise
  FieldInfo field;         // the field the values are checked against
  std::vector<ParameterValue> values;  // distinct, in the order written or generated
  // Fields tied to this one (hardware.* or engine.*): each has as many values, and value i of
  // each is set together with value i of this one (HBM stacks with their capacity and
  // bandwidth). They add no grid dimension. Their own `tied` is empty.
  std::vector<SpaceParameter> tied;
  // A derived field (`derive: "hardware.memory.dram.stacks * 24 GB"`): the expression as
  // written; its values are computed from those of the field it names and it is tied to that
  // field's grid parameter. "" for fields whose values are listed or ranged.
  std::string derive;
};

// A metric an objective or a constraint names: `metric` (the space's value: the one model's, or
// the geometric mean over a list of models) or, in a `model_metrics: per_model` space,
// `metric@model` (`model` = the model's position in SpaceSpec::models).
struct SpaceObjective {
  Metric metric = Metric::kOutputTokensPerS;
  bool maximize = true;
  int model = -1;  // -1: the space's value; else the index of the model in SpaceSpec::models
};

struct SpaceConstraint {
  Metric metric = Metric::kOutputTokensPerS;
  std::optional<double> min;
  std::optional<double> max;
  int model = -1;  // as SpaceObjective::model
};

// How the metrics of a space with a list of models combine (key `model_metrics`).
//  kMean: each model-dependent metric is the geometric mean of its values over the models (the
//         hardware-only metrics -- area, manufacturing cost -- are the design's); a design is
//         infeasible when it is infeasible for any model.
//  kPerModel: the same means, and each model's figures as metrics of their own, `metric@model`
//         (JSON `per_model_metrics`, database columns of the same names), that objectives and
//         constraints may name.
enum class ModelMetrics { kMean, kPerModel };

struct SpaceSpec {
  std::string file;        // the space file ("" when parsed from text)
  std::string hardware;    // preset id or file of the base design, as written
  std::string model;       // preset id or file, as written (the first of `models`)
  // Every model of the space, as written (`model:` a scalar or a list); empty = {model} (a spec
  // built in code). Their keys name per-model metrics (`metric@key`): the id, or a file's name
  // without its folder and .yaml/.yml/.json extension.
  std::vector<std::string> models;
  std::vector<std::string> model_keys;
  // Where each entry of `models` is written (line, column; 0 when built in code), for errors.
  std::vector<std::pair<int, int>> model_positions;
  ModelMetrics model_metrics = ModelMetrics::kMean;
  std::string base_dir;    // where relative files are looked up first (the space file's folder)
  // Digest of the inputs the ids name (the base hardware document, the model file), set by the
  // caller (DesignEvaluator::inputs_digest) so that a resumed search refuses changed presets.
  std::string inputs_digest;
  // The scenario; devices 0 = tp x pp of each design. batch: static only; input_len and
  // output_len: static, or serve without a dataset.
  ScenarioKind kind = ScenarioKind::kStatic;
  int64_t batch = 1;
  int64_t input_len = 1;
  int64_t output_len = 1;
  std::string precision = "bf16";
  std::string kv_precision;  // "" = as precision_plan_for() decides
  // The routed experts' precision (as run --expert-precision); "" = `precision`. Dense models of
  // a model list have no routed experts and run `precision` alone.
  std::string expert_precision;
  // Values per scale of the fp4/int4 weights (as run --weight-group-size); 0 = the format's
  // default block.
  int weight_group_size = 0;
  int devices = 0;
  // Serve scenarios (as `xpusim serve`): the engine profile (id or file), the requests (a dataset,
  // else input_len/output_len fixed), how they arrive (all at once when neither rate nor
  // concurrency is given), the goodput SLOs and the seed of the request lengths and arrivals.
  std::string engine = "vllm";
  std::string dataset;          // "" = fixed input_len/output_len
  int64_t requests = 1000;
  std::optional<double> rate;   // requests/s, Poisson arrivals
  std::optional<int64_t> concurrency;  // closed-loop clients
  std::optional<double> slo_ttft_ms;
  std::optional<double> slo_tpot_ms;
  int64_t seed = 0;
  // Serve: an MLPerf LoadGen scenario per design instead of fixed arrivals (as serve --mlperf,
  // serving/mlperf.h): "server" or "interactive" (the highest Poisson rate whose p99 TTFT and
  // TPOT meet the dataset's limits, or slo_ttft_ms / slo_tpot_ms in their place, by bisection),
  // "offline" (all samples at once); "" none. Needs an MLPerf dataset; excludes rate and
  // concurrency. `requests` is then the Offline sample count (serve --requests; 0 = the dataset's
  // min_query_count), `max_samples` caps every run (serve --max-samples) and `min_duration_s`
  // sets the length of each Server run in place of LoadGen's 600 s (serve --min-duration-s).
  std::string mlperf;
  std::optional<int64_t> max_samples;
  std::optional<double> min_duration_s;
  std::vector<SpaceParameter> parameters;
  std::vector<SpaceObjective> objectives;
  std::vector<SpaceConstraint> constraints;

  // The models (`models`, or {model} when it is empty) and their count.
  [[nodiscard]] std::vector<std::string> model_list() const;
  [[nodiscard]] size_t model_count() const { return models.empty() ? 1 : models.size(); }
  // True when the results carry each model's metrics (`model_metrics: per_model`).
  [[nodiscard]] bool per_model() const { return model_metrics == ModelMetrics::kPerModel; }
  // The name of `metric` (model < 0) or of `metric@key` of model `model`.
  [[nodiscard]] std::string metric_ref_name(Metric metric, int model) const;

  // Designs of the full grid (the product of the value counts).
  [[nodiscard]] uint64_t grid_size() const;
  // The value index of every parameter of grid design `index` (first parameter slowest).
  [[nodiscard]] std::vector<uint32_t> choice(uint64_t index) const;
};

// Parses a space document (loaded with Document::from_yaml(..., index_lists = true)). All
// problems are collected. `max_designs`: the bound on the grid (nullopt: only on each
// parameter's value count, kept below 2^32, and on the product, below 2^63).
Result<SpaceSpec> parse_space(const Document& doc,
                              std::optional<uint64_t> max_designs = kDefaultMaxDesigns);
Result<SpaceSpec> load_space(const std::string& path,
                             std::optional<uint64_t> max_designs = kDefaultMaxDesigns);

// The schema for `xpusim describe space`.
const std::vector<FieldInfo>& space_fields();

// "objective1:max,objective2:min" (the `pareto --objectives` flag); errors name `flag`. With
// `space`, a per_model space's `metric@model` names are accepted too.
Result<std::vector<SpaceObjective>> parse_objectives(const std::string& text,
                                                     const std::string& flag,
                                                     const SpaceSpec* space = nullptr);

// "metric" or "metric@model" of `space` as (metric, model index or -1), or the reason it is not
// one (an unknown metric or model, a hardware-only metric per model, a space that is not
// per_model).
tl::expected<std::pair<Metric, int>, std::string> parse_metric_ref(const SpaceSpec& space,
                                                                   const std::string& name);

// Canonical text of the designs a space defines (base design, model, scenario, parameters and
// their canonical values, the inputs digest): equal texts, equal designs. Resume compares it.
std::string canonical_space_text(const SpaceSpec& space);

// FNV-1a, 64 bits, as 16 hex digits: design ids and space hashes.
std::string hash_hex(const std::string& text);

// `ref` (a space's hardware or model) as a path to try first: beside the space file when it is a
// relative file name found there, else `ref` itself.
std::string resolve_beside(const SpaceSpec& space, const std::string& ref);

}  // namespace xpusim
