// SPDX-License-Identifier: Apache-2.0
// Engine mechanics. Admission (TensorRT-LLM capacity scheduler, vLLM BlockSpaceManager):
// guaranteed_no_evict reserves the blocks of prompt + every output token at admission, so decode
// never runs out; max_utilization allocates the prompt (plus the watermark) and grows one block at a
// time, preempting the latest-admitted running request (recompute: its KV is dropped and its prompt
// plus the tokens generated so far are prefilled again later) when the cache is full (vLLM
// Scheduler._preempt, mode RECOMPUTE). Beam search keeps one copy of the prompt's blocks and one
// copy of the generated tokens' blocks per beam. Ignored: swapping to host memory, block-level
// fragmentation beyond each request's last partial block.
#include "xpusim/serving/engine.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {

// Whether a prompt may be prefilled in pieces. Without chunked prefill a prompt runs whole; a
// recompute after a preemption (prompt + generated tokens) can outgrow the token budget that
// the original prompt fitted (unservable() checks only that), and would then wait at the
// queue's front forever. Such a recompute is prefilled in budget-sized pieces (assumed: the
// engines' behaviour here is not in serving.md), so every admitted request completes.
bool engine_may_chunk(const EngineProfile& p, const LiveRequest& r) {
  return p.chunked_prefill || (r.preemptions > 0 && r.prompt_len > p.max_num_tokens);
}

}  // namespace

Engine::Engine(int idx, const EngineProfile& p, int64_t kv_blocks, const AttentionSpan& attention,
               std::vector<LiveRequest>& reqs, bool decode_pool, int64_t max_len, KvKeep kept)
    : index(idx),
      profile(p),
      kv(kv_blocks, p.kv_block_size),
      span(attention),
      keep(kept),
      max_model_len(max_len),
      decode_only(decode_pool),
      requests(reqs),
      running(reqs),
      token_blocks_(kv.block_size() == 1 && p.admission == AdmissionPolicy::kMaxUtilization) {
  steady_.reserve.wheel.resize(std::bit_ceil(static_cast<uint64_t>(2 * kv.block_size())));
}

void RunningList::erase(int32_t slot) {
  const auto i = static_cast<size_t>(requests_[static_cast<size_t>(slot)].running_at);
  XPUSIM_CHECK(i < slots_.size() && slots_[i] == slot,
               "a request erased from a running batch it is not in");
  slots_[i] = kHole;
  --live_;
  while (!slots_.empty() && slots_.back() == kHole) slots_.pop_back();
  if (slots_.size() > 2 * live_ + 64) compact();
}

void RunningList::compact() {
  size_t out = 0;
  for (const int32_t slot : slots_) {
    if (slot == kHole) continue;
    requests_[static_cast<size_t>(slot)].running_at = static_cast<int64_t>(out);
    slots_[out++] = slot;
  }
  slots_.resize(out);
}

int64_t Engine::blocks_needed(const LiveRequest& r, int64_t tokens) const {
  if (r.beams <= 1) {
    // A shared prefix's blocks are published and referenced in tokens: such a request keeps
    // every token (the prefix cache of a model with local layers is not modelled per layer).
    const bool prefix = profile.prefix_caching && r.prefix_id >= 0;
    return kv.blocks_for(prefix ? tokens : keep.tokens(tokens));
  }
  const int64_t shared = std::min(tokens, r.prompt_len);
  return kv.blocks_for(shared) + r.beams * kv.blocks_for(tokens - shared);
}

Engine::Unservable Engine::unservable(const LiveRequest& r) const {
  const int64_t total = r.input_len + r.output_len;
  if (max_model_len > 0 && total > max_model_len) return Unservable::kTooLong;
  if (!profile.chunked_prefill && !decode_only && r.input_len > profile.max_num_tokens)
    return Unservable::kPromptOverBudget;
  if (blocks_needed(r, total) > kv.capacity_blocks()) return Unservable::kKvCapacity;
  return Unservable::kNone;
}

int32_t Engine::front_waiting() {
  if (waiting.empty() && pull) {
    const int32_t slot = pull();
    if (slot >= 0) {
      requests[static_cast<size_t>(slot)].engine = index;
      waiting.push_back(slot);
    }
  }
  return waiting.empty() ? -1 : waiting.front();
}

