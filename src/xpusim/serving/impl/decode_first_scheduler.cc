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

class DecodeFirstScheduler final : public BatchScheduler {
 public:
  [[nodiscard]] std::string_view name() const override { return "decode_first"; }

  void schedule(Engine& e) override {
    int64_t budget = e.profile.max_num_tokens;
    // 1. Decode rows, in admission order. Reserving a block may preempt later-admitted requests
    // (they leave `running` from the back) or this one (then it was the last).
    const size_t first_row = e.work.size();
    // Whether a request this pass visited is mid-prompt (kPrefill), and whether the pass stopped
    // on the budget before visiting them all: step 2 has work only then. (A pass that stops on
    // a preemption of the current row has visited every request still running: the rows after
    // it were preempted first.)
    bool prompts = false, stopped_on_budget = false;
    for (size_t i = 0; i < e.running.size();) {
      e.prefetch_running(i + Engine::kPrefetchAhead);
      const int32_t slot = e.running[i];
      const LiveRequest& r = e.requests[static_cast<size_t>(slot)];
      if (r.phase != RequestPhase::kDecode) {
        prompts = prompts || r.phase == RequestPhase::kPrefill;
        ++i;
        continue;
      }
      if (budget < r.beams) {
        stopped_on_budget = true;
        break;
      }
      if (!e.reserve_decode(slot)) break;  // preempted itself: it was the last running request
      e.queue_decode(slot);
      budget -= r.beams;
      ++i;
    }
    e.add_queued_decode_rows(first_row);
    // 2. Prompts already admitted (the next chunk of a chunked prefill), 3. new requests.
    // (plan_admitted_prompts scans the running batch for kPrefill rows: skipped when step 1 saw
    // none, which leaves the budget and the plan as the scan would.)
    if (prompts || stopped_on_budget) budget = e.plan_admitted_prompts(budget);
    e.admit_and_plan(budget, /*decode_now=*/true);
  }
};

}  // namespace

std::unique_ptr<BatchScheduler> make_decode_first_scheduler() {
  return std::make_unique<DecodeFirstScheduler>();
}

}  // namespace xpusim::impl
