// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/design_evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "xpusim/area/area_model.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/precision.h"
#include "xpusim/config/presets.h"
#include "xpusim/cost/chip_cost.h"
#include "xpusim/perf/perf_result.h"
#include "xpusim/perf/runtime_profile.h"
#include "xpusim/perf/step_model.h"
#include "xpusim/serving/dataset.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim {
namespace {

std::string diagnostics_text(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) {
    if (!out.empty()) out += "; ";
    out += d.path.empty() ? d.message : d.path + ": " + d.message;
  }
  return out;
}

DesignResult infeasible(DesignResult r, InfeasibleReason why, std::string detail) {
  r.feasibility = Feasibility::infeasible(why, std::move(detail));
  r.metrics = no_metrics();
  return r;
}

void set(MetricValues& m, Metric k, double v) { m[static_cast<size_t>(k)] = v; }

// The figures a static and a serve scenario compute alike: throughput (all devices and per
// device), area, power, energy and cost per token, the per-$ and per-W ratios, and whether the
// hardware computes the asked precision natively.
void set_shared_metrics(MetricValues& m, TokensPerSecond throughput, int devices,
                        const AreaReport& area, const CostBreakdown& cost,
                        const TokenEconomics& econ, const HardwareSpec& hw, const ModelSpec& model,
                        const PrecisionPlan& precision) {
  const double per_device = throughput.value() / devices;
  double max_die = 0;
  for (const auto& d : area.dies) max_die = std::max(max_die, d.area.value());
  set(m, Metric::kOutputTokensPerS, throughput.value());
  set(m, Metric::kOutputTokensPerSPerDevice, per_device);
  set(m, Metric::kTotalAreaMm2, area.total_area.value());
  set(m, Metric::kMaxDieAreaMm2, max_die);
  set(m, Metric::kAveragePowerW, econ.average_power.value());
  set(m, Metric::kEnergyPerOutputTokenJ, econ.energy_per_output_token.value());
  set(m, Metric::kManufacturingCostUsd, cost.manufacturing.value());
  set(m, Metric::kCostPerMillionOutputTokensUsd, econ.cost_per_million_output_tokens.value());
  set(m, Metric::kTokensPerSPerUsd, per_device / cost.manufacturing.value());
  set(m, Metric::kTokensPerSPerW, per_device / econ.average_power.value());
  set(m, Metric::kWeightOnlyGemmPct, 100.0 * weight_only_share(hw, model, precision));
}

// Whether parameter `p` (or a field tied to it) sets a field of `target`.
bool touches(const SpaceParameter& p, ParameterTarget target) {
  if (p.target == target) return true;
  for (const auto& t : p.tied)
    if (t.target == target) return true;
  return false;
}

// The "field_path=value" assignments to `target` fields that design choice `c` makes, tied
// fields included (as --set would apply them).
std::vector<std::string> assignments_of(const SpaceSpec& space, const std::vector<uint32_t>& c,
                                        ParameterTarget target) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.size(); ++i) {
    const SpaceParameter& p = space.parameters[i];
    if (p.target == target) out.push_back(p.field_path + "=" + p.values[c[i]].text);
    for (const auto& t : p.tied)
      if (t.target == target) out.push_back(t.field_path + "=" + t.values[c[i]].text);
  }
  return out;
}

// "<command line>" diagnostics in the schema's field order, as Schema::parse reports values
// that do not parse: `bad` maps a field's position to its message.
Diagnostics value_errors(const std::vector<FieldInfo>& fields, const std::map<size_t, std::string>& bad) {
  Diagnostics diags;
  for (const auto& [i, msg] : bad)
    diags.push_back(Diagnostic{.file = "<command line>", .path = fields[i].path, .message = msg});
  return diags;
}

// The spec of choice `c`: a copy of the validated `base` with the setters' values stored (in the
// order --set would apply them: a later one wins), then the schema's cross-field checks on the
// spec itself -- what parsing the base document with the same --set assignments gives.
template <class Spec, class Setter>
Result<Spec> with_values(const Schema<Spec>& schema, const SourcedSpec<Spec>& base,
                         const std::vector<Setter>& setters, const std::vector<uint32_t>& c) {
  SourcedSpec<Spec> s = base;
  std::map<size_t, std::string> bad;
  for (const Setter& st : setters) {
    const auto& v = st.values[c[st.parameter]];
    if (v) {
      schema.set_parsed(s, st.field, *v);
      bad.erase(st.field);
    } else {
      bad[st.field] = v.error();
    }
  }
  if (!bad.empty()) return tl::unexpected(value_errors(schema.fields(), bad));
  if (Diagnostics diags = schema.check(s); !diags.empty()) return tl::unexpected(diags);
  return std::move(s.spec);
}

