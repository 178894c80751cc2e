// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/space.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "xpusim/base/bounds.h"
#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"
#include "xpusim/config/model_schema.h"
#include "xpusim/config/precision.h"
#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/mlperf.h"

namespace xpusim {
namespace {

FieldInfo text_field(std::string path, std::string description, bool required = true) {
  FieldInfo f;
  f.path = std::move(path);
  f.kind = FieldKind::kText;
  f.required = required;
  f.description = std::move(description);
  return f;
}

FieldInfo choice_field(std::string path, std::vector<std::string> choices, std::string description,
                       std::string default_text = "") {
  FieldInfo f;
  f.path = std::move(path);
  f.kind = FieldKind::kChoice;
  f.choices = std::move(choices);
  f.required = default_text.empty();
  f.default_text = std::move(default_text);
  f.description = std::move(description);
  return f;
}

FieldInfo int_field(std::string path, const IntBound& b, std::string description,
                    bool required = true) {
  FieldInfo f;
  f.path = std::move(path);
  f.kind = FieldKind::kInteger;
  f.min = static_cast<double>(b.lo);
  f.max = static_cast<double>(b.hi);
  f.reason = std::string(b.reason);
  f.required = required;
  f.description = std::move(description);
  return f;
}

FieldInfo real_field(std::string path, std::string description) {
  FieldInfo f;
  f.path = std::move(path);
  f.kind = FieldKind::kReal;
  f.required = false;
  f.description = std::move(description);
  return f;
}

FieldInfo real_field(std::string path, const RealBound& b, std::string description) {
  FieldInfo f = real_field(std::move(path), std::move(description));
  f.min = b.lo;
  f.max = b.hi;
  f.min_exclusive = b.lo_open;
  f.reason = std::string(b.reason);
  return f;
}

// The fields of the space file; list items are written "parameters[]" here and "parameters[0]"
// in diagnostics.
std::vector<FieldInfo> make_space_fields() {
  std::vector<FieldInfo> f;
  FieldInfo schema = choice_field("schema", {kSpaceSchemaName}, "schema name and version of this file");
  f.push_back(schema);
  f.push_back(text_field("hardware", "base design: hardware preset id or file (hardware/v1)"));
  f.push_back(text_field("model", "model preset id or file (model/v1 YAML, HF config.json), or "
                                  "a list of them: each design is judged on every model"));
  f.push_back(choice_field("model_metrics", {"mean", "per_model"},
                           "with a list of models: mean (each model-dependent metric is the "
                           "geometric mean over the models) or per_model (the means, and each "
                           "model's figures as metric@model, which objectives and constraints "
                           "may name)",
                           "mean"));
  f.push_back(choice_field("scenario.kind", {"static", "serve"},
                           "scenario kind: static (a batch, as `xpusim run`) or serve (a serving "
                           "simulation, as `xpusim serve`)",
                           "static"));
  f.push_back(int_field("scenario.batch", bounds::kBatch,
                        "requests in the static batch (per replica); static only", false));
  f.push_back(int_field("scenario.input_len", bounds::kSequenceTokens,
                        "prompt tokens per request (serve: unless dataset is given)", false));
  f.push_back(int_field("scenario.output_len", bounds::kSequenceTokens,
                        "generated tokens per request (serve: unless dataset is given)", false));
  f.push_back(choice_field("scenario.precision", precision_names(),
                           "weights/compute precision (as run --precision)", "bf16"));
  FieldInfo kv = choice_field("scenario.kv_precision", precision_names(),
                              "KV-cache precision (default: see precision)");
  kv.required = false;
  f.push_back(kv);
  FieldInfo experts =
      choice_field("scenario.expert_precision", precision_names(),
                   "MoE models: the routed experts' precision, as run --expert-precision "
                   "(default: precision; dense models of a list ignore it)");
  experts.required = false;
  f.push_back(experts);
  f.push_back(int_field("scenario.weight_group_size", bounds::kWeightGroup,
                        "fp4/int4 weights: values per scale, as run --weight-group-size "
                        "(default: fp4 16, int4 128)",
                        false));
  f.push_back(int_field("scenario.devices", bounds::kDevices,
                        "total devices, a multiple of tp x pp (default: tp x pp of each design)",
                        false));
  FieldInfo engine = text_field("scenario.engine",
                                "serve: engine profile id or file, as serve --engine takes "
                                "(the default here is vllm; serve's own is trtllm)");
  engine.required = false;
  engine.default_text = "vllm";
  f.push_back(engine);
  FieldInfo dataset = text_field("scenario.dataset",
                                 "serve: request lengths from a dataset id or file (as serve "
                                 "--dataset) instead of input_len/output_len");
  dataset.required = false;
  f.push_back(dataset);
  f.push_back(int_field("scenario.requests", bounds::kRequests,
                        "serve: requests simulated per design (default 1000)", false));
  f.push_back(real_field("scenario.rate", bounds::kRequestRate,
                         "serve: Poisson arrivals at this many requests/s (default: all at once, "
                         "the offline / max-throughput case)"));
  f.push_back(int_field("scenario.concurrency", bounds::kConcurrency,
                        "serve: closed-loop clients instead of a rate", false));
  f.push_back(real_field("scenario.slo_ttft_ms", bounds::kSloMs,
                         "serve: TTFT limit of goodput (ms)"));
  f.push_back(real_field("scenario.slo_tpot_ms", bounds::kSloMs,
                         "serve: TPOT limit of goodput (ms)"));
  f.push_back(int_field("scenario.seed", bounds::kSeed,
                        "serve: seed of the request lengths and arrivals (default 0)", false));
  FieldInfo mlperf = choice_field("scenario.mlperf", {"server", "interactive", "offline"},
                                  "serve: each design's figure is an MLPerf LoadGen scenario of an "
                                  "MLPerf dataset (as serve --mlperf): server or interactive, the "
                                  "highest rate meeting the p99 latency limits (slo_ttft_ms and "
                                  "slo_tpot_ms replace the dataset's), by bisection; offline, all "
                                  "samples at once. Excludes rate and concurrency");
  mlperf.required = false;
  f.push_back(mlperf);
  f.push_back(int_field("scenario.max_samples", bounds::kRequests,
                        "serve with mlperf: the most samples of any run of the search (as serve "
                        "--max-samples; default 200000)",
                        false));
  f.push_back(real_field("scenario.min_duration_s", kMlperfRunDurationS,
                         "serve with mlperf server|interactive: each run of the rate search lasts "
                         "this long, rate x this many samples (as serve --min-duration-s; default "
                         "the benchmark's 600 s)"));
  f.push_back(text_field("parameters[].path",
                         "what varies: hardware.<hardware/v1 path> (as --set), plan.tp, plan.pp, "
                         "scenario.batch (static), engine.<engine/v1 path> (serve) or "
                         "model.<model/v1 path>"));
  FieldInfo values = text_field("parameters[].values",
                                "a list of values in the field's type and unit, e.g. [96, 132]; "
                                "or give range", false);
  f.push_back(values);
  f.push_back(text_field("parameters[].range.min", "smallest value (with the field's unit)", false));
  f.push_back(text_field("parameters[].range.max", "largest value (with the field's unit)", false));
  f.push_back(text_field("parameters[].range.step",
                         "min, min + step, ... up to max (with the field's unit); or steps", false));
  FieldInfo steps = int_field("parameters[].range.steps", IntBound{1, 1LL << 32, "values"},
                              "number of values from min to max (inclusive); or step", false);
  f.push_back(steps);
  f.push_back(choice_field("parameters[].range.scale", {"linear", "log"},
                           "spacing of `steps` values", "linear"));
  f.push_back(text_field("parameters[].tied[].path",
                         "a field that moves with the parameter (hardware.* or engine.*), value i "
                         "with the parameter's value i"));
  f.push_back(text_field("parameters[].tied[].values",
                         "its values, one per value of the parameter; or range", false));
  f.push_back(text_field("parameters[].tied[].range.min", "as parameters[].range", false));
  f.push_back(text_field("parameters[].tied[].range.max", "as parameters[].range", false));
  f.push_back(text_field("parameters[].tied[].range.step", "as parameters[].range", false));
  f.push_back(int_field("parameters[].tied[].range.steps", IntBound{1, 1LL << 32, "values"},
                        "as parameters[].range", false));
  f.push_back(choice_field("parameters[].tied[].range.scale", {"linear", "log"},
                           "as parameters[].range", "linear"));
  f.push_back(text_field("parameters[].derive",
                         "instead of values or range: the field's values computed from another "
                         "numeric field of this space, \"PATH\", \"PATH * C\", \"PATH / C\", "
                         "\"PATH + C\", \"PATH - C\", \"C * PATH\" or \"C + PATH\" (operator "
                         "between spaces; C a number with its unit, \"24 GB\"); units must "
                         "agree; the field moves with PATH's parameter (no grid dimension)",
                         false));
  f.push_back(text_field("parameters[].tied[].derive", "as parameters[].derive", false));
  f.push_back(choice_field("objectives[].metric", metric_names(), "a metric to optimise"));
  f.push_back(choice_field("objectives[].goal", {"max", "min"}, "maximise or minimise it"));
  f.push_back(choice_field("constraints[].metric", metric_names(), "a metric to bound"));
  f.push_back(real_field("constraints[].min", "designs below are kept off the front"));
  f.push_back(real_field("constraints[].max", "designs above are kept off the front"));
  return f;
}

const FieldInfo& field(const std::string& pattern) {
  for (const auto& f : space_fields())
    if (f.path == pattern) return f;
  static const FieldInfo none;
  return none;
}

// "parameters[3].range.min" -> "parameters[].range.min"
std::string pattern_of(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] == '[') {
      while (i + 1 < path.size() && path[i + 1] != ']') ++i;
    }
  }
  return out;
}