bool Engine::admit_front() {
  const int32_t slot = front_waiting();
  if (slot < 0) return false;
  if (static_cast<int64_t>(running.size()) >= profile.max_batch) return false;
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  // Prefix cache: whole blocks of a shared prefix computed before are reused, not prefilled.
  int64_t cached = 0;
  const bool fresh = r.kv_tokens == 0 && r.phase == RequestPhase::kWaiting;
  if (profile.prefix_caching && r.prefix_id >= 0 && r.prefix_len > 0 && fresh)
    cached = kv.ref_prefix(r.prefix_id, std::min(r.prefix_len, r.prompt_len - 1), ++seq);
  const bool ref = cached > 0;
  // Tokens whose blocks this request allocates now. A transferred request arrives with its whole
  // context; everything else allocates its prompt beyond the cached prefix.
  const int64_t context = r.kv_tokens > 0 ? r.kv_tokens + 1 : r.prompt_len;
  int64_t target = context;
  if (profile.admission == AdmissionPolicy::kGuaranteedNoEvict)
    target = r.prompt_len + (r.output_len - r.generated);  // every remaining token reserved
  const int64_t shared = kv.blocks_for(cached);  // the prefix entry's (0 without a hit)
  const int64_t own = blocks_needed(r, target) - shared;
  const auto watermark = static_cast<int64_t>(std::ceil(
      profile.watermark * static_cast<double>(kv.capacity_blocks())));
  if (kv.available_blocks() - own < watermark || !kv.allocate(own)) {
    if (ref) kv.unref_prefix(r.prefix_id, ++seq);
    return false;
  }
  waiting.pop_front();
  // The cached prefix's blocks are part of the context the request's blocks cover (the decode
  // steps grow it from there), not blocks it allocated.
  r.shared_blocks = shared;
  r.blocks = own + shared;
  r.prefix_ref = ref;
  r.prefix_owner = profile.prefix_caching && r.prefix_id >= 0 && !ref && fresh &&
                   r.prefix_len >= kv.block_size();
  if (r.kv_tokens == 0) r.kv_tokens = cached;
  r.phase = r.kv_tokens >= r.prompt_len ? RequestPhase::kDecode : RequestPhase::kPrefill;
  running.push_back(slot);
  ++admitted;
  r.admit_seq = admitted;
  if (r.phase == RequestPhase::kPrefill) prefilling.push_back(slot);
  return true;
}

void Engine::preempt(int32_t slot) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  if (r.steady) leave_steady(r);
  if (r.phase == RequestPhase::kPrefill)
    prefilling.erase(std::find(prefilling.begin(), prefilling.end(), slot));
  kv.release(r.blocks - r.shared_blocks);
  if (r.prefix_ref) kv.unref_prefix(r.prefix_id, ++seq);
  r.blocks = 0;
  r.shared_blocks = 0;
  r.prefix_ref = false;
  r.prefix_owner = false;
  // Recompute: the prompt and the tokens generated so far are prefilled again; the next token is
  // sampled from that prefill.
  r.prompt_len = r.input_len + r.generated;
  r.kv_tokens = 0;
  r.phase = RequestPhase::kWaiting;
  ++r.preemptions;
  ++preemptions;
  running.erase(slot);
  waiting.push_front(slot);
}

bool Engine::grow_for_decode(int32_t slot) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  while (true) {
    const int64_t need = blocks_needed(r, r.kv_tokens + 1) - r.blocks;
    if (need <= 0) return true;
    if (kv.allocate(need)) {
      r.blocks += need;
      return true;
    }
    // The cache is full: preempt the request admitted last (possibly `slot` itself).
    const int32_t victim = running.back();
    preempt(victim);
    if (victim == slot) return false;
  }
}

void Engine::begin_iteration() {
  work.clear();
  shape = StepShape{};
  bulk_rows = 0;
  pass_rows = 0;
}

int64_t Engine::plan_decode_pass(int64_t budget) {
  if (!bulk_decode || !plan_bulk_decode(budget)) {
    if (bulk_decode) dissolve_steady();
    budget = plan_decode_rows(budget);
  }
  pass_rows = work.size();
  return budget;
}