// The setters of the `target` fields of the space's parameters and their tied fields, in the
// order assignments_of() lists them; every value parsed once for its field.
template <class Spec, class Setter>
std::vector<Setter> setters_of(const SpaceSpec& space, ParameterTarget target,
                               const Schema<Spec>& schema) {
  std::vector<Setter> out;
  auto add = [&](size_t i, const SpaceParameter& p) {
    if (p.target != target) return;
    Setter st;
    st.parameter = i;
    st.field = schema.field_index(p.field_path).value();  // space.cc resolved the path
    const FieldInfo& info = schema.fields()[st.field];
    for (const ParameterValue& v : p.values) st.values.push_back(parse_field_value(info, v.text));
    out.push_back(std::move(st));
  };
  for (size_t i = 0; i < space.parameters.size(); ++i) {
    add(i, space.parameters[i]);
    for (const auto& t : space.parameters[i].tied) add(i, t);
  }
  return out;
}

}  // namespace

double metric_value(const DesignResult& r, Metric metric, int model) {
  const auto i = static_cast<size_t>(metric);
  if (model < 0) return r.metrics[i];
  const size_t at = static_cast<size_t>(model) * kMetricCount + i;
  return at < r.model_metrics.size() ? r.model_metrics[at] : std::numeric_limits<double>::quiet_NaN();
}

MetricValues combine_models(const std::vector<MetricValues>& per_model) {
  MetricValues out = no_metrics();
  if (per_model.empty()) return out;
  // The geometric mean: each model counts alike whatever the scale of its figures (tokens/s of
  // an 8B model are ~10x those of a 70B one; an arithmetic mean would be the 8B model's), and
  // the mean of a ratio (tokens/s per USD) is the ratio of the means.
  for (size_t i = 0; i < kMetricCount; ++i) {
    if (hardware_only(static_cast<Metric>(i))) {
      out[i] = per_model.front()[i];
      continue;
    }
    double log_sum = 0;
    bool zero = false, missing = false;
    for (const auto& m : per_model) {
      const double v = m[i];
      if (!std::isfinite(v) || v < 0) missing = true;
      else if (v == 0) zero = true;
      else log_sum += std::log(v);
    }
    if (missing) continue;
    out[i] = zero ? 0.0 : std::exp(log_sum / static_cast<double>(per_model.size()));
  }
  return out;
}

std::string canonical_assignment(const SpaceSpec& space, uint64_t index) {
  const std::vector<uint32_t> c = space.choice(index);
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) out += ";";
    out += space.parameters[i].path + "=" + space.parameters[i].values[c[i]].text;
    for (const auto& t : space.parameters[i].tied) out += ";" + t.path + "=" + t.values[c[i]].text;
  }
  if (space.model_count() > 1) {
    // A design judged on a list of models is another design than on one model (its metrics are
    // the list's); a one-model space's ids are what they were before lists existed.
    out += ";models=";
    for (size_t i = 0; i < space.models.size(); ++i) out += (i ? "|" : "") + space.models[i];
  }
  return out;
}

