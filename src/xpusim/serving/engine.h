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
#include <queue>
#include <vector>

#include "xpusim/config/model_params.h"
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
  // A steady decode row of its engine (Engine, "Steady decode rows"): kv_tokens, generated and
  // last_token are as of synced_at, and Engine::sync() brings them up to date.
  bool steady = false;
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
  // A steady row's keys on a local attention layer at context k are local_a x k + local_b until
  // its next local event (Engine::set_local): 1 x k + 0 below a sliding window or without local
  // layers, 0 x k + W at or beyond window W, 1 x k - C x (chunks before k's) under chunked
  // attention of chunk C.
  int32_t local_a = 1;
  int64_t local_b = 0;
  int64_t admit_seq = 0;      // its engine's admission count when it was admitted (order)
  int64_t running_at = 0;     // its index in its engine's RunningList
  int64_t synced_at = 0;      // a steady row's state is as of this many bulk iterations
};

// An engine's running batch in admission order, with O(1) removal: a removed request leaves a
// hole (kHole) that iteration skips; trailing holes are dropped at once, so back() is the
// latest-admitted running request; the holes are squeezed out once they outnumber the requests
// (amortised O(1) per removal). Each request records its index (LiveRequest::running_at).
class RunningList {
 public:
  static constexpr int32_t kHole = -1;
  explicit RunningList(std::vector<LiveRequest>& requests) : requests_(requests) {}

  [[nodiscard]] size_t size() const { return live_; }
  [[nodiscard]] bool empty() const { return live_ == 0; }
  [[nodiscard]] int32_t back() const { return slots_.back(); }  // not empty
  void push_back(int32_t slot) {
    requests_[static_cast<size_t>(slot)].running_at = static_cast<int64_t>(slots_.size());
    slots_.push_back(slot);
    ++live_;
  }
  void erase(int32_t slot);
  // Squeezes out the holes: afterwards slots() holds exactly the running requests, in order, and
  // stays so while only back() is erased (an index loop over slots() may then run).
  void compact();
  [[nodiscard]] const std::vector<int32_t>& slots() const { return slots_; }

  // Iteration over the running requests (holes skipped).
  class Iterator {
   public:
    Iterator(const int32_t* p, const int32_t* end) : p_(p), end_(end) { skip(); }
    int32_t operator*() const { return *p_; }
    Iterator& operator++() {
      ++p_;
      skip();
      return *this;
    }
    bool operator!=(const Iterator& o) const { return p_ != o.p_; }

   private:
    void skip() {
      while (p_ != end_ && *p_ == kHole) ++p_;
    }
    const int32_t* p_;
    const int32_t* end_;
  };
  [[nodiscard]] Iterator begin() const {
    return {slots_.data(), slots_.data() + slots_.size()};
  }
  [[nodiscard]] Iterator end() const {
    return {slots_.data() + slots_.size(), slots_.data() + slots_.size()};
  }