int64_t Engine::plan_decode_rows(int64_t budget) {
  const size_t first_row = work.size();
  running.compact();  // an index loop: preemptions below erase only the back
  for (size_t i = 0; i < running.slots().size();) {
    prefetch_running(i + kPrefetchAhead);
    const int32_t slot = running.slots()[i];
    const LiveRequest& r = requests[static_cast<size_t>(slot)];
    if (r.phase != RequestPhase::kDecode) {
      ++i;
      continue;
    }
    if (budget < r.beams) break;
    if (!reserve_decode(slot)) break;  // preempted itself: it was the last running request
    queue_decode(slot);
    budget -= r.beams;
    ++i;
  }
  add_queued_decode_rows(first_row);
  return budget;
}

int64_t Engine::plan_admitted_prompts(int64_t budget) {
  for (const int32_t slot : prefilling) {
    if (budget <= 0) break;
    if (requests[static_cast<size_t>(slot)].phase != RequestPhase::kPrefill) continue;
    const int64_t left = prompt_left(slot);
    const bool may_chunk = engine_may_chunk(profile, requests[static_cast<size_t>(slot)]);
    const int64_t chunk = may_chunk ? std::min(left, budget) : left;
    if (chunk > budget) continue;
    plan_prefill(slot, chunk);
    budget -= chunk;
  }
  return budget;
}

int64_t Engine::admit_and_plan(int64_t budget, bool decode_now) {
  while (budget > 0) {
    const int32_t slot = front_waiting();
    if (slot < 0) break;
    const LiveRequest& r = requests[static_cast<size_t>(slot)];
    const int64_t left = r.kv_tokens > 0 ? r.prompt_len - r.kv_tokens : r.prompt_len;
    if (left == 0) {  // transferred from a prefill pool
      if ((decode_now && budget < r.beams) || !admit_front()) break;
      if (!decode_now) {
        if (bulk_decode) pending.push_back(slot);  // decodes in the next decode iteration
        continue;
      }
      if (!reserve_decode(slot)) break;
      plan_decode(slot);
      budget -= r.beams;
      continue;
    }
    if (!engine_may_chunk(profile, r) && left > budget) break;  // first come, first served
    if (!admit_front()) break;
    // The prefix cache may have served part of the prompt.
    const int64_t chunk = std::min(prompt_left(slot), budget);
    plan_prefill(slot, chunk);
    budget -= chunk;
  }
  return budget;
}

int64_t Engine::prompt_left(int32_t slot) const {
  const LiveRequest& r = requests[static_cast<size_t>(slot)];
  return r.prompt_len - r.kv_tokens;
}

void Engine::plan_prefill(int32_t slot, int64_t tokens) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  XPUSIM_CHECK(tokens >= 1 && tokens <= r.prompt_len - r.kv_tokens, "invalid chunk");
  const bool last = r.kv_tokens + tokens == r.prompt_len;
  add_prefill_chunk(shape, tokens, r.kv_tokens, last, span, r.beams);
  work.push_back(StepWork{.tokens = tokens, .slot = slot, .prefill = true});
}


void Engine::release(int32_t slot) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  XPUSIM_CHECK(!r.steady, "a steady row is released only after leave_steady");
  kv.release(r.blocks - r.shared_blocks);
  if (r.prefix_ref) kv.unref_prefix(r.prefix_id, ++seq);
  r.blocks = 0;
  r.shared_blocks = 0;
  r.prefix_ref = false;
}

// ---- Steady decode rows ----

void Engine::sync(LiveRequest& r) const {
  if (!r.steady) return;
  const int64_t d = steady_.iterations - r.synced_at;
  if (d > 0) {
    r.kv_tokens += d;
    r.generated += d;
    r.last_token = steady_.last_token;
    if (token_blocks_) r.blocks += d * r.beams;  // allocated in bulk each iteration
  }
  r.synced_at = steady_.iterations;
}