Result<DesignEvaluator> DesignEvaluator::create(const SpaceSpec& space, DesignBuild build) {
  DesignEvaluator e;
  e.space_ = space;
  e.build_ = build;
  const std::string hardware_ref = resolve_beside(space, space.hardware);
  const std::vector<std::string> models = space.model_list();
  const std::string model_ref = resolve_beside(space, models.front());
  e.model_ref_ = model_ref;
  auto doc = load_hardware_document(hardware_ref);
  auto model = load_model_sourced(model_ref);
  Diagnostics diags;
  auto at = [&](std::string path, std::string msg) {
    diags.push_back(Diagnostic{.file = space.file, .path = std::move(path), .message = std::move(msg)});
  };
  // A model of a list that does not load: its message, at the list entry of the space file.
  auto model_errors = [&](size_t k, const Diagnostics& errors) {
    for (auto d : errors) {
      if (space.models.size() > 1 && k < space.model_positions.size()) {
        d.message = (d.path.empty() ? "" : d.path + ": ") + d.message;
        d.file = space.file;
        d.line = space.model_positions[k].first;
        d.column = space.model_positions[k].second;
        d.path = "model[" + std::to_string(k) + "]";
      }
      diags.push_back(d);
    }
  };
  if (!doc) for (auto d : doc.error()) diags.push_back(d);
  if (!model) model_errors(0, model.error());
  for (size_t k = 1; k < models.size(); ++k) {
    const std::string ref = resolve_beside(space, models[k]);
    auto other = load_model_sourced(ref);
    if (!other) model_errors(k, other.error());
    else e.other_models_.push_back({std::move(*other), ref});
  }
  if (doc) {
    // The base design itself must be valid: a design that sets no parameter is the base.
    if (auto hw = hardware_schema().parse_sourced(*doc); !hw)
      for (auto d : hw.error()) diags.push_back(d);
    else
      e.base_hw_ = std::move(*hw);
    e.base_ = std::move(*doc);
  }
  const bool serve = space.kind == ScenarioKind::kServe;
  if (serve) {
    // The engine profile, valid as given; each design's engine fields are applied to a copy.
    auto path = resolve_preset_path("engines", resolve_beside(space, space.engine), "engine");
    auto engine_doc = path ? Document::load_yaml_file(*path) : tl::unexpected(path.error());
    if (!engine_doc) {
      for (auto d : engine_doc.error()) diags.push_back(d);
    } else if (auto eng = parse_engine_sourced(*engine_doc); !eng) {
      for (auto d : eng.error()) diags.push_back(d);
    } else {
      e.base_engine_ = std::move(*eng);
      e.engine_doc_ = std::move(*engine_doc);
    }
    // The requests, drawn once for every design (as `serve --dataset` / --input-len with --seed).
    Result<std::vector<RequestSpec>> requests = tl::unexpected(Diagnostics{});
    if (!space.dataset.empty()) {
      auto ds = load_dataset(resolve_beside(space, space.dataset));
      if (!ds) for (auto d : ds.error()) diags.push_back(d);
      else if (!space.mlperf.empty()) {
        // A rate search draws its own samples per run (run_mlperf); no shared requests.
        requests = std::vector<RequestSpec>{};
        e.run_options_.beam_width = ds->beam_width;
        e.mlperf_dataset_ = std::move(*ds);
      } else {
        requests = sample_requests(*ds, space.requests, static_cast<uint64_t>(space.seed));
        e.run_options_.beam_width = ds->beam_width;
      }
    } else {
      requests = fixed_length_requests(space.requests, space.input_len, space.output_len, 0, 0,
                                       static_cast<uint64_t>(space.seed));
    }
    if (requests) e.requests_ = std::move(*requests);
    else for (auto d : requests.error()) diags.push_back(d);
    // The arrival times from the next seed, as `serve --seed` draws them (api/serve.cc
    // build_workload): the lengths and the arrivals are two streams, and a design of the space is
    // the run `serve` gives with the same flags.
    e.arrivals_.seed = static_cast<uint64_t>(space.seed) + 1;
    if (space.rate) {
      e.arrivals_.kind = ArrivalSpec::Kind::kPoisson;
      e.arrivals_.rate = CountRate(*space.rate);
    } else if (space.concurrency) {
      e.arrivals_.kind = ArrivalSpec::Kind::kClosedLoop;
      e.arrivals_.concurrency = *space.concurrency;
    }
    if (space.slo_ttft_ms) e.run_options_.slo_ttft = units::ms(*space.slo_ttft_ms);
    if (space.slo_tpot_ms) e.run_options_.slo_tpot = units::ms(*space.slo_tpot_ms);
    if (e.mlperf_dataset_) {
      // As api/serve.cc builds MlperfOptions from serve's flags: --seed, --requests (the Offline
      // samples; 0 = the dataset's count), --max-samples, --min-duration-s, --slo-ttft-ms /
      // --slo-tpot-ms (both the goodput SLOs and the p99 limits).
      const MlperfScenario sc = space.mlperf == "offline"       ? MlperfScenario::kOffline
                                : space.mlperf == "interactive" ? MlperfScenario::kInteractive
                                                                : MlperfScenario::kServer;
      if (auto limits = mlperf_limits(*e.mlperf_dataset_, sc); !limits) {
        for (auto d : limits.error())
          at("scenario.mlperf", fmt::format("{} (scenario.dataset {})", d.message,
                                            quote(space.dataset)));
      }
      e.mlperf_ = sc;
      MlperfOptions& mo = e.mlperf_options_;
      mo.seed = static_cast<uint64_t>(space.seed);
      mo.samples = space.requests;
      if (space.max_samples) mo.max_samples = *space.max_samples;
      if (space.min_duration_s) mo.min_duration = Seconds(*space.min_duration_s);
      mo.run = e.run_options_;
      if (space.slo_ttft_ms) mo.ttft_limit = units::ms(*space.slo_ttft_ms);
      if (space.slo_tpot_ms) mo.tpot_limit = units::ms(*space.slo_tpot_ms);
    }
  }
  auto check_context = [&](const ModelSpec& m) {
    const int64_t context = space.input_len + space.output_len;
    if (space.dataset.empty() && context > m.max_context)
      at("scenario.input_len",
         fmt::format("input_len {} + output_len {} = {} tokens is beyond the maximum context of "
                     "{}, {} tokens; allowed a sum of at most {}",
                     space.input_len, space.output_len, context, m.id,
                     m.max_context, m.max_context));
  };
  if (model) {
    e.base_model_ = std::move(*model);
    e.model_ = e.base_model_.spec;
    check_context(e.model_);
  }
  for (const auto& o : e.other_models_) check_context(o.base.spec);
  if (!space.expert_precision.empty()) {
    bool moe = model && e.model_.moe.enabled();
    for (const auto& o : e.other_models_) moe = moe || o.base.spec.moe.enabled();
    if (!moe)
      at("scenario.expert_precision",
         fmt::format("{} is given, but no model of the space has routed experts (dense models); "
                     "allowed only when one is a MoE model",
                     quote(space.expert_precision)));
  }
  std::optional<Precision> kv, experts;
  if (!space.kv_precision.empty()) kv = precision_from_string(space.kv_precision);
  if (!space.expert_precision.empty()) experts = precision_from_string(space.expert_precision);
  if (const auto p = precision_from_string(space.precision)) {
    e.precision_ = precision_plan_for(*p, kv, experts, space.weight_group_size);
    if (auto why = weight_group_mismatch(space.weight_group_size, e.precision_,
                                         "scenario.precision or scenario.expert_precision"))
      at("scenario.weight_group_size", *why);
  }
  if (!diags.empty()) return tl::unexpected(diags);
  std::string inputs;
  for (const auto& [path, entry] : e.base_.entries()) inputs += path + "=" + entry.text + "\n";
  if (auto model_path = resolve_preset_path("models", model_ref, "model"))
    if (auto text = read_text_file(*model_path)) inputs += *text;
  for (const auto& o : e.other_models_)  // every model of a list: a changed one is another space
    if (auto model_path = resolve_preset_path("models", o.ref, "model"))
      if (auto text = read_text_file(*model_path)) inputs += *text;
  e.inputs_digest_ = hash_hex(inputs);
  // As `xpusim run` with its defaults: the default runtime profile, the default economics.
  const PerfCalibration& base = default_calibration();
  const RuntimeProfile* runtime = find_runtime(base.runtimes, kDefaultRuntime);
  e.calibration_ = runtime ? with_runtime(base, *runtime) : base;
  e.cost_memo_ = std::make_unique<CostMemo>(e.economics_.cost);
  for (const auto& p : space.parameters)
    e.memoize_ = e.memoize_ || !touches(p, ParameterTarget::kHardware);
  e.hardware_setters_ =
      setters_of<HardwareSpec, FieldSetter>(space, ParameterTarget::kHardware, hardware_schema());
  e.model_setters_ = setters_of<ModelSpec, FieldSetter>(space, ParameterTarget::kModel, model_schema());
  e.engine_setters_ =
      setters_of<EngineProfile, FieldSetter>(space, ParameterTarget::kEngine, engine_schema());
  return e;
}

