// SPDX-License-Identifier: Apache-2.0
#include "xpusim/workload/step_shape.h"

#include <algorithm>

#include "xpusim/base/check.h"

namespace xpusim {
namespace {

double d(int64_t v) { return static_cast<double>(v); }

// Σ_{k=a..b} min(k, w) for 1 <= a <= b (w <= 0: no cap).
double capped_sum(int64_t a, int64_t b, int64_t w) {
  if (w <= 0 || b <= w) return (d(a) + d(b)) * d(b - a + 1) / 2.0;
  if (a > w) return d(w) * d(b - a + 1);
  return (d(a) + d(w)) * d(w - a + 1) / 2.0 + d(w) * d(b - w);
}

}  // namespace

double causal_pairs(int64_t tokens, int64_t cached, int window) {
  return capped_sum(cached + 1, cached + tokens, window);
}

void add_prefill_chunk(StepShape& s, int64_t tokens, int64_t cached, bool samples, int window,
                       int64_t rows) {
  XPUSIM_CHECK(tokens >= 1 && cached >= 0 && rows >= 1, "invalid prefill chunk");
  const int64_t keys = cached + tokens;
  const int64_t seen = window > 0 ? std::min<int64_t>(keys, window) : keys;
  s.prefill_tokens += tokens;
  s.prefill_chunks += 1;
  s.prefill_pairs += causal_pairs(tokens, cached, window);
  // Keys of earlier tokens that the chunk reads back from the cache (those still in the window).
  s.prefill_cached_keys += d(std::max<int64_t>(0, seen - tokens));
  // An average query tile sees the cached keys and half of the chunk (causal); at most the window.
  const double tile_keys = std::min(d(cached) + 0.5 * d(tokens), window > 0 ? 0.5 * d(seen) +
                                    std::max(0.0, d(seen) - d(tokens)) : 1e300);
  s.prefill_tile_keys += d((tokens + 127) / 128) * tile_keys;
  s.prefill_max_keys = std::max(s.prefill_max_keys, seen);
  if (samples) s.sampled_rows += rows;
}


}  // namespace xpusim
