// SPDX-License-Identifier: Apache-2.0
// Writes a search's results to its ResultDb on a thread of its own (dse/ stage 4), block by block
// in the order given, each block one transaction. Rank 0 of an MPI job uses it so that it
// evaluates its next block while the last round is written: the other ranks wait for rank 0 at
// every round, so writing in line would idle them for the whole write.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/result_db.h"
#include "xpusim/dse/space.h"

namespace xpusim {

class ResultWriter {
 public:
  // At most `limit` blocks (>= 1) wait to be written; push() waits while that many do. A killed
  // process loses at most those and the block being written.
  ResultWriter(ResultDb& db, const SpaceSpec& space, size_t limit);
  ~ResultWriter();  // finishes the writes (errors are dropped here: call finish() to see them)
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  // Queues `block`; rethrows the exception a write raised (every later call does too).
  void push(std::vector<DesignResult> block);
  // Waits until every block is written; rethrows the exception a write raised.
  void finish();

 private:
  void run();
  void rethrow_locked();

  ResultDb& db_;
  const SpaceSpec& space_;
  size_t limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<DesignResult>> queue_;
  bool writing_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace xpusim