DesignEvaluator::DesignEvaluator(DesignEvaluator&& o) noexcept
    : space_(std::move(o.space_)),
      build_(o.build_),
      base_hw_(std::move(o.base_hw_)),
      base_model_(std::move(o.base_model_)),
      hardware_setters_(std::move(o.hardware_setters_)),
      model_setters_(std::move(o.model_setters_)),
      engine_setters_(std::move(o.engine_setters_)),
      inputs_digest_(std::move(o.inputs_digest_)),
      memoize_(o.memoize_),
      memo_(std::move(o.memo_)),
      base_(std::move(o.base_)),
      model_(std::move(o.model_)),
      model_ref_(std::move(o.model_ref_)),
      other_models_(std::move(o.other_models_)),
      precision_(o.precision_),
      calibration_(std::move(o.calibration_)),
      economics_(std::move(o.economics_)),
      cost_memo_(std::move(o.cost_memo_)),
      base_engine_(std::move(o.base_engine_)),
      engine_doc_(std::move(o.engine_doc_)),
      requests_(std::move(o.requests_)),
      arrivals_(o.arrivals_),
      run_options_(std::move(o.run_options_)),
      mlperf_dataset_(std::move(o.mlperf_dataset_)),
      mlperf_(o.mlperf_),
      mlperf_options_(std::move(o.mlperf_options_)) {}

Result<HardwareSpec> DesignEvaluator::hardware(uint64_t index) const {
  return hardware_of(space_.choice(index));
}

Result<HardwareSpec> DesignEvaluator::hardware_of(const std::vector<uint32_t>& c) const {
  if (build_ == DesignBuild::kTypedSet)
    return with_values(hardware_schema(), base_hw_, hardware_setters_, c);
  Document doc = base_;
  for (const auto& a : assignments_of(space_, c, ParameterTarget::kHardware))
    if (auto r = doc.apply_override(a); !r) return tl::unexpected(r.error());
  return hardware_schema().parse(doc);
}