// Keys the file may hold, as patterns (sections and lists included).
const std::set<std::string>& known_patterns() {
  static const std::set<std::string> known = [] {
    std::set<std::string> k;
    for (const auto& f : space_fields()) {
      k.insert(f.path);
      for (size_t i = 0; i < f.path.size(); ++i) {
        if (f.path[i] == '.') k.insert(f.path.substr(0, i));
        if (f.path[i] == '[') k.insert(f.path.substr(0, i));
        if (f.path[i] == ']') k.insert(f.path.substr(0, i + 1));
      }
    }
    k.insert("model[]");  // model: a list of models
    k.insert("parameters[].values[]");
    k.insert("parameters[].tied[].values[]");
    return k;
  }();
  return known;
}

std::string parent_of(const std::string& pattern) {
  size_t cut = pattern.find_last_of(".[");
  if (cut == std::string::npos) return "";
  return pattern.substr(0, cut);
}

std::string last_key(const std::string& pattern) {
  size_t cut = pattern.rfind('.');
  return cut == std::string::npos ? pattern : pattern.substr(cut + 1);
}

void check_space_keys(const Document& doc, Diagnostics& diags) {
  const auto& known = known_patterns();
  for (const auto& [path, entry] : doc.entries()) {
    const std::string pat = pattern_of(path);
    if (known.contains(pat)) continue;
    const std::string parent = parent_of(pat);
    if (!parent.empty() && !known.contains(parent)) continue;  // below an unknown key
    // Items of a list where a scalar belongs: reported where that scalar is read ("got a list").
    if (pat.back() == ']') continue;
    std::vector<std::string> siblings;
    for (const auto& k : known)
      if (parent_of(k) == parent && k.back() != ']' && (parent.empty() || k.size() > parent.size()) &&
          k.rfind('.') == (parent.empty() ? std::string::npos : parent.size()))
        siblings.push_back(last_key(k));
    if (siblings.empty()) continue;  // keys under a scalar: reported there ("got a section")
    std::string msg = "unknown key";
    if (auto m = closest_match(last_key(pat), siblings)) msg += "; did you mean \"" + *m + "\"?";
    else msg += "; allowed here: " + join(siblings);
    diags.push_back(Diagnostic{entry.file, entry.line, entry.column, path, msg});
  }
}

// The scalar at `path`, or an error when it is a section or a list; nullopt when absent.
std::optional<std::string> scalar(const Document& doc, const std::string& path,
                                  const FieldInfo& info, Diagnostics& diags, bool& bad) {
  const DocumentEntry* e = doc.find(path);
  if (!e) return std::nullopt;
  if (e->is_section || e->is_list) {
    diags.push_back(diagnostic_at(doc, path, "expected " + info.type_text() + ", got " +
                                                 (e->is_section ? "a section" : "a list")));
    bad = true;
    return std::nullopt;
  }
  return e->text;
}

