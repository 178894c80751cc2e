// SPDX-License-Identifier: Apache-2.0
// prefill_first: an iteration is prefill-only whenever prompt work exists -- the next chunk of an
// admitted prompt, then new requests in arrival order within the token budget and the sequence
// cap -- and a decode iteration of every running request otherwise. vLLM V0's default scheduler
// (Scheduler._schedule_default: "prefills are scheduled first; decodes only when no prefill can be
// scheduled") and SGLang's (a new prefill batch is formed before decoding continues, unless mixed
// chunks are enabled; serving.md §3b-§3c). Decode iterations are bounded by the sequence cap only.
#include "xpusim/serving/impl/builtin_schedulers.h"

#include <algorithm>
#include <limits>

namespace xpusim::impl {
namespace {

class PrefillFirstScheduler final : public BatchScheduler {
 public:
  [[nodiscard]] std::string_view name() const override { return "prefill_first"; }
  [[nodiscard]] bool decodes_in_bulk() const override { return true; }

  void schedule(Engine& e) override {
    int64_t budget = e.plan_admitted_prompts(e.profile.max_num_tokens);
    e.admit_and_plan(budget, /*decode_now=*/false);
    if (!e.work.empty()) return;
    // A decode iteration of every running request (the sequence cap bounds it, not the budget):
    // the steady rows in bulk (Engine, "Steady decode rows"), else row by row.
    int64_t unbounded = std::numeric_limits<int64_t>::max();
    if (e.bulk_decode && e.plan_bulk_decode(unbounded)) {
      e.pass_rows = e.work.size();
      return;
    }
    if (e.bulk_decode) {
      e.dissolve_steady();
      e.row_by_row = true;
    }
    e.running.compact();  // an index loop: preemptions below erase only the back
    for (size_t i = 0; i < e.running.slots().size();) {
      e.prefetch_running(i + Engine::kPrefetchAhead);
      const int32_t slot = e.running.slots()[i];
      if (e.requests[static_cast<size_t>(slot)].phase != RequestPhase::kDecode) {
        ++i;
        continue;
      }
      if (!e.reserve_decode(slot)) break;
      e.queue_decode(slot);
      ++i;
    }
    e.add_queued_decode_rows(0);
    e.pass_rows = e.work.size();
  }
};

}  // namespace

std::unique_ptr<BatchScheduler> make_prefill_first_scheduler() {
  return std::make_unique<PrefillFirstScheduler>();
}

}  // namespace xpusim::impl
