// SPDX-License-Identifier: Apache-2.0
// Builds and evaluates the designs of a space (dse/ stage 2): a design is the base hardware
// document with the design's parameter values applied as `--set` applies them, validated by the
// hardware schema; then area (area/: the reticle) and cost per package (cost/), which depend on
// the hardware alone and are shared by the designs that differ only in plan or batch; then the
// plan checks, the scenario -- a static batch (perf/: memory fit, network) or a serving simulation
// (serving/: the engine profile with the design's engine fields, the space's requests and
// arrivals) -- and token economics (cost/). The
// first failing stage gives the reason class: invalid, reticle, wafer, parallelism, memory,
// network. An invalid or infeasible design is a result, never an error. Evaluation is a pure
// function of the design index: any thread may evaluate any design, in any order.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/document.h"
#include "xpusim/area/area_model.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/dse/cost_memo.h"
#include "xpusim/dse/metrics.h"
#include "xpusim/dse/space.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/static_sim.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/mlperf.h"
#include "xpusim/serving/request.h"
#include "xpusim/serving/serving_system.h"

namespace xpusim {

struct DesignResult {
  uint64_t index = 0;            // position in the space's grid
  std::string design_id;         // hash of the canonical parameter assignment
  Feasibility feasibility;       // kInvalid: the design failed its schema or a check
  MetricValues metrics = no_metrics();  // NaN where the design has no figure
  // A `model_metrics: per_model` space: kMetricCount figures per model, in the space's model
  // order (hardware-only metrics included, equal for every model); empty otherwise and for an
  // infeasible design.
  std::vector<double> model_metrics;
};

// A design's figure of `metric`: the space's value (model < 0), or model `model`'s (NaN when
// the result carries no per-model figures).
double metric_value(const DesignResult& r, Metric metric, int model = -1);

// The space's value of each model-dependent metric over a list of models: the geometric mean
// of the models' figures (0 when one is 0; NaN when one is missing or negative); a
// hardware-only metric is the first model's (all are equal).
MetricValues combine_models(const std::vector<MetricValues>& per_model);

// "path=value;path=value" of grid design `index`: what design_id hashes.
std::string canonical_assignment(const SpaceSpec& space, uint64_t index);

// How a design's hardware and model specs are built: by typed set on a copy of the validated
// base spec, the cross-field checks run on the spec (the default, microseconds), or by re-reading
// the base document with the design's values applied as --set and validating the text (the
// reference the equivalence test and the benchmark compare against).
enum class DesignBuild { kTypedSet, kReparseDocument };

class DesignEvaluator {
 public:
  DesignEvaluator() = default;
  DesignEvaluator(DesignEvaluator&& other) noexcept;
  DesignEvaluator& operator=(DesignEvaluator&&) = delete;
  DesignEvaluator(const DesignEvaluator&) = delete;

  // Loads the base hardware document and the model, and checks the scenario against the model
  // (the context fits, the precisions are known). Errors name the space's keys.
  static Result<DesignEvaluator> create(const SpaceSpec& space,
                                        DesignBuild build = DesignBuild::kTypedSet);

  // Evaluates grid design `index` (< space.grid_size()). Thread-safe (const, no shared state).
  [[nodiscard]] DesignResult evaluate(uint64_t index) const;

  // One design given by its assignments rather than a grid index (`sensitivity`): the base
  // document with `hardware` ("path=value", as --set) applied, run with `plan` on the space's
  // devices (0: tp x pp) and `batch` (default: the space's). Stages and reason classes as
  // evaluate(); the cost memo is shared, the hardware-variant memo is not used. index and
  // design_id are left empty. `detail`, when given, receives the phases' bounds.
  struct Bounds {
    std::string prefill;  // the resource bounding the largest share of the phase's time, as
    std::string decode;   // `run` reports it: "dram 71%" ("" when infeasible)
  };
  [[nodiscard]] DesignResult evaluate_assignments(const std::vector<std::string>& hardware,
                                                  const ParallelismPlan& plan,
                                                  std::optional<int64_t> batch = std::nullopt,
                                                  Bounds* detail = nullptr) const;

  // The base hardware document (before any design's assignments).
  [[nodiscard]] const Document& base_document() const { return base_; }

  // The hardware of design `index` (tests, `explore` output); errors as the schema reports them.
  // Built as create()'s DesignBuild says.
  [[nodiscard]] Result<HardwareSpec> hardware(uint64_t index) const;

  [[nodiscard]] const SpaceSpec& space() const { return space_; }

  // Digest of the base hardware document and the model file's text (see SpaceSpec).
  [[nodiscard]] const std::string& inputs_digest() const { return inputs_digest_; }

  // Cost build-ups computed so far (the others came from the memo; tests, benchmarks).
  [[nodiscard]] size_t costs_computed() const { return cost_memo_ ? cost_memo_->computed() : 0; }