// Parses the field `info` at `path` (its default when absent); nullopt after an error or when
// an optional field is absent.
std::optional<FieldValue> read(const Document& doc, const std::string& path, const FieldInfo& info,
                               Diagnostics& diags) {
  bool bad = false;
  auto text = scalar(doc, path, info, diags, bad);
  if (bad) return std::nullopt;
  if (!text) {
    if (!info.default_text.empty()) text = info.default_text;
    else if (info.required) {
      diags.push_back(Diagnostic{doc.file(), 0, 0, path,
                                 "missing required key (" + info.type_text() + ": " +
                                     info.description + ")"});
      return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  auto v = parse_field_value(info, *text);
  if (!v) {
    std::string msg = v.error();
    // A metric named by a part of its name ("cost_usd", "power_w"): the metric that holds it.
    if (info.choices == metric_names() && msg.find("did you mean") == std::string::npos && !text->empty())
      for (const auto& m : info.choices)
        if (m.find(*text) != std::string::npos) {
          msg += "; did you mean \"" + m + "\"?";
          break;
        }
    diags.push_back(diagnostic_at(doc, path, msg));
    return std::nullopt;
  }
  return *v;
}

size_t list_size(const Document& doc, const std::string& path) {
  size_t n = 0;
  while (doc.find(path + "[" + std::to_string(n) + "]")) ++n;
  return n;
}

std::string number_text(double v) { return fmt::format("{:.17g}", v); }

ParameterValue make_value(const FieldInfo& f, const FieldValue& v) {
  ParameterValue p;
  switch (f.kind) {
    case FieldKind::kQuantity:
      p.text = number_text(v.number) + " " + dimension_canonical_symbol(f.dim);
      p.display = format_quantity(v.number, f.dim);
      p.number = v.number;
      break;
    case FieldKind::kInteger:
    case FieldKind::kReal:
      p.text = number_text(v.number);
      p.display = f.kind == FieldKind::kInteger ? p.text : fmt::format("{:.6g}", v.number);
      p.number = v.number;
      break;
    case FieldKind::kBool:
      p.text = p.display = v.flag ? "true" : "false";
      break;
    case FieldKind::kText:
    case FieldKind::kChoice:
      p.text = p.display = v.text;
      break;
  }
  return p;
}

// The field a parameter path sets; nullopt (with a diagnostic) when the path is unknown.
std::optional<SpaceParameter> resolve_path(const Document& doc, const std::string& at,
                                           const std::string& path, Diagnostics& diags) {
  SpaceParameter p;
  p.path = path;
  auto plan_field = [&](const char* name, ParameterTarget t, const IntBound& b) {
    p.target = t;
    p.field = int_field(name, b, "");
    return p;
  };
  if (path == "plan.tp") return plan_field("plan.tp", ParameterTarget::kPlanTp, bounds::kParallelDegree);
  if (path == "plan.pp") return plan_field("plan.pp", ParameterTarget::kPlanPp, bounds::kParallelDegree);
  if (path == "scenario.batch")
    return plan_field("scenario.batch", ParameterTarget::kScenarioBatch, bounds::kBatch);
  std::vector<std::string> known = {"plan.tp", "plan.pp", "scenario.batch"};
  auto match = [&](const std::vector<FieldInfo>& fields, const char* prefix, ParameterTarget t) {
    for (const auto& f : fields) {
      if (f.path == "schema" || f.path == "description") continue;
      known.push_back(prefix + f.path);
      if (path == known.back()) {
        p.target = t;
        p.field_path = f.path;
        p.field = f;
        return true;
      }
    }
    return false;
  };
  if (match(hardware_schema().fields(), "hardware.", ParameterTarget::kHardware) ||
      match(engine_schema().fields(), "engine.", ParameterTarget::kEngine) ||
      match(model_schema().fields(), "model.", ParameterTarget::kModel))
    return p;
  std::string msg = "unknown parameter path " + quote(path);
  if (auto m = closest_match(path, known)) msg += "; did you mean \"" + *m + "\"?";
  else
    msg += "; allowed: hardware.<a hardware/v1 path> (`xpusim describe hardware`), plan.tp, "
           "plan.pp, scenario.batch, engine.<an engine/v1 path> (`xpusim describe engine`), "
           "model.<a model/v1 path> (`xpusim describe model`)";
  diags.push_back(diagnostic_at(doc, at, msg));
  return std::nullopt;
}

// A range bound or step: a value of the field's kind (a quantity with its unit), not checked
// against the field's range when `in_range` is false (a step).
std::optional<double> range_number(const Document& doc, const std::string& path,
                                   const FieldInfo& f, bool in_range, Diagnostics& diags) {
  FieldInfo info = f;
  if (!in_range) {
    info.min = 0;
    info.max = std::numeric_limits<double>::infinity();
    info.min_exclusive = true;
    info.zero_allowed = false;
    info.reason = "a step is positive";
  }
  bool bad = false;
  auto text = scalar(doc, path, info, diags, bad);
  if (bad || !text) return std::nullopt;
  auto v = parse_field_value(info, *text);
  if (!v) {
    diags.push_back(diagnostic_at(doc, path, v.error()));
    return std::nullopt;
  }
  return v->number;
}

void parse_range(const Document& doc, const std::string& at, SpaceParameter& p,
                 uint64_t max_values, Diagnostics& diags) {
  const FieldInfo& f = p.field;
  if (f.kind != FieldKind::kQuantity && f.kind != FieldKind::kInteger && f.kind != FieldKind::kReal) {
    diags.push_back(diagnostic_at(doc, at, "a range needs a numeric field; " + p.path + " is " +
                                               f.type_text() + ": list its values instead"));
    return;
  }
  const size_t before = diags.size();
  for (const char* key : {"min", "max"})
    if (!doc.find(at + "." + key))
      diags.push_back(diagnostic_at(doc, at, std::string("missing required key \"") + key +
                                                 "\" (" + f.type_text() + ")"));
  auto lo = range_number(doc, at + ".min", f, true, diags);
  auto hi = range_number(doc, at + ".max", f, true, diags);
  const bool has_step = doc.find(at + ".step") != nullptr;
  const bool has_steps = doc.find(at + ".steps") != nullptr;
  if (has_step == has_steps)
    diags.push_back(diagnostic_at(doc, at, has_step ? "give step or steps, not both"
                                                    : "missing \"step\" or \"steps\" (how many values "
                                                      "between min and max)"));
  std::optional<double> step;
  std::optional<FieldValue> steps;
  if (has_step) step = range_number(doc, at + ".step", f, false, diags);
  if (has_steps) steps = read(doc, at + ".steps", field("parameters[].range.steps"), diags);
  auto scale = read(doc, at + ".scale", field("parameters[].range.scale"), diags);
  const bool log = scale && scale->text == "log";
  if (has_step && doc.find(at + ".scale") && log)
    diags.push_back(diagnostic_at(doc, at + ".scale", "scale: log needs steps, not step"));
  if (diags.size() != before || !lo || !hi) return;
  auto shown = [&](const char* key) { return quote(doc.find(at + "." + key)->text); };
  if (*lo > *hi) {
    diags.push_back(diagnostic_at(doc, at + ".min", "min " + shown("min") +
                                                        " is greater than max " + shown("max") +
                                                        "; allowed: min <= max"));
    return;
  }
  if (log && !(*lo > 0)) {
    diags.push_back(diagnostic_at(doc, at + ".min", "scale: log needs min > 0, got " + shown("min")));
    return;
  }
  if (f.kind == FieldKind::kInteger && step && std::floor(*step) != *step) {
    diags.push_back(diagnostic_at(doc, at + ".step", "expected an integer step for " + p.path +
                                                         ", got " + shown("step")));
    return;
  }
  double count = 0;
  if (step) count = std::floor((*hi - *lo) / *step * (1 + 1e-12) + 1e-9) + 1;
  else count = steps->number;
  if (count > static_cast<double>(max_values)) {
    diags.push_back(diagnostic_at(doc, at, fmt::format("the range has {:.0f} values, more than the "
                                                       "{} a parameter may take",
                                                       count, max_values)));
    return;
  }
  const auto n = static_cast<uint64_t>(count);
  std::set<double> seen;
  for (uint64_t i = 0; i < n; ++i) {
    double v = 0;
    const double t = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    if (step) v = std::min(*hi, *lo + static_cast<double>(i) * *step);
    else if (log) v = std::exp(std::log(*lo) + (std::log(*hi) - std::log(*lo)) * t);
    else v = *lo + (*hi - *lo) * t;
    if (i + 1 == n && !step) v = *hi;  // exact end points
    if (i == 0) v = *lo;
    if (f.kind == FieldKind::kInteger) v = std::round(v);
    if (!seen.insert(v).second) continue;
    FieldValue fv;
    fv.number = v;
    p.values.push_back(make_value(f, fv));
  }
}

}  // namespace

const std::vector<FieldInfo>& space_fields() {
  static const std::vector<FieldInfo> fields = make_space_fields();
  return fields;
}

uint64_t SpaceSpec::grid_size() const {
  uint64_t n = 1;
  for (const auto& p : parameters) n *= p.values.size();  // bounded by parse_space
  return n;
}

std::vector<uint32_t> SpaceSpec::choice(uint64_t index) const {
  std::vector<uint32_t> c(parameters.size());
  for (size_t i = parameters.size(); i-- > 0;) {
    const uint64_t n = parameters[i].values.size();
    c[i] = static_cast<uint32_t>(index % n);
    index /= n;
  }
  return c;
}

// The values of parameter `p` at `at` (a list, or a range), checked against its field; false
// after an error. `distinct`: a repeated value is an error (a grid dimension's values; a tied
// field may repeat a value).
bool read_values(const Document& doc, const std::string& at, SpaceParameter& p,
                 uint64_t max_values, bool distinct, Diagnostics& diags) {
  const DocumentEntry* values = doc.find(at + ".values");
  const DocumentEntry* range = doc.find(at + ".range");
  if ((values != nullptr) == (range != nullptr)) {
    diags.push_back(diagnostic_at(doc, at, values ? "give values or range, not both"
                                                  : "missing \"values\" or \"range\" (or \"derive\" for "
                                                    "a derived field)"));
    return false;
  }
  if (values) {
    if (!values->is_list) {
      diags.push_back(diagnostic_at(doc, at + ".values", "expected a list such as [96, 132]"));
      return false;
    }
    const size_t nv = list_size(doc, at + ".values");
    if (nv == 0) diags.push_back(diagnostic_at(doc, at + ".values", "the list is empty"));
    if (nv > max_values) {
      diags.push_back(diagnostic_at(doc, at + ".values",
                                    fmt::format("{} values, more than the {} a parameter may take",
                                                nv, max_values)));
      return false;
    }
    std::map<std::string, size_t> seen;
    for (size_t j = 0; j < nv; ++j) {
      const std::string vp = at + ".values[" + std::to_string(j) + "]";
      bool bad = false;
      auto text = scalar(doc, vp, p.field, diags, bad);
      if (bad || !text) continue;
      auto v = parse_field_value(p.field, *text);
      if (!v) {
        diags.push_back(diagnostic_at(doc, vp, p.path + ": " + v.error()));
        continue;
      }
      ParameterValue pv = make_value(p.field, *v);
      if (auto [it, fresh] = seen.emplace(pv.text, j); distinct && !fresh) {
        diags.push_back(diagnostic_at(doc, vp, fmt::format("{} is the same value as values[{}]",
                                                           quote(*text), it->second)));
        continue;
      }
      p.values.push_back(std::move(pv));
    }
  } else {
    if (!range->is_section) {
      diags.push_back(diagnostic_at(doc, at + ".range",
                                    "expected {min: ..., max: ..., step: ...} or {min: ..., "
                                    "max: ..., steps: N, scale: linear|log}"));
      return false;
    }
    parse_range(doc, at + ".range", p, max_values, diags);
  }
  return !p.values.empty();
}

// A field whose values are derived from another field's (`derive:`), resolved once every listed
// field is known (resolve_derived).
struct PendingDerived {
  std::string at;          // "parameters[2]" or "parameters[0].tied[1]"
  SpaceParameter member;   // path, target and field resolved; no values yet
};

// `derive:` of the field at `at`: queued when it is a field that can be tied; false after an
// error. A derived field lists no values, range or tied fields of its own.
bool read_derive(const Document& doc, const std::string& at, SpaceParameter member,
                 std::vector<PendingDerived>& pending, Diagnostics& diags) {
  const size_t before = diags.size();
  for (const char* key : {"values", "range", "tied"})
    if (doc.find(at + "." + key))
      diags.push_back(diagnostic_at(doc, at + "." + key,
                                    std::string(key) + " and derive are exclusive: a derived "
                                                       "field's values follow its expression"));
  if (member.target != ParameterTarget::kHardware && member.target != ParameterTarget::kEngine &&
      member.target != ParameterTarget::kModel)
    diags.push_back(diagnostic_at(doc, at + ".path", quote(member.path) + " cannot be derived; "
                                                     "allowed: hardware.*, engine.* and model.* "
                                                     "fields"));
  if (member.field.kind != FieldKind::kQuantity && member.field.kind != FieldKind::kInteger &&
      member.field.kind != FieldKind::kReal)
    diags.push_back(diagnostic_at(doc, at + ".derive", quote(member.path) + " is " +
                                                       member.field.type_text() +
                                                       "; only numeric fields are derived"));
  auto text = read(doc, at + ".derive", field("parameters[].derive"), diags);
  if (diags.size() != before || !text) return false;
  member.derive = text->text;
  pending.push_back({at, std::move(member)});
  return true;
}

// The fields tied to parameter `p` (`tied: [{path, values | range}, ...]`): each moves with it,
// value i with p's value i, so it has as many values; hardware and engine fields only.
bool read_tied(const Document& doc, const std::string& at, SpaceParameter& p, uint64_t max_values,
               std::vector<PendingDerived>& pending, Diagnostics& diags) {
  const DocumentEntry* e = doc.find(at + ".tied");
  if (!e) return true;
  if (!e->is_list) {
    diags.push_back(diagnostic_at(doc, at + ".tied", "expected a list of {path: ..., values: [...]}"));
    return false;
  }
  bool ok = true;
  std::set<std::string> paths = {p.path};
  for (size_t k = 0, n = list_size(doc, at + ".tied"); k < n; ++k) {
    const std::string t = at + ".tied[" + std::to_string(k) + "]";
    auto path = read(doc, t + ".path", field("parameters[].tied[].path"), diags);
    if (!path) {
      ok = false;
      continue;
    }
    auto member = resolve_path(doc, t + ".path", path->text, diags);
    if (!member) {
      ok = false;
      continue;
    }
    if (member->target != ParameterTarget::kHardware && member->target != ParameterTarget::kEngine &&
        member->target != ParameterTarget::kModel) {
      diags.push_back(diagnostic_at(doc, t + ".path", quote(member->path) + " cannot be tied; "
                                                      "allowed: hardware.*, engine.* and model.* "
                                                      "fields"));
      ok = false;
      continue;
    }
    if (!paths.insert(member->path).second) {
      diags.push_back(diagnostic_at(doc, t + ".path", quote(member->path) + " is already set by " +
                                                      at));
      ok = false;
      continue;
    }
    if (doc.find(t + ".derive")) {
      ok = read_derive(doc, t, std::move(*member), pending, diags) && ok;
      continue;
    }
    if (!read_values(doc, t, *member, max_values, false, diags)) {
      ok = false;
      continue;
    }
    if (member->values.size() != p.values.size()) {
      diags.push_back(diagnostic_at(doc, t, fmt::format("{} values tied to the {} of {}; a tied "
                                                        "field needs one value per value",
                                                        member->values.size(), p.values.size(),
                                                        p.path)));
      ok = false;
      continue;
    }
    p.tied.push_back(std::move(*member));
  }
  return ok;
}

namespace {

// A parsed `derive:` expression: REF, or REF op C, or C op REF (op * or +).
struct DeriveExpression {
  std::string ref;
  char op = 0;  // 0: REF itself
  double constant = 0;
  RuntimeDim constant_dim;
};

// Parses `text`; the error says what is allowed.
tl::expected<DeriveExpression, std::string> parse_derive(const std::string& text) {
  DeriveExpression e;
  const std::string allowed =
      "; allowed: \"PATH\", \"PATH * C\", \"PATH / C\", \"PATH + C\", \"PATH - C\", "
      "\"C * PATH\" or \"C + PATH\" with the operator between spaces and C a number with its "
      "unit (\"24 GB\")";
  size_t at = std::string::npos;
  for (const char* op : {" * ", " / ", " + ", " - "}) {
    const size_t p = text.find(op);
    if (p == std::string::npos) continue;
    if (at != std::string::npos || text.find(op, p + 1) != std::string::npos)
      return tl::unexpected("expected one operator, got " + quote(text) + allowed);
    at = p;
    e.op = op[1];
  }
  auto trim = [](std::string t) {
    while (!t.empty() && t.front() == ' ') t.erase(t.begin());
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
  };
  if (at == std::string::npos) {
    e.ref = trim(text);
  } else {
    const std::string left = trim(text.substr(0, at)), right = trim(text.substr(at + 3));
    auto r = parse_quantity_text(right);
    auto l = parse_quantity_text(left);
    if (r && !l) {
      e.ref = left;
      e.constant = r->canonical;
      e.constant_dim = r->dim;
    } else if (l && !r && (e.op == '*' || e.op == '+')) {
      e.ref = right;
      e.constant = l->canonical;
      e.constant_dim = l->dim;
    } else {
      return tl::unexpected("expected a field path and a constant around " +
                            quote(std::string(1, e.op)) + ", got " + quote(text) + allowed);
    }
  }
  if (e.ref.empty() || e.ref.find(' ') != std::string::npos)
    return tl::unexpected("expected a field path, got " + quote(text) + allowed);
  return e;
}

RuntimeDim dim_of(const FieldInfo& f) { return f.kind == FieldKind::kQuantity ? f.dim : RuntimeDim{}; }

std::string dim_text(const RuntimeDim& d) {
  return dimension_name(d);  // "a plain number" when dimensionless
}

}  // namespace

// Gives each derived field its values, computed from the field its expression names (a grid
// parameter, a tied field or another derived field, resolved in dependency order), and ties it
// to that field's grid parameter. Unknown references, cycles, unit mismatches and values that
// leave the field's range are errors naming the derived field.
void resolve_derived(const Document& doc, std::vector<SpaceParameter>& parameters,
                     std::vector<PendingDerived>& pending, Diagnostics& diags) {
  // Where each field with values is: its grid parameter and its position among the tied (-1:
  // the parameter itself).
  std::map<std::string, std::pair<size_t, int>> known;
  for (size_t i = 0; i < parameters.size(); ++i) {
    known[parameters[i].path] = {i, -1};
    for (size_t k = 0; k < parameters[i].tied.size(); ++k)
      known[parameters[i].tied[k].path] = {i, static_cast<int>(k)};
  }
  std::map<std::string, size_t> waiting;  // derived path -> position in pending
  std::vector<std::optional<DeriveExpression>> exprs;
  for (size_t j = 0; j < pending.size(); ++j) {
    const PendingDerived& d = pending[j];
    auto e = parse_derive(d.member.derive);
    if (!e) diags.push_back(diagnostic_at(doc, d.at + ".derive", e.error()));
    if (known.contains(d.member.path) || !waiting.emplace(d.member.path, j).second)
      diags.push_back(diagnostic_at(doc, d.at + ".path", quote(d.member.path) +
                                                         " is already set by another parameter"));
    exprs.push_back(e ? std::optional(*e) : std::nullopt);
  }
  if (!diags.empty()) return;
  std::vector<bool> done(pending.size(), false);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t j = 0; j < pending.size(); ++j) {
      if (done[j] || !known.contains(exprs[j]->ref)) continue;
      done[j] = progress = true;
      SpaceParameter& m = pending[j].member;
      const DeriveExpression& e = *exprs[j];
      const std::string at = pending[j].at + ".derive";
      const auto [root, tied] = known.at(e.ref);
      const SpaceParameter& src = tied < 0 ? parameters[root] : parameters[root].tied[tied];
      if (src.values.empty() || !src.values[0].number) {
        diags.push_back(diagnostic_at(doc, at, quote(e.ref) + " is " + src.field.type_text() +
                                                   "; a derived value needs a numeric field"));
        continue;
      }
      RuntimeDim got = dim_of(src.field);
      for (size_t k = 0; k < got.e.size(); ++k) {
        if (e.op == '*') got.e[k] += e.constant_dim.e[k];
        if (e.op == '/') got.e[k] -= e.constant_dim.e[k];
      }
      const bool sum = e.op == '+' || e.op == '-';
      if (got != dim_of(m.field) || (sum && !(e.constant_dim == dim_of(src.field)))) {
        diags.push_back(diagnostic_at(
            doc, at,
            fmt::format("units do not agree: {} is {}, {}; {} is {}", quote(e.ref),
                        dim_text(dim_of(src.field)),
                        sum ? "the constant is " + dim_text(e.constant_dim)
                            : "so the expression is " + dim_text(got),
                        m.path, dim_text(dim_of(m.field)))));
        continue;
      }
      for (const ParameterValue& v : src.values) {
        const double x = *v.number;
        double y = x;
        if (e.op == '*') y = x * e.constant;
        if (e.op == '/') y = x / e.constant;
        if (e.op == '+') y = x + e.constant;
        if (e.op == '-') y = x - e.constant;
        std::optional<std::string> bad;
        if (!std::isfinite(y)) bad = "not a finite number";
        else if (m.field.kind == FieldKind::kInteger && std::floor(y) != y)
          bad = fmt::format("{} is not an integer", y);
        else if (auto ok = check_field_range(m.field, y, make_value(m.field, FieldValue{y}).display); !ok)
          bad = ok.error();
        if (bad) {
          diags.push_back(diagnostic_at(doc, at, fmt::format("{} = {} gives {}: {}", e.ref,
                                                             v.display, m.path, *bad)));
          break;
        }
        m.values.push_back(make_value(m.field, FieldValue{y}));
      }
      if (m.values.size() != src.values.size()) continue;
      known[m.path] = {root, static_cast<int>(parameters[root].tied.size())};
      parameters[root].tied.push_back(std::move(m));
    }
  }
  for (size_t j = 0; j < pending.size(); ++j) {
    if (done[j]) continue;
    const std::string& ref = exprs[j]->ref;
    const std::string at = pending[j].at + ".derive";
    if (waiting.contains(ref)) {
      // Follow the references from this field: a repeat is a cycle; a chain that ends at a field
      // that failed or names an unknown path is reported there.
      std::string chain = pending[j].member.path;
      std::set<std::string> seen = {chain};
      bool cycle = false;
      for (std::string r = ref; waiting.contains(r) && !done[waiting.at(r)];) {
        chain += " -> " + r;
        if (!seen.insert(r).second) {
          cycle = true;
          break;
        }
        r = exprs[waiting.at(r)]->ref;
      }
      if (cycle) diags.push_back(diagnostic_at(doc, at, "derived fields form a cycle: " + chain));
      continue;
    }
    std::vector<std::string> names;
    for (const auto& [path, where] : known) names.push_back(path);
    for (const auto& [path, where] : waiting) names.push_back(path);
    std::string msg = quote(ref) + " is not a parameter, tied or derived field of this space";
    if (auto c = closest_match(ref, names)) msg += "; did you mean \"" + *c + "\"?";
    else msg += "; allowed: " + join(names);
    diags.push_back(diagnostic_at(doc, at, msg));
  }
}