Result<ModelSpec> DesignEvaluator::model_of(const std::vector<uint32_t>& c) const {
  if (build_ == DesignBuild::kTypedSet)
    return with_values(model_schema(), base_model_, model_setters_, c);
  return load_model(model_ref_, assignments_of(space_, c, ParameterTarget::kModel));
}

Result<EngineProfile> DesignEvaluator::engine_of(const std::vector<uint32_t>& c) const {
  if (build_ == DesignBuild::kTypedSet)
    return with_values(engine_schema(), base_engine_, engine_setters_, c);
  return parse_engine_document(engine_doc_, assignments_of(space_, c, ParameterTarget::kEngine));
}

DesignEvaluator::HardwareStage DesignEvaluator::hardware_stage(const std::vector<uint32_t>& c) const {
  return stage_of(hardware_of(c));
}

DesignEvaluator::HardwareStage DesignEvaluator::hardware_stage(
    const std::vector<std::string>& assignments) const {
  // Typed set by path from the "path=value" text, as --set on the base document would.
  SourcedSpec<HardwareSpec> s = base_hw_;
  for (const std::string& a : assignments) {
    const size_t eq = a.find('=');
    auto r = eq == std::string::npos
                 ? fail(Diagnostic{.file = "<command line>",
                                   .message = "--set expects dotted.path=value, got " + quote(a)})
                 : hardware_schema().set(s, a.substr(0, eq), a.substr(eq + 1));
    if (!r) return stage_of(tl::unexpected(r.error()));
  }
  if (Diagnostics diags = hardware_schema().check(s); !diags.empty())
    return stage_of(tl::unexpected(diags));
  return stage_of(std::move(s.spec));
}

DesignEvaluator::HardwareStage DesignEvaluator::stage_of(Result<HardwareSpec> hw) const {
  HardwareStage st;
  if (!hw) {
    st.feasibility.mark(InfeasibleReason::kInvalid, diagnostics_text(hw.error()));
    return st;
  }
  auto area = estimate_area(*hw);
  if (!area) {
    st.feasibility.mark(InfeasibleReason::kInvalid, diagnostics_text(area.error()));
    return st;
  }
  if (!area->feasibility.feasible()) {
    st.feasibility = area->feasibility;
    return st;
  }
  auto cost = cost_memo_->cost(*hw, *area);
  if (!cost) {
    st.feasibility.mark(InfeasibleReason::kInvalid, diagnostics_text(cost.error()));
    return st;
  }
  if (!cost->feasibility.feasible()) {
    st.feasibility = cost->feasibility;
    return st;
  }
  st.hw = std::move(*hw);
  st.area = std::move(*area);
  st.cost = std::move(*cost);
  return st;
}

std::shared_ptr<const DesignEvaluator::HardwareStage> DesignEvaluator::shared_stage(
    const std::vector<uint32_t>& c) const {
  if (!memoize_) return std::make_shared<const HardwareStage>(hardware_stage(c));
  uint64_t key = 0;  // the hardware parameters' choice as one mixed-radix number
  for (size_t i = 0; i < c.size(); ++i)
    if (touches(space_.parameters[i], ParameterTarget::kHardware))
      key = key * space_.parameters[i].values.size() + c[i];
  std::promise<std::shared_ptr<const HardwareStage>> promise;
  {
    std::unique_lock<std::mutex> lock(memo_mutex_);
    if (auto it = memo_.find(key); it != memo_.end()) {
      auto pending = it->second;
      lock.unlock();
      return pending.get();
    }
    if (memo_.size() >= kMaxMemo) memo_.clear();
    memo_.emplace(key, promise.get_future().share());
  }
  try {
    auto stage = std::make_shared<const HardwareStage>(hardware_stage(c));
    promise.set_value(stage);
    return stage;
  } catch (...) {
    promise.set_exception(std::current_exception());
    throw;
  }
}

DesignResult DesignEvaluator::evaluate(uint64_t index) const {
  DesignResult r;
  r.index = index;
  r.design_id = hash_hex(canonical_assignment(space_, index));
  const std::vector<uint32_t> c = space_.choice(index);

  // 1. The design's hardware, validated as a file would be; its area (reticle) and cost.
  const std::shared_ptr<const HardwareStage> st = shared_stage(c);
  if (!st->feasibility.feasible()) {
    r.feasibility = st->feasibility;
    return r;
  }
  ParallelismPlan plan;
  int64_t batch = space_.batch;
  const Result<EngineProfile> engine =
      space_.kind == ScenarioKind::kServe ? engine_of(c) : Result<EngineProfile>(EngineProfile{});
  // A design that sets model fields has a model of its own (the file re-read with them applied).
  std::optional<ModelSpec> own_model;
  if (!model_setters_.empty() && other_models_.empty()) {  // a list: evaluate_models builds each
    auto m = model_of(c);
    if (!m) return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(m.error()));
    own_model = std::move(*m);
  }
  for (size_t i = 0; i < c.size(); ++i) {
    const SpaceParameter& p = space_.parameters[i];
    const int64_t v = p.values[c[i]].number ? static_cast<int64_t>(*p.values[c[i]].number) : 0;
    if (p.target == ParameterTarget::kPlanTp) plan.tp = static_cast<int>(v);
    if (p.target == ParameterTarget::kPlanPp) plan.pp = static_cast<int>(v);
    if (p.target == ParameterTarget::kScenarioBatch) batch = v;
  }
  if (!other_models_.empty()) return evaluate_models(std::move(r), *st, c, plan, batch, engine);
  return evaluate_stage(std::move(r), *st, own_model ? *own_model : model_, plan, batch, engine,
                        nullptr);
}

