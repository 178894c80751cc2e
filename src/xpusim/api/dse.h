// SPDX-License-Identifier: Apache-2.0
// Design-space exploration as library calls (stage 11): `xpusim explore` (evaluate the designs of
// a space/v1 file and find the Pareto front, optionally in a SQLite database) and
// `xpusim pareto` (the front of such a database). Requests hold the flags' values; the answers
// carry the document `--format json` prints and what the table form is drawn from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xpusim/api/perf.h"
#include "xpusim/base/bounds.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/pareto.h"
#include "xpusim/dse/space.h"

namespace xpusim::api {

// Bounds of explore's numeric flags (base/bounds.h style).
inline constexpr IntBound kMaxDesignsBound{1, int64_t{1} << 40, "designs of a grid"};
inline constexpr IntBound kMaxEvalsBound{1, int64_t{1} << 40, "designs to evaluate"};
inline constexpr IntBound kThreadsBound{1, 1024, "worker threads"};

struct ExploreRequest {
  std::string space;                        // space/v1 YAML file
  std::string strategy = "grid";            // grid | random | lhs
  std::optional<int64_t> max_evals;         // designs to evaluate (random, lhs: required beyond
                                            // max_designs)
  int64_t max_designs = static_cast<int64_t>(kDefaultMaxDesigns);
  int64_t seed = 0;
  std::optional<int64_t> threads;           // default: the hardware threads
  std::string db;                           // SQLite file of every design's result | ""
  bool resume = false;                      // continue the search in db
  std::vector<std::string> overrides;       // must be empty (a varying field is a parameter)
  // Progress, called on the calling thread: the designs to evaluate now, then each block as it
  // is done. Optional.
  std::function<void(uint64_t designs)> on_start;
  std::function<void(const std::vector<DesignResult>& block)> on_block;
};

struct ParetoRequest {
  std::string db;                           // SQLite file written by explore
  std::string objectives;                   // "metric:max,metric:min" instead of the space's
};

struct FrontOutcome {
  SpaceSpec space;
  FrontBuilder front;
  // explore: the grid's size, the designs evaluated now, those lhs drew twice (kept once) and
  // those the database held already.
  uint64_t grid_designs = 0, evaluated_now = 0, drawn_twice = 0, already_in_db = 0;
  Json json;                                // `explore|pareto --format json`
};

// The `explore|pareto --format json` document of a front (parameters, tied fields included, and
// metrics of each design on it; the counts; the objectives; the assumptions).
Json front_json(const SpaceSpec& space, const FrontBuilder& fb);

// The space of a search, loaded and checked as explore checks it before any evaluation: no --set,
// --resume only with --db, a grid bounded by --max-designs, another strategy by --max-evals
// (required beyond --max-designs, never above it). The explore command's MPI and NSGA-II search
// starts from it too.
Result<SpaceSpec> load_search_space(const ExploreRequest& request);

Result<FrontOutcome> explore_scenario(const ExploreRequest& request);
Result<Json> explore(const ExploreRequest& request);
Result<FrontOutcome> pareto_scenario(const ParetoRequest& request);
Result<Json> pareto(const ParetoRequest& request);

// What every design's figures assume (issue 8: power is a constraint, never free).
inline constexpr const char* kDesignAssumptions =
    "each phase (static) or step window (serve) runs at the clock its power sustains under the "
    "design's TDP (perf/sustained_clock.h, serving/power_limiter.h), so power per device is at most "
    "the TDP and compute beyond it is not credited; cost is manufacturing per good package; "
    "economics as `xpusim run` with its defaults";

}  // namespace xpusim::api
