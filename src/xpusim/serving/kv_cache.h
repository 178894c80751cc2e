// SPDX-License-Identifier: Apache-2.0
// The paged KV cache of one engine (stage: serving/): a pool of fixed-size blocks (vLLM
// PagedAttention, Kwon et al. SOSP 2023; TensorRT-LLM tokens_per_block) handed to requests as
// their context grows, with a prefix cache of shared prompt prefixes (vLLM automatic prefix
// caching, SGLang RadixAttention, TensorRT-LLM block reuse) whose unreferenced entries stay
// resident until the blocks are needed (LRU eviction). The cache counts blocks; it does not track
// block ids (no fragmentation: paging has none beyond the last partial block of a request).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace xpusim {

class PagedKvCache {
 public:
  // `blocks` blocks of `block_size` tokens (both >= 1).
  PagedKvCache(int64_t blocks, int64_t block_size);

  [[nodiscard]] int64_t block_size() const { return block_size_; }
  [[nodiscard]] int64_t capacity_blocks() const { return capacity_; }
  // Blocks held by requests and by referenced prefixes.
  [[nodiscard]] int64_t used_blocks() const { return used_; }
  // Blocks that an allocation may take now: free ones plus unreferenced cached prefixes (which
  // allocate() evicts when it needs them; docs/serving.md, "Paged KV cache").
  [[nodiscard]] int64_t available_blocks() const { return capacity_ - used_; }
  // Blocks needed for `tokens` tokens.
  [[nodiscard]] int64_t blocks_for(int64_t tokens) const {
    return (tokens + block_size_ - 1) / block_size_;
  }

  // Takes `n` blocks, evicting idle prefixes (least recently used first) if needed. False (and
  // nothing taken) when fewer than n are available.
  bool allocate(int64_t n);
  // Returns `n` blocks taken by allocate().
  void release(int64_t n);

  // ---- Prefix cache ----
  // Tokens of prefix `id` (up to `prefix_len`) already cached, in whole blocks; references them
  // (the caller must unref_prefix later). 0 when the prefix is not cached.
  int64_t ref_prefix(int64_t id, int64_t prefix_len, int64_t now_seq);
  // Registers the first whole blocks of prefix `id` (prefix_len tokens) as cached and referenced
  // by the caller: the caller's own allocation shrinks by those blocks (they move from the
  // request to the prefix entry). Returns how many moved: 0 (no effect) if the prefix is already
  // cached or shorter than a block.
  int64_t publish_prefix(int64_t id, int64_t prefix_len, int64_t now_seq);
  void unref_prefix(int64_t id, int64_t now_seq);
  // Prefix entries currently cached.
  [[nodiscard]] size_t cached_prefixes() const { return prefixes_.size(); }

 private:
  struct Prefix {
    int64_t blocks = 0;
    int64_t refs = 0;
    int64_t last_use = 0;  // sequence number of the last ref/unref (LRU order)
  };
  bool evict_idle(int64_t needed);

  int64_t capacity_;
  int64_t block_size_;
  int64_t used_ = 0;         // blocks of requests + referenced prefixes
  int64_t idle_prefix_ = 0;  // blocks of unreferenced prefixes
  std::unordered_map<int64_t, Prefix> prefixes_;
};

}  // namespace xpusim