// scenario.mlperf and scenario.max_samples of a serve scenario (an MLPerf rate search per
// design): the keys that set the arrivals themselves (rate, concurrency) conflict with it, and it
// needs a dataset (DesignEvaluator::create checks that the dataset states MLPerf limits).
void parse_mlperf_scenario(const Document& doc, SpaceSpec& s, Diagnostics& diags) {
  if (auto v = read(doc, "scenario.mlperf", field("scenario.mlperf"), diags)) s.mlperf = v->text;
  std::optional<int64_t> cap;
  if (auto v = read(doc, "scenario.max_samples", field("scenario.max_samples"), diags))
    cap = static_cast<int64_t>(v->number);
  std::optional<double> duration;
  if (auto v = read(doc, "scenario.min_duration_s", field("scenario.min_duration_s"), diags))
    duration = v->number;
  if (s.mlperf.empty()) {
    for (const char* k : {"scenario.max_samples", "scenario.min_duration_s"})
      if (doc.find(k))
        diags.push_back(diagnostic_at(doc, k,
                                      "sets the runs of an MLPerf scenario: give scenario.mlperf "
                                      "(server, interactive or offline) too, or drop it"));
    return;
  }
  s.max_samples = cap;
  s.min_duration_s = duration;
  for (const char* k : {"scenario.rate", "scenario.concurrency"})
    if (doc.find(k))
      diags.push_back(diagnostic_at(
          doc, k,
          fmt::format("scenario.mlperf: {} sets its own arrivals ({}); drop {}", s.mlperf,
                      s.mlperf == "offline" ? "every sample at once"
                                            : "Poisson, at the rate the search finds",
                      k + 9)));
  if (s.dataset.empty())
    diags.push_back(diagnostic_at(doc, "scenario.mlperf",
                                  "needs scenario.dataset of an MLPerf benchmark "
                                  "(mlperf-llama2-70b, mlperf-llama3.1-8b, mlperf-mixtral-8x7b, "
                                  "...) instead of input_len/output_len"));
  // requests: the Offline sample count, as serve --requests; absent, the dataset's.
  if (!doc.find("scenario.requests")) s.requests = 0;
}

