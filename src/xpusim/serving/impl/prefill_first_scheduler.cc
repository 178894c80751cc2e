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
    // A decode iteration of every running request: the sequence cap bounds it, not the budget
    // (Engine::plan_decode_pass: the steady rows in bulk).
    e.plan_decode_pass(std::numeric_limits<int64_t>::max());
  }
};

}  // namespace

std::unique_ptr<BatchScheduler> make_prefill_first_scheduler() {
  return std::make_unique<PrefillFirstScheduler>();
}

}  // namespace xpusim::impl
