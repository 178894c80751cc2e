// SPDX-License-Identifier: Apache-2.0
// The step model (stage 5): the time of one serving-engine iteration of a mixed batch -- ragged
// prefill chunks and decode rows, a StepShape -- on one model replica. A DeviceModel is compiled
// once per (hardware, model, parallelism plan, precision, calibration) and memoises everything that
// depends only on those: the time of the token-wise ops (GEMMs, norms, collectives, MoE) per token
// count and of the sampling ops per sampled-row count, evaluated exactly by the operator models on
// first use. The attention calls, whose cost depends on the sums of the shape, are evaluated per
// step (a few hundred nanoseconds). No interpolation: every step time equals the operator graph of
// that step evaluated op by op (a test checks it). The static scenario and the serving simulator
// are its clients.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/op_model.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/workload/graph_builder.h"
#include "xpusim/workload/op_graph.h"
#include "xpusim/workload/parallelism_plan.h"
#include "xpusim/workload/step_shape.h"

namespace xpusim {

// The time and work of some ops on one device.
struct OpWork {
  Seconds time;
  Seconds attention;         // the attention calls inside `time`
  FlopCount gemm_flop;       // GEMMs and the MoE router, in the plan's math precision
  FlopCount expert_flop;     // routed experts' GEMMs, in the experts' math (PrecisionPlan::experts)
  FlopCount attention_flop;  // attention MMAs, in the activation precision
  FlopCount vector_flop;     // norms, activations, softmax, sampling
  TrafficBytes bytes;
  OpWork& operator+=(const OpWork& o);
  [[nodiscard]] OpWork times(double n) const;
};

// Kernel time and activity of one step on one device. With pipeline parallelism a device holds one
// stage: `layers` is the slowest stage's layer ops (the one that bounds the pipeline: stages hold
// ceil(layers / pp) layers at most, and the time of each stage is built from the time of one
// layer of each type, so a MoE model's dense leading layers count where they are); a token
// crosses all stages (`crossing`, see latency()).
struct StepTime {
  Seconds layers;        // layer ops of the slowest pipeline stage
  Seconds other;         // ops outside the layers (embedding, LM head, sampling, pp send)
  Seconds attention;     // the attention calls inside `layers`
  Seconds crossing;      // layer ops of all pp stages in sequence: one microbatch's way
                         // through the pipeline (= layers when pp = 1)
  int stage_layers = 0;  // layers on the slowest stage (all the model's when pp = 1)
  // Work done by one device in the step (what the power model needs): the slowest stage's layers
  // and the other ops.
  FlopCount gemm_flop;       // GEMMs and the MoE router, in the plan's math precision
  FlopCount expert_flop;     // routed experts' GEMMs, in the experts' math (PrecisionPlan::experts)
  FlopCount attention_flop;  // attention MMAs, in the activation precision
  FlopCount vector_flop;     // norms, activations, softmax, sampling
  TrafficBytes bytes;
  // Kernel time of one device for one microbatch (one stage's layers + the other ops).
  [[nodiscard]] Seconds kernels() const { return layers + other; }
  // Time of the step through `pp` stages in sequence, each taken as the slowest: the period of
  // one of pp engines sharing the stages (serving lanes), which the slowest stage bounds at
  // pp stage times; never less than the slowest stage's layers.
  [[nodiscard]] Seconds latency(int pp) const { return layers * static_cast<double>(pp) + other; }
};

// One op of a step, summed over its executions on one device (reports, `xpusim run`).
struct OpBreakdown {
  std::string name;
  std::string layer;  // layer group ("dense", "moe") or "" for non-layer ops
  OpKind kind = OpKind::kGemm;
  bool grouped = false;  // the routed experts' GEMMs (Op::grouped)
  double count = 0;  // executions per step per device (layer repeat x per-layer count)
  Seconds time;      // all executions
  FlopCount flop;
  TrafficBytes bytes;
  Bound bound = Bound::kLatency;
  double utilization = 0;
};

struct PhaseBreakdown {
  std::vector<OpBreakdown> ops;
  Seconds total;  // sum of ops on one device (one pipeline stage for pp > 1)
  FlopCount flop;
  TrafficBytes bytes;
};

// The resource bounding the largest share of a phase's time, as "dram 71%" (run's
// prefill_bound / decode_bound, a design's bound detail).
std::string dominant_bound(const PhaseBreakdown& phase);

// The precision plan the hardware executes for `requested`. Where the matrix engines lack a
// format narrower than 16 bits that the plan computes in (fp8 on A100, fp4 on Hopper), serving
// engines run it weight-only (vLLM's FP8 and FP4 Marlin kernels, TensorRT-LLM's W8A16 / W4A16):
// the weights stay stored and read at their narrow width and are dequantised to the 16-bit format
// the engines have (bf16, else fp16), which the activations and the math then use. The KV cache
// keeps its format. Otherwise (the engine exists, or the plan computes in 16 bits or wider)
// `requested` itself. A mixed plan's routed experts fall back on their own (gpt-oss's fp4 experts
// on Hopper: W4A16 experts beside bf16 attention).
PrecisionPlan executed_precision_plan(const HardwareSpec& hw, const PrecisionPlan& requested);

// What the hardware executes a requested plan as: the format its matrix engines compute in
// (execution_precision of the executed plan's math) and whether the activations fell back to
// 16 bits (weight-only). The one answer run, serve, compare, sensitivity and the reports give.
struct ExecutedMath {
  Precision math = Precision::kBf16;
  bool weight_only_fallback = false;
};
ExecutedMath executed_math(const HardwareSpec& hw, const PrecisionPlan& requested);
// The same for the routed experts' GEMMs (PrecisionPlan::experts(); equal to executed_math when
// the plan is not mixed).
ExecutedMath executed_expert_math(const HardwareSpec& hw, const PrecisionPlan& requested);

// The share of a token's weight-GEMM parameters (attention, dense and shared MLPs, and the
// routed experts it is sent to: ParameterCount) that `hw` runs weight-only: 0 or 1 for a uniform
// plan (executed_math), the routed experts' share when only they fall back
// (executed_expert_math), the rest's when only it does.
double weight_only_share(const HardwareSpec& hw, const ModelSpec& model,
                         const PrecisionPlan& requested);

// The line `run` and `serve` print when the executed plan differs from the requested one ("fp8
// GEMMs run as bf16 on a100-sxm-80gb (no fp8 matrix engine): fp8 weights dequantised to bf16,
// bf16 activations"), and when a format runs in another without a weight-only fallback; a mixed
// plan's experts add their own clause after "routed experts: ". nullopt when the hardware runs
// the plan as asked.
std::optional<std::string> precision_fallback_note(const HardwareSpec& hw,
                                                   const PrecisionPlan& requested);

class DeviceModel {
 public:
  // Compiles the model. Errors: a plan check_plan(model, plan) rejects. The specs and the
  // calibration are copied: the model stays valid after the arguments go away.
  static Result<DeviceModel> create(const HardwareSpec& hw, const ModelSpec& model,
                                    const ParallelismPlan& plan, const PrecisionPlan& precision,
                                    const PerfCalibration& cal);