// The scenario's keys; which are required, allowed or meaningless depends on its kind.
void parse_scenario(const Document& doc, SpaceSpec& s, Diagnostics& diags) {
  auto integer = [&](const char* path, auto& out) {
    if (auto v = read(doc, path, field(path), diags)) out = static_cast<int64_t>(v->number);
  };
  auto real = [&](const char* path, std::optional<double>& out) {
    if (auto v = read(doc, path, field(path), diags)) out = v->number;
  };
  auto missing = [&](const char* path, const std::string& why) {
    diags.push_back(Diagnostic{doc.file(), 0, 0, path, "missing required key (" + why + ")"});
  };
  auto not_here = [&](const char* path, const std::string& why) {
    if (doc.find(path)) diags.push_back(diagnostic_at(doc, path, why));
  };
  integer("scenario.batch", s.batch);
  integer("scenario.input_len", s.input_len);
  integer("scenario.output_len", s.output_len);
  const char* serve_keys[] = {"scenario.engine",      "scenario.dataset",     "scenario.requests",
                              "scenario.rate",        "scenario.concurrency", "scenario.slo_ttft_ms",
                              "scenario.slo_tpot_ms", "scenario.seed",        "scenario.mlperf",
                              "scenario.max_samples", "scenario.min_duration_s"};
  if (s.kind == ScenarioKind::kStatic) {
    if (!doc.find("scenario.batch")) missing("scenario.batch", "an integer: requests in the batch");
    for (const char* k : {"scenario.input_len", "scenario.output_len"})
      if (!doc.find(k)) missing(k, "an integer: tokens per request");
    for (const char* k : serve_keys)
      not_here(k, std::string(k + 9) + " belongs to a serve scenario (scenario.kind: serve)");
    return;
  }
  not_here("scenario.batch", "a serve scenario's engine forms its batches: give engine "
                             "parameters (engine.max_batch) instead of scenario.batch");
  if (auto v = read(doc, "scenario.engine", field("scenario.engine"), diags)) s.engine = v->text;
  if (auto v = read(doc, "scenario.dataset", field("scenario.dataset"), diags)) s.dataset = v->text;
  const bool lengths = doc.find("scenario.input_len") || doc.find("scenario.output_len");
  if (!s.dataset.empty() && lengths)
    diags.push_back(diagnostic_at(doc, "scenario.dataset",
                                  "give a dataset or input_len/output_len, not both"));
  if (s.dataset.empty())
    for (const char* k : {"scenario.input_len", "scenario.output_len"})
      if (!doc.find(k)) missing(k, "an integer: tokens per request; or give scenario.dataset");
  integer("scenario.requests", s.requests);
  real("scenario.rate", s.rate);
  std::optional<int64_t> clients;
  integer("scenario.concurrency", clients);
  s.concurrency = clients;
  if (s.rate && s.concurrency)
    diags.push_back(diagnostic_at(doc, "scenario.concurrency",
                                  "give a rate or a concurrency, not both"));
  real("scenario.slo_ttft_ms", s.slo_ttft_ms);
  real("scenario.slo_tpot_ms", s.slo_tpot_ms);
  integer("scenario.seed", s.seed);
  parse_mlperf_scenario(doc, s, diags);
}

