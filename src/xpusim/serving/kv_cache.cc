// SPDX-License-Identifier: Apache-2.0
#include "xpusim/serving/kv_cache.h"

#include <algorithm>
#include <limits>

#include "xpusim/base/check.h"

namespace xpusim {

PagedKvCache::PagedKvCache(int64_t blocks, int64_t block_size)
    : capacity_(blocks), block_size_(block_size) {
  XPUSIM_CHECK(blocks >= 0 && block_size >= 1, "invalid KV cache shape");
}

bool PagedKvCache::evict_idle(int64_t needed) {
  // Least recently used idle prefixes first (vLLM's evictor, SGLang's radix-tree LRU). Linear in
  // the number of cached prefixes: eviction is rare next to allocation.
  while (capacity_ - used_ - idle_prefix_ < needed && idle_prefix_ > 0) {
    auto victim = prefixes_.end();
    int64_t oldest = std::numeric_limits<int64_t>::max();
    for (auto it = prefixes_.begin(); it != prefixes_.end(); ++it)
      if (it->second.refs == 0 && it->second.last_use < oldest) {
        oldest = it->second.last_use;
        victim = it;
      }
    XPUSIM_CHECK(victim != prefixes_.end(), "idle prefix blocks without an idle prefix");
    idle_prefix_ -= victim->second.blocks;
    prefixes_.erase(victim);
  }
  return capacity_ - used_ - idle_prefix_ >= needed;
}

bool PagedKvCache::allocate(int64_t n) {
  XPUSIM_CHECK(n >= 0, "negative allocation");
  if (capacity_ - used_ - idle_prefix_ < n && !evict_idle(n)) return false;
  used_ += n;
  return true;
}

void PagedKvCache::release(int64_t n) {
  XPUSIM_CHECK(n >= 0 && n <= used_, "releasing blocks that were not allocated");
  used_ -= n;
}

int64_t PagedKvCache::ref_prefix(int64_t id, int64_t prefix_len, int64_t now_seq) {
  auto it = prefixes_.find(id);
  if (it == prefixes_.end()) return 0;
  Prefix& p = it->second;
  if (p.refs == 0) {
    idle_prefix_ -= p.blocks;
    used_ += p.blocks;
  }
  ++p.refs;
  p.last_use = now_seq;
  return std::min(p.blocks * block_size_, prefix_len);
}

int64_t PagedKvCache::publish_prefix(int64_t id, int64_t prefix_len, int64_t now_seq) {
  const int64_t blocks = prefix_len / block_size_;  // whole blocks only
  if (blocks == 0 || prefixes_.contains(id)) return 0;
  // The blocks already count in used_ (the publisher allocated them); they change owner.
  prefixes_.emplace(id, Prefix{blocks, 1, now_seq});
  return blocks;
}

void PagedKvCache::unref_prefix(int64_t id, int64_t now_seq) {
  auto it = prefixes_.find(id);
  XPUSIM_CHECK(it != prefixes_.end() && it->second.refs > 0, "unreferencing an unknown prefix");
  Prefix& p = it->second;
  p.last_use = now_seq;
  if (--p.refs == 0) {
    used_ -= p.blocks;
    idle_prefix_ += p.blocks;
  }
}

}  // namespace xpusim