void Engine::join_steady(int32_t slot, SimDuration now) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  // Token-granular growth (below) takes rows whose blocks hold exactly their context.
  const bool can = bulk_decode && r.last_token == now &&
                   (steady_.rows == 0 || (steady_.last_token == now && steady_.beams == r.beams)) &&
                   (!token_blocks_ || held_tokens(r) == r.kv_tokens);
  if (!can) {
    pending.push_back(slot);
    return;
  }
  if (steady_.rows == 0) {
    steady_.last_token = now;
    steady_.beams = r.beams;
  }
  r.steady = true;
  r.synced_at = steady_.iterations;
  const int64_t offset = r.kv_tokens - steady_.iterations;
  auto& heap = steady_.offsets;
  if (heap.size() > 2 * static_cast<size_t>(steady_.rows) + 64) {  // mostly rows that left
    std::erase_if(heap, [&](const SteadySet::Offset& o) {
      const LiveRequest& x = requests[static_cast<size_t>(o.slot)];
      return !x.steady || x.admit_seq != o.seq;
    });
    std::make_heap(heap.begin(), heap.end());
  }
  heap.push_back(SteadySet::Offset{.offset = offset, .seq = r.admit_seq, .slot = slot});
  std::push_heap(heap.begin(), heap.end());
  steady_.offset_sum += offset;
  ++steady_.rows;
  const int64_t finish = finish_step(r);
  steady_.finish.push(Due{.step = finish, .seq = r.admit_seq, .slot = slot});
  // The row's last iteration is the one run at finish - 1: a block due later is never needed.
  if (const int64_t reserve = reserve_step(r); reserve < finish && !token_blocks_)
    push_block_event(Due{.step = reserve, .seq = r.admit_seq, .slot = slot});
  // Its keys on a local layer from the next iteration's context on.
  const int64_t local = set_local(r, r.kv_tokens + 1);
  steady_.local_a += r.local_a;
  steady_.local_const += local_const(r);
  if (local >= 0 && local < finish)
    steady_.local.push(Due{.step = local, .seq = r.admit_seq, .slot = slot});
}

int64_t Engine::set_local(LiveRequest& r, int64_t k) const {
  const int64_t offset = r.kv_tokens - r.synced_at;
  r.local_a = 1;
  r.local_b = 0;
  if (span.window > 0) {
    if (k <= span.window) return span.window - offset;  // context W + 1: capped from then on
    r.local_a = 0;
    r.local_b = span.window;
    return -1;
  }
  if (span.chunk > 0) {
    const int64_t before = (k - 1) / span.chunk;  // whole chunks before k's own
    r.local_b = -span.chunk * before;
    return (before + 1) * span.chunk - offset;  // context (before + 1) x chunk + 1: a new chunk
  }
  return -1;
}

int64_t Engine::local_event_step(const LiveRequest& r) const {
  const int64_t offset = r.kv_tokens - r.synced_at;
  if (span.window > 0) return r.local_a == 1 ? span.window - offset : -1;
  if (span.chunk > 0) return (-r.local_b / span.chunk + 1) * span.chunk - offset;
  return -1;
}

void Engine::advance_local(int64_t step) {
  DueHeap& heap = steady_.local;
  while (!heap.empty() && heap.top().step <= step) {
    const Due d = heap.top();
    heap.pop();
    LiveRequest& r = requests[static_cast<size_t>(d.slot)];
    if (!r.steady || r.admit_seq != d.seq || local_event_step(r) != d.step) continue;  // stale
    XPUSIM_CHECK(d.step == step, "a steady row's local event was passed over");
    steady_.local_a -= r.local_a;
    steady_.local_const -= local_const(r);
    const int64_t next = set_local(r, r.kv_tokens - r.synced_at + step + 1);
    steady_.local_a += r.local_a;
    steady_.local_const += local_const(r);
    if (next >= 0 && next < finish_step(r))
      heap.push(Due{.step = next, .seq = r.admit_seq, .slot = d.slot});
  }
}

void Engine::leave_steady(LiveRequest& r) {
  sync(r);
  const int64_t offset = r.kv_tokens - steady_.iterations;
  steady_.offset_sum -= offset;  // its entry in `offsets` is dropped when it reaches the top
  steady_.local_a -= r.local_a;  // its local event, if any, is stale from now on
  steady_.local_const -= local_const(r);
  --steady_.rows;
  r.steady = false;
}

