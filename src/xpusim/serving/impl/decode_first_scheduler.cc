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
  [[nodiscard]] bool decodes_in_bulk() const override { return true; }

  void schedule(Engine& e) override {
    int64_t budget = e.profile.max_num_tokens;
    // 1. Every decode row (Engine::plan_decode_pass: the steady rows in bulk when they fit).
    budget = e.plan_decode_pass(budget);
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
