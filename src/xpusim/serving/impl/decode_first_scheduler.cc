// SPDX-License-Identifier: Apache-2.0
// decode_first: every running decode row first, then the prompts of running requests (chunked
// prefill continues), then new requests in arrival order while the token budget
// (max_num_tokens: prefill + decode tokens) and the sequence cap (max_batch) allow. TensorRT-LLM's
// in-flight batching ("generation-phase requests are scheduled first each iteration, then new
// context requests as max_num_tokens and max_batch_size allow", serving.md §3a), vLLM V1 and
// Sarathi-Serve's stall-free batching. Without chunked prefill a prompt runs whole or waits; the
// queue is served in order (no request overtakes a prompt that does not fit).
#include "xpusim/serving/impl/builtin_schedulers.h"

#include <algorithm>

namespace xpusim::impl {
namespace {

// Every decode row, row by row in admission order, while the budget holds its beams; returns the
// budget left. Reserving a block may preempt later-admitted requests (they leave `running` from
// the back) or this one (then it was the last, and the pass ends).
int64_t plan_decode_rows(Engine& e, int64_t budget) {
  const size_t first_row = e.work.size();
  e.running.compact();  // an index loop: preemptions below erase only the back
  for (size_t i = 0; i < e.running.slots().size();) {
    e.prefetch_running(i + Engine::kPrefetchAhead);
    const int32_t slot = e.running.slots()[i];
    const LiveRequest& r = e.requests[static_cast<size_t>(slot)];
    if (r.phase != RequestPhase::kDecode) {
      ++i;
      continue;
    }
    if (budget < r.beams) break;
    if (!e.reserve_decode(slot)) break;  // preempted itself: it was the last running request
    e.queue_decode(slot);
    budget -= r.beams;
    ++i;
  }
  e.add_queued_decode_rows(first_row);
  return budget;
}

class DecodeFirstScheduler final : public BatchScheduler {
 public:
  [[nodiscard]] std::string_view name() const override { return "decode_first"; }
  [[nodiscard]] bool decodes_in_bulk() const override { return true; }

  void schedule(Engine& e) override {
    int64_t budget = e.profile.max_num_tokens;
    // 1. Decode rows: with bulk decoding the steady rows in bulk (Engine, "Steady decode rows"),
    // unless the budget cannot hold every decode row; then (and without bulk decoding) row by row.
    if (!e.bulk_decode || !e.plan_bulk_decode(budget)) {
      if (e.bulk_decode) {
        e.dissolve_steady();
        e.row_by_row = true;
      }
      budget = plan_decode_rows(e, budget);
    }
    e.pass_rows = e.work.size();
    // 2. Prompts already admitted (the next chunk of a chunked prefill), 3. new requests.
    budget = e.plan_admitted_prompts(budget);
    e.admit_and_plan(budget, /*decode_now=*/true);
  }
};

}  // namespace

std::unique_ptr<BatchScheduler> make_decode_first_scheduler() {
  return std::make_unique<DecodeFirstScheduler>();
}

}  // namespace xpusim::impl
