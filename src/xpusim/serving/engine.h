// SPDX-License-Identifier: Apache-2.0
// One serving engine (one model replica, or one pipeline lane of a replica) inside the serving
// simulator (stage: serving/): its waiting queue, its running batch, its paged KV cache, and the
// mechanics a batch scheduler uses to build an iteration -- admission against the KV cache (no-evict
// reservation or max-utilisation), KV growth of decode rows with preemption by recompute, and the
// plan of the iteration (which requests do which work, as a StepShape for the step model).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "xpusim/serving/engine_profile.h"
#include "xpusim/serving/kv_cache.h"
#include "xpusim/serving/request.h"
#include "xpusim/workload/step_shape.h"

namespace xpusim {

enum class RequestPhase : uint8_t {
  kWaiting,   // queued at an engine (new, preempted, or transferred and not yet admitted)
  kPrefill,   // admitted, prompt not fully in the KV cache
  kDecode,    // generating
  kTransfer,  // disaggregated: KV moving from the prefill pool to the decode pool
  kDone,
};

// The live state of a request (a slot of the simulator's request pool, reused after completion).
// Layout: the fields every iteration reads or writes for every running request (the schedulers'
// decode pass, the end-of-step update) come first and the struct is aligned to a 64-byte cache
// line, so that a decode row costs one cache line instead of two (the pool of a 600 s MLPerf
// Server run outgrows the caches and these loops wait on memory).
struct alignas(64) LiveRequest {
  // ---- Hot: read or written for every running request every iteration ----
  RequestPhase phase = RequestPhase::kWaiting;
  bool prefix_ref = false;    // holds a reference on its prefix-cache entry
  bool prefix_owner = false;  // will publish its prefix when its prompt is in the cache
  int64_t kv_tokens = 0;      // tokens of this request in the KV cache (incl. a cached prefix)
  int64_t blocks = 0;         // KV blocks its context occupies (shared_blocks of them a prefix's)
  int64_t beams = 1;          // decode rows per step
  int64_t generated = 0;      // output tokens produced so far
  int64_t output_len = 0;
  SimDuration first_token{-1};
  SimDuration last_token{0};
  // ---- The rest ----
  int64_t id = 0;             // arrival order
  SimDuration arrival{0};
  int64_t input_len = 0;
  int64_t prefix_id = -1;
  int64_t prefix_len = 0;
  // Of `blocks`, those of a prefix-cache entry it references (a prefix hit's, or its own prompt's
  // once published): the entry's to keep or evict, not this request's to release.
  int64_t shared_blocks = 0;
  // Tokens to prefill: the prompt, plus the tokens generated before a recompute preemption.
  int64_t prompt_len = 0;
  int32_t engine = -1;
  int32_t preemptions = 0;
};

// Work of one request in the iteration being built.
struct StepWork {
  int64_t tokens = 0;         // prefill chunk tokens, or 0 for a decode row
  int32_t slot = 0;
  bool prefill = false;
};

class Engine {
 public:
  using Pull = std::function<int32_t()>;  // next request from a shared offline queue, or -1

  // `max_model_len`: longest prompt + output accepted (0 = no limit besides the KV cache).
  Engine(int index, const EngineProfile& profile, int64_t kv_blocks, int window,
         std::vector<LiveRequest>& requests, bool decode_only = false, int64_t max_model_len = 0);