 private:
  // What a design's hardware alone decides: the spec, its area and its cost per package, or the
  // first stage that failed.
  struct HardwareStage {
    std::optional<HardwareSpec> hw;
    std::optional<AreaReport> area;
    std::optional<CostBreakdown> cost;
    Feasibility feasibility;
  };
  [[nodiscard]] HardwareStage hardware_stage(const std::vector<uint32_t>& choice) const;
  [[nodiscard]] HardwareStage hardware_stage(const std::vector<std::string>& assignments) const;
  // Stages 2-4 for a design whose hardware stage is `st`; `engine` (the engine profile with the
  // design's fields, or why it is invalid) is used only by a serve scenario.
  [[nodiscard]] DesignResult evaluate_stage(DesignResult r, const HardwareStage& st,
                                            const ModelSpec& model, const ParallelismPlan& plan,
                                            int64_t batch, const Result<EngineProfile>& engine,
                                            Bounds* detail) const;
  // Stages 2-4 of a serve scenario: the deployment, the simulation, its token economics.
  [[nodiscard]] DesignResult evaluate_serving(DesignResult r, const HardwareStage& st,
                                              const ModelSpec& model, const ParallelismPlan& plan,
                                              const Result<EngineProfile>& engine) const;
  // Stages 3-4 of a serve scenario with `scenario.mlperf`: the MLPerf scenario on `system`
  // (run_mlperf, as serve --mlperf runs it), its token economics at the rate found.
  [[nodiscard]] DesignResult evaluate_mlperf(DesignResult r, const HardwareStage& st,
                                             const ModelSpec& model, const SystemConfig& config,
                                             ServingSystem& system) const;
  // The stage of `choice`, computed once per hardware assignment when the space also varies the
  // plan or the batch (bounded: the memo is emptied when it holds kMaxMemo entries). A thread that
  // asks for a stage another thread is computing waits for it rather than computing it again.
  [[nodiscard]] std::shared_ptr<const HardwareStage> shared_stage(const std::vector<uint32_t>& choice) const;
  static constexpr size_t kMaxMemo = 1 << 16;

  // A hardware or model field that a parameter (or a field tied to it) sets: its position in
  // the schema and each of its values parsed once for that field (or the schema's error).
  struct FieldSetter {
    size_t parameter = 0;  // position in space_.parameters
    size_t field = 0;      // Schema::field_index
    std::vector<tl::expected<FieldValue, std::string>> values;  // by value index
  };
  // The hardware and model of choice `c`, as build_ says.
  [[nodiscard]] Result<HardwareSpec> hardware_of(const std::vector<uint32_t>& c) const;
  [[nodiscard]] Result<ModelSpec> model_of(const std::vector<uint32_t>& c) const;
  // The engine profile of choice `c` (serve scenarios), as build_ says.
  [[nodiscard]] Result<EngineProfile> engine_of(const std::vector<uint32_t>& c) const;
  [[nodiscard]] HardwareStage stage_of(Result<HardwareSpec> hw) const;

  SpaceSpec space_;
  DesignBuild build_ = DesignBuild::kTypedSet;
  SourcedSpec<HardwareSpec> base_hw_;
  SourcedSpec<ModelSpec> base_model_;
  std::vector<FieldSetter> hardware_setters_;
  std::vector<FieldSetter> model_setters_;
  std::vector<FieldSetter> engine_setters_;
  std::string inputs_digest_;
  bool memoize_ = false;
  mutable std::mutex memo_mutex_;
  mutable std::unordered_map<uint64_t, std::shared_future<std::shared_ptr<const HardwareStage>>> memo_;
  Document base_;
  ModelSpec model_;
  std::string model_ref_;  // the model's id or file, re-read by designs that set model fields
  // A space with a list of models: the second model on, as base_model_ and model_ref_ hold the
  // first (a one-model space leaves this empty and evaluates as before).
  struct OtherModel {
    SourcedSpec<ModelSpec> base;
    std::string ref;
  };
  std::vector<OtherModel> other_models_;
  // Stages 2-4 of a design on every model of the space, combined (combine_models); infeasible
  // when the design is infeasible for any model, that model named in the reason.
  [[nodiscard]] DesignResult evaluate_models(DesignResult r, const HardwareStage& st,
                                             const std::vector<uint32_t>& c,
                                             const ParallelismPlan& plan, int64_t batch,
                                             const Result<EngineProfile>& engine) const;
  PrecisionPlan precision_;
  PerfCalibration calibration_;
  TokenEconomicsAssumptions economics_;
  // The cost per package by its complete inputs (cost_memo.h): shared by hardware variants whose
  // dies and memory are equal (e.g. that differ only in bandwidth or clock), across threads.
  std::unique_ptr<CostMemo> cost_memo_;
  // Serve scenarios: the engine profile, validated (each design's engine fields set on a copy;
  // its document for kReparseDocument), the requests (sampled once, shared by every design) and
  // how they arrive.
  SourcedSpec<EngineProfile> base_engine_;
  Document engine_doc_;
  std::vector<RequestSpec> requests_;
  ArrivalSpec arrivals_;
  RunOptions run_options_;
  // Serve scenarios with scenario.mlperf: the MLPerf dataset (its rules and lengths), the
  // scenario and the options of every design's run_mlperf.
  std::optional<DatasetSpec> mlperf_dataset_;
  std::optional<MlperfScenario> mlperf_;
  MlperfOptions mlperf_options_;
};

}  // namespace xpusim