void Engine::dissolve_steady() {
  for (const int32_t slot : running) {
    LiveRequest& r = requests[static_cast<size_t>(slot)];
    if (!r.steady) continue;
    sync(r);
    r.steady = false;
  }
  steady_.rows = 0;
  steady_.offset_sum = 0;
  steady_.local_a = 0;
  steady_.local_const = 0;
  steady_.local = DueHeap{};
  steady_.offsets.clear();
  for (auto& bucket : steady_.reserve.wheel) bucket.clear();
  steady_.reserve.later = DueHeap{};
  steady_.finish = DueHeap{};
  pending.clear();
  pending_from_running_ = true;
}

int64_t Engine::largest_offset() {
  auto& heap = steady_.offsets;
  while (true) {
    XPUSIM_CHECK(!heap.empty(), "the largest offset of no steady row");
    const SteadySet::Offset& top = heap.front();
    const LiveRequest& r = requests[static_cast<size_t>(top.slot)];
    if (r.steady && r.admit_seq == top.seq) return top.offset;
    std::pop_heap(heap.begin(), heap.end());
    heap.pop_back();
  }
}

bool Engine::current(const Due& d, bool finish) const {
  const LiveRequest& r = requests[static_cast<size_t>(d.slot)];
  if (!r.steady || r.admit_seq != d.seq) return false;
  // Superseded when the step recomputed from the row's state differs (its block came earlier).
  return (finish ? finish_step(r) : reserve_step(r)) == d.step;
}

void Engine::pop_due(DueHeap& heap, int64_t step, bool finish, std::vector<int32_t>& out) {
  while (!heap.empty() && heap.top().step <= step) {
    const Due d = heap.top();
    heap.pop();
    if (!current(d, finish)) continue;
    XPUSIM_CHECK(d.step == step, "a steady row's event was passed over");
    out.push_back(d.slot);
  }
}

void Engine::push_block_event(const Due& d) {
  BlockEvents& b = steady_.reserve;
  const auto size = static_cast<int64_t>(b.wheel.size());
  if (d.step - steady_.iterations < size)
    b.wheel[static_cast<size_t>(d.step & (size - 1))].push_back(d);
  else
    b.later.push(d);
}

void Engine::pop_block_events(int64_t step, std::vector<int32_t>& out) {
  BlockEvents& b = steady_.reserve;
  const auto size = static_cast<int64_t>(b.wheel.size());
  // Events that came within reach: into their bucket (this step's included).
  while (!b.later.empty() && b.later.top().step - step < size) {
    const Due d = b.later.top();
    b.later.pop();
    b.wheel[static_cast<size_t>(d.step & (size - 1))].push_back(d);
  }
  // A bucket holds events of one step: each was pushed less than `size` steps ahead of its own.
  std::vector<Due>& bucket = b.wheel[static_cast<size_t>(step & (size - 1))];
  std::sort(bucket.begin(), bucket.end(), [](const Due& a, const Due& c) { return a.seq < c.seq; });
  for (const Due& d : bucket) {
    if (!current(d, /*finish=*/false)) continue;
    XPUSIM_CHECK(d.step == step, "a steady row's block event was passed over");
    out.push_back(d.slot);
  }
  bucket.clear();
}

