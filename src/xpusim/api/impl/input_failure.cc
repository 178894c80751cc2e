// SPDX-License-Identifier: Apache-2.0
#include "xpusim/api/impl/input_failure.h"

#include <algorithm>

#include <fmt/format.h>

#include "xpusim/base/text.h"
#include "xpusim/config/presets.h"
#include "xpusim/perf/gemm_model.h"

namespace xpusim::api::detail {

void input_error(const std::string& flag, const std::string& message) {
  fail_with(Diagnostics{Diagnostic{.file = "<command line>", .path = flag, .message = message}});
}

void name_flags(Diagnostics& d) {
  for (auto& e : d) {
    e.file = "<command line>";
    if (!e.path.empty() && e.path.find('.') == std::string::npos) {
      std::replace(e.path.begin(), e.path.end(), '_', '-');
      e.path = "--" + e.path;
    }
  }
}

std::string unknown_choice(std::string_view what, const std::string& given,
                           const std::vector<std::string>& allowed) {
  std::string m = fmt::format("unknown {} {}; allowed: {}", what, quote(given), join(allowed));
  if (auto near = closest_match(given, allowed))
    m += fmt::format(" (did you mean \"{}\"?)", *near);
  return m;
}

Precision parse_precision(const std::string& flag, const std::string& text) {
  if (auto p = precision_from_string(text)) return *p;
  input_error(flag, unknown_choice("precision", text, precision_names()));
}

PrecisionPlan precision_flags(const std::string& precision, const std::string& kv,
                              const std::string& experts, int weight_group) {
  const Precision p = parse_precision("--precision", precision);
  std::optional<Precision> kv_format, expert_format;
  if (!kv.empty()) kv_format = parse_precision("--kv-precision", kv);
  if (!experts.empty()) expert_format = parse_precision("--expert-precision", experts);
  const PrecisionPlan plan = precision_plan_for(p, kv_format, expert_format, weight_group);
  check_weight_group(weight_group, plan, "--precision or --expert-precision");
  return plan;
}

void check_weight_group(int group, const PrecisionPlan& plan, std::string_view weight_flags) {
  if (group < 0 || group > bounds::kWeightGroup.hi)
    input_error("--weight-group-size",
                fmt::format("{} is out of range; allowed: {}..{} values per scale (the "
                            "checkpoint's quantisation group size)",
                            group, bounds::kWeightGroup.lo, bounds::kWeightGroup.hi));
  if (auto why = weight_group_mismatch(group, plan, weight_flags))
    input_error("--weight-group-size", *why);
}

void check_expert_precision(const std::string& experts, const ModelSpec& model) {
  if (experts.empty() || model.moe.enabled()) return;
  input_error("--expert-precision",
              fmt::format("{} is given for {}, which has no routed experts (a dense model); "
                          "allowed only for MoE models: drop it, or use --precision",
                          experts, model.id));
}

std::vector<std::string> hardware_only_overrides(const std::vector<std::string>& overrides) {
  SplitOverrides split = split_overrides(overrides);
  if (!split.model.empty())
    input_error("--set", fmt::format("model.{}: this command loads no model; --set model.PATH=VALUE "
                                     "applies to run, serve and compare",
                                     split.model.front()));
  return split.hardware;
}

void BoundChecks::check(const std::string& flag, int64_t v, const IntBound& b) {
  if (auto msg = check_bound(v, b))
    diags_.push_back(Diagnostic{.file = "<command line>", .path = flag, .message = *msg});
}

void BoundChecks::check(const std::string& flag, double v, const RealBound& b) {
  if (auto msg = check_bound(v, b))
    diags_.push_back(Diagnostic{.file = "<command line>", .path = flag, .message = *msg});
}

void BoundChecks::fail_if_any() {
  if (!diags_.empty()) fail_with(std::move(diags_));
}

void apply_overrides(const std::string& flag, const std::vector<std::string>& overrides,
                     const std::function<Result<void>(const std::string& name, double value)>& set,
                     bool flag_in_path) {
  Diagnostics diags;
  for (const auto& kv : overrides) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      diags.push_back({.file = "<command line>", .path = flag,
                       .message = fmt::format("expected NAME=NUMBER, got '{}'", kv)});
      continue;
    }
    const std::string name = kv.substr(0, eq);
    auto v = parse_bounded_real(std::string_view(kv).substr(eq + 1), bounds::kFabAssumption);
    if (!v) {
      diags.push_back({.file = "<command line>", .path = flag + " " + name, .message = v.error()});
      continue;
    }
    if (auto r = set(name, *v); !r) {
      for (auto d : r.error()) {
        d.file = "<command line>";
        if (flag_in_path) d.path = flag + " " + d.path;
        diags.push_back(d);
      }
    }
  }
  if (!diags.empty()) fail_with(diags);
}

void check_gemm_flags(int64_t m, int64_t n, int64_t k, int64_t batch, bool batch_flag) {
  BoundChecks checks;
  checks.check("--m", m, bounds::kGemmDim);
  checks.check("--n", n, bounds::kGemmDim);
  checks.check("--k", k, bounds::kGemmDim);
  if (batch_flag) checks.check("--batch", batch, bounds::kGemmBatch);
  checks.fail_if_any();
  // Each dimension is within its bound; their product too.
  if (auto shape = check_gemm_shape(GemmShape{m, n, k, batch}); !shape) {
    Diagnostics d = shape.error();
    for (auto& e : d) {
      e.file = "<command line>";
      e.path = e.path == "flop" ? (batch_flag ? "--m x --n x --k x --batch" : "--m x --n x --k")
                                : "--" + e.path;
    }
    fail_with(std::move(d));
  }
}

}  // namespace xpusim::api::detail
