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

Engine::Engine(int idx, const EngineProfile& p, int64_t kv_blocks, int win,
               std::vector<LiveRequest>& reqs, bool decode_pool, int64_t max_len)
    : index(idx),
      profile(p),
      kv(kv_blocks, p.kv_block_size),
      window(win),
      max_model_len(max_len),
      decode_only(decode_pool),
      requests(reqs) {}

int64_t Engine::blocks_needed(const LiveRequest& r, int64_t tokens) const {
  if (r.beams <= 1) return kv.blocks_for(tokens);
  const int64_t shared = std::min(tokens, r.prompt_len);
  return kv.blocks_for(shared) + r.beams * kv.blocks_for(tokens - shared);
}

int64_t Engine::max_tokens_per_request() const {
  int64_t cap = kv.capacity_blocks() * kv.block_size();
  if (max_model_len > 0) cap = std::min(cap, max_model_len);
  return cap;
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
  return true;
}

void Engine::preempt(int32_t slot) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
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
  running.erase(std::find(running.begin(), running.end(), slot));
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

int64_t Engine::plan_admitted_prompts(int64_t budget) {
  for (const int32_t slot : running) {
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
      if (!decode_now) continue;
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
  add_prefill_chunk(shape, tokens, r.kv_tokens, last, window, r.beams);
  work.push_back(StepWork{.tokens = tokens, .slot = slot, .prefill = true});
}


void Engine::release(int32_t slot) {
  LiveRequest& r = requests[static_cast<size_t>(slot)];
  kv.release(r.blocks - r.shared_blocks);
  if (r.prefix_ref) kv.unref_prefix(r.prefix_id, ++seq);
  r.blocks = 0;
  r.shared_blocks = 0;
  r.prefix_ref = false;
}

}  // namespace xpusim
