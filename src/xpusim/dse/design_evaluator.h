// SPDX-License-Identifier: Apache-2.0
// Builds and evaluates the designs of a space (dse/ stage 2): a design is the base hardware
// document with the design's parameter values applied as `--set` applies them, validated by the
// hardware schema, then the static scenario (perf/), area (area/), cost and token economics
// (cost/) in that order, cheap checks first. An invalid or infeasible design is a result with a
// reason class (base/feasibility.h), never an error. Evaluation is a pure function of the design
// index: any thread may evaluate any design.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/feasibility.h"
#include "xpusim/config/document.h"
#include "xpusim/config/model_spec.h"
#include "xpusim/cost/token_economics.h"
#include "xpusim/dse/metrics.h"
#include "xpusim/dse/space.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/perf/static_sim.h"

namespace xpusim {

struct DesignResult {
  uint64_t index = 0;            // position in the space's grid
  std::string design_id;         // hash of the canonical parameter assignment
  Feasibility feasibility;       // kInvalid: the design failed its schema or a check
  MetricValues metrics = no_metrics();  // NaN where the design has no figure
};

// "path=value;path=value" of grid design `index`: what design_id hashes.
std::string canonical_assignment(const SpaceSpec& space, uint64_t index);

class DesignEvaluator {
 public:
  // Loads the base hardware document and the model, and checks the scenario against the model
  // (the context fits, the precisions are known). Errors name the space's keys.
  static Result<DesignEvaluator> create(const SpaceSpec& space);

  // Evaluates grid design `index` (< space.grid_size()). Thread-safe (const, no shared state).
  [[nodiscard]] DesignResult evaluate(uint64_t index) const;

  // The hardware of design `index` (tests, `explore` output); errors as the schema reports them.
  [[nodiscard]] Result<HardwareSpec> hardware(uint64_t index) const;

  [[nodiscard]] const SpaceSpec& space() const { return space_; }

 private:
  SpaceSpec space_;
  Document base_;
  ModelSpec model_;
  PrecisionPlan precision_;
  PerfCalibration calibration_;
  TokenEconomicsAssumptions economics_;
};

}  // namespace xpusim