  // ---- Mechanics for schedulers ----
  // The first waiting request, pulling one from the shared queue (offline runs) when none waits;
  // -1 when there is none.
  int32_t front_waiting();
  // Admits waiting request `slot` (the front of the queue) if a sequence seat and its KV blocks
  // are free (admission policy, prefix cache); moves it to the running batch. False: it stays.
  bool admit_front();
  // Allocates what decode row `slot` needs for its next token (max-utilisation admission grows the
  // allocation block by block); when the cache is full, preempts the latest-admitted running
  // requests (vLLM's recompute preemption) until it fits. False when `slot` itself was preempted.
  bool reserve_decode(int32_t slot) {
    const LiveRequest& r = requests[static_cast<size_t>(slot)];
    // Fast path (inline: once per decode row): the next token fits the blocks held.
    if (r.beams == 1 && r.kv_tokens + 1 <= r.blocks * kv.block_size()) return true;
    return grow_for_decode(slot);
  }
  // Adds the iteration's work for `slot`: a prefill chunk of `tokens` or a decode row.
  void plan_prefill(int32_t slot, int64_t tokens);
  void plan_decode(int32_t slot) {
    const LiveRequest& r = requests[static_cast<size_t>(slot)];
    add_decode(shape, r.kv_tokens + 1, window, r.beams);
    work.push_back(StepWork{.tokens = 0, .slot = slot, .prefill = false});
  }
  // The schedulers' pass over every running request, in two loops: the first reserves each
  // row's KV and appends its work (queue_decode), the second (add_queued_decode_rows) adds the
  // rows appended since work index `from` to the shape in the same order, in a loop without
  // calls whose sums stay in registers (DecodeRowSum) -- the same shape as plan_decode row by
  // row: a queued row's context and beams do not change before the second loop (reserving a
  // later row preempts only rows after it).
  void queue_decode(int32_t slot) {
    work.push_back(StepWork{.tokens = 0, .slot = slot, .prefill = false});
  }
  void add_queued_decode_rows(size_t from) {
    DecodeRowSum rows(shape);
    for (size_t k = from; k < work.size(); ++k) {
      const LiveRequest& r = requests[static_cast<size_t>(work[k].slot)];
      rows.add(r.kv_tokens + 1, window, r.beams);
    }
    rows.commit();
  }
  // Asks the CPU to fetch running[i]'s state ahead of a pass over the running batch (no effect
  // on the simulation; the pool's slots are reused in completion order, so the pass jumps around
  // the pool and waits on memory without it).
  void prefetch_running(size_t i) const {
    if (i < running.size())
      __builtin_prefetch(&requests[static_cast<size_t>(running[i])]);
  }
  static constexpr size_t kPrefetchAhead = 8;  // rows ahead (a guess; any value gives the same run)

  // Steps shared by the schedulers, each returning the token budget left:
  // the next chunk of every admitted prompt (the rest of the prompt, or up to the budget when
  // chunked prefill is on; an unchunked prompt that does not fit waits);
  int64_t plan_admitted_prompts(int64_t budget);
  // then waiting requests in arrival order, admitted while a seat, the budget and the KV cache
  // allow, with their first chunk planned; a transferred request (its prompt already in the
  // cache) joins as a decode row when `decode_now`, else it is admitted for the next iteration.
  int64_t admit_and_plan(int64_t budget, bool decode_now);

  // Tokens of `slot` still to prefill.
  [[nodiscard]] int64_t prompt_left(int32_t slot) const;
  // Releases everything `slot` holds (completion, transfer done, rejection).
  void release(int32_t slot);
  // Longest prompt + output this engine can ever hold (KV capacity, max_model_len).
  [[nodiscard]] int64_t max_tokens_per_request() const;
  // Why a request can never be served here, or kNone.
  enum class Unservable : uint8_t {
    kNone,
    kTooLong,          // prompt + output beyond max_model_len (the engine's, else the model's)
    kPromptOverBudget, // prompt longer than the token budget and chunked prefill is off
    kKvCapacity,       // its whole context does not fit the engine's KV cache
  };
  [[nodiscard]] Unservable unservable(const LiveRequest& r) const;

  // ---- State ----
  int index;
  const EngineProfile& profile;
  PagedKvCache kv;
  int window;
  int64_t max_model_len;         // 0 = no limit besides the KV cache
  bool decode_only;           // decode pool of a disaggregated deployment: no prefill work
  std::vector<LiveRequest>& requests;
  std::deque<int32_t> waiting;
  std::vector<int32_t> running;  // admission order
  Pull pull;                     // set for offline runs
  int64_t seq = 0;               // LRU clock for the prefix cache
  int64_t preemptions = 0;
  int64_t admitted = 0;          // requests admitted so far

  // The iteration being built / running.
  std::vector<StepWork> work;
  StepShape shape;
  bool busy = false;
  SimDuration step_start{0};
  SimDuration step_duration{0};

 private:
  // reserve_decode's slow path: allocate, preempting the latest-admitted requests if needed.
  bool grow_for_decode(int32_t slot);
  // KV blocks `r` needs to hold `tokens` context tokens (prompt blocks shared by its beams).
  [[nodiscard]] int64_t blocks_needed(const LiveRequest& r, int64_t tokens) const;
  void preempt(int32_t slot);
};

}  // namespace xpusim