  // Kernel time and activity of the step `shape`. Memoised by token count: not thread-safe; use
  // one DeviceModel per thread. Errors: a shape check_step_shape() rejects (empty, invalid
  // segments, counts out of range).
  Result<StepTime> step(const StepShape& shape);

  // The same step evaluated op by op without memoisation, with the per-op breakdown (what
  // `run` prints); step(shape) equals it. Errors as for step().
  Result<StepTime> evaluate(const StepShape& shape, PhaseBreakdown* breakdown = nullptr) const;

  // Time of the decode attention of one layer for `rows` rows attending `keys`
  // keys in total, longest run `max_keys`: the context-dependent part of a decode step. Errors:
  // rows or max_keys outside [1, kMaxStepTokens], keys not in [rows, rows x max_keys].
  [[nodiscard]] Result<Seconds> decode_attention(int64_t rows, double keys, int64_t max_keys) const;

  // Infeasible (reason kNetwork) when a collective of the plan needs an interconnect tier the
  // hardware lacks (a group larger than the scale-up domain without a scale-out tier); every step
  // is then infeasible.
  [[nodiscard]] const Feasibility& feasibility() const { return feasibility_; }

  [[nodiscard]] const HardwareSpec& hardware() const { return hw_; }
  [[nodiscard]] const ModelSpec& model() const { return model_; }
  [[nodiscard]] const ParallelismPlan& plan() const { return plan_; }
  [[nodiscard]] const PrecisionPlan& precision() const { return precision_; }
  // The calibration's constants; its tables are empty (constants_only).
  [[nodiscard]] const PerfCalibration& calibration() const { return cal_; }

  // Counts up to this value are memoised; larger ones are evaluated on every call.
  static constexpr int64_t kMemoLimit = int64_t{1} << 17;

 private:
  // Preconditions: check_plan(model, plan) passed (create() checks it).
  DeviceModel(const HardwareSpec& hw, const ModelSpec& model, const ParallelismPlan& plan,
              const PrecisionPlan& precision, const PerfCalibration& cal);

  // The ops of a step before the pipeline stages are formed: one layer of each type (dense, MoE)
  // and the ops outside the layers. Sums of parts are parts.
  struct Parts {
    std::array<OpWork, 2> layer;  // one dense layer, one MoE layer (all their ops)
    OpWork other;
    Parts& operator+=(const Parts& o);
  };
  struct Entry {
    bool done = false;
    Parts t;
  };
  struct Memo {
    bool present = false;        // the model has ops of this class
    std::vector<Entry> entries;  // by count
  };
  [[nodiscard]] Parts evaluate_class(OpScaling scaling, int64_t count) const;
  const Parts& lookup(Memo& memo, OpScaling scaling, int64_t count, Parts& scratch);
  // The memo of the ops that scale with `scaling`; null for attention (evaluated every step).
  Memo* memo_of(OpScaling scaling);
  [[nodiscard]] Parts attention(const StepShape& shape, bool decode) const;
  // Adds `n` executions of `op` on this device to `w` (and to `out`, under `layer`, when given).
  void add_op(const Op& op, double n, OpWork& w, const std::string& layer = "",
              PhaseBreakdown* out = nullptr) const;
  // The slowest of the stages for these parts (stages_), and the step time they give.
  [[nodiscard]] const StageLayers& slowest(const Parts& p) const;
  [[nodiscard]] StepTime finish(const Parts& p) const;

  HardwareSpec hw_;
  ModelSpec model_;
  ParallelismPlan plan_;
  PrecisionPlan precision_;
  PrecisionPlan executed_;  // executed_precision_plan(hw_, precision_): what the graphs use
  PerfCalibration cal_;
  MemoryBandwidth memory_;  // memory_bandwidth(hw_, cal_): the same for every op of every step
  std::vector<StageLayers> stages_;  // the layers of each pipeline stage (graph_builder.h)
  StageLayers all_layers_;           // the model's
  // Where the weights are, when they are stationary in the units' memories (weight_stationary,
  // op_model.h): each weight GEMM runs on its share of the units. Resident 0 otherwise.
  WeightPlacement placement_;
  Memo tokens_, rank_tokens_, prefill_tokens_, decode_tokens_, sampled_rows_;
  Feasibility feasibility_;
};

}  // namespace xpusim