DesignResult DesignEvaluator::evaluate_models(DesignResult r, const HardwareStage& st,
                                              const std::vector<uint32_t>& c,
                                              const ParallelismPlan& plan, int64_t batch,
                                              const Result<EngineProfile>& engine) const {
  const size_t n = 1 + other_models_.size();
  std::vector<MetricValues> figures;
  figures.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const std::string& key =
        k < space_.model_keys.size() ? space_.model_keys[k] : (k == 0 ? model_ref_ : other_models_[k - 1].ref);
    const SourcedSpec<ModelSpec>& base = k == 0 ? base_model_ : other_models_[k - 1].base;
    // The design's model fields on this model (typed set, or its file re-read with them).
    std::optional<ModelSpec> own;
    if (!model_setters_.empty()) {
      auto m = build_ == DesignBuild::kTypedSet
                   ? with_values(model_schema(), base, model_setters_, c)
                   : load_model(k == 0 ? model_ref_ : other_models_[k - 1].ref,
                                assignments_of(space_, c, ParameterTarget::kModel));
      if (!m)
        return infeasible(std::move(r), InfeasibleReason::kInvalid,
                          "model " + key + ": " + diagnostics_text(m.error()));
      own = std::move(*m);
    }
    DesignResult one =
        evaluate_stage(DesignResult{}, st, own ? *own : base.spec, plan, batch, engine, nullptr);
    if (!one.feasibility.feasible()) {
      // Infeasible for one model: infeasible, with the first such model named.
      r.feasibility = one.feasibility;
      r.feasibility.detail = "model " + key + ": " + one.feasibility.detail;
      r.metrics = no_metrics();
      return r;
    }
    figures.push_back(one.metrics);
  }
  r.metrics = combine_models(figures);
  if (space_.per_model()) {
    r.model_metrics.reserve(n * kMetricCount);
    for (const auto& f : figures) r.model_metrics.insert(r.model_metrics.end(), f.begin(), f.end());
  }
  return r;
}

DesignResult DesignEvaluator::evaluate_assignments(const std::vector<std::string>& hardware,
                                                   const ParallelismPlan& plan,
                                                   std::optional<int64_t> batch,
                                                   Bounds* detail) const {
  DesignResult r;
  const HardwareStage st = hardware_stage(hardware);
  if (!st.feasibility.feasible()) {
    r.feasibility = st.feasibility;
    return r;
  }
  return evaluate_stage(std::move(r), st, model_, plan, batch.value_or(space_.batch),
                        Result<EngineProfile>(base_engine_.spec), detail);
}

DesignResult DesignEvaluator::evaluate_stage(DesignResult r, const HardwareStage& st,
                                             const ModelSpec& model, const ParallelismPlan& plan,
                                             int64_t batch, const Result<EngineProfile>& engine,
                                             Bounds* detail) const {
  if (space_.kind == ScenarioKind::kServe)
    return evaluate_serving(std::move(r), st, model, plan, engine);
  const HardwareSpec& hw = *st.hw;
  const AreaReport& area = *st.area;
  const CostBreakdown& cost = *st.cost;

  // 2. The plan and the scenario.
  StaticScenario sc;
  sc.precision = precision_;
  sc.batch = batch;
  sc.input_len = space_.input_len;
  sc.output_len = space_.output_len;
  sc.plan = plan;
  sc.devices = space_.devices > 0 ? space_.devices : sc.plan.tp * sc.plan.pp;
  if (auto ok = check_plan(model, sc.plan); !ok)
    return infeasible(std::move(r), InfeasibleReason::kParallelism, diagnostics_text(ok.error()));
  if (auto ok = check_static_scenario(model, sc); !ok)
    return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(ok.error()));

  // 3. Performance of the static scenario (memory fit, network tiers).
  auto perf = simulate_static(hw, model, sc, calibration_);
  if (!perf) return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(perf.error()));
  if (!perf->feasibility.feasible()) {
    r.feasibility = perf->feasibility;
    return r;
  }

  // 4. Power and token economics, with the price token_economics() would model (cost / (1 -
  // margin)) from the cost above rather than a second cost build-up.
  TokenEconomicsAssumptions economics = economics_;
  if (!economics.device_price)
    economics.device_price = cost.total_per_unit / (1.0 - economics.gross_margin);
  auto econ = token_economics(hw, sc, *perf, economics);
  if (!econ) return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(econ.error()));
  if (!econ->feasibility.feasible()) {
    r.feasibility = econ->feasibility;
    return r;
  }

  MetricValues& m = r.metrics;
  set_shared_metrics(m, perf->output_tokens_per_s, sc.devices, area, cost, *econ, hw, model,
                     sc.precision);
  set(m, Metric::kTtftMs, units::to_ms(perf->ttft));
  set(m, Metric::kTpotMs, units::to_ms(perf->tpot));
  set(m, Metric::kE2eLatencyMs, units::to_ms(perf->e2e_latency));
  set(m, Metric::kRequestsPerS,
      perf->output_tokens_per_s.value() / static_cast<double>(sc.output_len));
  if (detail) {
    detail->prefill = dominant_bound(perf->prefill);
    detail->decode = dominant_bound(perf->decode);
  }
  return r;
}

}  // namespace xpusim