namespace {

// The key a model's per-model metrics are named by: an id as written, a file by its name without
// the folder and a .yaml/.yml/.json extension ("models/my-8b.yaml" -> "my-8b").
std::string model_key(const std::string& ref) {
  std::string k = ref.substr(ref.find_last_of("/\\") == std::string::npos ? 0 : ref.find_last_of("/\\") + 1);
  for (const char* ext : {".yaml", ".yml", ".json"})
    if (k.size() > std::string_view(ext).size() && k.ends_with(ext)) {
      k.resize(k.size() - std::string_view(ext).size());
      break;
    }
  return k;
}

// `model:` (a preset id or file, or a list of them) and `model_metrics`.
void read_models(const Document& doc, SpaceSpec& s, Diagnostics& diags) {
  const DocumentEntry* e = doc.find("model");
  auto add = [&](const std::string& path) {
    const DocumentEntry* item = doc.find(path);
    auto v = read(doc, path, field("model"), diags);
    if (!v) return;
    if (v->text.empty()) {
      diags.push_back(diagnostic_at(doc, path, "empty model; expected a model preset id or file"));
      return;
    }
    const std::string key = model_key(v->text);
    for (size_t j = 0; j < s.models.size(); ++j)
      if (s.model_keys[j] == key) {
        diags.push_back(diagnostic_at(
            doc, path,
            fmt::format("model {} is already in the list ({}); each model may be given once{}",
                        quote(v->text), "model[" + std::to_string(j) + "]",
                        s.models[j] == v->text ? "" : " (models are named by their file name)")));
        return;
      }
    s.models.push_back(v->text);
    s.model_keys.push_back(key);
    s.model_positions.emplace_back(item ? item->line : 0, item ? item->column : 0);
  };
  if (e && e->is_list) {
    const size_t n = list_size(doc, "model");
    if (n == 0)
      diags.push_back(diagnostic_at(doc, "model", "an empty list of models; give a model preset "
                                                  "id or file, or a list of at least one"));
    for (size_t i = 0; i < n; ++i) add("model[" + std::to_string(i) + "]");
  } else {
    add("model");
  }
  if (!s.models.empty()) s.model = s.models.front();
  if (auto v = read(doc, "model_metrics", field("model_metrics"), diags)) {
    s.model_metrics = v->text == "per_model" ? ModelMetrics::kPerModel : ModelMetrics::kMean;
    if (s.per_model() && e && s.models.size() < 2)
      diags.push_back(diagnostic_at(doc, "model_metrics",
                                    "per_model needs a list of at least two models under "
                                    "`model:`; this space has one"));
  }
}

// An objective's or constraint's metric: a metric name, or `metric@model` in a per_model space.
std::optional<std::pair<Metric, int>> read_metric(const Document& doc, const std::string& path,
                                                  const FieldInfo& info, const SpaceSpec& s,
                                                  Diagnostics& diags) {
  const DocumentEntry* e = doc.find(path);
  if (e && !e->is_section && !e->is_list && e->text.find('@') != std::string::npos) {
    auto r = parse_metric_ref(s, e->text);
    if (!r) {
      diags.push_back(diagnostic_at(doc, path, r.error()));
      return std::nullopt;
    }
    return *r;
  }
  auto v = read(doc, path, info, diags);
  if (!v) return std::nullopt;
  return std::pair{*metric_from_name(v->text), -1};
}

}  // namespace

