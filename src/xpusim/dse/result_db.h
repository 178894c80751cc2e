// SPDX-License-Identifier: Apache-2.0
// Results of a search in SQLite (dse/ stage 4): table `designs`, one row per design keyed by its
// design_id, with design_index, every parameter (a typed column named by its path), feasible,
// infeasible_reason, infeasible_detail and every metric (a column named and typed by the metric
// table, dse/metrics.h metric_fields, as in the JSON; NULL
// when the design has no figure); table `meta` holds the space (its text, canonical text and
// hash) so that a run can be resumed and read back by `xpusim pareto`. Rows are written a block
// per transaction: a killed run loses at most the block in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/space.h"

namespace SQLite {
class Database;
}

namespace xpusim {

class ResultDb {
 public:
  ~ResultDb();
  ResultDb(const ResultDb&) = delete;
  ResultDb& operator=(const ResultDb&) = delete;

  // Opens `path` for a search of `space` (whose file text is `space_text`). A new file is
  // created. An existing one is an error unless `resume`; with `resume` it must hold the same
  // space (canonical text), else an error naming both hashes. Errors name `flag` ("--db").
  static Result<std::unique_ptr<ResultDb>> open_for_search(const std::string& path,
                                                           const SpaceSpec& space,
                                                           const std::string& space_text,
                                                           bool resume);
  // Opens an existing results file read-only (`xpusim pareto`).
  static Result<std::unique_ptr<ResultDb>> open_for_reading(const std::string& path);

  // The grid indices of the designs already stored.
  [[nodiscard]] std::unordered_set<uint64_t> stored_indices() const;
  // Writes `results` of `space` in one transaction.
  void write(const SpaceSpec& space, const std::vector<DesignResult>& results);
  // Every stored design, in design_index order; with `space`, a per_model space's per-model
  // columns are read into DesignResult::model_metrics.
  void for_each(const std::function<void(const DesignResult&)>& fn) const;
  void for_each(const SpaceSpec& space, const std::function<void(const DesignResult&)>& fn) const;

  // The space file's text and name, as stored.
  [[nodiscard]] std::string meta(const std::string& key) const;

 private:
  explicit ResultDb(std::unique_ptr<SQLite::Database> db);
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace xpusim