namespace xpusim {

namespace {

// Power and token economics of a serving run, priced as the static scenario's (cost / (1 -
// margin)), and the figures every serve design reports (evaluate_serving, evaluate_mlperf).
// The economics, for figures built on them; nullopt with `r` made infeasible when they fail.
std::optional<TokenEconomics> price_serving_run(DesignResult& r,
                                                TokenEconomicsAssumptions economics,
                                                const HardwareSpec& hw, const ModelSpec& model,
                                                const AreaReport& area, const CostBreakdown& cost,
                                                const SystemConfig& config,
                                                const ServingResult& out) {
  if (!economics.device_price)
    economics.device_price = cost.total_per_unit / (1.0 - economics.gross_margin);
  auto econ = serving_token_economics(hw, config.precision, out.activity, out.duration,
                                      static_cast<double>(out.counters.output_tokens), economics);
  if (!econ) {
    r = infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(econ.error()));
    return std::nullopt;
  }
  if (!econ->feasibility.feasible()) {
    r.feasibility = econ->feasibility;
    return std::nullopt;
  }
  MetricValues& m = r.metrics;
  set_shared_metrics(m, out.output_tokens_per_s, config.devices, area, cost, *econ, hw, model,
                     config.precision);
  set(m, Metric::kTtftMs, units::to_ms(out.ttft.mean));
  set(m, Metric::kTpotMs, units::to_ms(out.tpot.mean));
  set(m, Metric::kE2eLatencyMs, units::to_ms(out.e2e.mean));
  set(m, Metric::kTtftP99Ms, units::to_ms(out.ttft.p99));
  set(m, Metric::kTpotP99Ms, units::to_ms(out.tpot.p99));
  set(m, Metric::kRequestsPerS, out.requests_per_s.value());
  set(m, Metric::kGoodputRequestsPerS, out.goodput_requests_per_s.value());
  return std::move(*econ);
}

}  // namespace

DesignResult DesignEvaluator::evaluate_serving(DesignResult r, const HardwareStage& st,
                                               const ModelSpec& model, const ParallelismPlan& plan,
                                               const Result<EngineProfile>& engine) const {
  const HardwareSpec& hw = *st.hw;
  const CostBreakdown& cost = *st.cost;

  // 2. The deployment: the plan, the engine with the design's fields, the serving system.
  if (auto ok = check_plan(model, plan); !ok)
    return infeasible(std::move(r), InfeasibleReason::kParallelism, diagnostics_text(ok.error()));
  SystemConfig config;
  config.plan = plan;
  config.devices = space_.devices > 0 ? space_.devices : plan.tp * plan.pp;
  if (config.devices % plan.devices_per_replica() != 0)
    return infeasible(std::move(r), InfeasibleReason::kParallelism,
                      fmt::format("{} devices are not a multiple of tp x pp = {}", config.devices,
                                  plan.devices_per_replica()));
  config.precision = precision_;
  if (!engine)
    return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(engine.error()));
  config.engine = *engine;
  auto system = ServingSystem::create(hw, model, config, default_calibration());
  if (!system)
    return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(system.error()));
  if (!(*system)->info().feasibility.feasible()) {
    r.feasibility = (*system)->info().feasibility;
    return r;
  }

  if (mlperf_) return evaluate_mlperf(std::move(r), st, model, config, **system);

  // 3. The simulation of the space's requests.
  auto res = (*system)->run(requests_, arrivals_, run_options_);
  if (!res) return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(res.error()));
  const ServingResult& out = *res;

  // 4. Power and token economics of the run, and the figures of every serve design.
  (void)price_serving_run(r, economics_, hw, model, *st.area, cost, config, out);
  return r;
}

}  // namespace xpusim