std::vector<std::string> SpaceSpec::model_list() const {
  return models.empty() ? std::vector<std::string>{model} : models;
}

std::string SpaceSpec::metric_ref_name(Metric metric, int m) const {
  std::string name(metric_name(metric));
  if (m >= 0 && static_cast<size_t>(m) < model_keys.size()) name += "@" + model_keys[m];
  return name;
}

tl::expected<std::pair<Metric, int>, std::string> parse_metric_ref(const SpaceSpec& space,
                                                                   const std::string& name) {
  const size_t at = name.find('@');
  const std::string base = name.substr(0, at);
  auto m = metric_from_name(base);
  if (!m) {
    std::string msg = "unknown metric " + quote(base) + "; allowed: " + join(metric_names());
    if (auto c = closest_match(base, metric_names())) msg += "; did you mean \"" + *c + "\"?";
    return tl::unexpected(msg);
  }
  if (at == std::string::npos) return std::pair{*m, -1};
  const std::string key = name.substr(at + 1);
  if (!space.per_model())
    return tl::unexpected(quote(name) + " names a per-model metric; they exist only in a space "
                          "with a list of models and `model_metrics: per_model` (this space: " +
                          (space.model_count() > 1 ? "model_metrics: mean" : "one model") + ")");
  if (hardware_only(*m))
    return tl::unexpected(quote(base) + " depends on the hardware alone, the same for every "
                          "model: name it without @" + key);
  for (size_t i = 0; i < space.model_keys.size(); ++i)
    if (space.model_keys[i] == key) return std::pair{*m, static_cast<int>(i)};
  std::string msg = "model " + quote(key) + " is not one of the space's models; allowed: " +
                    join(space.model_keys);
  if (auto c = closest_match(key, space.model_keys)) msg += "; did you mean \"" + *c + "\"?";
  return tl::unexpected(msg);
}

Result<SpaceSpec> parse_space(const Document& doc, std::optional<uint64_t> max_designs) {
  Diagnostics diags;
  SpaceSpec s;
  s.file = doc.file();
  check_space_keys(doc, diags);
  if (const DocumentEntry* e = doc.find("schema"); !e) {
    diags.push_back(Diagnostic{doc.file(), 0, 0, "schema",
                               std::string("missing required key; this file must start with "
                                           "\"schema: ") + kSpaceSchemaName + "\""});
  } else {
    read(doc, "schema", field("schema"), diags);
  }
  if (auto v = read(doc, "hardware", field("hardware"), diags)) s.hardware = v->text;
  read_models(doc, s, diags);
  if (auto v = read(doc, "scenario.kind", field("scenario.kind"), diags); v && v->text == "serve")
    s.kind = ScenarioKind::kServe;
  parse_scenario(doc, s, diags);
  if (auto v = read(doc, "scenario.precision", field("scenario.precision"), diags))
    s.precision = v->text;
  if (auto v = read(doc, "scenario.kv_precision", field("scenario.kv_precision"), diags))
    s.kv_precision = v->text;
  if (auto v = read(doc, "scenario.expert_precision", field("scenario.expert_precision"), diags))
    s.expert_precision = v->text;
  if (auto v = read(doc, "scenario.weight_group_size", field("scenario.weight_group_size"), diags))
    s.weight_group_size = static_cast<int>(v->number);
  if (auto v = read(doc, "scenario.devices", field("scenario.devices"), diags))
    s.devices = static_cast<int>(v->number);

  // Each parameter's values are bounded by the grid bound, or, for a sampled search (random, lhs,
  // nsga2: no grid bound), by a million: every value is held in memory, and a billion steps took
  // gigabytes before the first design (a million values is finer than any search resolves).
  constexpr uint64_t kSampledSearchValues = 1'000'000;
  const uint64_t max_values =
      std::min<uint64_t>(max_designs.value_or(kSampledSearchValues), UINT32_MAX);
  for (const char* list : {"parameters", "objectives", "constraints"}) {
    const DocumentEntry* e = doc.find(list);
    if (e && !e->is_list)
      diags.push_back(diagnostic_at(doc, list, std::string("expected a list of ") + list +
                                                   " (- {...} items)"));
  }
  const size_t np = list_size(doc, "parameters");
  if (np == 0 && (!doc.find("parameters") || doc.find("parameters")->is_list))
    diags.push_back(diagnostic_at(doc, "parameters", "at least one parameter is required"));
  std::map<std::string, std::string> seen_paths;
  std::vector<PendingDerived> pending;
  for (size_t i = 0; i < np; ++i) {
    const std::string at = "parameters[" + std::to_string(i) + "]";
    if (!doc.find(at)->is_section) {
      diags.push_back(diagnostic_at(doc, at, "expected {path: ..., values: [...]} or {path: ..., "
                                             "range: {...}}"));
      continue;
    }
    auto path = read(doc, at + ".path", field("parameters[].path"), diags);
    if (!path) continue;
    auto p = resolve_path(doc, at + ".path", path->text, diags);
    if (!p) continue;
    const bool serve = s.kind == ScenarioKind::kServe;
    if (serve && p->target == ParameterTarget::kScenarioBatch) {
      diags.push_back(diagnostic_at(doc, at + ".path",
                                    "scenario.batch sizes a static batch; a serve scenario's "
                                    "engine forms its batches: vary engine.max_batch"));
      continue;
    }
    if (!serve && p->target == ParameterTarget::kEngine) {
      diags.push_back(diagnostic_at(doc, at + ".path",
                                    quote(p->path) + " sets the serving engine; it needs "
                                    "scenario.kind: serve"));
      continue;
    }
    if (auto [it, fresh] = seen_paths.emplace(p->path, at); !fresh) {
      diags.push_back(diagnostic_at(doc, at + ".path", "parameter " + quote(p->path) +
                                                           " is already set by " + it->second));
      continue;
    }
    if (doc.find(at + ".derive")) {
      read_derive(doc, at, std::move(*p), pending, diags);
      continue;
    }
    if (!read_values(doc, at, *p, max_values, true, diags)) continue;
    if (!read_tied(doc, at, *p, max_values, pending, diags)) continue;
    if (!p->values.empty()) s.parameters.push_back(std::move(*p));
  }
  if (diags.empty()) resolve_derived(doc, s.parameters, pending, diags);

  const size_t no = list_size(doc, "objectives");
  if (no == 0 && (!doc.find("objectives") || doc.find("objectives")->is_list))
    diags.push_back(diagnostic_at(doc, "objectives", "at least one objective is required"));
  std::set<std::pair<Metric, int>> objective_metrics;
  for (size_t i = 0; i < no; ++i) {
    const std::string at = "objectives[" + std::to_string(i) + "]";
    auto m = read_metric(doc, at + ".metric", field("objectives[].metric"), s, diags);
    auto g = read(doc, at + ".goal", field("objectives[].goal"), diags);
    if (!m || !g) continue;
    SpaceObjective o{m->first, g->text == "max", m->second};
    if (!objective_metrics.insert(*m).second) {
      diags.push_back(diagnostic_at(doc, at + ".metric",
                                    quote(s.metric_ref_name(m->first, m->second)) +
                                        " is already an objective"));
      continue;
    }
    s.objectives.push_back(o);
  }
  const size_t nc = list_size(doc, "constraints");
  for (size_t i = 0; i < nc; ++i) {
    const std::string at = "constraints[" + std::to_string(i) + "]";
    auto m = read_metric(doc, at + ".metric", field("constraints[].metric"), s, diags);
    auto lo = read(doc, at + ".min", field("constraints[].min"), diags);
    auto hi = read(doc, at + ".max", field("constraints[].max"), diags);
    if (!m) continue;
    if (!doc.find(at + ".min") && !doc.find(at + ".max")) {
      diags.push_back(diagnostic_at(doc, at, "a constraint needs min, max or both"));
      continue;
    }
    SpaceConstraint c{m->first, std::nullopt, std::nullopt, m->second};
    if (lo) c.min = lo->number;
    if (hi) c.max = hi->number;
    if (c.min && c.max && *c.min > *c.max) {
      diags.push_back(diagnostic_at(doc, at + ".min",
                                    fmt::format("min {} is greater than max {}; allowed: min <= max",
                                                *c.min, *c.max)));
      continue;
    }
    s.constraints.push_back(c);
  }

  if (diags.empty()) {
    // The product of the value counts, saturating above the bound.
    const uint64_t limit = max_designs.value_or(uint64_t{1} << 62);
    uint64_t n = 1;
    bool over = false;
    for (const auto& p : s.parameters) {
      if (n > limit / p.values.size() + 1) over = true;
      n = over ? n : n * p.values.size();
      if (n > limit) over = true;
    }
    if (over) {
      std::string counts;
      double total = 1;
      for (const auto& p : s.parameters) {
        counts += (counts.empty() ? "" : " x ") + std::to_string(p.values.size());
        total *= static_cast<double>(p.values.size());
      }
      diags.push_back(diagnostic_at(
          doc, "parameters",
          max_designs
              ? fmt::format("the grid has {} = {:.0f} designs, more than --max-designs {}; narrow "
                            "the parameters, raise --max-designs, or sample it with --strategy "
                            "random --max-evals N",
                            counts, total, *max_designs)
              : fmt::format("the grid has {} = {:.0f} designs, more than 2^62", counts, total)));
    }
  }
  if (!diags.empty()) return tl::unexpected(diags);
  return s;
}

