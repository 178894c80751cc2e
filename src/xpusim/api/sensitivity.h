// SPDX-License-Identifier: Apache-2.0
// `xpusim sensitivity` as a library call (stage 11): the elasticity d ln(metric) / d ln(field) of
// a design's figures with respect to every numeric hardware field, by central differences
// (dse/sensitivity.h), ranked by |elasticity|, with the static run's prefill and decode bounds.
// The request holds the flags' values; the answer is the document `--format json` prints, whose
// keys are declared as result type "sensitivity" (report/result_types.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/base/bounds.h"
#include "xpusim/dse/sensitivity.h"

namespace xpusim::api {

// --step: a relative step; beyond 50% a difference is no derivative, and below 1e-6 a field's
// perturbation is lost in the rounding of its value and of the figures (at 1e-320 every real
// field's step was 0 and only the integer fields were ranked).
inline constexpr RealBound kSensitivityStepBound{
    1e-6, 0.5, "", "relative step; below 1e-6 the rounding of the figures swamps the difference, "
                   "beyond 50% a difference is no derivative"};
// Requests a serve evaluation simulates unless --requests says (as a space's scenario.requests).
inline constexpr int64_t kDefaultSensitivityServeRequests = 1000;

struct SensitivityRequest {
  std::string hardware;                     // preset id or file
  std::string model;                        // preset id or file
  std::string scenario;                     // static | serve; "" = serve when a serve field is set
  int devices = 0;                          // 0 = tp x pp
  int tp = 1, pp = 1;
  std::optional<int64_t> batch;             // static: required
  std::optional<int64_t> input_len;         // required (serve: unless dataset)
  std::optional<int64_t> output_len;
  std::string precision = "bf16";
  std::string kv_precision;                 // "" = as precision_plan_for decides
  std::string expert_precision;             // "" = precision (as run --expert-precision)
  int weight_group = 0;                     // 0 = the format's block (run --weight-group-size)
  std::vector<std::string> metrics;         // metric names; empty = the scenario's defaults
  double step = kDefaultSensitivityStep;
  // Serve (as `xpusim serve`): engine profile, requests, arrivals, SLOs, seed.
  std::optional<std::string> engine;        // default vllm
  std::optional<std::string> dataset;
  std::optional<int64_t> requests;          // default kDefaultSensitivityServeRequests
  std::optional<double> rate;
  std::optional<int64_t> concurrency;
  std::optional<double> slo_ttft_ms;
  std::optional<double> slo_tpot_ms;
  std::optional<int64_t> seed;
  std::vector<std::string> overrides;       // must be empty: every field is perturbed itself

  [[nodiscard]] bool serve_field_given() const {
    return engine || dataset || requests || rate || concurrency || slo_ttft_ms || slo_tpot_ms ||
           seed;
  }
  [[nodiscard]] bool serve() const {
    return scenario == "serve" || (scenario.empty() && serve_field_given());
  }
};

// The `sensitivity --format json` document. Errors: bad flags (named as the command line's), a
// base design that is invalid (its hardware file, the plan); a base that does not fit is a valid
// question with an infeasible answer (feasible false, no elasticities).
Result<Json> sensitivity(const SensitivityRequest& request);

}  // namespace xpusim::api