namespace xpusim {

// An MLPerf scenario per design (scenario.mlperf): the same run_mlperf that `serve --mlperf`
// calls, with the options create() built from the space as api/serve.cc builds them from the
// flags. The figures of the shared metrics are those of the reported run (Server/Interactive:
// the run at the highest passing rate; Offline: the whole run).
DesignResult DesignEvaluator::evaluate_mlperf(DesignResult r, const HardwareStage& st,
                                              const ModelSpec& model, const SystemConfig& config,
                                              ServingSystem& system) const {
  const HardwareSpec& hw = *st.hw;
  const CostBreakdown& cost = *st.cost;
  auto res = run_mlperf(system, *mlperf_dataset_, *mlperf_, mlperf_options_);
  if (!res) return infeasible(std::move(r), InfeasibleReason::kInvalid, diagnostics_text(res.error()));
  const MlperfResult& ml = *res;
  const bool search = *mlperf_ != MlperfScenario::kOffline;
  if (search && ml.max_qps.value() <= 0) {
    // No probed rate meets the limits: the design cannot serve this benchmark at any rate (e.g.
    // one prefill alone exceeds the TTFT limit, or one decode step the TPOT limit).
    const double lowest = ml.probes.empty() ? 0.0 : ml.probes.back().rate.value();
    std::string why;
    if (ml.limits.ttft_p99 && ml.ttft_p99 > *ml.limits.ttft_p99)
      why += fmt::format("p99 TTFT {:.4g} ms > limit {:.4g} ms", units::to_ms(ml.ttft_p99),
                         units::to_ms(*ml.limits.ttft_p99));
    if (ml.limits.tpot_p99 && ml.tpot_p99 > *ml.limits.tpot_p99)
      why += fmt::format("{}p99 TPOT {:.4g} ms > limit {:.4g} ms", why.empty() ? "" : ", ",
                         units::to_ms(ml.tpot_p99), units::to_ms(*ml.limits.tpot_p99));
    if (ml.limits.e2e_p99 && ml.run.e2e.p99 > *ml.limits.e2e_p99)
      why += fmt::format("{}p99 latency {:.4g} ms > limit {:.4g} ms", why.empty() ? "" : ", ",
                         units::to_ms(ml.run.e2e.p99), units::to_ms(*ml.limits.e2e_p99));
    return infeasible(std::move(r), InfeasibleReason::kLatency,
                      fmt::format("MLPerf {}: no rate down to {:.3g} samples/s meets the latency "
                                  "limits ({})",
                                  to_string(*mlperf_), lowest, why.empty() ? ml.binding : why));
  }
  const ServingResult& out = ml.run;

  // 4. Power and token economics of the reported run, priced as evaluate_serving prices them.
  const auto econ = price_serving_run(r, economics_, hw, model, *st.area, cost, config, out);
  if (!econ) return r;
  MetricValues& m = r.metrics;
  // The sustainable rate: Server/Interactive the highest passing Poisson rate (mlperf.max_qps);
  // Offline the sample rate of the saturated phase (mlperf.samples_per_s).
  set(m, Metric::kMaxRateRequestsPerS, search ? ml.max_qps.value() : ml.samples_per_s.value());
  set(m, Metric::kSloOutputTokensPerS, ml.tokens_per_s.value());
  // $/Mtok at that rate: the run's cost per hour (capital and energy: cost_per_million x the run's
  // output tokens/s) spread over the MLPerf figure's tokens (equal to the run's for a Server run
  // without inferred tokens; Offline: its saturated phase).
  if (ml.tokens_per_s.value() > 0)
    set(m, Metric::kSloCostPerMillionOutputTokensUsd,
        econ->cost_per_million_output_tokens.value() * out.output_tokens_per_s.value() /
            ml.tokens_per_s.value());
  // Which limit bound the rate: the p99s as % of their limits at the lowest failing rate probed
  // (the one above 100 is the limit exceeded just above max_rate). NaN when every probed rate
  // passed (the search's range bound it) or a limit is not set.
  const RateProbe* fail = nullptr;
  for (const RateProbe& p : ml.probes)
    if (!p.pass && (!fail || p.rate < fail->rate)) fail = &p;
  if (search && fail) {
    if (ml.limits.ttft_p99)
      set(m, Metric::kTtftP99OfLimitPct, 100.0 * (fail->ttft_p99 / *ml.limits.ttft_p99));
    if (ml.limits.tpot_p99)
      set(m, Metric::kTpotP99OfLimitPct, 100.0 * (fail->tpot_p99 / *ml.limits.tpot_p99));
  }
  return r;
}

}  // namespace xpusim
