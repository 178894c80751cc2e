// SPDX-License-Identifier: Apache-2.0
#include "xpusim/workload/step_shape.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace xpusim {
namespace {

double d(int64_t v) { return static_cast<double>(v); }

// Σ_{k=a..b} min(k, w) for 1 <= a <= b (w <= 0: no cap).
double capped_sum(int64_t a, int64_t b, int64_t w) {
  if (w <= 0 || b <= w) return (d(a) + d(b)) * d(b - a + 1) / 2.0;
  if (a > w) return d(w) * d(b - a + 1);
  return (d(a) + d(w)) * d(w - a + 1) / 2.0 + d(w) * d(b - w);
}

// Σ_{k=1..n} ((k - 1) mod c + 1): q full chunks of c(c+1)/2 and a partial one of r(r+1)/2.
double chunked_prefix(int64_t n, int64_t c) {
  const int64_t q = n / c, r = n % c;
  return d(q) * d(c) * d(c + 1) / 2.0 + d(r) * d(r + 1) / 2.0;
}

// Σ_{k=a..b} keys seen at position k on a local layer (1 <= a <= b).
double local_sum(int64_t a, int64_t b, const AttentionSpan& span) {
  if (span.chunk > 0 && span.window <= 0)
    return chunked_prefix(b, span.chunk) - chunked_prefix(a - 1, span.chunk);
  return capped_sum(a, b, span.window);
}

}  // namespace

double causal_pairs(int64_t tokens, int64_t cached, const AttentionSpan& span) {
  const int64_t a = cached + 1, b = cached + tokens;
  if (span.full()) return capped_sum(a, b, 0);
  const double local = local_sum(a, b, span);
  if (span.local_share >= 1.0) return local;
  return (1.0 - span.local_share) * capped_sum(a, b, 0) + span.local_share * local;
}

void add_prefill_chunk(StepShape& s, int64_t tokens, int64_t cached, bool samples,
                       const AttentionSpan& span, int64_t rows) {
  if (tokens < 1 || cached < 0 || rows < 1 || tokens > kMaxStepTokens - s.tokens() ||
      cached > kMaxStepTokens || rows > kMaxStepTokens - s.sampled_rows) {
    ++s.invalid_segments;
    return;
  }
  const int64_t keys = cached + tokens;
  // On a full layer the chunk reads back every cached key, and an average query tile sees the
  // cached keys and half of the chunk (causal).
  const double full_cached = d(cached);
  const double full_tile = d(cached) + 0.5 * d(tokens);
  double cached_keys = full_cached, tile_keys = full_tile;
  int64_t max_keys = keys;
  if (!span.full()) {
    double local_cached = 0, local_tile = 0;
    if (span.window > 0) {
      // Sliding window: the cached keys in the chunk's first query's window (it sees itself and
      // window - 1 earlier keys); a tile sees at most the window.
      const int64_t seen = std::min<int64_t>(keys, span.window);
      local_cached = d(std::min<int64_t>(cached, span.window - 1));
      local_tile = std::min(full_tile, 0.5 * d(seen) + std::max(0.0, d(seen) - d(tokens)));
      max_keys = seen;
    } else {
      // Chunked: the cached keys of the first query's chunk (cached mod chunk); a tile sees the
      // mean keys of the chunk's queries.
      local_cached = d(cached % span.chunk);
      local_tile = local_sum(cached + 1, keys, span) / d(tokens);
      max_keys = std::min<int64_t>(span.chunk, cached % span.chunk + tokens);
    }
    if (span.local_share >= 1.0) {
      cached_keys = local_cached;
      tile_keys = local_tile;
    } else {
      const double sh = span.local_share;
      cached_keys = (1.0 - sh) * full_cached + sh * local_cached;
      tile_keys = (1.0 - sh) * full_tile + sh * local_tile;
      max_keys = keys;
    }
  }
  s.prefill_tokens += tokens;
  s.prefill_chunks += 1;
  s.prefill_pairs += causal_pairs(tokens, cached, span);
  // Keys of earlier tokens that the chunk reads back from the cache (those a query still sees).
  s.prefill_cached_keys += cached_keys;
  // K/V re-reads of the 128-row query tiles.
  s.prefill_tile_keys += d((tokens + 127) / 128) * tile_keys;
  s.prefill_max_keys = std::max(s.prefill_max_keys, max_keys);
  if (samples) s.sampled_rows += rows;
}

Result<void> check_step_shape(const StepShape& s) {
  Diagnostics errs;
  auto bad = [&](const char* field, std::string message) {
    errs.push_back(Diagnostic{.path = std::string("shape.") + field, .message = std::move(message)});
  };
  if (s.invalid_segments != 0)
    bad("invalid_segments",
        fmt::format("{} segment(s) were added with out-of-range arguments: a prefill chunk needs "
                    "tokens >= 1, cached >= 0 and rows >= 1, a decode row context >= 1 and rows "
                    ">= 1, each and the step's total at most 2^40 tokens",
                    s.invalid_segments));
  auto count = [&](const char* field, int64_t v) {
    if (v < 0 || v > kMaxStepTokens)
      bad(field, fmt::format("must be in [0, 2^40], got {}", v));
  };
  count("prefill_tokens", s.prefill_tokens);
  count("prefill_chunks", s.prefill_chunks);
  count("prefill_max_keys", s.prefill_max_keys);
  count("decode_tokens", s.decode_tokens);
  count("decode_max_keys", s.decode_max_keys);
  count("sampled_rows", s.sampled_rows);
  auto sum = [&](const char* field, double v) {
    if (!std::isfinite(v) || v < 0) bad(field, fmt::format("must be finite and >= 0, got {}", v));
  };
  sum("prefill_pairs", s.prefill_pairs);
  sum("prefill_cached_keys", s.prefill_cached_keys);
  sum("prefill_tile_keys", s.prefill_tile_keys);
  sum("decode_keys", s.decode_keys);
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  if (s.tokens() > kMaxStepTokens)
    bad("tokens", fmt::format("prefill_tokens + decode_tokens = {} exceeds 2^40", s.tokens()));
  if (s.empty())
    bad("tokens", "a step needs at least one query token (prefill_tokens + decode_tokens >= 1)");
  if ((s.prefill_tokens > 0) != (s.prefill_chunks > 0) || s.prefill_chunks > s.prefill_tokens)
    bad("prefill_chunks", fmt::format("{} chunks for {} prefill tokens: every chunk holds at "
                                      "least one token",
                                      s.prefill_chunks, s.prefill_tokens));
  if (s.prefill_tokens > 0 && s.prefill_max_keys < 1)
    bad("prefill_max_keys", fmt::format("must be >= 1 with prefill tokens, got {}",
                                        s.prefill_max_keys));
  if (s.decode_tokens > 0 && s.decode_max_keys < 1)
    bad("decode_max_keys", fmt::format("must be >= 1 with decode rows, got {}", s.decode_max_keys));
  if (!errs.empty()) return tl::unexpected(std::move(errs));
  return {};
}


}  // namespace xpusim
