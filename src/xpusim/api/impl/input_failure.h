// SPDX-License-Identifier: Apache-2.0
// Private to api/: the checks of a request read like the command they came from ("stop at the
// first bad flag"), so a bad input found deep in them leaves through InputFailure, and every
// public api function turns it back into a Result with guarded(). InputFailure never crosses the
// library boundary. Diagnostics name the command line's flags ("<command line>: --batch: ..."):
// the request fields are the flags' values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "xpusim/base/bounds.h"
#include "xpusim/base/diagnostic.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/config/precision.h"
#include "xpusim/workload/parallelism_plan.h"

namespace xpusim::api::detail {

struct InputFailure {
  Diagnostics diags;
};

// Runs `f` (which returns a T) and returns its value, or the diagnostics of an InputFailure.
template <class F>
auto guarded(F&& f) -> Result<std::invoke_result_t<F>> {
  try {
    return std::forward<F>(f)();
  } catch (InputFailure& e) {
    return tl::unexpected(std::move(e.diags));
  }
}

[[noreturn]] inline void fail_with(Diagnostics d) { throw InputFailure{std::move(d)}; }

// One diagnostic on the command line: `flag` is the flag ("--batch") the value came from.
[[noreturn]] void input_error(const std::string& flag, const std::string& message);

// Unwraps a Result or fails with its diagnostics as they are.
template <class T>
T value_or_fail(Result<T> r) {
  if (!r) fail_with(std::move(r.error()));
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Unwraps a library Result whose diagnostics name scenario fields ("tp", "input_len"): they
// become the flags ("--tp", "--input-len") of the command line.
void name_flags(Diagnostics& d);
template <class T>
T flags_or_fail(Result<T> r) {
  if (!r) {
    name_flags(r.error());
    fail_with(std::move(r.error()));
  }
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// `NAME=NUMBER` overrides given with `flag` (--assume, --system-param): each number is read
// within bounds::kFabAssumption and handed to `set` with its name; every bad one is reported
// (a bad number under "FLAG NAME", a missing '=' under FLAG, and what `set` refuses under its own
// path, prefixed with "FLAG " when `flag_in_path`: the Python module reports --assume's names
// bare, as its `assume` dictionary's keys), then the request fails.
void apply_overrides(const std::string& flag, const std::vector<std::string>& overrides,
                     const std::function<Result<void>(const std::string& name, double value)>& set,
                     bool flag_in_path);

// "unknown WHAT "GIVEN"; allowed: A, B, C (did you mean "A"?)": the message of a choice outside
// `allowed` (the suggestion only when one is close: base/text.h closest_match).
std::string unknown_choice(std::string_view what, const std::string& given,
                           const std::vector<std::string>& allowed);

// "unknown precision "fp7"; allowed: ... (did you mean ...)" under `flag`.
Precision parse_precision(const std::string& flag, const std::string& text);

// The plan of --precision, --kv-precision, --expert-precision and --weight-group-size
// (parallelism_plan.h precision_plan_for); an empty `kv` or `experts` leaves that class to
// --precision, a 0 `weight_group` the block-scaled formats to their default block
// (check_weight_group).
PrecisionPlan precision_flags(const std::string& precision, const std::string& kv,
                              const std::string& experts, int weight_group = 0);

// --weight-group-size `group` (0 = not given) for `plan`'s weights: an error outside
// bounds::kWeightGroup, or given without fp4/int4 weights (weight_group_mismatch, naming
// `weight_flags`, the flags that set the weights' formats).
void check_weight_group(int group, const PrecisionPlan& plan, std::string_view weight_flags);

// --expert-precision given for a model without routed experts: an error under the flag naming
// the model (nothing would run in that format).
void check_expert_precision(const std::string& experts, const ModelSpec& model);

// The --set assignments of a command that loads no model: the hardware's (config/presets.h
// split_overrides); a "model.*" one is an error under --set naming the commands that take it.
std::vector<std::string> hardware_only_overrides(const std::vector<std::string>& overrides);

// The numeric bounds of the flags (base/bounds.h), checked again on the values of a request: the
// command line checks the text before converting it, a library caller hands numbers. Every value
// out of its bound is collected; fail_if_any() reports them together.
class BoundChecks {
 public:
  void check(const std::string& flag, int64_t v, const IntBound& b);
  void check(const std::string& flag, double v, const RealBound& b);
  template <class T>
  void check(const std::string& flag, const std::optional<T>& v, const auto& b) {
    if (v) check(flag, *v, b);
  }
  void fail_if_any();

 private:
  Diagnostics diags_;
};

// The --m, --n, --k (and --batch, batch > 0 only when the command takes it) of a GEMM: each
// within bounds::kGemmDim (kGemmBatch), then their product within the FLOP bound
// (perf/gemm_model.h check_gemm_shape), each failure under its flag ("--m x --n x --k[ x
// --batch]" for the product).
void check_gemm_flags(int64_t m, int64_t n, int64_t k, int64_t batch, bool batch_flag);

}  // namespace xpusim::api::detail