bool Engine::plan_bulk_decode(int64_t& budget) {
  // After a row-by-row iteration: its decode rows joined the steady set when it ended, the ones
  // it left out (and any decode row since) are the decode-phase rows outside it.
  if (pending_from_running_) {
    pending.clear();
    for (const int32_t slot : running) {
      const LiveRequest& r = requests[static_cast<size_t>(slot)];
      if (r.phase == RequestPhase::kDecode && !r.steady) pending.push_back(slot);
    }
    pending_from_running_ = false;
  }
  // Every request of a run has the same beams (a decode row each): the rows all fit the budget
  // or the row-by-row pass stops where it runs out.
  int64_t rows = 0;
  for (const int32_t slot : pending) rows += requests[static_cast<size_t>(slot)].beams;
  if (steady_.rows > 0) {
    if (steady_.rows > kMaxStepTokens / steady_.beams) return false;
    rows += steady_.rows * steady_.beams;
    // The longest context of the iteration (the new token included) must be one a step shape
    // accepts; the row-by-row pass reports the one that is not.
    const int64_t longest = largest_offset() + steady_.iterations + 1;
    if (longest > kMaxStepTokens) return false;
    // Their key sum must stay an exact integer in a double (the row-by-row sums are).
    constexpr int64_t kExact = int64_t{1} << 53;
    if (longest > kExact / (steady_.rows * steady_.beams)) return false;
  }
  if (rows > budget || rows > kMaxStepTokens) return false;
  // Token-granular growth: every steady row takes `beams` blocks each iteration, allocated
  // together; when they and the pending rows' blocks do not all fit (free blocks and idle
  // prefixes), some row would preempt, and the row-by-row pass finds which.
  int64_t grow = 0;
  if (token_blocks_) {
    grow = steady_.rows * steady_.beams;
    int64_t need = grow;
    for (const int32_t slot : pending) {
      const LiveRequest& r = requests[static_cast<size_t>(slot)];
      need += std::max<int64_t>(0, blocks_needed(r, r.kv_tokens + 1) - r.blocks);
    }
    if (need > kv.available_blocks()) return false;
  }
  const size_t first_row = work.size();
  due_.clear();
  pop_block_events(steady_.iterations, due_);
  // The rows to plan one by one -- steady rows whose block is due, pending rows -- in admission
  // order, as the row-by-row pass visits them: a reservation preempts only rows admitted later.
  std::sort(pending.begin(), pending.end(), [&](int32_t a, int32_t b) {
    return requests[static_cast<size_t>(a)].admit_seq < requests[static_cast<size_t>(b)].admit_seq;
  });
  size_t i = 0, j = 0;
  while (i < due_.size() || j < pending.size()) {
    const bool take_due =
        j == pending.size() ||
        (i < due_.size() && requests[static_cast<size_t>(due_[i])].admit_seq <
                                requests[static_cast<size_t>(pending[j])].admit_seq);
    const int32_t slot = take_due ? due_[i++] : pending[j++];
    LiveRequest& r = requests[static_cast<size_t>(slot)];
    // Preempted by an earlier row's reservation: no longer running.
    if (r.phase != RequestPhase::kDecode || (take_due && !r.steady)) continue;
    if (take_due) {
      sync(r);
      if (!reserve_decode(slot)) break;  // preempted itself: it was the last running request
      if (const int64_t reserve = reserve_step(r); reserve < finish_step(r))
        push_block_event(Due{.step = reserve, .seq = r.admit_seq, .slot = slot});
    } else {
      XPUSIM_CHECK(!r.steady, "a pending row is not a steady one");
      if (!reserve_decode(slot)) break;
      queue_decode(slot);
    }
  }
  pending.clear();
  add_queued_decode_rows(first_row);
  if (grow > 0) {
    const bool taken = kv.allocate(grow);
    XPUSIM_CHECK(taken, "the steady rows' blocks were counted free");
  }
  bulk_rows = steady_.rows;
  int64_t planned = 0;  // decode rows (beams) planned
  for (size_t k = first_row; k < work.size(); ++k)
    planned += requests[static_cast<size_t>(work[k].slot)].beams;
  if (bulk_rows > 0) {
    // The steady requests' contexts this iteration: kv_tokens + 1 each, for each of its beams,
    // and their keys on a local layer (exact: integer sums of doubles below 2^53 do not depend
    // on the order the row-by-row pass would add them in).
    const int64_t next = steady_.iterations + 1;
    advance_local(steady_.iterations);
    const int64_t context_sum = steady_.offset_sum + bulk_rows * next;
    const int64_t local_sum = steady_.local_const + steady_.local_a * next;
    const int64_t longest = span.max_keys(largest_offset() + next);
    DecodeRowSum sum(shape, span);
    sum.add_rows(bulk_rows * steady_.beams, context_sum * steady_.beams, local_sum * steady_.beams,
                 longest);
    sum.commit();
    planned += bulk_rows * steady_.beams;
  }
  budget -= planned;
  return true;
}

SimDuration Engine::advance_steady(SimDuration now, std::vector<int32_t>& finishing) {
  const SimDuration gap = now - steady_.last_token;
  ++steady_.iterations;
  steady_.last_token = now;
  pop_due(steady_.finish, steady_.iterations, /*finish=*/true, finishing);
  return gap;
}

}  // namespace xpusim