Result<SpaceSpec> load_space(const std::string& path, std::optional<uint64_t> max_designs) {
  auto doc = Document::load_yaml_file(path, true);
  if (!doc) return tl::unexpected(doc.error());
  auto s = parse_space(*doc, max_designs);
  if (!s) return s;
  s->base_dir = std::filesystem::path(path).parent_path().string();
  return s;
}

std::string resolve_beside(const SpaceSpec& space, const std::string& ref) {
  const std::filesystem::path p(ref);
  if (p.is_relative() && p.has_extension() && !space.base_dir.empty()) {
    std::error_code ec;
    const std::filesystem::path there = std::filesystem::path(space.base_dir) / p;
    if (std::filesystem::is_regular_file(there, ec)) return there.string();
  }
  return ref;
}

Result<std::vector<SpaceObjective>> parse_objectives(const std::string& text,
                                                     const std::string& flag,
                                                     const SpaceSpec* space) {
  std::vector<SpaceObjective> out;
  Diagnostics diags;
  size_t pos = 0;
  std::set<std::pair<Metric, int>> seen;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t colon = item.rfind(':');
    const std::string name = item.substr(0, colon);
    const std::string goal = colon == std::string::npos ? "" : item.substr(colon + 1);
    auto bad = [&](std::string msg) {
      diags.push_back(Diagnostic{.file = "<command line>", .path = flag, .message = std::move(msg)});
    };
    if (colon == std::string::npos || (goal != "max" && goal != "min")) {
      bad("expected metric:max or metric:min, got " + quote(item));
      continue;
    }
    static const SpaceSpec kOneModel;
    auto m = parse_metric_ref(space ? *space : kOneModel, name);
    if (!m) {
      bad(m.error());
      continue;
    }
    if (!seen.insert(*m).second) {
      bad(quote(name) + " is given twice");
      continue;
    }
    out.push_back({m->first, goal == "max", m->second});
  }
  if (!diags.empty()) return tl::unexpected(diags);
  return out;
}

std::string canonical_space_text(const SpaceSpec& s) {
  std::string out = fmt::format("{}\nhardware={}\nmodel={}\nbatch={}\ninput_len={}\noutput_len={}\n"
                                "precision={}\nkv_precision={}\ndevices={}\n",
                                kSpaceSchemaName, s.hardware, s.model, s.batch, s.input_len,
                                s.output_len, s.precision, s.kv_precision, s.devices);
  // Only spaces with expert formats carry this line (the text of the others is unchanged).
  if (!s.expert_precision.empty()) out += fmt::format("expert_precision={}\n", s.expert_precision);
  if (s.weight_group_size > 0) out += fmt::format("weight_group_size={}\n", s.weight_group_size);
  if (s.kind == ScenarioKind::kServe) {
    // Only serve spaces carry these lines: the text (and the resume check) of a static space is
    // what it was before serve scenarios existed.
    auto opt = [](const auto& v) { return v ? fmt::format("{:.17g}", static_cast<double>(*v)) : "-"; };
    out += fmt::format("kind=serve\nengine={}\ndataset={}\nrequests={}\nrate={}\n"
                       "concurrency={}\nslo_ttft_ms={}\nslo_tpot_ms={}\nseed={}\n",
                       s.engine, s.dataset, s.requests, opt(s.rate), opt(s.concurrency),
                       opt(s.slo_ttft_ms), opt(s.slo_tpot_ms), s.seed);
    // Only rate-search spaces carry this line (the text of other serve spaces is unchanged).
    if (!s.mlperf.empty())
      out += fmt::format("mlperf={}\nmax_samples={}\nmin_duration_s={}\n", s.mlperf,
                         opt(s.max_samples), opt(s.min_duration_s));
  }
  if (s.model_count() > 1) {
    // Only spaces with a list of models carry these lines (a one-model space's text, and so its
    // resume check, is what it was before lists of models existed).
    out += "models=";
    for (size_t i = 0; i < s.models.size(); ++i) out += (i ? "|" : "") + s.models[i];
    out += std::string("\nmodel_metrics=") + (s.per_model() ? "per_model" : "mean") + "\n";
  }
  if (!s.inputs_digest.empty()) out += "inputs=" + s.inputs_digest + "\n";
  for (const auto& p : s.parameters) {
    out += p.path + "=";
    for (size_t i = 0; i < p.values.size(); ++i) out += (i ? "|" : "") + p.values[i].text;
    out += "\n";
    for (const auto& t : p.tied) {  // only spaces with tied fields carry these lines
      out += "  tied " + t.path + "=";
      for (size_t i = 0; i < t.values.size(); ++i) out += (i ? "|" : "") + t.values[i].text;
      out += "\n";
    }
  }
  return out;
}

std::string hash_hex(const std::string& text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace xpusim