 private:
  std::vector<LiveRequest>& requests_;
  std::vector<int32_t> slots_;
  size_t live_ = 0;
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
  // `keep`: what a sequence's KV holds per layer (config/model_params.h kv_keep): blocks count
  // tokens of every layer, so a local layer's window or chunk takes what per-layer-group pages
  // hold (a cyclic window buffer where every layer slides, as vLLM and TensorRT-LLM keep
  // Mistral's; vLLM's hybrid KV cache manager for mixed layers). Requests with a shared prefix
  // under prefix caching and beam searches hold every token (their shared blocks are counted in
  // tokens).
  Engine(int index, const EngineProfile& profile, int64_t kv_blocks, const AttentionSpan& span,
         std::vector<LiveRequest>& requests, bool decode_only = false, int64_t max_model_len = 0,
         KvKeep keep = {});

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
    add_decode(shape, r.kv_tokens + 1, span, r.beams);
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
    DecodeRowSum rows(shape, span);
    for (size_t k = from; k < work.size(); ++k) {
      const LiveRequest& r = requests[static_cast<size_t>(work[k].slot)];
      rows.add(r.kv_tokens + 1, r.beams);
    }
    rows.commit();
  }
  // Asks the CPU to fetch running[i]'s state ahead of a pass over the running batch (no effect
  // on the simulation; the pool's slots are reused in completion order, so the pass jumps around
  // the pool and waits on memory without it).
  void prefetch_running(size_t i) const {
    if (i < running.slots().size() && running.slots()[i] != RunningList::kHole)
      __builtin_prefetch(&requests[static_cast<size_t>(running.slots()[i])]);
  }
  static constexpr size_t kPrefetchAhead = 8;  // rows ahead (a guess; any value gives the same run)

  // ---- Steady decode rows (bulk decoding) ----
  // Each iteration that decodes decodes every running request in its decode phase (decode_first:
  // every iteration, unless the token budget runs out first; prefill_first: the iterations
  // without prompt work). A request that decoded in the engine's last decoding iteration then
  // changes identically in every one: one more KV token per beam, one more output token, the
  // same inter-token gap. Such rows are "steady" and decoded in bulk: an iteration adds them to
  // the step shape from running sums (their number, the sum and the maximum of their contexts,
  // the sum of their keys on a local layer) and touches only the rows with an event -- a KV
  // block to allocate before it (max-utilisation admission grows the allocation block by block),
  // a local event (below), completion after it -- found by the engine's bulk-iteration count (a
  // timing wheel of block events, min-heaps of local events and completions). A steady row's
  // kv_tokens, generated and last_token are stored as of `synced_at` bulk iterations; sync() brings
  // them up to date before anything reads them. Rows with anything else to do (a prompt chunk, a
  // first decode after the prompt or a transfer, a row the budget left out of the last iteration)
  // are planned row by row as before, in admission order with the rows whose block is due. An
  // iteration whose token budget cannot hold every decode row dissolves the steady set
  // (dissolve_steady) and runs the row-by-row pass (this takes beams: a prompt that completes took
  // at least one token of the budget in its last iteration, so with one row per request the decode
  // rows never outnumber the budget). The simulation is the one the row-by-row pass gives: the same
  // allocations, preemptions, step shapes and completions in the same order (only the grouping of
  // equal inter-token gaps in the histogram may differ: docs/serving.md); the work is O(events) per
  // iteration instead of O(running requests). Enabled per engine by the simulation
  // (`bulk_decode`) when its scheduler decodes in bulk (BatchScheduler::decodes_in_bulk) and the
  // engine can (bulk_capable); every request of a run has the same beams. Local attention
  // layers: a steady row's keys on a local layer are affine in its context between its local
  // events (LiveRequest::local_a, local_b) -- reaching a sliding window, or the start of a new
  // attention chunk -- kept in a heap like the completions; its KV blocks follow kv_keep
  // (held_tokens inverts it).
  bool bulk_decode = false;
  // Whether the steady rows' sums can describe this engine's iterations: not for chunked
  // attention on every layer (the longest key run is then the largest phase in a chunk, which no
  // running maximum of the contexts gives), nor for token-granular KV of a model with local
  // layers (a row then takes a block only on some iterations).
  [[nodiscard]] bool bulk_capable() const {
    const bool phase_max = span.chunk > 0 && span.local_share >= 1.0;
    return !phase_max && !(token_blocks_ && keep.local > 0);
  }
  int64_t bulk_rows = 0;             // steady requests the iteration being built decodes in bulk
  size_t pass_rows = 0;              // work rows [0, pass_rows) are the decode pass's rows
  std::vector<int32_t> pending;      // decode-phase rows outside the steady set, to plan by row

  // ---- The iteration ----
  // Empties the plan (work, shape, bulk rows) before a scheduler builds the next iteration.
  void begin_iteration();
  // The decode pass, the first work of an iteration that decodes: every decode-phase request in
  // admission order while `budget` holds its beams (an iteration without a budget passes the
  // largest int64), reserving KV for each (which may preempt later-admitted requests); with bulk
  // decoding the steady rows in bulk, unless the budget cannot hold every decode row. Returns the
  // budget left.
  int64_t plan_decode_pass(int64_t budget);
  // After an iteration that decoded `bulk_rows` steady rows ending at `now`: every steady row has
  // one more token. Returns the rows' inter-token gap and appends the steady rows that completed
  // with this token to `finishing`, in admission order (still steady: finish them by leave_steady
  // and the simulation's completion).
  SimDuration advance_steady(SimDuration now, std::vector<int32_t>& finishing);
  // Adds decode-phase row `slot`, which emitted its last token at `now`, to the steady set if it
  // can be one (bulk decoding on, the set empty or its last token also at `now`); else to
  // `pending`.
  void join_steady(int32_t slot, SimDuration now);
  // Takes `r` out of the steady set, synced.
  void leave_steady(LiveRequest& r);
  // Brings a steady row's kv_tokens, generated and last_token up to date (no-op otherwise).
  void sync(LiveRequest& r) const;

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
  AttentionSpan span;            // which keys the model's queries attend (step_shape.h)
  KvKeep keep;                   // what a sequence's KV cache holds per layer
  int64_t max_model_len;         // 0 = no limit besides the KV cache
  bool decode_only;           // decode pool of a disaggregated deployment: no prefill work
  std::vector<LiveRequest>& requests;
  std::deque<int32_t> waiting;
  RunningList running;           // admission order
  Pull pull;                     // set for offline runs
  int64_t seq = 0;               // LRU clock for the prefix cache
  int64_t preemptions = 0;
  int64_t admitted = 0;          // requests admitted so far
  std::vector<int32_t> prefilling;  // running requests in their prompt phase, admission order

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
  // The row-by-row decode pass over `running`; returns the budget left.
  int64_t plan_decode_rows(int64_t budget);
  // Plans the decode rows of the iteration being built with the steady rows in bulk: the rows
  // whose block is due and the pending rows in admission order (KV reservation, preemption), then
  // the steady rows' sums. Returns false, having changed nothing, when the budget cannot hold
  // every decode row or a row's context is beyond what a step shape accepts (the row-by-row
  // pass then runs and reports it); else takes the rows from `budget`.
  bool plan_bulk_decode(int64_t& budget);
  // Every steady row back to row-by-row state (synced), for the row-by-row pass over `running`.
  // The rows that pass leaves out (the budget ran out) are found again for the pending list at
  // the next bulk plan (`pending_from_running_`).
  void dissolve_steady();
  bool pending_from_running_ = false;
  // A steady row's next event: a block to allocate when the engine has run `step` bulk
  // iterations (reserve), or completion once it has (finish); `seq` = admit_seq orders a step's
  // events by admission. Stale entries (the row left the set, or its block came earlier) are
  // skipped when popped: an entry is current iff its row is steady, admitted as `seq`, and
  // the step recomputed from the row's synced state equals `step`.
  struct Due {
    int64_t step = 0;
    int64_t seq = 0;
    int32_t slot = 0;
    bool operator>(const Due& o) const { return step != o.step ? step > o.step : seq > o.seq; }
  };
  using DueHeap = std::priority_queue<Due, std::vector<Due>, std::greater<>>;
  // The most context tokens the blocks of row `r` (decode phase) hold (blocks_needed's inverse:
  // with beams, the prompt's blocks once and each beam's own generated tokens).
  // Local layers keep at most their window or chunk (kv_keep): the context grows past
  // blocks x block size (KvKeep::max_context), unless the request keeps every token (a shared
  // prefix under prefix caching: blocks_needed).
  [[nodiscard]] int64_t held_tokens(const LiveRequest& r) const {
    if (r.beams <= 1) {
      const int64_t held = r.blocks * kv.block_size();
      return profile.prefix_caching && r.prefix_id >= 0 ? held : keep.max_context(held);
    }
    return r.prompt_len + kv.block_size() * ((r.blocks - kv.blocks_for(r.prompt_len)) / r.beams);
  }
  // The bulk iteration at which row `r` needs a block: when its next token's context,
  // kv_tokens + 1, exceeds what its blocks hold.
  [[nodiscard]] int64_t reserve_step(const LiveRequest& r) const {
    return r.synced_at + held_tokens(r) - r.kv_tokens;
  }
  [[nodiscard]] static int64_t finish_step(const LiveRequest& r) {
    return r.synced_at + r.output_len - r.generated;
  }
  // The largest offset of the steady rows (rows > 0).
  [[nodiscard]] int64_t largest_offset();
  // Sets row `r`'s local_a / local_b for context `k` (AttentionSpan: window or chunk) and returns
  // the bulk iteration of its next local event, -1 when its keys stay affine (no local layers, or
  // at or beyond a window). `r` is steady (its offset is kv_tokens - synced_at).
  int64_t set_local(LiveRequest& r, int64_t k) const;
  // The bulk iteration of steady row `r`'s next local event as set_local gave it (-1: none).
  [[nodiscard]] int64_t local_event_step(const LiveRequest& r) const;
  // A steady row's term of SteadySet::local_const: local_a x offset + local_b.
  [[nodiscard]] static int64_t local_const(const LiveRequest& r) {
    return r.local_a * (r.kv_tokens - r.synced_at) + r.local_b;
  }
  // Moves the steady rows whose local event is due at bulk iteration `step` to their next piece.
  void advance_local(int64_t step);
  // Whether `d` is its row's current event (see Due).
  [[nodiscard]] bool current(const Due& d, bool finish) const;
  // Pops the current entries of `heap` due at `step` (in admission order) into `out`.
  void pop_due(DueHeap& heap, int64_t step, bool finish, std::vector<int32_t>& out);
  // The block events: a timing wheel of 2^k >= 2 x block size buckets by step (a row's next block
  // is at most a block's worth of iterations ahead once it grows block by block, so each bucket
  // holds one step's rows: O(events) per iteration, no heap), events further ahead in a heap
  // until they come within the wheel's reach.
  struct BlockEvents {
    std::vector<std::vector<Due>> wheel;
    DueHeap later;
  };
  void push_block_event(const Due& d);
  // The rows whose block is due at bulk iteration `step`, in admission order, into `out`.
  void pop_block_events(int64_t step, std::vector<int32_t>& out);
  struct SteadySet {
    int64_t iterations = 0;       // bulk iterations run (the rows' clock)
    SimDuration last_token{0};    // when the steady rows emitted their last token
    int64_t rows = 0;             // steady requests
    int64_t beams = 1;            // decode rows of each (a run's requests all have the same)
    // Σ of kv_tokens - iterations over the rows (a row's "offset", constant while it is steady:
    // the rows' contexts are their offsets plus `iterations`).
    int64_t offset_sum = 0;
    // The largest offset (the longest context): a max-heap of the rows' offsets as they joined.
    // Entries of rows that left are dropped when they reach the top, and the heap is rebuilt
    // from its current entries once they are outnumbered (amortised O(log n) per row).
    struct Offset {
      int64_t offset = 0;
      int64_t seq = 0;
      int32_t slot = 0;
      bool operator<(const Offset& o) const { return offset < o.offset; }
    };
    std::vector<Offset> offsets;
    BlockEvents reserve;
    DueHeap finish;
    // Local attention layers: the rows' keys on a local layer at the next iteration are
    // local_const + local_a x (iterations + 1), summed from each row's affine piece
    // (LiveRequest::local_a, local_b); `local` holds the rows' next local events.
    int64_t local_a = 0;      // Σ local_a
    int64_t local_const = 0;  // Σ local_a x offset + local_b
    DueHeap local;
  } steady_;
  std::vector<int32_t> due_;  // scratch: this iteration's rows with a due block
  // Token-granular KV growing as tokens arrive (block size 1, max-utilisation admission: SGLang's
  // page size 1): every steady row takes `beams` blocks every iteration, so instead of one block
  // event per row and iteration the steady rows' blocks are allocated together
  // (plan_bulk_decode) and a row's `blocks`, like its context, advances in sync().
  bool token_blocks_;
};

}  // namespace xpusim
